/**
 * Verify log: recomputes a log's keyed hash chain from its rows in D1 and compares its end with the
 * head its Durable Object keeps, then says whether the log is intact or where it first breaks.
 *
 * What this detects, for anyone who can write to D1 but holds neither the log key nor the object's
 * storage: a row changed (even re-hashed: that needs the key), a row removed from anywhere — the
 * end included, a row moved between logs, a row added. What it can't: someone holding the key AND
 * able to write D1 can rewrite entries before the newest one only by also rewriting the newest,
 * which the head catches; nothing here stops rows from being deleted, it only makes that visible.
 */
import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../db";
import { checkSeal, fromRow, GENESIS_HASH, type Cell, type ChainSpec } from "./chain";
import type { HeadReport } from "./chained-log";
import type { LogKeys } from "./keys";

export type ChainBreak =
  /** The row's seal does not match its contents: it was changed after it was written. */
  | "altered"
  /** The row is sealed with a key id the Worker does not have: it can't be checked. */
  | "unknown-key"
  /** The row's prev_hash is not the previous row's hash. */
  | "unlinked"
  /** The row with this number is not there, though later ones are (deleted, or moved to another log). */
  | "missing"
  /** The log's newest rows are not there: the head says more were written than D1 holds. */
  | "truncated"
  /** The row the head names is not the one the log wrote: the log was rewritten up to it, with the key. */
  | "rewritten"
  /** Rows from here on are accepted but not in D1 yet (D1 refused them for a moment; retried). */
  | "waiting";

export type ChainVerification =
  | { intact: true; verified: number }
  | {
      intact: false;
      /** Rows that passed before the first break. */
      verified: number;
      brokenAt: number;
      reason: ChainBreak;
      /** The number of the newest entry the log wrote (its head). */
      headSeq: number;
      /** For unknown-key: the key id the row names. */
      keyId?: string;
    };

/** Rows read per query: bounded memory however long the log is. */
const CHUNK = 500;

/**
 * Walks one log in number order (by its unique (stream, seq) index, a chunk at a time) and checks
 * each row: its number follows the previous one (1 first, no gap), its prev_hash is the previous
 * row's hash (GENESIS_HASH for #1), its seal matches its contents under the key it names, and the
 * row at the head's number is the head's. Then that D1 reaches the head.
 *
 * Rows past the head are fine when they pass the same checks: they were written after the head
 * was read.
 *
 * @example
 *   const result = await verifyChain(db, CLIENT_LOG, logKeys(env), { agencyId, stream: clientId }, head);
 *   if (!result.intact) console.log(`broken at #${result.brokenAt}: ${result.reason}`);
 */
export async function verifyChain<F extends Record<string, Cell>>(
  db: Db,
  spec: ChainSpec<F>,
  keys: LogKeys,
  scope: { agencyId: number; stream: number },
  head: HeadReport,
): Promise<ChainVerification> {
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  // A row absent from where the entries still waiting begin is on its way; one absent before that
  // was written and removed (waiting entries must not cover a deletion).
  const waiting = (brokenAt: number) => head.waiting > 0 && brokenAt >= (head.waitingFrom ?? 0);
  const broken = (brokenAt: number, reason: ChainBreak, keyId?: string): ChainVerification => ({
    intact: false,
    verified: expectedSeq - 1,
    brokenAt,
    reason: (reason === "missing" || reason === "truncated") && waiting(brokenAt) ? "waiting" : reason,
    headSeq: head.seq,
    ...(keyId === undefined ? {} : { keyId }),
  });
  for (;;) {
    const rows = await db.all<Record<string, unknown>>(chainChunkSql(spec, scope, expectedSeq - 1));
    for (const row of rows) {
      const e = fromRow(spec, row);
      if (e.seq !== expectedSeq) return broken(expectedSeq, "missing");
      if (e.prevHash !== prevHash) return broken(e.seq, "unlinked");
      const seal = checkSeal(spec, keys, e);
      if (seal !== "ok") return broken(e.seq, seal, seal === "unknown-key" ? e.keyId : undefined);
      if (e.seq === head.seq && e.hash !== head.hash) return broken(e.seq, "rewritten");
      prevHash = e.hash;
      expectedSeq += 1;
    }
    if (rows.length < CHUNK) break;
  }
  if (expectedSeq <= head.seq) return broken(expectedSeq, "truncated");
  return { intact: true, verified: expectedSeq - 1 };
}

/**
 * The next CHUNK rows of one log after number `afterSeq`, in order, found by the unique
 * (stream, seq) index. Where the log is not the agency's own, `+agency_id` confirms the tenant on
 * each row without letting SQLite pick an agency-wide index to find them.
 */
export function chainChunkSql<F extends Record<string, Cell>>(spec: ChainSpec<F>, scope: { agencyId: number; stream: number }, afterSeq: number): SQL {
  const table = sql.identifier(spec.table);
  const tenant = spec.stream === "agency_id" ? sql`` : sql` AND +agency_id = ${scope.agencyId}`;
  return sql`SELECT * FROM ${table} WHERE ${sql.identifier(spec.stream)} = ${scope.stream}${tenant} AND seq > ${afterSeq} ORDER BY seq LIMIT ${CHUNK}`;
}

const range = (from: number, to: number) => (from === to ? `entry #${from} is` : `entries #${from} to #${to} are`);

/** What a person reads after Verify log. */
export function describeVerification(result: ChainVerification): string {
  if (result.intact) return `Log intact: ${result.verified} ${result.verified === 1 ? "entry" : "entries"} verified.`;
  const n = result.brokenAt;
  const intactBefore = result.verified === 0 ? "" : result.verified === 1 ? " Entry #1 is intact." : ` Entries #1 to #${result.verified} are intact.`;
  switch (result.reason) {
    case "waiting":
      return `Not everything could be checked yet: ${range(n, Math.max(n, result.headSeq))} still being written to the database (it is retried automatically). Verify again in a minute.${intactBefore}`;
    case "rewritten":
      return `Log broken at entry #${n}: it is not the entry the log wrote as #${n}, so the log was rewritten up to it by someone holding the log key.`;
    default: {
      const why: Record<Exclude<ChainBreak, "waiting" | "rewritten">, string> = {
        altered: `its contents no longer match its seal, so it was changed after it was written.`,
        "unknown-key": result.keyId
          ? `it is sealed with a key (id "${result.keyId}") that this Worker does not have, so it can't be checked.`
          : `it was written before log entries were sealed with a key, so it can't be checked.`,
        unlinked: `its link to entry #${n - 1} does not match, so entry #${n - 1} was changed after it was written.`,
        missing: n === 1 ? `the first entry is missing.` : `it is missing (the log goes from entry #${n - 1} to a later one).`,
        truncated: `${range(n, result.headSeq)} missing: the log wrote ${result.headSeq} ${result.headSeq === 1 ? "entry" : "entries"}, and the newest were removed.`,
      };
      return `Log broken at entry #${n}: ${why[result.reason]}${intactBefore}`;
    }
  }
}
