/**
 * The whole D1 schema. Every table that holds an agency's data carries `agencyId`, and every
 * query filters on it: that column is the tenant boundary.
 *
 * Generate a migration after changing this file: `npm run db:generate`.
 */
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

export const agencies = sqliteTable("agencies", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  name: text("name").notNull(),
  slug: text("slug").notNull().unique(),
  /** Contracted for the Client Portal: the Face Sheet shows the section and the portal exists. */
  portalEnabled: integer("portal_enabled", { mode: "boolean" }).notNull().default(false),
  /** IANA zone in which the agency's staff read times, e.g. America/New_York. */
  timezone: text("timezone").notNull().default("America/New_York"),
  /** Every staff member must have a second factor (TOTP or a passkey); enrolment at next sign-in. */
  requireTwoFactor: integer("require_two_factor", { mode: "boolean" }).notNull().default(false),
  // Agency settings (Administration › Agency settings). Null means "the Worker's default" (its
  // var), so a new agency, and any setting an admin leaves empty, follows the deployment's value.
  // Read through effectiveSettings (src/db/agency-settings.ts), never directly.
  /** Origin of the agency's Agency Portal URL, e.g. https://portal.example.org (else PORTAL_ORIGIN). */
  portalOrigin: text("portal_origin"),
  /** Portal sign-in: failures before a username locks (else PORTAL_LOCK_AFTER_FAILURES). */
  lockAfterFailures: integer("lock_after_failures"),
  /** Portal sign-in: minutes a lock lasts (else PORTAL_LOCK_MINUTES). */
  lockMinutes: integer("lock_minutes"),
  /** Hours an emailed temporary portal password works (else PORTAL_TEMP_PASSWORD_HOURS). */
  tempPasswordHours: integer("temp_password_hours"),
  /** Hours a portal invitation link works (else PORTAL_INVITE_LINK_HOURS). */
  inviteLinkHours: integer("invite_link_hours"),
  /** How a new portal login gets its first credential (else PORTAL_DEFAULT_CREDENTIAL_METHOD). */
  defaultCredentialMethod: text("default_credential_method", { enum: ["password", "link"] }),
  /** Age from which a minor may have their own portal login (else PORTAL_MINOR_OWN_LOGIN_AGE). */
  minorOwnLoginAge: integer("minor_own_login_age"),
  /** Age at which a parent's access to a client's portal ends (else PORTAL_AGE_OF_MAJORITY). */
  ageOfMajority: integer("age_of_majority"),
  /** Bumped by every settings Save; a Save made from an older version is a conflict. */
  settingsVersion: integer("settings_version").notNull().default(1),
});

/**
 * The staff roles. What each may do is decided in one place, `src/auth/permissions.ts`; the
 * database only keeps the name.
 */
export const STAFF_ROLES = ["admin", "staff", "auditor"] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export const staffUsers = sqliteTable(
  "staff_users",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    agencyId: integer("agency_id").notNull().references(() => agencies.id),
    name: text("name").notNull(),
    /** Stored lower-case; unique across agencies so sign-in needs only the address. */
    email: text("email").notNull(),
    role: text("role", { enum: STAFF_ROLES }).notNull().default("staff"),
    /** Argon2id PHC string; null for a member invited but not yet past their set-password link. */
    passwordHash: text("password_hash"),
    active: integer("active", { mode: "boolean" }).notNull().default(true),
    /** Bumped at password change, deactivation and "sign out everywhere": every token signed with an older version stops working. */
    sessionVersion: integer("session_version").notNull().default(1),
    /** Epoch ms of the member's latest sign-in (any way: password, staff link); null before the first. */
    lastSignInAt: integer("last_sign_in_at"),
    /** Delivery of the latest invitation email: sent, failed (shown as "Email not sent"), null when none. */
    inviteEmailStatus: text("invite_email_status", { enum: ["sent", "failed"] }),
  },
  (t) => [uniqueIndex("staff_users_email").on(t.email)],
);

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

