/**
 * What the Change Log's filters can choose from: every Change Type in the client's log (a
 * skip-scan over client_log_client_type_at) and the people in its latest entries (Changes By).
 */
import { sql, type SQL } from "drizzle-orm";
import { batchableAll, type Db } from "../db";
import { clientLog } from "../db/schema";
import { ofAgency } from "./queries";

/** How many of the latest entries the Changes By list is drawn from (see changeLogChoices). */
export const ACTOR_WINDOW = 1000;

/**
 * Every Change Type in the client's log, as a skip-scan over client_log_client_type_at: one index
 * seek per distinct type (MIN above the last one found), however long the log.
 */
export function changeTypesSql(agencyId: number, clientId: number): SQL {
  const nextType = (after: SQL | null) =>
    sql`(SELECT MIN(${clientLog.changeType}) FROM ${clientLog} WHERE ${clientLog.clientId} = ${clientId} AND ${ofAgency(agencyId)}${after ? sql` AND ${clientLog.changeType} > ${after}` : sql``})`;
  return sql`WITH RECURSIVE types(t) AS (SELECT ${nextType(null)} UNION ALL SELECT ${nextType(sql`types.t`)} FROM types WHERE types.t IS NOT NULL) SELECT t FROM types WHERE t IS NOT NULL`;
}

/**
 * The people in the client's latest ACTOR_WINDOW entries, with the window's size: no index holds
 * actor names, so the list is bounded rather than a walk of the whole log. Reads one row past the
 * window to tell whether the log is longer than it.
 */
export function recentActorsSql(agencyId: number, clientId: number): SQL {
  return sql`WITH recent AS (SELECT ${clientLog.actorName} AS name FROM ${clientLog} INDEXED BY client_log_client_at WHERE ${clientLog.clientId} = ${clientId} AND ${ofAgency(agencyId)} ORDER BY ${clientLog.at} DESC LIMIT ${ACTOR_WINDOW + 1}) SELECT name, (SELECT COUNT(*) FROM recent) AS n FROM recent GROUP BY name ORDER BY name`;
}

/** What the filters can choose from. */
export interface ChangeLogChoices {
  changeTypes: string[];
  actors: string[];
  actorsTruncated: boolean;
}

/**
 * What the filters can choose from: every Change Type in the client's log, and the people in its
 * latest ACTOR_WINDOW entries (`actorsTruncated` when the log is longer than that).
 */
export async function changeLogChoices(db: Db, agencyId: number, clientId: number): Promise<ChangeLogChoices> {
  const [types, actors] = changeLogChoicesQueries(db, agencyId, clientId);
  return changeLogChoicesFromRows(await db.batch([types, actors]));
}

/** The two reads behind changeLogChoices, for a batch. */
export function changeLogChoicesQueries(db: Db, agencyId: number, clientId: number) {
  return [batchableAll<{ t: string }>(db, changeTypesSql(agencyId, clientId)), batchableAll<{ name: string; n: number }>(db, recentActorsSql(agencyId, clientId))] as const;
}

/** The choices from changeLogChoicesQueries' rows. */
export function changeLogChoicesFromRows([types, actors]: readonly [{ t: string }[], { name: string; n: number }[]]): ChangeLogChoices {
  return {
    changeTypes: types.map((r) => r.t),
    actors: actors.map((r) => r.name),
    actorsTruncated: (actors[0]?.n ?? 0) > ACTOR_WINDOW,
  };
}
