import { env } from "cloudflare:test";
import { checkSeal, fromRow, GENESIS_HASH } from "../../src/audit/chain";
import { CLIENT_LOG } from "../../src/audit/entry";
import { parseLogKeys } from "../../src/audit/keys";

/** Re-checks a client's keyed hash chain straight from D1 rows (without the app's verifier or head). */
export async function verifyChainOf(clientId: number): Promise<boolean> {
  const { results } = await env.DB.prepare("SELECT * FROM client_log WHERE client_id = ? ORDER BY seq").bind(clientId).all<Record<string, unknown>>();
  const keys = parseLogKeys(env.LOG_HMAC_KEYS);
  let prev = GENESIS_HASH;
  for (const [i, row] of results.entries()) {
    const e = fromRow(CLIENT_LOG, row);
    if (e.seq !== i + 1 || e.prevHash !== prev || checkSeal(CLIENT_LOG, keys, e) !== "ok") return false;
    prev = e.hash;
  }
  return true;
}