/** A client and the fields of their Face Sheet, including the Current Residence block. */
export const clients = sqliteTable(
  "clients",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    agencyId: integer("agency_id").notNull().references(() => agencies.id),
    clientNumber: text("client_number").notNull(),
    firstName: text("first_name").notNull(),
    lastName: text("last_name").notNull(),
    /** Lower-cased names, kept in step with the names, for indexed prefix search. */
    firstNameKey: text("first_name_key").notNull(),
    lastNameKey: text("last_name_key").notNull(),
    dateOfBirth: text("date_of_birth").notNull(), // YYYY-MM-DD
    residenceAddress: text("residence_address").notNull().default(""),
    residenceCity: text("residence_city").notNull().default(""),
    residenceState: text("residence_state").notNull().default(""),
    residenceZip: text("residence_zip").notNull().default(""),
    residencePhone: text("residence_phone").notNull().default(""),
    residenceEmail: text("residence_email").notNull().default(""),
    residenceHomeless: integer("residence_homeless", { mode: "boolean" }).notNull().default(false),
    refusedPortalLogin: integer("refused_portal_login", { mode: "boolean" }).notNull().default(false),
    /** Bumped by every Face Sheet update; an Update carrying an older version is a conflict. */
    version: integer("version").notNull().default(1),
  },
  (t) => [
    uniqueIndex("clients_agency_number").on(t.agencyId, t.clientNumber),
    index("clients_agency_last").on(t.agencyId, t.lastNameKey, t.firstNameKey),
    index("clients_agency_first").on(t.agencyId, t.firstNameKey),
  ],
);

export const cases = sqliteTable(
  "cases",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    agencyId: integer("agency_id").notNull().references(() => agencies.id),
    clientId: integer("client_id").notNull().references(() => clients.id),
    caseNumber: text("case_number").notNull(),
    program: text("program").notNull(),
    openedOn: text("opened_on").notNull(),
    closedOn: text("closed_on"),
  },
  (t) => [
    index("cases_client").on(t.clientId),
    uniqueIndex("cases_agency_number").on(t.agencyId, t.caseNumber),
  ],
);

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
    createdAt: integer("created_at").notNull(),
  },
  (t) => [
    uniqueIndex("portal_logins_agency_username").on(t.agencyId, t.usernameKey),
    index("portal_logins_client").on(t.clientId),
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
 * One client's ordered, hash-chained log: Face Sheet changes, portal-login changes and portal
 * events. Written only through the client's ClientLog Durable Object, which hands out `seq` and
 * seals each entry with the log key (src/audit/chain.ts).
 */
export const clientLog = sqliteTable(
  "client_log",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    agencyId: integer("agency_id").notNull().references(() => agencies.id),
    clientId: integer("client_id").notNull().references(() => clients.id),
    seq: integer("seq").notNull(),
    /** Epoch milliseconds, UTC. */
    at: integer("at").notNull(),
    actorType: text("actor_type", { enum: ["staff", "portal", "system"] }).notNull(),
    actorId: integer("actor_id"),
    actorName: text("actor_name").notNull(),
    changeType: text("change_type").notNull(),
    description: text("description").notNull(),
    /** JSON: detail lines and the before/after of each changed field. */
    details: text("details").notNull().default("{}"),
    prevHash: text("prev_hash").notNull(),
    /** Id of the LOG_HMAC_KEYS key that sealed the entry ('' = written before entries were keyed: never verifies). */
    keyId: text("key_id").notNull().default(""),
    /** HMAC-SHA256 seal of the entry under that key. */
    hash: text("hash").notNull(),
  },
  (t) => [
    uniqueIndex("client_log_client_seq").on(t.clientId, t.seq),
    index("client_log_client_at").on(t.clientId, t.at),
    index("client_log_client_type_at").on(t.clientId, t.changeType, t.at),
    index("client_log_agency_at").on(t.agencyId, t.at),
  ],
);

