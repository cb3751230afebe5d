/**
 * What the Change Log's filters can choose from: every Change Type and every person (Changes By)
 * in the client's log, each a skip-scan over its own index (client_log_client_type_at,
 * client_log_client_actor_at): one index seek per distinct value, however long the log.
 */
import { sql, type SQL } from "drizzle-orm";
import { batchableAll, type Db } from "../db";
import { clientLog } from "../db/schema";
import { ofAgency } from "./queries";

/**
 * The distinct values of one column in the client's log, as a skip-scan over the (client_id,
 * column, …) index: one seek per value (MIN above the last one found), however long the log.
 */
function distinctSql(agencyId: number, clientId: number, column: typeof clientLog.changeType | typeof clientLog.actorName): SQL {
  const next = (after: SQL | null) =>
    sql`(SELECT MIN(${column}) FROM ${clientLog} WHERE ${clientLog.clientId} = ${clientId} AND ${ofAgency(agencyId)}${after ? sql` AND ${column} > ${after}` : sql``})`;
  return sql`WITH RECURSIVE found(v) AS (SELECT ${next(null)} UNION ALL SELECT ${next(sql`found.v`)} FROM found WHERE found.v IS NOT NULL) SELECT v FROM found WHERE v IS NOT NULL`;
}

/** Every Change Type in the client's log (a skip-scan over client_log_client_type_at). */
export const changeTypesSql = (agencyId: number, clientId: number): SQL => distinctSql(agencyId, clientId, clientLog.changeType);

/** Every person in the client's log, by name (a skip-scan over client_log_client_actor_at). */
export const actorsSql = (agencyId: number, clientId: number): SQL => distinctSql(agencyId, clientId, clientLog.actorName);

/** What the filters can choose from. */
export interface ChangeLogChoices {
  changeTypes: string[];
  actors: string[];
}

/** What the filters can choose from: every Change Type and every person in the client's log. */
export async function changeLogChoices(db: Db, agencyId: number, clientId: number): Promise<ChangeLogChoices> {
  const [types, actors] = changeLogChoicesQueries(db, agencyId, clientId);
  return changeLogChoicesFromRows(await db.batch([types, actors]));
}

/** The two reads behind changeLogChoices, for a batch. */
export function changeLogChoicesQueries(db: Db, agencyId: number, clientId: number) {
  return [batchableAll<{ v: string }>(db, changeTypesSql(agencyId, clientId)), batchableAll<{ v: string }>(db, actorsSql(agencyId, clientId))] as const;
}

/** The choices from changeLogChoicesQueries' rows. */
export function changeLogChoicesFromRows([types, actors]: readonly [{ v: string }[], { v: string }[]]): ChangeLogChoices {
  return { changeTypes: types.map((r) => r.v), actors: actors.map((r) => r.v) };
}
