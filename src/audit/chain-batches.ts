/**
 * The D1 batches of a log's commits (ChainWriter, chained-log.ts): each part's own statements,
 * then its entry's insert, the entries sealed one after another from the head; and, from the
 * batch's results, which parts landed. An entry's insert (insertSql, chain.ts, prepared on the
 * group's session) is the events' batch too.
 */
import { insertSql, type Cell, type ChainSpec, type Sealed } from "./chain";
import { headOf, type Head } from "./chain-head";
import type { CommitPart } from "./chain-types";

/** Seals the entry after `head` (ChainWriter's seal: its stream, key and clock). */
type Seal<F> = (head: Head, fields: F) => Sealed<F>;

// Fails the statement (and so the whole batch) when the entry insert before it wrote nothing:
// abs() of the smallest 64-bit integer is an "integer overflow" error in SQLite.
const ENTRY_LANDED = "SELECT CASE WHEN changes() = 0 THEN abs(-9223372036854775808) ELSE 1 END";

/** An entry's insert, prepared on `db`. */
export function prepareInsert<F extends Record<string, Cell>>(
  db: D1DatabaseSession,
  spec: ChainSpec<F>,
  e: Sealed<F>,
  opts: { guarded: boolean; idempotent: boolean },
): D1PreparedStatement {
  const s = insertSql(spec, e, opts);
  return db.prepare(s.sql).bind(...s.params);
}

/**
 * One change's batch: each part's statements, then its entry (guarded by them when it has any).
 * `entryAt`: where each part's insert is in `statements`.
 */
export function changeBatch<F extends Record<string, Cell>>(db: D1DatabaseSession, spec: ChainSpec<F>, head: Head, parts: CommitPart<F>[], seal: Seal<F>) {
  const sealed: Sealed<F>[] = [];
  const statements: D1PreparedStatement[] = [];
  const entryAt: number[] = [];
  for (const part of parts) {
    const e = seal(head, part.fields);
    head = headOf(e);
    sealed.push(e);
    statements.push(...part.statements.map((s) => db.prepare(s.sql).bind(...s.params)));
    entryAt.push(statements.length);
    statements.push(prepareInsert(db, spec, e, { guarded: part.statements.length > 0, idempotent: false }));
  }
  return { sealed, statements, entryAt };
}

/** Of a change's parts, how many landed as a prefix, and the last that landed at all (-1: none). */
export function landedParts(results: D1Result[], entryAt: number[]): { prefix: number; last: number } {
  const landed = entryAt.map((i) => (results[i]?.meta.changes ?? 0) > 0);
  const prefix = landed.indexOf(false) === -1 ? landed.length : landed.indexOf(false);
  return { prefix, last: landed.lastIndexOf(true) };
}

/**
 * A group's batch: every part of every change, each entry followed by ENTRY_LANDED, so one that
 * does not land aborts the batch. `firsts`: each change's first entry in `sealed`.
 */
export function groupBatch<F extends Record<string, Cell>>(db: D1DatabaseSession, spec: ChainSpec<F>, head: Head, group: { parts: CommitPart<F>[] }[], seal: Seal<F>) {
  const sealed: Sealed<F>[] = [];
  const statements: D1PreparedStatement[] = [];
  const firsts: number[] = [];
  for (const g of group) {
    firsts.push(sealed.length);
    // Every part of every change must land here; one that wouldn't aborts the group, and the
    // one-at-a-time retry gives that change its prefix answer.
    for (const part of g.parts) {
      const e = seal(head, part.fields);
      head = headOf(e);
      sealed.push(e);
      statements.push(
        ...part.statements.map((s) => db.prepare(s.sql).bind(...s.params)),
        prepareInsert(db, spec, e, { guarded: part.statements.length > 0, idempotent: false }),
        db.prepare(ENTRY_LANDED),
      );
    }
  }
  return { sealed, statements, firsts };
}

/**
 * Of `entries` (one log's, in order), the numbers D1 already holds with a row that is not that
 * entry (another hash): someone with write access to D1 put it there. Such an entry can't land
 * while that row is there — its insert would fail every batch it is in.
 */
export async function takenNumbers<F extends Record<string, Cell>>(db: D1DatabaseSession, spec: ChainSpec<F>, entries: Sealed<F>[]): Promise<Set<number>> {
  const taken = new Set<number>();
  for (const stream of new Set(entries.map((e) => e.stream))) {
    const mine = entries.filter((e) => e.stream === stream);
    const { results } = await db
      .prepare(`SELECT seq, hash FROM ${spec.table} WHERE ${spec.stream} = ? AND seq BETWEEN ? AND ?`)
      .bind(stream, mine[0]!.seq, mine.at(-1)!.seq)
      .all<{ seq: number; hash: string }>();
    const held = new Map(results.map((r) => [r.seq, r.hash]));
    for (const e of mine) if (held.has(e.seq) && held.get(e.seq) !== e.hash) taken.add(e.seq);
  }
  return taken;
}

/** Entries per D1 batch when waiting entries are written (D1 limits the statements of one invocation; an outbox can be long). */
const BATCH_ENTRIES = 100;

/** Runs one batch on `db` (the writer's: it keeps the bookmark after it). */
type RunBatch = (db: D1DatabaseSession, statements: D1PreparedStatement[]) => Promise<unknown>;

/**
 * Inserts entries, BATCH_ENTRIES to a batch (idempotent: one already in D1 is skipped; a batch
 * that lands before a later one fails is written again, harmlessly, on the retry). If D1 refuses a
 * batch because a number is held by a row this log did not write (someone with write access to D1
 * put it there), the others go in a second batch, so one such row doesn't stop every later entry
 * from reaching D1; the entries whose number is held are returned — they stay in the outbox,
 * durable, and land with a later write once the row is gone (Verify shows the row meanwhile).
 * Throws when D1 fails otherwise.
 */
export async function insertEntries<F extends Record<string, Cell>>(db: D1DatabaseSession, spec: ChainSpec<F>, entries: Sealed<F>[], run: RunBatch): Promise<Set<number>> {
  const taken = new Set<number>();
  for (let i = 0; i < entries.length; i += BATCH_ENTRIES) for (const seq of await insertBatch(db, spec, entries.slice(i, i + BATCH_ENTRIES), run)) taken.add(seq);
  return taken;
}

/** One batch of insertEntries (at most BATCH_ENTRIES). */
async function insertBatch<F extends Record<string, Cell>>(db: D1DatabaseSession, spec: ChainSpec<F>, entries: Sealed<F>[], run: RunBatch): Promise<Set<number>> {
  const inserts = (es: Sealed<F>[]) => es.map((e) => prepareInsert(db, spec, e, { guarded: false, idempotent: true }));
  try {
    await run(db, inserts(entries));
    return new Set();
  } catch (err) {
    const taken = await takenNumbers(db, spec, entries).catch(() => new Set<number>());
    if (taken.size === 0) throw err;
    console.error(`${spec.table}: entries #${[...taken].join(", #")} wait: D1 holds other rows at their numbers`);
    const rest = entries.filter((e) => !taken.has(e.seq));
    if (rest.length > 0) await run(db, inserts(rest));
    return taken;
  }
}