/**
 * One agency's ordered, hash-chained access and administration log: staff sign-ins and sign-outs,
 * exports, verifications, record views (and, later, staff and settings changes). Written only
 * through the agency's AgencyLog Durable Object, which hands out `seq` and seals each entry like
 * the client log's.
 */
export const agencyLog = sqliteTable(
  "agency_log",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    agencyId: integer("agency_id").notNull().references(() => agencies.id),
    seq: integer("seq").notNull(),
    /** Epoch milliseconds, UTC; never earlier than the entry before. */
    at: integer("at").notNull(),
    actorType: text("actor_type", { enum: ["staff", "portal", "system"] }).notNull(),
    actorId: integer("actor_id"),
    actorName: text("actor_name").notNull(),
    /** What happened, from a fixed list (src/audit/agency-log.ts), e.g. "Sign-in". */
    action: text("action").notNull(),
    description: text("description").notNull(),
    /** JSON: detail lines and structured facts (ids, results). */
    details: text("details").notNull().default("{}"),
    /** Where the request came from (CF-Connecting-IP) and the browser it named, when known. */
    ipAddress: text("ip_address"),
    userAgent: text("user_agent"),
    prevHash: text("prev_hash").notNull(),
    keyId: text("key_id").notNull(),
    hash: text("hash").notNull(),
  },
  (t) => [
    uniqueIndex("agency_log_agency_seq").on(t.agencyId, t.seq),
    index("agency_log_agency_at").on(t.agencyId, t.at, t.seq),
    index("agency_log_agency_action_at").on(t.agencyId, t.action, t.at, t.seq),
  ],
);

/**
 * Sign-in throttle counters (src/auth/throttle.ts). Every key and subject is an HMAC (THROTTLE_KEY)
 * of what it counts — an address, an account, an account on one device — so nothing typed at
 * sign-in is stored. Rows are deleted by the hourly purge once `expiresAt` has passed.
 */
export const signInThrottle = sqliteTable(
  "sign_in_throttle",
  {
    key: text("key").primaryKey(),
    /** The account the row belongs to (its HMAC), so an unlock can clear every row of it; null for an address. */
    subject: text("subject"),
    failures: integer("failures").notNull().default(0),
    /** Address and device rows: start of the counting window. Account rows: the last failure. */
    windowStart: integer("window_start").notNull(),
    /** Account rows: until when a new device is refused. */
    lockedUntil: integer("locked_until"),
    /** When the row stops changing any answer (0 for rows from before keys were HMACs: purged at once). */
    expiresAt: integer("expires_at").notNull().default(0),
  },
  (t) => [index("sign_in_throttle_subject").on(t.subject), index("sign_in_throttle_expires").on(t.expiresAt)],
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
    purpose: text("purpose", { enum: ["register", "second-step", "sign-in"] }).notNull(),
    ownerKind: text("owner_kind", { enum: ["staff", "portal"] }).notNull().default("staff"),
    staffId: integer("staff_id"),
    loginId: integer("login_id"),
    agencyId: integer("agency_id"),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [index("webauthn_challenges_expires").on(t.expiresAt)],
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
    endedAt: integer("ended_at"),
  },
  (t) => [index("portal_sessions_login").on(t.loginId), index("portal_sessions_last_seen").on(t.lastSeenAt)],
);

export type Agency = typeof agencies.$inferSelect;
export type StaffUser = typeof staffUsers.$inferSelect;
export type StaffToken = typeof staffTokens.$inferSelect;
export type StaffSession = typeof staffSessions.$inferSelect;
export type Client = typeof clients.$inferSelect;
export type Case = typeof cases.$inferSelect;
export type PortalLogin = typeof portalLogins.$inferSelect;
export type PortalSession = typeof portalSessions.$inferSelect;
export type PortalEmail = typeof portalEmails.$inferSelect;
export type PortalToken = typeof portalTokens.$inferSelect;
export type ClientLogRow = typeof clientLog.$inferSelect;
export type AgencyLogRow = typeof agencyLog.$inferSelect;
