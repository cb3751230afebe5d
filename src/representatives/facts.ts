/**
 * The SQL the access rule needs (src/representatives/access.ts): the facts of a login and one
 * client, as columns a gate adds to the query it already runs — so checking access costs no extra
 * D1 round trip — or read on their own (`loadAccessFacts`). Also `accessNow`, which puts the
 * agency's "today" and minors settings next to the facts and asks the rule.
 */
import { and, eq, sql, type SQL } from "drizzle-orm";
import type { AnySQLiteColumn } from "drizzle-orm/sqlite-core";
import type { Db } from "../db";
import { effectiveSettings, type AgencySettingsRow, type SettingDefaultVars } from "../db/agency-settings";
import { clients, portalLogins, portalRepresentations } from "../db/schema";
import type { LegalBasis } from "../db/tables/representatives";
import { agencyToday } from "../layout/agency-time";
import { portalAccess, type AccessFacts, type AccessVerdict } from "./access";

/**
 * Columns for a select that joins `portal_logins`, `clients` (the client checked) and — left —
 * `portal_representations` on `representationJoin(...)`. Aliased: inside db.batch drizzle maps
 * rows by column NAME, so they must not collide with the query's own columns.
 */
export const accessFactsColumns = {
  accActive: sql<number>`${portalLogins.active}`.as("acc_active"),
  accRepresentative: sql<number>`${portalLogins.representative}`.as("acc_representative"),
  accBlockedAt: sql<number | null>`${portalLogins.blockedAt}`.as("acc_blocked_at"),
  accDateOfBirth: sql<string>`${clients.dateOfBirth}`.as("acc_dob"),
  accRepId: sql<number | null>`${portalRepresentations.id}`.as("acc_rep_id"),
  accRepBasis: sql<LegalBasis | null>`${portalRepresentations.legalBasis}`.as("acc_rep_basis"),
  accRepStart: sql<string | null>`${portalRepresentations.startDate}`.as("acc_rep_start"),
  accRepEnd: sql<string | null>`${portalRepresentations.endDate}`.as("acc_rep_end"),
  accRepGuardianship: sql<number | null>`${portalRepresentations.guardianship}`.as("acc_rep_guardianship"),
  accRepEndedAt: sql<number | null>`${portalRepresentations.endedAt}`.as("acc_rep_ended_at"),
};

export type AccessFactsRow = { [K in keyof typeof accessFactsColumns]: (typeof accessFactsColumns)[K]["_"]["type"] };

/** The left join's condition: the login's representation for the client `clientId` (a column or SQL). */
export function representationJoin(clientId: AnySQLiteColumn | SQL): SQL {
  return and(eq(portalRepresentations.loginId, portalLogins.id), eq(portalRepresentations.agencyId, portalLogins.agencyId), eq(portalRepresentations.clientId, clientId))!;
}

/** The rule's input from a row selected with `accessFactsColumns`. */
export function accessFactsOf(row: AccessFactsRow): AccessFacts {
  return {
    login: { active: Boolean(row.accActive), representative: Boolean(row.accRepresentative), blockedAt: row.accBlockedAt ?? null },
    clientDateOfBirth: row.accDateOfBirth,
    representation:
      row.accRepId === null || row.accRepBasis === null || row.accRepStart === null
        ? null
        : { legalBasis: row.accRepBasis, startDate: row.accRepStart, endDate: row.accRepEnd, guardianship: Boolean(row.accRepGuardianship), endedAt: row.accRepEndedAt },
  };
}

/** The agency as the rule needs it: its time zone and minors settings (both the staff and portal agency fit). */
export type AccessAgency = Pick<AgencySettingsRow, "timezone" | "minorOwnLoginAge" | "ageOfMajority"> & Partial<AgencySettingsRow>;

/**
 * The rule, now, in the agency's time zone and with its minors settings.
 *
 * @example if (!accessNow(env, agency, accessFactsOf(row), Date.now()).ok) endSession();
 */
export function accessNow(env: SettingDefaultVars, agency: AccessAgency, facts: AccessFacts, now: number): AccessVerdict {
  const settings = effectiveSettings(env, agency as AgencySettingsRow);
  return portalAccess(facts, agencyToday(agency.timezone, now), settings);
}

/** The facts of one login of the agency and one client of the agency; null when either isn't the agency's. */
export async function loadAccessFacts(db: Db, agencyId: number, loginId: number, clientId: number): Promise<AccessFacts | null> {
  const row = await db
    .select(accessFactsColumns)
    .from(portalLogins)
    .innerJoin(clients, and(eq(clients.id, clientId), eq(clients.agencyId, portalLogins.agencyId)))
    .leftJoin(portalRepresentations, representationJoin(clients.id))
    .where(and(eq(portalLogins.id, loginId), eq(portalLogins.agencyId, agencyId)))
    .get();
  return row ? accessFactsOf(row) : null;
}
