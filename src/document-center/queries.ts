/**
 * Document Center reads: the client and their cases, and the Face Sheet Change Log filtered and
 * paged. Every query names the agency and the client, and every log query is an index range on
 * client_log_client_at or client_log_client_type_at — never a scan of the agency's log — so a page
 * costs the same at 1,000 entries as at 100,000.
 */
import { and, asc, desc, eq, gte, lt, sql, type SQL } from "drizzle-orm";
import type { Db } from "../db";
import { cases, clientLog, clients } from "../db/schema";
import { plainChange } from "../clients/face-sheet-fields";

export interface DocumentCenterClient {
  id: number;
  clientNumber: string;
  firstName: string;
  lastName: string;
  dateOfBirth: string;
}

export interface ClientCase {
  id: number;
  caseNumber: string;
  program: string;
  openedOn: string;
  closedOn: string | null;
  /** The minor consented to this treatment themselves (issue 11): hidden from representatives. */
  minorConsented: boolean;
}

const clientColumns = {
  id: clients.id,
  clientNumber: clients.clientNumber,
  firstName: clients.firstName,
  lastName: clients.lastName,
  dateOfBirth: clients.dateOfBirth,
};
const caseColumns = { id: cases.id, caseNumber: cases.caseNumber, program: cases.program, openedOn: cases.openedOn, closedOn: cases.closedOn, minorConsented: cases.minorConsented };

/** The agency's client and their cases (oldest first); null when the client is not the agency's. */
export async function findClientWithCases(
  db: Db,
  agencyId: number,
  clientId: number,
): Promise<{ client: DocumentCenterClient; cases: ClientCase[] } | null> {
  const [found, clientCases] = await db.batch([
    db.select(clientColumns).from(clients).where(and(eq(clients.id, clientId), eq(clients.agencyId, agencyId))),
    db
      .select(caseColumns)
      .from(cases)
      .where(and(eq(cases.clientId, clientId), eq(cases.agencyId, agencyId)))
      .orderBy(asc(cases.openedOn), asc(cases.id)),
  ]);
  return found[0] ? { client: found[0], cases: clientCases } : null;
}

/** The agency's client and one of that client's cases; null unless both are theirs and belong together. */
export async function findClientCase(
  db: Db,
  agencyId: number,
  clientId: number,
  caseId: number,
): Promise<{ client: DocumentCenterClient; kase: ClientCase } | null> {
  return clientCaseFromRows(await db.batch(clientCaseQueries(db, agencyId, clientId, caseId)));
}

/** The two reads behind findClientCase, for a page's batch. */
export function clientCaseQueries(db: Db, agencyId: number, clientId: number, caseId: number) {
  return [
    db.select(clientColumns).from(clients).where(and(eq(clients.id, clientId), eq(clients.agencyId, agencyId))),
    db
      .select(caseColumns)
      .from(cases)
      .where(and(eq(cases.id, caseId), eq(cases.clientId, clientId), eq(cases.agencyId, agencyId))),
  ] as const;
}

/** The client and case from clientCaseQueries' rows; null unless both are the agency's and belong together. */
export function clientCaseFromRows([found, kase]: readonly [DocumentCenterClient[], ClientCase[]]) {
  return found[0] && kase[0] ? { client: found[0], kase: kase[0] } : null;
}

/**
 * The reads behind the Change Log's context, for the page's batch: the client, and the case when
 * the URL goes through one (with none, the client's first case: read and ignored, so the batch
 * keeps one shape).
 */
export function logContextQueries(db: Db, agencyId: number, clientId: number, caseId: number | null) {
  return [
    db.select(clientColumns).from(clients).where(and(eq(clients.id, clientId), eq(clients.agencyId, agencyId))),
    db
      .select(caseColumns)
      .from(cases)
      .where(and(caseId === null ? undefined : eq(cases.id, caseId), eq(cases.clientId, clientId), eq(cases.agencyId, agencyId)))
      .limit(1),
  ] as const;
}

/** The log's client (and case) from logContextQueries' rows; null unless they are the agency's and belong together. */
export function logContextFromRows([found, kase]: readonly [DocumentCenterClient[], ClientCase[]], caseId: number | null): { client: DocumentCenterClient; kase?: ClientCase } | null {
  if (!found[0]) return null;
  if (caseId === null) return { client: found[0] };
  return kase[0] ? { client: found[0], kase: kase[0] } : null;
}

