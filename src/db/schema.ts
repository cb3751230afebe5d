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
});

export const staffUsers = sqliteTable(
  "staff_users",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    agencyId: integer("agency_id").notNull().references(() => agencies.id),
    name: text("name").notNull(),
    /** Stored lower-case; unique across agencies so sign-in needs only the address. */
    email: text("email").notNull(),
    role: text("role", { enum: ["admin", "staff"] }).notNull().default("staff"),
    passwordHash: text("password_hash").notNull(),
    active: integer("active", { mode: "boolean" }).notNull().default(true),
    /** Bumped at sign-out: every token signed with an older version stops working. */
    sessionVersion: integer("session_version").notNull().default(1),
  },
  (t) => [uniqueIndex("staff_users_email").on(t.email)],
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
    createdAt: integer("created_at").notNull(),
  },
  (t) => [
    uniqueIndex("portal_logins_agency_username").on(t.agencyId, t.usernameKey),
    index("portal_logins_client").on(t.clientId),
  ],
);

/**
 * One client's ordered, hash-chained log: Face Sheet changes, portal-login changes and portal
 * events. Written only through the client's ClientLog Durable Object, which hands out `seq`.
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

export type Agency = typeof agencies.$inferSelect;
export type StaffUser = typeof staffUsers.$inferSelect;
export type Client = typeof clients.$inferSelect;
export type Case = typeof cases.$inferSelect;
export type PortalLogin = typeof portalLogins.$inferSelect;
export type ClientLogRow = typeof clientLog.$inferSelect;
