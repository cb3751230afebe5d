/**
 * 42 CFR Part 2's access rule for a representative: when the client has an open case (closed_on
 * null) in a programme the agency marked Part 2 (`programs.part2`), a representative login may see
 * the client's records only while a current §2.31 consent exists for its representation of that
 * client — not revoked, not superseded, its expiry date not yet come (agency time zone: like a
 * representative's end date, the expiry date is the first day without access)
 * and its expiry event not recorded as having occurred. A client with no open Part 2 case needs no
 * consent. The client's own login never does (the rule is asked only for representatives).
 *
 * It is checked on every portal request and at sign-in, as SQL inside the query that already runs
 * (`part2ConsentHoldsSql`), so revoking or expiry ends access on the very next request without any
 * cron. The same rule as a plain read (`part2ConsentHolds`) serves the staff side and tests.
 */
import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../db";

/** A number, or an SQL expression naming one (e.g. a column of the enclosing query). */
type Operand = number | SQL;

/**
 * SQL: the client has an open case in one of the agency's Part 2 programmes (a case's programme is
 * the `programs` row of the same agency and name).
 */
export function openPart2CaseSql(agencyId: Operand, clientId: Operand): SQL {
  return sql`EXISTS (SELECT 1 FROM cases k JOIN programs p ON p.agency_id = k.agency_id AND p.name = k.program
    WHERE k.agency_id = ${agencyId} AND k.client_id = ${clientId} AND k.closed_on IS NULL AND p.part2 = 1)`;
}

/** SQL: a current consent exists for this representation (by its id). `today` is YYYY-MM-DD, agency time. */
export function currentConsentSql(agencyId: Operand, representationId: Operand, today: string | SQL): SQL {
  return sql`EXISTS (SELECT 1 FROM part2_consents pc
    WHERE pc.agency_id = ${agencyId} AND pc.representation_id = ${representationId}
      AND pc.revoked_at IS NULL AND pc.superseded_at IS NULL AND pc.event_occurred_at IS NULL
      AND (pc.expires_on IS NULL OR pc.expires_on > ${today}))`;
}

/**
 * SQL for a WHERE clause: Part 2 consent is not required for this login's access to this client,
 * or it is required and current. The representation is found by (login, client): the login's link
 * to the client, which must be of the agency and not ended by staff for its consent to count.
 *
 * @example and(eq(portalLogins.id, id), or(eq(portalLogins.representative, false), part2ConsentHoldsSql(agencyId, sql`portal_logins.client_id`, sql`portal_logins.id`, today)))
 */
export function part2ConsentHoldsSql(agencyId: Operand, clientId: Operand, loginId: Operand, today: string | SQL): SQL {
  return sql`(NOT ${openPart2CaseSql(agencyId, clientId)} OR EXISTS (SELECT 1 FROM portal_representations pr
    WHERE pr.agency_id = ${agencyId} AND pr.client_id = ${clientId} AND pr.login_id = ${loginId} AND pr.ended_at IS NULL
      AND ${currentConsentSql(agencyId, sql`pr.id`, today)}))`;
}

/**
 * Whether a representative login's access to a client passes the Part 2 rule today (YYYY-MM-DD,
 * agency time zone): true when no consent is required or a current one exists. One D1 read.
 */
export async function part2ConsentHolds(db: Db, q: { agencyId: number; clientId: number; loginId: number; today: string }): Promise<boolean> {
  const row = await db.get<{ ok: number }>(sql`SELECT ${part2ConsentHoldsSql(q.agencyId, q.clientId, q.loginId, q.today)} AS ok`);
  return Boolean(row?.ok);
}

/** Whether the client has an open case in a Part 2 programme (so representatives need a consent). */
export async function part2ConsentRequired(db: Db, agencyId: number, clientId: number): Promise<boolean> {
  const row = await db.get<{ ok: number }>(sql`SELECT ${openPart2CaseSql(agencyId, clientId)} AS ok`);
  return Boolean(row?.ok);
}

/** A consent's standing, from its row and today's date (agency time zone): the same rule as the SQL above. */
export type ConsentStanding = "current" | "revoked" | "superseded" | "expired" | "event-occurred";

/** How a consent stands today; "current" exactly when `currentConsentSql` would count it. */
export function consentStanding(
  consent: { revokedAt: number | null; supersededAt: number | null; eventOccurredAt: number | null; expiresOn: string | null },
  today: string,
): ConsentStanding {
  if (consent.revokedAt !== null) return "revoked";
  if (consent.supersededAt !== null) return "superseded";
  if (consent.eventOccurredAt !== null) return "event-occurred";
  if (consent.expiresOn !== null && consent.expiresOn <= today) return "expired";
  return "current";
}

/** The Active checkbox's message when a representative login can't be saved active under Part 2. */
export const ACTIVE_NEEDS_CONSENT =
  "This client has an open case in a 42 CFR Part 2 programme: a representative's login can be active only with a current consent. Clear Active and Save, record the consent in this window, then make the login active.";

/**
 * The same for a new login whose consent was not entered in the Add window (src/part2/new-login-consent.ts).
 */
export const NEW_LOGIN_NEEDS_CONSENT =
  "This client has an open case in a 42 CFR Part 2 programme: a representative's login can be active only with a current consent. Enter the consent below (every element, from the signed form), or clear Active and Reset Password to add the login without one for now.";

/**
 * Whether saving a login as given would leave a representative active without the Part 2 consent
 * it needs; the message for the Active field, or null. `loginId` null: a new login (no consent yet).
 */
export async function part2ActiveError(
  db: Db,
  q: { agencyId: number; clientId: number; loginId: number | null; representative: boolean; active: boolean; today: string },
): Promise<string | null> {
  if (!q.representative || !q.active) return null;
  if (q.loginId === null) return (await part2ConsentRequired(db, q.agencyId, q.clientId)) ? NEW_LOGIN_NEEDS_CONSENT : null;
  return (await part2ConsentHolds(db, { agencyId: q.agencyId, clientId: q.clientId, loginId: q.loginId, today: q.today })) ? null : ACTIVE_NEEDS_CONSENT;
}
