/**
 * Which portal logins belong in a client's Client Portal section: the client's own (created for
 * it, portal_logins.client_id) and the representative logins linked to it (issue 11, families) by
 * a representation row staff haven't ended. A linked login is one person's: editing its username,
 * email or password from any of its clients changes it for all of them.
 */
import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../db";
import { portalLogins } from "../db/schema";

/** SQL: the `portal_logins` row in scope is this client's own, or linked to it and not ended. */
export function loginOfClient(clientId: number | SQL): SQL {
  return sql`(${portalLogins.clientId} = ${clientId} OR EXISTS (SELECT 1 FROM portal_representations r
    WHERE r.login_id = ${portalLogins.id} AND r.client_id = ${clientId} AND r.agency_id = ${portalLogins.agencyId} AND r.ended_at IS NULL))`;
}

/**
 * Whether login `loginId` is linked (a link not ended) to a client of the agency other than
 * `clientId` — it acts for other clients too. One read.
 */
export async function linkedElsewhere(db: Db, agencyId: number, loginId: number, clientId: number): Promise<boolean> {
  const row = await db.get<{ yes: number }>(sql`SELECT EXISTS (SELECT 1 FROM portal_representations r
    WHERE r.login_id = ${loginId} AND r.agency_id = ${agencyId} AND r.client_id <> ${clientId} AND r.ended_at IS NULL) AS yes`);
  return row?.yes === 1;
}
