/**
 * Which clients a portal login may act for today ("links in force"): the one question every
 * multi-client rule asks — sign-in (whose logs get the Login entry), the session on each request
 * (is the chosen client still allowed? how many to choose from?) and the "Whose information?"
 * switch (a tampered client id is refused because it is not in this list).
 *
 * Contract (issue 11, ISSUE11.md "Model"): the candidates for login L of agency A are L's own
 * client (portal_logins.client_id) and every client of A that L has a representation row for. Each
 * candidate is kept exactly when THE access rule (src/representatives/access.ts `portalAccess`)
 * says yes on `today` (YYYY-MM-DD in A's time zone), from the facts read here in one query:
 *   - the client's own login (representative = false): active, not blocked, the client old enough
 *     for an own login;
 *   - a representative login: active, not blocked, a representation row for that client (none:
 *     no access), not ended by staff, start_date <= today < end_date (the end date is the first
 *     day without access), for "parent of a minor" without guardianship before the client's
 *     birthday at the agency's age of majority, and — when the client has an open case in a 42 CFR
 *     Part 2 programme — that link's current consent (src/part2/rule.ts, per client, so one
 *     child's revoked consent leaves the others).
 * Every gate (password and passkey sign-in, emailed links, the per-request session scope) uses
 * this one function.
 */
import { sql } from "drizzle-orm";
import { batchableAll, type Db } from "../db";
import type { Relationship } from "../db/schema";
import { part2ConsentHoldsSql } from "../part2/rule";
import { effectiveSettings, type AgencySettingsRow, type SettingDefaultVars } from "../db/agency-settings";
import { agencyToday } from "../layout/agency-time";
import { portalAccess, type AccessDenial, type MinorSettings } from "../representatives/access";
import { RELATIONSHIP_LABELS } from "../representatives/labels";
import { accessFactsOf, type AccessAgency, type AccessFactsRow } from "../representatives/facts";

/** One client a login may act for now, and under which relationship (null: the client's own login). */
export interface ClientInForce {
  clientId: number;
  firstName: string;
  lastName: string;
  /** The representation's relationship; null when there is no representation row (own login). */
  relationship: Relationship | null;
  /** The login is a representative login. */
  representative: boolean;
}

/** A relationship as entries name it inside a sentence: "parent", "case manager/social worker". */
export const relationshipWord = (r: Relationship) => RELATIONSHIP_LABELS[r].toLowerCase();

/** One candidate's row of linksInForceQuery. */
export type CandidateRow = {
  acc_active: number;
  acc_representative: number;
  acc_blocked_at: number | null;
  acc_dob: string;
  acc_rep_id: number | null;
  acc_rep_basis: AccessFactsRow["accRepBasis"];
  acc_rep_start: string | null;
  acc_rep_end: string | null;
  acc_rep_guardianship: number | null;
  acc_rep_ended_at: number | null;
  client_pk: number;
  first_name: string;
  last_name: string;
  relationship: Relationship | null;
  representative: number;
  chosen: number | null;
  part2_holds: number;
};

// The candidates: the login's own client and every client it has a representation row for, each
// with the facts the access rule (src/representatives/access.ts) decides on, Part 2 consent
// included (per client, computed in SQL). Column aliases match accessFactsColumns. Only a
// representative login reaches other clients: the rule lets a client's own login (representative =
// 0) in without a record, so a login unticked as Representative while still linked must not keep
// its links (ended ones included) as if each linked client were its own. A linked client who
// refused a portal login is left out, as sign-in refuses a login of its own client then.
function candidatesQuery(login: LoginRef, agencyId: number, today: string, sessionId: string | null) {
  const which = "id" in login ? sql`l.id = ${login.id}` : sql`l.username_key = ${login.usernameKey}`;
  return sql`SELECT c.id AS client_pk, c.first_name, c.last_name, r.relationship, l.representative,
      (SELECT s.client_id FROM portal_sessions s WHERE s.id = ${sessionId} AND s.login_id = l.id) AS chosen,
      l.active AS acc_active, l.representative AS acc_representative, l.blocked_at AS acc_blocked_at, c.date_of_birth AS acc_dob,
      r.id AS acc_rep_id, r.legal_basis AS acc_rep_basis, r.start_date AS acc_rep_start, r.end_date AS acc_rep_end,
      r.guardianship AS acc_rep_guardianship, r.ended_at AS acc_rep_ended_at,
      (l.representative = 0 OR ${part2ConsentHoldsSql(agencyId, sql`c.id`, sql`l.id`, today)}) AS part2_holds
    FROM portal_logins l
      JOIN clients c ON c.agency_id = l.agency_id AND (c.id = l.client_id
        OR (l.representative = 1 AND c.refused_portal_login = 0
          AND c.id IN (SELECT r1.client_id FROM portal_representations r1 WHERE r1.login_id = l.id AND r1.agency_id = l.agency_id)))
      LEFT JOIN portal_representations r ON r.login_id = l.id AND r.agency_id = l.agency_id AND r.client_id = c.id
    WHERE ${which} AND l.agency_id = ${agencyId}
    ORDER BY c.first_name, c.last_name, c.id`;
}

