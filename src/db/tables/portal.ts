/** Client Portal logins and what hangs off them: emails sent, emailed links, passkeys, sessions per device. Part of the schema: src/db/schema.ts. */
import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { agencies, clients } from "./core";

/** A username/password account on the agency's Client Portal, tied to one client. */
export const portalLogins = sqliteTable(
  "portal_logins",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    agencyId: integer("agency_id").notNull().references(() => agencies.id),
    clientId: integer("client_id").notNull().references(() => clients.id),
    username: text("username").notNull(),
    /** Lower-cased username: unique per agency, so usernames are case-insensitive. */
    usernameKey: text("username_key").notNull(),
    email: text("email").notNull(),
    representative: integer("representative", { mode: "boolean" }).notNull().default(false),
    active: integer("active", { mode: "boolean" }).notNull().default(true),
    /** Argon2id PHC string; null until a password is issued. */
    passwordHash: text("password_hash"),
    mustChangePassword: integer("must_change_password", { mode: "boolean" }).notNull().default(true),
    /** When the temporary password stops working (epoch ms); null once the user chose their own. */
    tempPasswordExpiresAt: integer("temp_password_expires_at"),
    /** Bumped whenever existing sessions must end (deactivation, password change or reset). */
    sessionVersion: integer("session_version").notNull().default(1),
    /**
     * Sign-in throttling for this login (src/auth/throttle.ts): failures in a row from any device,
     * until a success, an unlock, or a quiet PORTAL_ACCOUNT_WINDOW_HOURS; `lockedUntil` is when a
     * new device may try again (what staff see as "Locked"); `lastFailedAt` dates the count.
     */
    failedAttempts: integer("failed_attempts").notNull().default(0),
    lockedUntil: integer("locked_until"),
    lastFailedAt: integer("last_failed_at"),
    lastLoginAt: integer("last_login_at"),
    /** Delivery state of the last credentials email: sent, failed, or null when none was due. */
    emailStatus: text("email_status", { enum: ["sent", "failed"] }),
    /** How the first credential was given: an emailed temporary password, or an invitation link. */
    credentialMethod: text("credential_method", { enum: ["password", "invitation"] }).notNull().default("password"),
    /**
     * Staff blocked this person (custody conflicts): no email of any kind, no sign-in, and no
     * re-linking to a client without an admin. The reason is shown to staff only. Epoch ms.
     */
    blockedAt: integer("blocked_at"),
    blockedReason: text("blocked_reason"),
    blockedBy: integer("blocked_by"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [
    uniqueIndex("portal_logins_agency_username").on(t.agencyId, t.usernameKey),
    index("portal_logins_client").on(t.clientId),
    // Client Portal Accounts (src/portal-accounts/): search by the start of an email, any case.
    index("portal_logins_agency_email").on(t.agencyId, sql`lower(${t.email})`),
    // …and the status filters' coarse part (active, temporary or chosen password), in username order.
    index("portal_logins_agency_state").on(t.agencyId, t.active, t.mustChangePassword, t.usernameKey),
  ],
);

/**
 * Every email sent to a portal login (credentials, links, security notices) and whether the
 * binding took it: the history staff see, with Resend. Written only by `sendPortalEmail`
 * (src/email/portal-mail.ts). Never holds a body or a secret: a notice is rebuilt for a Resend
 * from `facts` (what changed and when — no password, no link).
 */
export const portalEmails = sqliteTable(
  "portal_emails",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    agencyId: integer("agency_id").notNull().references(() => agencies.id),
    clientId: integer("client_id").notNull().references(() => clients.id),
    loginId: integer("login_id").notNull().references(() => portalLogins.id),
    /** 'welcome' | 'new-password' | 'invitation' | 'reset' | 'notice:<what>' (PORTAL_EMAIL_KINDS). */
    kind: text("kind").notNull(),
    toAddress: text("to_address").notNull(),
    status: text("status", { enum: ["sent", "failed"] }).notNull(),
    /** Why the binding refused it, short, addresses taken out; null when sent. */
    error: text("error"),
    /** The binding's id for the message, when it gave one. */
    messageId: text("message_id"),
    /** When the credential the email carried stops working (temporary password, link); null for notices. */
    expiresAt: integer("expires_at"),
    /** JSON, notices only: what changed and when, enough to send the same notice again. */
    facts: text("facts"),
    /** A Resend: the id of the email first sent (a resend of a resend points at the first too). */
    resendOf: integer("resend_of"),
    /** Epoch milliseconds. */
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("portal_emails_client").on(t.agencyId, t.clientId, t.createdAt), index("portal_emails_login").on(t.loginId, t.createdAt)],
);

