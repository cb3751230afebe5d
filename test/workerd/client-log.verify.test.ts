import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { fromRow, linkHash } from "../../src/audit/chain";
import { CLIENT_LOG } from "../../src/audit/entry";
import { parseLogKeys } from "../../src/audit/keys";
import { describeVerification } from "../../src/audit/verify";
import { recordPortalEvent, recordStaffEvent, verifyClientLog as verifyWith } from "../../src/clients/log";
import { database } from "../../src/db";
import { DEMO } from "./fixtures";
import { DANA, logRows, seedLog } from "./document-center.helpers";

const db = database(env.DB);
const verifyClientLog = (agencyId: number, clientId: number) => verifyWith(env, db, agencyId, clientId);
/** The tests' two keys (vitest.config.ts): t2 signs, t1 is the older one. */
const T1_ONLY = "t1:" + env.LOG_HMAC_KEYS.split("t1:")[1];

/** Appends `n` entries through the client's Durable Object, as the app does. */
async function appendThroughLog(clientId: number, n: number) {
  for (let i = 0; i < n; i++) {
    if (i % 2 === 0) await recordPortalEvent(env, { agencyId: DEMO.riverbend, clientId, loginId: 7, username: "mrossi", event: "Login" });
    else await recordStaffEvent(env, { agencyId: DEMO.riverbend, clientId, actor: DANA, changeType: "Portal Login", description: `note ${i}` });
  }
}