/** A Change Log entry as the page and the CSV show it. */
export interface ChangeLogEntry {
  seq: number;
  at: number;
  actorName: string;
  changeType: string;
  description: string;
  lines: string[];
  /** Face Sheet fields' old → new values in plain words ("Phone: a → b"), under the seed's lines. */
  changes: string[];
}

/** Which rows of the client's log: filters already checked, dates already turned into UTC bounds. */
export interface ChangeLogScope {
  agencyId: number;
  clientId: number;
  changeType?: string;
  changedBy?: string;
  /** Inclusive lower bound, epoch ms. */
  from?: number;
  /** Exclusive upper bound, epoch ms. */
  until?: number;
}

/**
 * The tenant check on a log row. The unary + keeps SQLite from choosing client_log_agency_at for
 * it (without statistics it would, and then walk the agency's whole log): the client's indexes
 * find the rows, and this only confirms each one.
 */
export const ofAgency = (agencyId: number) => sql`+${clientLog.agencyId} = ${agencyId}`;

function scopeWhere(s: ChangeLogScope): SQL[] {
  const where = [eq(clientLog.clientId, s.clientId), ofAgency(s.agencyId)];
  if (s.changeType) where.push(eq(clientLog.changeType, s.changeType));
  if (s.changedBy) where.push(eq(clientLog.actorName, s.changedBy));
  if (s.from !== undefined) where.push(gte(clientLog.at, s.from));
  if (s.until !== undefined) where.push(lt(clientLog.at, s.until));
  return where;
}

// The log's order is (at, seq): `at` never goes backwards as seq grows, and seq breaks ties. A
// page position is just a sequence number; its `at` comes from the unique (client_id, seq) index,
// which gives the at-index a range to start from instead of a scan.
const atOf = (clientId: number, seq: number) =>
  sql`(SELECT ${clientLog.at} FROM ${clientLog} WHERE ${clientLog.clientId} = ${clientId} AND ${clientLog.seq} = ${seq})`;

/** Entries strictly older (`<`) or at-or-older (`<=`), or strictly newer (`>`) or at-or-newer (`>=`), than entry `seq`. */
function relativeTo(clientId: number, seq: number, op: "<" | "<=" | ">" | ">="): SQL {
  const at = atOf(clientId, seq);
  const older = op[0] === "<";
  const bound = older ? sql`${clientLog.at} <= ${at}` : sql`${clientLog.at} >= ${at}`;
  const strictly = older ? sql`${clientLog.at} < ${at}` : sql`${clientLog.at} > ${at}`;
  const tie = sql`${clientLog.seq} ${sql.raw(op)} ${seq}`;
  return sql`(${bound} AND (${strictly} OR ${tie}))`;
}

// As SQL expressions rather than columns: the FROM is `client_log INDEXED BY …` (see
// logIndexedFor), which Drizzle can't tell is the same table.
const entryColumns = {
  seq: sql<number>`${clientLog.seq}`,
  at: sql<number>`${clientLog.at}`,
  actorName: sql<string>`${clientLog.actorName}`,
  changeType: sql<string>`${clientLog.changeType}`,
  description: sql<string>`${clientLog.description}`,
  details: sql<string>`${clientLog.details}`,
};

/** Where a page starts: the top, or beyond an entry (including it when `inclusive`). */
export interface Position {
  before?: number;
  after?: number;
  inclusive?: boolean;
}

/**
 * The entries in one direction from a position, at most `limit`: newest first from the top (no
 * position) or from `before`; oldest first from `after`. Exported so tests can read its plan.
 */
export function changeLogRowsQuery(db: Db, s: ChangeLogScope, position: Position, limit: number) {
  const where = scopeWhere(s);
  if (position.after !== undefined) where.push(relativeTo(s.clientId, position.after, position.inclusive ? ">=" : ">"));
  else if (position.before !== undefined) where.push(relativeTo(s.clientId, position.before, position.inclusive ? "<=" : "<"));
  const newestFirst = position.after === undefined;
  return db
    .select(entryColumns)
    .from(logIndexedFor(s))
    .where(and(...where))
    .orderBy(...(newestFirst ? [desc(clientLog.at), desc(clientLog.seq)] : [asc(clientLog.at), asc(clientLog.seq)]))
    .limit(limit);
}

/**
 * client_log, read through the index that fits the filter. Named rather than left to the planner:
 * without statistics SQLite picks among the (client_id, …) indexes by guesswork, and a Change Type
 * read through client_log_client_at walks every type's entries in the date range (a person's, the
 * whole log for someone who changed it once). A missing index then fails loudly instead of
 * quietly scanning.
 */
