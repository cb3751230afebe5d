/**
 * What a log's writer (ChainWriter, chained-log.ts) takes and answers: a change's statements and
 * entry, a commit's outcome, and the head Verify compares D1 against.
 */

export interface Statement {
  sql: string;
  params: unknown[];
}

/** One data change and its entry: the statements run in order; the entry lands only if the last changed rows. */
export interface CommitPart<F> {
  statements: Statement[];
  fields: F;
}

/**
 * `seq` is the first entry's; `parts` how many parts landed (a prefix of those sent). `bookmark`:
 * the D1 session bookmark after the batch (src/db/session.ts), so the Worker can send the user's
 * next read to a replica at least that new.
 */
export type CommitResult = ({ committed: true; seq: number; parts: number } | { committed: false }) & { bookmark?: string | null };

/** What crosses the RPC boundary: a D1 failure comes back as a value, not a thrown error. */
export type CommitAnswer = CommitResult | { failed: string };

/** The log's head as Verify needs it: what the object handed out last, and entries not yet in D1. */
export interface HeadReport {
  seq: number;
  hash: string;
  /** Entries accepted but not in D1 yet (D1 refused them; the alarm retries). */
  waiting: number;
  /** The number of the first of them: a row missing before it was in D1 and is gone (not waiting). */
  waitingFrom?: number;
  /**
   * The D1 bookmark after the object's latest write (the outbox written just now): Verify reads the
   * rows at least that new, or a replica behind it would look like a log cut short.
   */
  bookmark?: string | null;
}
