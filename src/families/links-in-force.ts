/**
 * Which clients a portal login may act for today ("links in force"): the one question every
 * multi-client rule asks — sign-in (whose logs get the Login entry), the session on each request
 * (is the chosen client still allowed? how many to choose from?) and the "Whose information?"
 * switch (a tampered client id is refused because it is not in this list).
 *
 * Contract (issue 11, ISSUE11.md "Model"): for login L of agency A on day `today` (YYYY-MM-DD in
 * A's time zone), the result holds client X exactly when L is active and not blocked, X is A's, and
 * either
 *   - X is L's own client (portal_logins.client_id) and L has no representation row for X — the
 *     client's own login, or a representative login made before representation records existed; or
 *   - L has a representation row for X (agency A) with `ended_at` null and
 *     `start_date <= today <= end_date` (an open `end_date` counts as no end here).
 * The representative access rule of src/representatives/access.ts (majority for "parent of a
 * minor") narrows the second case further; a representative login also needs, for each client
 * with an open 42 CFR Part 2 case, that link's current consent (src/part2/rule.ts) — per client, so
 * one child's revoked consent leaves the others; at merge that rule is applied to each
 * row returned here (same inputs: loginId, agencyId, today), so every caller keeps using this one
 * function.
 */
import { sql } from "drizzle-orm";
import type { Db } from "../db";
import type { Relationship } from "../db/schema";
import { part2ConsentHoldsSql } from "../part2/rule";

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

/** The relationships as entries and staff read them. */
export const RELATIONSHIP_LABELS: Record<Relationship, string> = {
  parent: "parent",
  "legal-guardian": "legal guardian",
  "spouse-partner": "spouse/partner",
  "health-care-agent": "health-care agent",
  "case-manager": "case manager/social worker",
  other: "other",
};

type Row = { client_pk: number; first_name: string; last_name: string; relationship: Relationship | null; representative: number; chosen: number | null };

function inForceQuery(loginId: number, agencyId: number, today: string, sessionId: string | null) {
  return sql`SELECT c.id AS client_pk, c.first_name, c.last_name, NULL AS relationship, l.representative,
      (SELECT s.client_id FROM portal_sessions s WHERE s.id = ${sessionId} AND s.login_id = l.id) AS chosen
    FROM portal_logins l JOIN clients c ON c.id = l.client_id AND c.agency_id = l.agency_id
    WHERE l.id = ${loginId} AND l.agency_id = ${agencyId} AND l.active = 1 AND l.blocked_at IS NULL
      AND (l.representative = 0 OR ${part2ConsentHoldsSql(agencyId, sql`c.id`, sql`l.id`, today)})
      AND NOT EXISTS (SELECT 1 FROM portal_representations r0 WHERE r0.login_id = l.id AND r0.client_id = l.client_id)
    UNION ALL
    SELECT c.id, c.first_name, c.last_name, r.relationship, l.representative,
      (SELECT s.client_id FROM portal_sessions s WHERE s.id = ${sessionId} AND s.login_id = l.id)
    FROM portal_representations r
      JOIN portal_logins l ON l.id = r.login_id AND l.agency_id = r.agency_id
      JOIN clients c ON c.id = r.client_id AND c.agency_id = r.agency_id
    WHERE r.login_id = ${loginId} AND r.agency_id = ${agencyId} AND l.active = 1 AND l.blocked_at IS NULL
      AND r.ended_at IS NULL AND r.start_date <= ${today} AND (r.end_date IS NULL OR r.end_date >= ${today})
      AND (l.representative = 0 OR ${part2ConsentHoldsSql(agencyId, sql`c.id`, sql`l.id`, today)})
    ORDER BY 2, 3, 1`;
}

const toLink = (r: Row): ClientInForce => ({
  clientId: r.client_pk,
  firstName: r.first_name,
  lastName: r.last_name,
  relationship: r.relationship,
  representative: r.representative === 1,
});

/**
 * The clients login `loginId` of agency `agencyId` may act for on `today` (agency time zone,
 * YYYY-MM-DD), by first name; empty when it may act for none (inactive, blocked, every link ended).
 */
export async function linksInForce(db: Db, loginId: number, agencyId: number, today: string): Promise<ClientInForce[]> {
  const rows = await db.all<Row>(inForceQuery(loginId, agencyId, today, null));
  return rows.map(toLink);
}

/** As `linksInForce`, with the client this session last chose (portal_sessions.client_id), in one round trip. */
export async function linksInForceForSession(db: Db, loginId: number, agencyId: number, today: string, sessionId: string) {
  const rows = await db.all<Row>(inForceQuery(loginId, agencyId, today, sessionId));
  return { links: rows.map(toLink), chosen: rows[0]?.chosen ?? null };
}

/**
 * How a portal entry names the person acting for this client, after the username: null for the
 * client's own login (the seed's text stays "Patient Portal login by <username>"), else
 * "representative: <relationship>" (or just "representative" for a login with no record).
 */
export function actingAsText(link: Pick<ClientInForce, "relationship" | "representative">): string | null {
  if (link.relationship) return `representative: ${RELATIONSHIP_LABELS[link.relationship]}`;
  return link.representative ? "representative" : null;
}

/** How the portal names a client in "Whose information?": first name and last initial. */
export const shortName = (link: Pick<ClientInForce, "firstName" | "lastName">) => `${link.firstName} ${link.lastName.slice(0, 1)}.`;