const toLink = (r: CandidateRow): ClientInForce => ({
  clientId: r.client_pk,
  firstName: r.first_name,
  lastName: r.last_name,
  relationship: r.relationship,
  representative: r.representative === 1,
});

const rowAccess = (r: CandidateRow, today: string, minors: MinorSettings) =>
  portalAccess({ ...accessFactsOf({ accActive: r.acc_active, accRepresentative: r.acc_representative, accBlockedAt: r.acc_blocked_at, accDateOfBirth: r.acc_dob, accRepId: r.acc_rep_id, accRepBasis: r.acc_rep_basis, accRepStart: r.acc_rep_start, accRepEnd: r.acc_rep_end, accRepGuardianship: r.acc_rep_guardianship, accRepEndedAt: r.acc_rep_ended_at }), part2ConsentHolds: r.part2_holds === 1 }, today, minors);

/** The agency facts the rule needs: its id, time zone and minors settings (effective values). */
export type InForceAgency = AccessAgency & { id: number };

/** The login whose links are read: by id, or (a sign-in, before the login is read) by username key. */
export type LoginRef = { id: number } | { usernameKey: string };

/** What linksInForce answers. */
export type LinksInForce = { links: ClientInForce[]; chosen: number | null; chosenEnded: string | null; denied: AccessDenial | null };

/**
 * The clients login `loginId` may act for now, by first name, each passing the access rule; empty
 * when it may act for none. `denied` is why the login's own client (or the first candidate) is
 * refused, for the "access has ended" message when nothing is left. `chosenEnded` is the first
 * name of the client session `sessionId` chose when that client is no longer in force (its link
 * ended, its consent was revoked…), so "Whose information?" can say whose access ended — read in
 * the same query, no extra round trip.
 */
export async function linksInForce(db: Db, env: SettingDefaultVars, agency: InForceAgency, loginId: number, sessionId: string | null = null): Promise<LinksInForce> {
  const today = agencyToday(agency.timezone);
  return linksFromRows(await linksInForceQuery(db, agency.id, { id: loginId }, today, sessionId), env, agency, today);
}

/**
 * linksInForce's one read, batchable: the session check and the sign-in's charge send it in their
 * own batch (one round trip, not two). `today` is the agency's date the Part 2 consent is judged on;
 * linksFromRows must be given the same.
 */
export function linksInForceQuery(db: Db, agencyId: number, login: LoginRef, today: string, sessionId: string | null = null) {
  return batchableAll<CandidateRow>(db, candidatesQuery(login, agencyId, today, sessionId));
}

/** linksInForce's answer from linksInForceQuery's rows (the access rule applied to each, on `today`). */
export function linksFromRows(rows: CandidateRow[], env: SettingDefaultVars, agency: InForceAgency, today: string): LinksInForce {
  const minors = effectiveSettings(env, agency as AgencySettingsRow);
  const links: ClientInForce[] = [];
  let denied: AccessDenial | null = null;
  let chosenEnded: string | null = null;
  const chosen = rows[0]?.chosen ?? null;
  for (const r of rows) {
    const verdict = rowAccess(r, today, minors);
    if (verdict.ok) links.push(toLink(r));
    else {
      denied ??= verdict.reason;
      if (r.client_pk === chosen) chosenEnded = r.first_name;
    }
  }
  return { links, chosen, chosenEnded, denied };
}

/**
 * How a portal entry names the person acting for this client, after the username: null for the
 * client's own login (the seed's text stays "Patient Portal login by <username>"), else
 * "representative: <relationship>" (just "representative" for a login with no record — which the
 * access rule gives no access, so only as a fallback).
 */
export function actingAsText(link: Pick<ClientInForce, "relationship" | "representative">): string | null {
  if (link.relationship) return `representative: ${relationshipWord(link.relationship)}`;
  return link.representative ? "representative" : null;
}

/** How the portal names a client in "Whose information?": first name and last initial. */
export const shortName = (link: Pick<ClientInForce, "firstName" | "lastName">) => `${link.firstName} ${link.lastName.slice(0, 1)}.`;
