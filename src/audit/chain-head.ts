/**
 * A log's head — the last number and hash its Durable Object handed out — and how the object finds
 * it again when it starts (ChainState, chain-state.ts, keeps it in the object's storage under
 * HEAD and loads it once): D1's last entry the first time, and any entries that landed in D1 after
 * the stored head (a crash between a batch and its head write).
 */
import { checkSeal, fromRow, GENESIS_HASH, type Cell, type ChainSpec } from "./chain";
import { logKeys } from "./keys";

/** The last number and hash handed out, and that entry's time (the next is never earlier). */
export interface Head {
  seq: number;
  hash: string;
  at: number;
}

/** The object's storage key of its head. */
export const HEAD = "head";
/** How far past its stored head the object looks, at start, for entries it wrote just before a crash. */
const RECOVERY_ROWS = 1_000;

/** The head once `e` is the last entry. */
export const headOf = (e: { seq: number; hash: string; at: number }): Head => ({ seq: e.seq, hash: e.hash, at: e.at });

/** The log's last entry in D1 as a head (before entry #1: number 0 and the genesis hash). */
export async function lastInD1<F extends Record<string, Cell>>(db: D1DatabaseSession, spec: ChainSpec<F>, stream: number): Promise<Head> {
  const { table, stream: column } = spec;
  const row = await db.prepare(`SELECT seq, hash, at FROM ${table} WHERE ${column} = ? ORDER BY seq DESC LIMIT 1`).bind(stream).first<Head>();
  return row ?? { seq: 0, hash: GENESIS_HASH, at: 0 };
}

/** `head` moved past the entries in D1 after it — only those that continue its chain under our key. */
export async function recoverLanded<F extends Record<string, Cell>>(
  db: D1DatabaseSession,
  spec: ChainSpec<F>,
  env: { LOG_HMAC_KEYS?: string },
  stream: number,
  head: Head,
): Promise<Head> {
  const { table, stream: column } = spec;
  const { results } = await db.prepare(`SELECT * FROM ${table} WHERE ${column} = ? AND seq > ? ORDER BY seq LIMIT ?`)
    .bind(stream, head.seq, RECOVERY_ROWS)
    .all<Record<string, unknown>>();
  const keys = logKeys(env);
  for (const row of results) {
    const e = fromRow(spec, row);
    if (e.seq !== head.seq + 1 || e.prevHash !== head.hash || checkSeal(spec, keys, e) !== "ok") break;
    head = headOf(e);
  }
  return head;
}
