/**
 * The keyed hash chain every log here is made of (the client logs and the agency logs alike).
 *
 * A log is a D1 table with one row per entry. One column names the log (`stream`: client_id, or
 * agency_id); within it entries are numbered 1, 2, 3… by the log's Durable Object, the only writer.
 * Each entry is sealed with HMAC-SHA256 under a secret key over its log, number, time, contents,
 * the previous entry's hash and the key's id. Changing any of these — or re-hashing after a change —
 * needs the key; moving a row to another log or another table breaks its seal too.
 */
import { hmac } from "@oslojs/crypto/hmac";
import { SHA256 } from "@oslojs/crypto/sha2";
import { encodeHexLowerCase } from "@oslojs/encoding";
import type { LogKeys } from "./keys";

/** A value stored in one column. */
export type Cell = string | number | null;

/**
 * How one kind of log is stored. `columns` maps each content field to its column, in the order
 * the fields are hashed: never reorder or rename an existing entry there (old entries would stop
 * verifying); add new fields at the end.
 */
export interface ChainSpec<F extends Record<string, Cell>> {
  table: string;
  /** The column that names one log; the table has a unique index on (stream, seq). */
  stream: string;
  columns: { readonly [K in keyof F]: string };
}

/** An entry as stored: its place in its log, its contents, its link and its seal. */
export interface Sealed<F> {
  stream: number;
  seq: number;
  /** Epoch milliseconds, UTC; never earlier than the entry before. */
  at: number;
  fields: F;
  prevHash: string;
  keyId: string;
  hash: string;
}

/** The previous hash of entry #1. */
export const GENESIS_HASH = "0".repeat(64);

/** The seal: HMAC-SHA256 under `key` of everything the entry stores but the seal itself. */
export function linkHash<F extends Record<string, Cell>>(spec: ChainSpec<F>, key: Uint8Array, e: Omit<Sealed<F>, "hash">): string {
  const fields = (Object.keys(spec.columns) as (keyof F)[]).map((k) => e.fields[k]);
  const canonical = JSON.stringify([spec.table, e.stream, e.seq, e.at, ...fields, e.prevHash, e.keyId]);
  return encodeHexLowerCase(hmac(SHA256, key, new TextEncoder().encode(canonical)));
}

/** Seals an entry with the signing key: fixes its number, time and place in the chain. */
export function sealWith<F extends Record<string, Cell>>(
  spec: ChainSpec<F>,
  keys: LogKeys,
  fields: F,
  where: { stream: number; seq: number; at: number; prevHash: string },
): Sealed<F> {
  const unsealed = { ...where, fields, keyId: keys.signing.id };
  return { ...unsealed, hash: linkHash(spec, keys.signing.key, unsealed) };
}

/**
 * Whether an entry's seal matches its contents: `unknown-key` when it names a key the Worker
 * doesn't have (removed too early, or made up).
 */
export function checkSeal<F extends Record<string, Cell>>(spec: ChainSpec<F>, keys: LogKeys, e: Sealed<F>): "ok" | "altered" | "unknown-key" {
  const key = keys.byId.get(e.keyId);
  if (!key) return "unknown-key";
  const { hash, ...unsealed } = e;
  return timingSafeEqualHex(linkHash(spec, key, unsealed), hash) ? "ok" : "altered";
}

function timingSafeEqualHex(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** A D1 row of the log's table (snake_case columns) as a sealed entry. */
export function fromRow<F extends Record<string, Cell>>(spec: ChainSpec<F>, d1Row: object): Sealed<F> {
  const row = d1Row as Record<string, unknown>;
  const fields = {} as Record<string, Cell>;
  for (const [field, column] of Object.entries(spec.columns)) fields[field] = (row[column] ?? null) as Cell;
  return {
    stream: row[spec.stream] as number,
    seq: row.seq as number,
    at: row.at as number,
    fields: fields as F,
    prevHash: row.prev_hash as string,
    keyId: row.key_id as string,
    hash: row.hash as string,
  };
}

/**
 * The INSERT for a sealed entry. `guarded`: insert only if the statement before it changed rows
 * (a change that didn't happen logs nothing). `idempotent`: a retry of an entry already in D1
 * (same number, same seal) does nothing — exactly once; anything else already at that number
 * fails the whole batch, so a number is never silently taken by a different entry.
 */
export function insertSql<F extends Record<string, Cell>>(
  spec: ChainSpec<F>,
  e: Sealed<F>,
  opts: { guarded: boolean; idempotent: boolean },
): { sql: string; params: unknown[] } {
  const fieldKeys = Object.keys(spec.columns) as (keyof F & string)[];
  const columns = [spec.stream, "seq", "at", ...fieldKeys.map((k) => spec.columns[k]), "prev_hash", "key_id", "hash"];
  const conditions = [
    ...(opts.guarded ? ["changes() > 0"] : []),
    ...(opts.idempotent ? [`NOT EXISTS (SELECT 1 FROM ${spec.table} WHERE ${spec.stream} = ? AND seq = ? AND hash = ?)`] : []),
  ];
  return {
    sql:
      `INSERT INTO ${spec.table} (${columns.join(", ")}) SELECT ${columns.map(() => "?").join(", ")}` +
      (conditions.length ? ` WHERE ${conditions.join(" AND ")}` : ""),
    params: [
      e.stream,
      e.seq,
      e.at,
      ...fieldKeys.map((k) => e.fields[k]),
      e.prevHash,
      e.keyId,
      e.hash,
      ...(opts.idempotent ? [e.stream, e.seq, e.hash] : []),
    ],
  };
}
