/**
 * The whole D1 schema. Every table that holds an agency's data carries `agencyId`, and every
 * query filters on it: that column is the tenant boundary. The tables live by concept in
 * src/db/tables/; this file is the one place the app and drizzle-kit import them from.
 *
 * Generate a migration after changing a table: `npm run db:generate`.
 */
import { agencies, cases, clients, staffUsers } from "./tables/core";
import { agencyLog, clientLog } from "./tables/logs";
import { portalEmails, portalLogins, portalSessions, portalTokens } from "./tables/portal";
import { part2Consents, portalRepresentations, programs } from "./tables/representatives";
import { staffSessions, staffTokens } from "./tables/staff-sign-in";

export * from "./tables/core";
export * from "./tables/logs";
export * from "./tables/portal";
export * from "./tables/representatives";
export * from "./tables/staff-sign-in";

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
export type PortalRepresentation = typeof portalRepresentations.$inferSelect;
export type Program = typeof programs.$inferSelect;
export type Part2Consent = typeof part2Consents.$inferSelect;
