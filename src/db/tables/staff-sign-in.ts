/** What a staff member signs in with beyond the password: set-password links, sessions, TOTP, recovery codes, passkeys, WebAuthn challenges (the portal's passkeys share the challenges). Part of the schema: src/db/schema.ts. */
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { agencies, staffUsers } from "./core";

/**
 * Single-use links emailed to a staff member: an invitation to set a first password, or a password
 * reset. Only the SHA-256 of the secret is stored. A link works while `used_at` is null and
 * `expires_at` is ahead; `used_at` is set when it is used or when a newer link of the same purpose
 * (or a password change) supersedes it.
 */
export const staffTokens = sqliteTable(
  "staff_tokens",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    agencyId: integer("agency_id").notNull().references(() => agencies.id),
    staffId: integer("staff_id").notNull().references(() => staffUsers.id),
    purpose: text("purpose", { enum: ["invite", "reset"] }).notNull(),
    /** Hex SHA-256 of the 32 random bytes the link carries. */
    tokenHash: text("token_hash").notNull(),
    /** Epoch milliseconds. */
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    usedAt: integer("used_at"),
  },
  (t) => [uniqueIndex("staff_tokens_hash").on(t.tokenHash), index("staff_tokens_staff").on(t.staffId, t.purpose, t.createdAt)],
);

/**
 * One row per staff sign-in: the session a staff cookie belongs to. The cookie's JWT carries the
 * row's `id` (claim `sid`), and every request checks that the row exists, belongs to the member
 * and has not ended — so one session can be ended without touching the others. `lastSeenAt` moves
 * at most once a minute (with the cookie refresh). `device` is a short summary of the user agent
 * ("Firefox on Linux"), `address` the CF-Connecting-IP at sign-in.
 */
export const staffSessions = sqliteTable(
  "staff_sessions",
  {
    /** 16 random bytes, base64url (22 characters). */
    id: text("id").primaryKey(),
    agencyId: integer("agency_id").notNull().references(() => agencies.id),
    staffId: integer("staff_id").notNull().references(() => staffUsers.id),
    /** Epoch milliseconds. */
    createdAt: integer("created_at").notNull(),
    lastSeenAt: integer("last_seen_at").notNull(),
    device: text("device").notNull(),
    address: text("address").notNull(),
    endedAt: integer("ended_at"),
  },
  (t) => [index("staff_sessions_staff").on(t.staffId, t.endedAt)],
);

/**
 * A staff member's TOTP (RFC 6238) authenticator. The secret is AES-GCM encrypted with the
 * Worker secret TWO_FACTOR_KEY (src/two-factor/secret-box.ts). `confirmedAt` is null while
 * enrolment waits for its first code; `lastUsedStep` is the newest 30-second step accepted, so a
 * code (or an older one) is never accepted twice.
 */
export const staffTotp = sqliteTable("staff_totp", {
  staffId: integer("staff_id").primaryKey().references(() => staffUsers.id),
  agencyId: integer("agency_id").notNull().references(() => agencies.id),
  secretBox: text("secret_box").notNull(),
  confirmedAt: integer("confirmed_at"),
  lastUsedStep: integer("last_used_step"),
  createdAt: integer("created_at").notNull(),
});

/** Single-use recovery codes for two-factor sign-in, stored as SHA-256 hashes. */
export const staffRecoveryCodes = sqliteTable(
  "staff_recovery_codes",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    staffId: integer("staff_id").notNull().references(() => staffUsers.id),
    agencyId: integer("agency_id").notNull().references(() => agencies.id),
    codeHash: text("code_hash").notNull(),
    usedAt: integer("used_at"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [uniqueIndex("staff_recovery_codes_staff_hash").on(t.staffId, t.codeHash)],
);

/** A staff member's passkey (WebAuthn credential). `id` is the credential ID, base64url. */
export const staffPasskeys = sqliteTable(
  "staff_passkeys",
  {
    id: text("id").primaryKey(),
    staffId: integer("staff_id").notNull().references(() => staffUsers.id),
    agencyId: integer("agency_id").notNull().references(() => agencies.id),
    name: text("name").notNull(),
    /** COSE public key, base64url. */
    publicKey: text("public_key").notNull(),
    /** Signature counter last seen; a lower one means a cloned authenticator. */
    counter: integer("counter").notNull().default(0),
    /** JSON array of transports the browser reported (usb, internal, hybrid…). */
    transports: text("transports").notNull().default("[]"),
    createdAt: integer("created_at").notNull(),
    lastUsedAt: integer("last_used_at"),
  },
  (t) => [index("staff_passkeys_staff").on(t.staffId)],
);

/**
 * Outstanding WebAuthn challenges: single-use (a ceremony deletes its row before verifying) and
 * short-lived. `ownerKind` says whose ceremony it is (the staff app's or a portal's); `staffId` or
 * `loginId` binds registration and second-step challenges to one staff member or portal login; a
 * passkey sign-in challenge has none (the passkey names its owner). A portal challenge also names
 * its agency, so one agency's portal can't use a challenge issued by another's.
 */
export const webauthnChallenges = sqliteTable(
  "webauthn_challenges",
  {
    challenge: text("challenge").primaryKey(),
    purpose: text("purpose", { enum: ["register", "link-register", "second-step", "sign-in"] }).notNull(),
    ownerKind: text("owner_kind", { enum: ["staff", "portal"] }).notNull().default("staff"),
    staffId: integer("staff_id"),
    loginId: integer("login_id"),
    agencyId: integer("agency_id"),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [index("webauthn_challenges_expires").on(t.expiresAt)],
);
