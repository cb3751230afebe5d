/**
 * The families feature's reads and writes: the portal session's chosen client, and (staff side)
 * linking an existing representative login to another client of the agency.
 */
import { and, eq, isNull, sql } from "drizzle-orm";
import { batchableAll, type Db } from "../db";
import { portalSessions } from "../db/schema";

/** Stores the client this device's session acts for; false when the session is no longer open. */
export async function chooseSessionClient(db: Db, agencyId: number, loginId: number, sessionId: string, clientId: number): Promise<boolean> {
  const rows = await db
    .update(portalSessions)
    .set({ clientId })
    .where(and(eq(portalSessions.id, sessionId), eq(portalSessions.loginId, loginId), eq(portalSessions.agencyId, agencyId), isNull(portalSessions.endedAt)))
    .returning({ id: portalSessions.id });
  return rows.length > 0;
}

/** A representative login staff may link to a client, as the Link window lists it. */
export interface LinkCandidate {
  id: number;
  username: string;
  email: string;
  active: boolean;
  blocked: boolean;
  /** The client the login was created for: "First L.". */
  createdFor: string;
}

const candidateColumns = sql`l.id, l.username, l.email, l.active, l.blocked_at IS NOT NULL AS blocked, c.first_name || ' ' || substr(c.last_name, 1, 1) || '.' AS created_for`;

type CandidateRow = { id: number; username: string; email: string; active: number; blocked: number; created_for: string };
const toCandidate = (r: CandidateRow): LinkCandidate => ({ id: r.id, username: r.username, email: r.email, active: r.active === 1, blocked: r.blocked === 1, createdFor: r.created_for });

/** Not already this client's (its own, or linked and not ended). */
const notYetLinked = (clientId: number) => sql`l.client_id <> ${clientId} AND NOT EXISTS (SELECT 1 FROM portal_representations r
  WHERE r.login_id = l.id AND r.client_id = ${clientId} AND r.agency_id = l.agency_id AND r.ended_at IS NULL)`;

/**
 * The agency's representative logins whose username or email starts with `query` (case-insensitive),
 * not yet linked to this client; at most 10, by username.
 */
export async function findLinkCandidates(db: Db, agencyId: number, clientId: number, query: string): Promise<LinkCandidate[]> {
  const q = query.trim().normalize("NFKC").toLowerCase();
  const rows = await db.all<CandidateRow>(sql`SELECT ${candidateColumns}
    FROM portal_logins l JOIN clients c ON c.id = l.client_id AND c.agency_id = l.agency_id
    WHERE l.agency_id = ${agencyId} AND l.representative = 1 AND ${notYetLinked(clientId)}
      AND (substr(l.username_key, 1, ${q.length}) = ${q} OR substr(lower(l.email), 1, ${q.length}) = ${q})
    ORDER BY l.username_key LIMIT 10`);
  return rows.map(toCandidate);
}

/** The agency's representative login with this id, when it is not yet this client's; else null. */
export async function findLinkCandidate(db: Db, agencyId: number, clientId: number, loginId: number): Promise<LinkCandidate | null> {
  const rows = await db.all<CandidateRow>(sql`SELECT ${candidateColumns}
    FROM portal_logins l JOIN clients c ON c.id = l.client_id AND c.agency_id = l.agency_id
    WHERE l.id = ${loginId} AND l.agency_id = ${agencyId} AND l.representative = 1 AND ${notYetLinked(clientId)}`);
  return rows[0] ? toCandidate(rows[0]) : null;
}

/** A login linked to this client (not the one it was created for), with its representation for it. */
export interface LinkedLogin {
  loginId: number;
  name: string;
  relationship: string;
  relationshipOther: string | null;
  legalBasis: string;
  startDate: string;
  endDate: string | null;
  createdFor: string;
}

/** A row of linkedLoginsQuery. */
export type LinkedLoginRow = { login_id: number; name: string; relationship: string; relationship_other: string | null; legal_basis: string; start_date: string; end_date: string | null; created_for: string };

/** The logins linked to this client from another one, by login id (the Client Portal table marks them). */
export async function linkedLoginsOf(db: Db, agencyId: number, clientId: number): Promise<Map<number, LinkedLogin>> {
  return linkedLoginsFromRows(await linkedLoginsQuery(db, agencyId, clientId));
}

/** The read behind linkedLoginsOf, batchable (the Face Sheet sends it in its one batch). */
export function linkedLoginsQuery(db: Db, agencyId: number, clientId: number) {
  return batchableAll<LinkedLoginRow>(
    db,
    sql`SELECT r.login_id, r.name, r.relationship, r.relationship_other, r.legal_basis, r.start_date, r.end_date,
        c.first_name || ' ' || substr(c.last_name, 1, 1) || '.' AS created_for
      FROM portal_representations r
        JOIN portal_logins l ON l.id = r.login_id AND l.agency_id = r.agency_id
        JOIN clients c ON c.id = l.client_id AND c.agency_id = l.agency_id
      WHERE r.agency_id = ${agencyId} AND r.client_id = ${clientId} AND r.ended_at IS NULL AND l.client_id <> ${clientId}`,
  );
}

/** linkedLoginsQuery's rows by login id. */
export function linkedLoginsFromRows(rows: LinkedLoginRow[]): Map<number, LinkedLogin> {
  return new Map(
    rows.map((r) => [
      r.login_id,
      {
        loginId: r.login_id,
        name: r.name,
        relationship: r.relationship,
        relationshipOther: r.relationship_other,
        legalBasis: r.legal_basis,
        startDate: r.start_date,
        endDate: r.end_date,
        createdFor: r.created_for,
      },
    ]),
  );
}
