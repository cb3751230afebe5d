/**
 * Representatives, families and minors (issue 11; PRODUCT.md "Representatives, families and
 * minors"). A representative's portal login acts for one or more clients of its agency; each link
 * is a `portal_representations` row with its own legal standing and period, and — for a client
 * with an open case in a 42 CFR Part 2 programme — its own consent record. Part of the schema:
 * src/db/schema.ts.
 */
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { agencies, clients, staffUsers } from "./core";
import { portalLogins } from "./portal";

export const RELATIONSHIPS = ["parent", "legal-guardian", "spouse-partner", "health-care-agent", "case-manager", "other"] as const;
export type Relationship = (typeof RELATIONSHIPS)[number];
export const LEGAL_BASES = ["parent-of-minor", "court-order", "health-care-proxy", "client-authorisation"] as const;
export type LegalBasis = (typeof LEGAL_BASES)[number];

/**
 * One representative login's standing for one client: who the person is, their relationship and
 * legal basis, and the period. Access holds on days from `start_date` to `end_date` inclusive, in
 * the agency's time zone; `end_date` is null only for "parent of a minor", whose access ends on the
 * client's birthday at the age of majority unless `guardianship` (a court-ordered guardianship) is
 * recorded. `ended_at` is set by staff ending the link; `end_recorded_at` by the hourly cron once it
 * has written the log entry and sent the notice for an end that came by date — the end itself is
 * checked on every request and never waits for the cron.
 */
export const portalRepresentations = sqliteTable(
  "portal_representations",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    agencyId: integer("agency_id").notNull().references(() => agencies.id),
    loginId: integer("login_id").notNull().references(() => portalLogins.id),
    clientId: integer("client_id").notNull().references(() => clients.id),
    /** The representative's name, as staff entered it. */
    name: text("name").notNull(),
    relationship: text("relationship", { enum: RELATIONSHIPS }).notNull(),
    /** Free text when the relationship is "other". */
    relationshipOther: text("relationship_other"),
    legalBasis: text("legal_basis", { enum: LEGAL_BASES }).notNull(),
    /** YYYY-MM-DD, agency time zone. */
    startDate: text("start_date").notNull(),
    /** YYYY-MM-DD inclusive, agency time zone; null for "parent of a minor" (ends at majority). */
    endDate: text("end_date"),
    /** A court-ordered guardianship is recorded: a parent's access doesn't end at majority. */
    guardianship: integer("guardianship", { mode: "boolean" }).notNull().default(false),
    /** Staff ended this link (Unlink / end access); epoch ms. */
    endedAt: integer("ended_at"),
    /** The cron logged and notified an end that came by date, consent expiry or majority; epoch ms. */
    endRecordedAt: integer("end_recorded_at"),
    /** Bumped by every change; a Save carrying an older version is a conflict. */
    version: integer("version").notNull().default(1),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [
    uniqueIndex("portal_representations_login_client").on(t.loginId, t.clientId),
    index("portal_representations_client").on(t.agencyId, t.clientId),
    index("portal_representations_end").on(t.agencyId, t.endDate),
  ],
);

/**
 * A programme of the agency, by the name cases carry in `cases.program`; `part2` marks a
 * 42 CFR Part 2 substance-use programme, whose clients' representatives need a consent record.
 */
export const programs = sqliteTable(
  "programs",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    agencyId: integer("agency_id").notNull().references(() => agencies.id),
    name: text("name").notNull(),
    part2: integer("part2", { mode: "boolean" }).notNull().default(false),
  },
  (t) => [uniqueIndex("programs_agency_name").on(t.agencyId, t.name)],
);

/**
 * A written consent under 42 CFR §2.31 that lets one representative (one representation) see a
 * client's records: every element of §2.31 is a column. It ends access when revoked (`revoked_at`)
 * or once `expires_on` has passed (agency time zone) or staff record that `expiry_event` happened
 * (`event_occurred_at`). A new consent for the same representation supersedes the older one.
 */
export const part2Consents = sqliteTable(
  "part2_consents",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    agencyId: integer("agency_id").notNull().references(() => agencies.id),
    representationId: integer("representation_id").notNull().references(() => portalRepresentations.id),
    clientId: integer("client_id").notNull().references(() => clients.id),
    /** The client's name as on the signed form. */
    clientName: text("client_name").notNull(),
    /** Who may disclose: the agency's name. */
    discloser: text("discloser").notNull(),
    /** The recipient: the representative by name. */
    recipient: text("recipient").notNull(),
    purpose: text("purpose").notNull(),
    /** How much and what kind of information may be disclosed. */
    information: text("information").notNull(),
    /** YYYY-MM-DD inclusive; or null when the consent ends on an event. */
    expiresOn: text("expires_on"),
    /** The event that ends the consent, when not a date. */
    expiryEvent: text("expiry_event"),
    eventOccurredAt: integer("event_occurred_at"),
    /** YYYY-MM-DD the form was signed. */
    signedOn: text("signed_on").notNull(),
    /** Signed by someone other than the client (a guardian): their authority; else null. */
    signerAuthority: text("signer_authority"),
    /** The form states the client's right to revoke. */
    rightToRevokeStated: integer("right_to_revoke_stated", { mode: "boolean" }).notNull(),
    /** Signed on paper and kept on file (staff entered the elements from it). */
    signedOnPaper: integer("signed_on_paper", { mode: "boolean" }).notNull().default(false),
    createdAt: integer("created_at").notNull(),
    createdBy: integer("created_by").references(() => staffUsers.id),
    revokedAt: integer("revoked_at"),
    revokedBy: integer("revoked_by").references(() => staffUsers.id),
    /**
     * A newer consent for the same representation replaced this one, or the representation ended
     * (set then by the trigger of migration 0014: a consent never outlives its link); epoch ms.
     */
    supersededAt: integer("superseded_at"),
  },
  (t) => [index("part2_consents_representation").on(t.representationId), index("part2_consents_client").on(t.agencyId, t.clientId)],
);
