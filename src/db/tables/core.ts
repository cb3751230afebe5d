/** The agency and its people: agencies, staff, clients and their cases. Part of the schema: src/db/schema.ts. */
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
    /** A minor consented to this treatment themselves: representatives see no data from this case. */
    minorConsented: integer("minor_consented", { mode: "boolean" }).notNull().default(false),
  },
  (t) => [
    index("cases_client").on(t.clientId),
    uniqueIndex("cases_agency_number").on(t.agencyId, t.caseNumber),
  ],
);