function logIndexedFor(s: ChangeLogScope): SQL {
  const index = s.changeType ? "client_log_client_type_at" : s.changedBy ? "client_log_client_actor_at" : "client_log_client_at";
  return sql`${clientLog} INDEXED BY ${sql.identifier(index)}`;
}

function toEntry(row: { seq: number; at: number; actorName: string; changeType: string; description: string; details: string }): ChangeLogEntry {
  let lines: string[] = [];
  let changes: string[] = [];
  try {
    const parsed = JSON.parse(row.details) as { lines?: unknown; changes?: unknown };
    if (Array.isArray(parsed.lines)) lines = parsed.lines.filter((l): l is string => typeof l === "string");
    // Face Sheet updates keep each field's old and new value beside the seed's lines.
    if (Array.isArray(parsed.changes)) changes = parsed.changes.map((c) => (c && typeof c === "object" ? plainChange(c) : null)).filter((l): l is string => l !== null);
  } catch {
    // A details column that isn't JSON (altered in D1) still shows its entry, without detail lines.
  }
  const { details: _details, ...rest } = row;
  return { ...rest, lines, changes };
}

export interface ChangeLogPage {
  /** Newest first. */
  entries: ChangeLogEntry[];
  /** Sequence number to continue from for newer entries, when there are any. */
  newerFrom?: number;
  /** Sequence number to continue from for older entries, when there are any. */
  olderFrom?: number;
}

/**
 * One page of the client's log, newest first, from the top or from a position. Reads `pageSize + 1`
 * rows to learn whether the page has a successor, and one row the other way to learn whether it
 * has a predecessor: both index ranges, one D1 round trip.
 */
export async function changeLogPage(db: Db, s: ChangeLogScope, position: { before?: number; after?: number }, pageSize: number): Promise<ChangeLogPage> {
  const [main, ...probe] = changeLogPageQueries(db, s, position, pageSize);
  return changeLogPageFromRows(position, pageSize, await db.batch([main!, ...probe]));
}

/** The page's reads (the rows, and the probe the other way when there is a position), for a batch. */
export function changeLogPageQueries(db: Db, s: ChangeLogScope, position: { before?: number; after?: number }, pageSize: number) {
  const main = changeLogRowsQuery(db, s, position, pageSize + 1);
  if (position.before === undefined && position.after === undefined) return [main];
  // The probe the other way: the position's own entry or anything beyond it.
  const probe =
    position.after !== undefined
      ? changeLogRowsQuery(db, s, { before: position.after, inclusive: true }, 1)
      : changeLogRowsQuery(db, s, { after: position.before, inclusive: true }, 1);
  return [main, probe];
}

type EntryRow = Parameters<typeof toEntry>[0];

/** The page from changeLogPageQueries' rows. */
export function changeLogPageFromRows(position: { before?: number; after?: number }, pageSize: number, [rows, beyond]: readonly EntryRow[][]): ChangeLogPage {
  if (position.before === undefined && position.after === undefined) {
    const entries = rows!.slice(0, pageSize).map(toEntry);
    return { entries, olderFrom: rows!.length > pageSize ? entries.at(-1)?.seq : undefined };
  }
  const more = rows!.length > pageSize;
  const page = rows!.slice(0, pageSize);
  if (position.after !== undefined) page.reverse();
  const entries = page.map(toEntry);
  const newest = entries[0]?.seq;
  const oldest = entries.at(-1)?.seq;
  const backward = beyond!.length > 0;
  return position.after !== undefined
    ? { entries, newerFrom: more ? newest : undefined, olderFrom: backward ? oldest : undefined }
    : { entries, newerFrom: backward ? newest : undefined, olderFrom: more ? oldest : undefined };
}

/**
 * Every entry the filters select, newest first, a chunk at a time (each chunk an index range
 * from where the last one ended), for the CSV export: memory stays flat for a long log.
 */
export async function* changeLogEntries(db: Db, s: ChangeLogScope, chunk = 1000): AsyncGenerator<ChangeLogEntry[]> {
  let before: number | undefined;
  for (;;) {
    const rows = await changeLogRowsQuery(db, s, { before }, chunk).all();
    if (rows.length > 0) yield rows.map(toEntry);
    if (rows.length < chunk) return;
    before = rows.at(-1)!.seq;
  }
}