describe("verifyClientLog", () => {
  it("finds an untouched log intact, and an empty one too", async () => {
    await appendThroughLog(1, 5);
    expect(await verifyClientLog(DEMO.riverbend, 1)).toEqual({ intact: true, verified: 5 });
    expect(await verifyClientLog(DEMO.riverbend, 12)).toEqual({ intact: true, verified: 0 });
    expect(describeVerification({ intact: true, verified: 5 })).toBe("Log intact: 5 entries verified.");
    expect(describeVerification({ intact: true, verified: 1 })).toBe("Log intact: 1 entry verified.");
  });

  it("reads only the agency's rows: for another agency not one of the client's entries passes", async () => {
    expect(await verifyClientLog(DEMO.lakeside, 1)).toMatchObject({ intact: false, verified: 0, brokenAt: 1 });
  });

  it("says where a row altered directly in D1 breaks the chain", async () => {
    await appendThroughLog(2, 6);
    await env.DB.prepare("UPDATE client_log SET description = 'Nothing to see here' WHERE client_id = ? AND seq = 4").bind(2).run();
    const result = await verifyClientLog(DEMO.riverbend, 2);
    expect(result).toEqual({ intact: false, verified: 3, brokenAt: 4, reason: "altered", headSeq: 6 });
    expect(describeVerification(result)).toBe(
      "Log broken at entry #4: its contents no longer match its seal, so it was changed after it was written. Entries #1 to #3 are intact.",
    );
  });

  it("catches an altered row re-sealed without the key at that row, and one re-sealed with the key at the next", async () => {
    await appendThroughLog(3, 4);
    const row = (await logRows(3))[1]!;
    const e = fromRow(CLIENT_LOG, row);
    const reseal = (key: Uint8Array) => linkHash(CLIENT_LOG, key, { ...e, fields: { ...e.fields, actorName: "Someone Else" } });
    // a. Without the key: any other key (here a guess of the right length) gives a seal that doesn't match.
    await env.DB.prepare("UPDATE client_log SET actor_name = 'Someone Else', hash = ? WHERE id = ?").bind(reseal(new Uint8Array(32).fill(7)), row.id).run();
    expect(await verifyClientLog(DEMO.riverbend, 3)).toEqual({ intact: false, verified: 1, brokenAt: 2, reason: "altered", headSeq: 4 });
    // b. With the key, the row itself passes, and the entry after it no longer links to it.
    await env.DB.prepare("UPDATE client_log SET hash = ? WHERE id = ?").bind(reseal(parseLogKeys(env.LOG_HMAC_KEYS).signing.key), row.id).run();
    const result = await verifyClientLog(DEMO.riverbend, 3);
    expect(result).toEqual({ intact: false, verified: 2, brokenAt: 3, reason: "unlinked", headSeq: 4 });
    expect(describeVerification(result)).toMatch(/^Log broken at entry #3: its link to entry #2 does not match/);
  });

  it("detects a deleted row as a gap at its sequence number", async () => {
    await appendThroughLog(4, 5);
    await env.DB.prepare("DELETE FROM client_log WHERE client_id = ? AND seq = 3").bind(4).run();
    const result = await verifyClientLog(DEMO.riverbend, 4);
    expect(result).toEqual({ intact: false, verified: 2, brokenAt: 3, reason: "missing", headSeq: 5 });
    expect(describeVerification(result)).toMatch(/^Log broken at entry #3: it is missing/);
  });

  it("detects a missing first entry", async () => {
    await appendThroughLog(5, 3);
    await env.DB.prepare("DELETE FROM client_log WHERE client_id = ? AND seq = 1").bind(5).run();
    const result = await verifyClientLog(DEMO.riverbend, 5);
    expect(result).toEqual({ intact: false, verified: 0, brokenAt: 1, reason: "missing", headSeq: 3 });
    expect(describeVerification(result)).toBe("Log broken at entry #1: the first entry is missing.");
  });

  it("detects a row moved to another client as missing from this one", async () => {
    await appendThroughLog(6, 3);
    await env.DB.prepare("UPDATE client_log SET client_id = 11 WHERE client_id = ? AND seq = 2").bind(6).run();
    expect(await verifyClientLog(DEMO.riverbend, 6)).toMatchObject({ intact: false, brokenAt: 2, reason: "missing" });
  });

  it("walks a long log in chunks and still finds a break deep inside it", async () => {
    const start = Date.UTC(2025, 0, 1);
    await seedLog(
      DEMO.riverbend,
      8,
      Array.from({ length: 1203 }, (_, i) => ({ at: start + i * 60_000, actor: DANA, changeType: "Face Sheet", description: `change ${i + 1}` })),
    );
    expect(await verifyClientLog(DEMO.riverbend, 8)).toEqual({ intact: true, verified: 1203 });
    await env.DB.prepare("DELETE FROM client_log WHERE client_id = ? AND seq = 1001").bind(8).run();
    expect(await verifyClientLog(DEMO.riverbend, 8)).toEqual({ intact: false, verified: 1000, brokenAt: 1001, reason: "missing", headSeq: 1203 });
  });

  it("after a key rotation, entries sealed with the older key still verify, and the chain runs on across keys", async () => {
    // Client 10's first entries were sealed with t1 alone (before the rotation)…
    const start = Date.UTC(2025, 0, 1);
    await seedLog(DEMO.riverbend, 10, [1, 2, 3].map((i) => ({ at: start + i, actor: DANA, changeType: "Face Sheet", description: `before rotation ${i}` })), parseLogKeys(T1_ONLY));
    // … and the ClientLog, whose newest key is t2, continues the same chain.
    await recordStaffEvent(env, { agencyId: DEMO.riverbend, clientId: 10, actor: DANA, changeType: "Portal Login", description: "after rotation" });
    expect((await logRows(10)).map((r) => r.key_id)).toEqual(["t1", "t1", "t1", "t2"]);
    expect(await verifyClientLog(DEMO.riverbend, 10)).toEqual({ intact: true, verified: 4 });
  });

  it("an entry naming a key the Worker doesn't have can't be checked, and says so", async () => {
    await appendThroughLog(9, 2);
    await env.DB.prepare("UPDATE client_log SET key_id = 'retired' WHERE client_id = ? AND seq = 2").bind(9).run();
    const result = await verifyClientLog(DEMO.riverbend, 9);
    expect(result).toEqual({ intact: false, verified: 1, brokenAt: 2, reason: "unknown-key", headSeq: 2, keyId: "retired" });
    expect(describeVerification(result)).toBe(
      'Log broken at entry #2: it is sealed with a key (id "retired") that this Worker does not have, so it can\'t be checked. Entry #1 is intact.',
    );
    // A row from before keyed seals (the migration's default key id '') says so.
    await env.DB.prepare("UPDATE client_log SET key_id = '' WHERE client_id = ? AND seq = 2").bind(9).run();
    expect(describeVerification(await verifyClientLog(DEMO.riverbend, 9))).toMatch(/^Log broken at entry #2: it was written before log entries were sealed with a key/);
  });
});