/**
 * Single-use links emailed to a portal login (src/clients/portal-links.ts): an invitation to choose
 * a first password (the agency's alternative to a temporary password), or a password reset asked
 * for with "Forgot password?". Only the SHA-256 of the secret is stored. A link works while
 * `used_at` is null, `expires_at` is ahead and `dob_locked_at` is null; `used_at` is also set when
 * a newer link of the same purpose, or a password change, supersedes it. Opening a link asks for
 * the client's date of birth: each answer is counted in `dob_failures` before it is compared, and
 * the fifth wrong one locks the link (`dob_locked_at`), which staff see.
 */
export const portalTokens = sqliteTable(
  "portal_tokens",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    agencyId: integer("agency_id").notNull().references(() => agencies.id),
    loginId: integer("login_id").notNull().references(() => portalLogins.id),
    purpose: text("purpose", { enum: ["invite", "reset"] }).notNull(),
    /** Hex SHA-256 of the 32 random bytes the link carries. */
    tokenHash: text("token_hash").notNull(),
    /** Epoch milliseconds. */
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    usedAt: integer("used_at"),
    /** Date-of-birth answers counted against the link (a right answer gives its count back). */
    dobFailures: integer("dob_failures").notNull().default(0),
    /** When the fifth wrong date of birth locked the link. */
    dobLockedAt: integer("dob_locked_at"),
  },
  (t) => [
    uniqueIndex("portal_tokens_hash").on(t.tokenHash),
    index("portal_tokens_login").on(t.loginId, t.purpose, t.createdAt),
    index("portal_tokens_expires").on(t.expiresAt),
  ],
);

/**
 * A portal login's passkey (WebAuthn credential), as staffPasskeys but owned by a portal login:
 * the same columns, with `login_id` for `staff_id`. `id` is the credential ID, base64url.
 */
export const portalPasskeys = sqliteTable(
  "portal_passkeys",
  {
    id: text("id").primaryKey(),
    loginId: integer("login_id").notNull().references(() => portalLogins.id),
    agencyId: integer("agency_id").notNull().references(() => agencies.id),
    name: text("name").notNull(),
    publicKey: text("public_key").notNull(),
    counter: integer("counter").notNull().default(0),
    transports: text("transports").notNull().default("[]"),
    createdAt: integer("created_at").notNull(),
    lastUsedAt: integer("last_used_at"),
  },
  (t) => [index("portal_passkeys_login").on(t.loginId)],
);

/**
 * A portal login's session on one device (src/portal/sessions.ts). The id is random and travels
 * in the session JWT (`sid`); a session holds while its row isn't ended and its `sessionVersion`
 * is still the login's. `lastSeenAt` moves at most once a minute (with the cookie's refresh).
 * `device` is a summary of the User-Agent ("Chrome on Android"); `country` (ISO code) and `city`
 * come from Cloudflare's CF-IPCountry / CF-IPCity headers when present.
 */
export const portalSessions = sqliteTable(
  "portal_sessions",
  {
    id: text("id").primaryKey(),
    loginId: integer("login_id").notNull().references(() => portalLogins.id),
    agencyId: integer("agency_id").notNull().references(() => agencies.id),
    sessionVersion: integer("session_version").notNull(),
    createdAt: integer("created_at").notNull(),
    lastSeenAt: integer("last_seen_at").notNull(),
    device: text("device").notNull(),
    country: text("country"),
    city: text("city"),
    /** How this session began: a password or a passkey. */
    method: text("method", { enum: ["password", "passkey"] }).notNull(),
    /** The client this session acts for ("Whose information?"): the login's own client unless chosen. */
    clientId: integer("client_id"),
    endedAt: integer("ended_at"),
  },
  (t) => [index("portal_sessions_login").on(t.loginId), index("portal_sessions_last_seen").on(t.lastSeenAt)],
);
