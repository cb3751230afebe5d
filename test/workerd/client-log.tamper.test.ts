/**
 * The client log against someone who can write to D1 but holds neither the Worker's secret nor the
 * ClientLog's own storage: rewriting entries, cutting entries off the end, and waiting for the
 * object to restart so it hands out a sequence number again. Each must show in Verify, and no
 * sequence number is ever handed out twice.
 */
import { env, evictDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { fromRow, linkHash } from "../../src/audit/chain";
import { CLIENT_LOG } from "../../src/audit/entry";
import { describeVerification } from "../../src/audit/verify";
import { clientLogFor, recordStaffEvent, verifyClientLog as verifyWith } from "../../src/clients/log";
import { database } from "../../src/db";
import { DEMO } from "./fixtures";
import { DANA, logRows, type LogRow } from "./document-center.helpers";

const db = database(env.DB);
const verifyClientLog = (agencyId: number, clientId: number) => verifyWith(env, db, agencyId, clientId);

async function append(clientId: number, n: number) {
  for (let i = 1; i <= n; i++) {
    await recordStaffEvent(env, { agencyId: DEMO.riverbend, clientId, actor: DANA, changeType: "Portal Login", description: `note ${i}` });
  }
}

/** The attacker's re-hash: the published algorithm, the real key id, but not the secret key. */
const ATTACKER_KEY = new Uint8Array(32).fill(42);
function forgedHash(row: LogRow, prevHash: string): string {
  return linkHash(CLIENT_LOG, ATTACKER_KEY, { ...fromRow(CLIENT_LOG, row), prevHash });
}

/** Alters entry `seq` and re-hashes it and every later entry, so each row links to the one before. */
async function rewriteFrom(clientId: number, seq: number, description: string) {
  const rows = await logRows(clientId);
  let prevHash = rows[seq - 2]!.hash;
  for (const row of rows.slice(seq - 1)) {
    const altered = row.seq === seq ? { ...row, description } : row;
    const hash = forgedHash(altered, prevHash);
    await env.DB.prepare("UPDATE client_log SET description = ?, prev_hash = ?, hash = ? WHERE id = ?").bind(altered.description, prevHash, hash, row.id).run();
    prevHash = hash;
  }
}

describe("client log tampering in D1", () => {
  it("an entry altered and every later entry re-hashed is caught where the alteration is", async () => {
    const clientId = 3;
    await append(clientId, 20);
    await rewriteFrom(clientId, 13, "Nothing happened here");
    const result = await verifyClientLog(DEMO.riverbend, clientId);
    expect(result).toMatchObject({ intact: false, brokenAt: 13 });
  });

  it("the last two entries deleted: Verify says the log was cut short, not intact at 18", async () => {
    const clientId = 4;
    await append(clientId, 20);
    await env.DB.prepare("DELETE FROM client_log WHERE client_id = ? AND seq > 18").bind(clientId).run();
    const result = await verifyClientLog(DEMO.riverbend, clientId);
    expect(result).toMatchObject({ intact: false, verified: 18, brokenAt: 19, reason: "truncated" });
    expect(describeVerification(result)).toMatch(/^Log broken at entry #19: entries #19 to #20 are missing/);
  });

  it("after the last entries are deleted and the object restarts, the next entry is #21: no sequence number is handed out twice", async () => {
    const clientId = 5;
    await append(clientId, 20);
    await env.DB.prepare("DELETE FROM client_log WHERE client_id = ? AND seq > 18").bind(clientId).run();
    await evictDurableObject(clientLogFor(env, clientId));
    const { seq } = await recordStaffEvent(env, { agencyId: DEMO.riverbend, clientId, actor: DANA, changeType: "Portal Login", description: "after" });
    expect(seq).toBe(21);
    expect((await logRows(clientId)).map((r) => r.seq)).toEqual([...Array.from({ length: 18 }, (_, i) => i + 1), 21]);
    // The gap stays visible: #19 is missing.
    expect(await verifyClientLog(DEMO.riverbend, clientId)).toMatchObject({ intact: false, brokenAt: 19, reason: "missing" });
  });
});
