/**
 * Agency Log reads: one page of an agency's log, newest first, filtered by action and date range,
 * and every filtered entry for the CSV. Each is an index range on agency_log_agency_at or
 * agency_log_agency_action_at, whose (at, seq) order is the log's order: a page costs the same
 * however long the log.
 */
import { and, desc, eq, gte, lt, sql, type SQL } from "drizzle-orm";
import type { Db } from "../db";
import { agencyLog } from "../db/schema";

/** An entry as the page and the CSV show it. */
export interface AgencyLogEntry {
  seq: number;
  at: number;
  actorName: string;
  action: string;
  description: string;
  lines: string[];
  /** The entry's details as stored (JSON), for the CSV. */
  details: string;
  ipAddress: string | null;
  userAgent: string | null;
}

/** Which rows: the agency, an action, a UTC range [from, until). */
export interface AgencyLogScope {
  agencyId: number;
  action?: string;
  from?: number;
  until?: number;
}

// As SQL expressions rather than columns: the FROM is `agency_log INDEXED BY …`, which Drizzle
// can't tell is the same table.
const columns = {
  seq: sql<number>`${agencyLog.seq}`,
  at: sql<number>`${agencyLog.at}`,
  actorName: sql<string>`${agencyLog.actorName}`,
  action: sql<string>`${agencyLog.action}`,
  description: sql<string>`${agencyLog.description}`,
  details: sql<string>`${agencyLog.details}`,
  ipAddress: sql<string | null>`${agencyLog.ipAddress}`,
  userAgent: sql<string | null>`${agencyLog.userAgent}`,
};

/**
 * Entries older than entry `before` in the log's (at, seq) order. Its `at` comes from the unique
 * (agency_id, seq) index, which gives the at-index a range to start from instead of a scan.
 */
function olderThan(agencyId: number, before: number): SQL {
  const at = sql`(SELECT ${agencyLog.at} FROM ${agencyLog} WHERE ${agencyLog.agencyId} = ${agencyId} AND ${agencyLog.seq} = ${before})`;
  return sql`(${agencyLog.at} <= ${at} AND (${agencyLog.at} < ${at} OR ${agencyLog.seq} < ${before}))`;
}

/**
 * At most `limit` entries, newest first, from the top or from beyond entry `before`. Read through
 * the index that fits the filter, named so that a missing index fails loudly instead of scanning.
 * Exported so tests can read its plan.
 */
export function agencyLogRowsQuery(db: Db, s: AgencyLogScope, before: number | undefined, limit: number) {
  const where = [eq(agencyLog.agencyId, s.agencyId)];
  if (s.action) where.push(eq(agencyLog.action, s.action));
  if (s.from !== undefined) where.push(gte(agencyLog.at, s.from));
  if (s.until !== undefined) where.push(lt(agencyLog.at, s.until));
  if (before !== undefined) where.push(olderThan(s.agencyId, before));
  const index = s.action ? "agency_log_agency_action_at" : "agency_log_agency_at";
  return db
    .select(columns)
    .from(sql`${agencyLog} INDEXED BY ${sql.identifier(index)}`)
    .where(and(...where))
    .orderBy(desc(agencyLog.at), desc(agencyLog.seq))
    .limit(limit);
}

function toEntry(row: Omit<AgencyLogEntry, "lines">): AgencyLogEntry {
  let lines: string[] = [];
  try {
    const parsed = JSON.parse(row.details) as { lines?: unknown };
    if (Array.isArray(parsed.lines)) lines = parsed.lines.filter((l): l is string => typeof l === "string");
  } catch {
    // Details that aren't JSON (altered in D1) still show the entry, without lines.
  }
  return { ...row, lines };
}

export interface AgencyLogPage {
  /** Newest first. */
  entries: AgencyLogEntry[];
  /** Sequence number to continue from for older entries, when there are any. */
  olderFrom?: number;
}

/** One page, newest first; reads one row more than the page to learn whether older ones exist. */
export async function agencyLogPage(db: Db, s: AgencyLogScope, before: number | undefined, pageSize: number): Promise<AgencyLogPage> {
  const rows = await agencyLogRowsQuery(db, s, before, pageSize + 1).all();
  const entries = rows.slice(0, pageSize).map(toEntry);
  return { entries, olderFrom: rows.length > pageSize ? entries.at(-1)?.seq : undefined };
}

/** Every entry the filters select, newest first, a chunk at a time (for the CSV: flat memory). */
export async function* agencyLogEntries(db: Db, s: AgencyLogScope, chunk = 1000): AsyncGenerator<AgencyLogEntry[]> {
  let before: number | undefined;
  for (;;) {
    const rows = await agencyLogRowsQuery(db, s, before, chunk).all();
    if (rows.length > 0) yield rows.map(toEntry);
    if (rows.length < chunk) return;
    before = rows.at(-1)!.seq;
  }
}
