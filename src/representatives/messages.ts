/**
 * What people are told when the access rule (access.ts) says no: the portal's words (sign-in,
 * a session that ended, an emailed link), and the staff-visible reasons for the client's log.
 */
import type { AccessDenial } from "./access";

/** The portal's sentence for a login whose access has ended (or, for a young client's own login, never began). */
export function accessEndedText(agencyName: string, reason: AccessDenial): string {
  if (reason === "under-age") return `This login can't be used yet: the client is younger than ${agencyName} allows for an own portal login. Contact ${agencyName} for help.`;
  if (reason === "not-started") return `Your access to the ${agencyName} Client Portal has not started yet. Contact ${agencyName} if you think this is a mistake.`;
  return `Your access to the ${agencyName} Client Portal has ended. Contact ${agencyName} if you think this is a mistake.`;
}

/** Why, as staff read it in the client's log (never shown on the portal). */
export const DENIAL_REASONS: Record<AccessDenial, string> = {
  inactive: "the login is inactive",
  blocked: "the login is blocked",
  "under-age": "the client is younger than the agency's minimum age for an own login",
  "no-record": "the representative record is missing (staff must complete it with Edit)",
  ended: "staff ended this representative's access",
  "not-started": "the representative's start date has not come yet",
  "end-date": "the representative's end date has come",
  majority: "the client has come of age (parent of a minor, no court-ordered guardianship recorded)",
  "part2-consent": "no current 42 CFR Part 2 consent",
};
