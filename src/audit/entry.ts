/**
 * What a client log entry holds, and the hash that chains it to the one before.
 */
import { sha256 } from "@oslojs/crypto/sha2";
import { encodeHexLowerCase } from "@oslojs/encoding";

export interface Actor {
  type: "staff" | "portal" | "system";
  id: number | null;
  name: string;
}

/** A changed field: what it was and what it became. */
export interface FieldDelta {
  field: string;
  before: string | boolean | null;
  after: string | boolean | null;
}

export interface EntryDetails {
  /** Detail lines shown under the description in the Change Log. */
  lines?: string[];
  /** Structured before/after of every changed field. */
  changes?: FieldDelta[];
  /** How the entry reads on the portal's Client Action Log, when the client should see it. */
  portal?: { action: string; description: string };
}

/** What a caller asks to append; the Durable Object adds seq, time and hashes. */
export interface EntryInput {
  actor: Actor;
  changeType: string;
  description: string;
  details: EntryDetails;
}

/** An entry as stored (and as hashed). */
export interface SealedEntry {
  agencyId: number;
  clientId: number;
  seq: number;
  at: number;
  actorType: Actor["type"];
  actorId: number | null;
  actorName: string;
  changeType: string;
  description: string;
  details: string; // JSON of EntryDetails
  prevHash: string;
  hash: string;
}

export const GENESIS_HASH = "0".repeat(64);

/** SHA-256 over the previous hash and every stored field but the hash itself. */
export function entryHash(e: Omit<SealedEntry, "hash">): string {
  const canonical = JSON.stringify([
    e.prevHash,
    e.agencyId,
    e.clientId,
    e.seq,
    e.at,
    e.actorType,
    e.actorId,
    e.actorName,
    e.changeType,
    e.description,
    e.details,
  ]);
  return encodeHexLowerCase(sha256(new TextEncoder().encode(canonical)));
}

/** Seals an entry: fixes its sequence, time and place in the chain. */
export function sealEntry(
  input: EntryInput,
  where: { agencyId: number; clientId: number; seq: number; at: number; prevHash: string },
): SealedEntry {
  const unsealed = {
    agencyId: where.agencyId,
    clientId: where.clientId,
    seq: where.seq,
    at: where.at,
    actorType: input.actor.type,
    actorId: input.actor.id,
    actorName: input.actor.name,
    changeType: input.changeType,
    description: input.description,
    details: JSON.stringify(input.details),
    prevHash: where.prevHash,
  };
  return { ...unsealed, hash: entryHash(unsealed) };
}

/**
 * The INSERT for a sealed entry. `guarded`: insert only if the statement before it changed rows
 * (so a change that didn't happen logs nothing). `idempotent`: a retry of an entry that already
 * landed does nothing (exactly once); otherwise a clash fails the whole batch.
 */
export function insertEntrySql(e: SealedEntry, opts: { guarded: boolean; idempotent: boolean }): { sql: string; params: unknown[] } {
  return {
    sql:
      "INSERT INTO client_log (agency_id, client_id, seq, at, actor_type, actor_id, actor_name, change_type, description, details, prev_hash, hash) " +
      "SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE " +
      (opts.guarded ? "changes() > 0" : "1") +
      (opts.idempotent ? " ON CONFLICT (client_id, seq) DO NOTHING" : ""),
    params: [e.agencyId, e.clientId, e.seq, e.at, e.actorType, e.actorId, e.actorName, e.changeType, e.description, e.details, e.prevHash, e.hash],
  };
}
