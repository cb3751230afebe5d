import { env } from "cloudflare:test";
import { entryHash, GENESIS_HASH, type SealedEntry } from "../../src/audit/entry";

/** Recomputes a client's hash chain straight from D1 rows (independent of the app's verifier). */
export async function verifyChainOf(clientId: number): Promise<boolean> {
  const { results } = await env.DB.prepare(
    "SELECT agency_id AS agencyId, client_id AS clientId, seq, at, actor_type AS actorType, actor_id AS actorId, actor_name AS actorName, change_type AS changeType, description, details, prev_hash AS prevHash, hash FROM client_log WHERE client_id = ? ORDER BY seq",
  )
    .bind(clientId)
    .all<SealedEntry>();
  let prev = GENESIS_HASH;
  for (const [i, row] of results.entries()) {
    const { hash, ...rest } = row;
    if (row.seq !== i + 1 || row.prevHash !== prev || entryHash(rest) !== hash) return false;
    prev = hash;
  }
  return true;
}
