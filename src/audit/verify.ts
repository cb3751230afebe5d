/**
 * Verify log: recomputes a client's hash chain from the rows in D1 and says whether it is intact
 * or where it first breaks — a row altered after it was written, a row that no longer follows the
 * one before, or a missing row.
 */
import { and, asc, eq, gt, sql } from "drizzle-orm";
import type { Db } from "../db";
import { clientLog } from "../db/schema";
import { entryHash, GENESIS_HASH } from "./entry";

export type ChainBreak =
  /** The row's stored hash is not the hash of its own contents: it was changed after writing. */
  | "altered"
  /** The row's prev_hash is not the previous row's hash: the previous row was changed and re-hashed. */
  | "unlinked"
  /** The row with this sequence number is not there (deleted, or moved to another client). */
  | "missing";

export type ChainVerification =
  | { intact: true; verified: number }
  | { intact: false; verified: number; brokenAt: number; reason: ChainBreak };

/** Rows read per query: bounded memory however long the log is. */
const CHUNK = 500;

/**
 * Walks the client's log in sequence order (by the unique (client_id, seq) index, a chunk at a
 * time) and checks, for each row: that its seq follows the previous one (1 first, no gap), that
 * its prev_hash is the previous row's hash (GENESIS_HASH for #1), and that its hash matches its
 * contents. `verified` counts the rows that passed before the first break.
 *
 * A row deleted from the end cannot be told from a log that is simply shorter: the chain has no
 * later row to miss it. Only the Durable Object's head knows the last sequence handed out.
 *
 * @example
 *   const result = await verifyClientLog(db, staff.agency.id, clientId);
 *   if (!result.intact) console.log(`broken at #${result.brokenAt}: ${result.reason}`);
 */
export async function verifyClientLog(db: Db, agencyId: number, clientId: number): Promise<ChainVerification> {
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  for (;;) {
    const rows = await chainChunkQuery(db, agencyId, clientId, expectedSeq - 1).all();
    for (const row of rows) {
      const verified = expectedSeq - 1;
      if (row.seq !== expectedSeq) return { intact: false, verified, brokenAt: expectedSeq, reason: "missing" };
      if (row.prevHash !== prevHash) return { intact: false, verified, brokenAt: row.seq, reason: "unlinked" };
      const { id: _id, hash, ...fields } = row;
      if (entryHash(fields) !== hash) return { intact: false, verified, brokenAt: row.seq, reason: "altered" };
      prevHash = hash;
      expectedSeq += 1;
    }
    if (rows.length < CHUNK) return { intact: true, verified: expectedSeq - 1 };
  }
}

/**
 * The next CHUNK rows of the client's log after sequence number `afterSeq`, in order, found by the
 * unique (client_id, seq) index. `+agency_id` confirms the tenant on each row without letting
 * SQLite pick client_log_agency_at (the agency's whole log) to find them.
 */
export function chainChunkQuery(db: Db, agencyId: number, clientId: number, afterSeq: number) {
  return db
    .select()
    .from(clientLog)
    .where(and(eq(clientLog.clientId, clientId), sql`+${clientLog.agencyId} = ${agencyId}`, gt(clientLog.seq, afterSeq)))
    .orderBy(asc(clientLog.seq))
    .limit(CHUNK);
}

/** What a staff member reads after Verify log. */
export function describeVerification(result: ChainVerification): string {
  if (result.intact) return `Log intact: ${result.verified} ${result.verified === 1 ? "entry" : "entries"} verified.`;
  const n = result.brokenAt;
  const why: Record<ChainBreak, string> = {
    altered: `its contents no longer match its hash, so it was changed after it was written.`,
    unlinked: `its link to entry #${n - 1} does not match, so entry #${n - 1} was changed after it was written.`,
    missing: n === 1 ? `the first entry is missing.` : `it is missing (the log goes from entry #${n - 1} to a later one).`,
  };
  const before = result.verified === 0 ? "" : result.verified === 1 ? " Entry #1 is intact." : ` Entries #1 to #${result.verified} are intact.`;
  return `Log broken at entry #${n}: ${why[result.reason]}${before}`;
}
