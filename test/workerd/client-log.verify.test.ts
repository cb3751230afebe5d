import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { entryHash } from "../../src/audit/entry";
import { describeVerification, verifyClientLog } from "../../src/audit/verify";
import { recordPortalEvent, recordStaffEvent } from "../../src/clients/log";
import { database } from "../../src/db";
import { DEMO } from "./fixtures";
import { DANA, logRows, seedLog } from "./document-center.helpers";

const db = database(env.DB);

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
    expect(await verifyClientLog(db, DEMO.riverbend, 1)).toEqual({ intact: true, verified: 5 });
    expect(await verifyClientLog(db, DEMO.riverbend, 12)).toEqual({ intact: true, verified: 0 });
    expect(describeVerification({ intact: true, verified: 5 })).toBe("Log intact: 5 entries verified.");
    expect(describeVerification({ intact: true, verified: 1 })).toBe("Log intact: 1 entry verified.");
  });

  it("reads only the agency's rows: another agency sees no entries to verify", async () => {
    expect(await verifyClientLog(db, DEMO.lakeside, 1)).toEqual({ intact: true, verified: 0 });
  });

  it("says where a row altered directly in D1 breaks the chain", async () => {
    await appendThroughLog(2, 6);
    await env.DB.prepare("UPDATE client_log SET description = 'Nothing to see here' WHERE client_id = ? AND seq = 4").bind(2).run();
    const result = await verifyClientLog(db, DEMO.riverbend, 2);
    expect(result).toEqual({ intact: false, verified: 3, brokenAt: 4, reason: "altered" });
    expect(describeVerification(result)).toBe(
      "Log broken at entry #4: its contents no longer match its hash, so it was changed after it was written. Entries #1 to #3 are intact.",
    );
  });

  it("catches an altered row whose hash was recomputed too, at the entry after it", async () => {
    await appendThroughLog(3, 4);
    const row = (await logRows(3))[1]!;
    const forged = entryHash({
      agencyId: row.agency_id,
      clientId: row.client_id,
      seq: row.seq,
      at: row.at,
      actorType: row.actor_type as "staff",
      actorId: row.actor_id,
      actorName: "Someone Else",
      changeType: row.change_type,
      description: row.description,
      details: row.details,
      prevHash: row.prev_hash,
    });
    await env.DB.prepare("UPDATE client_log SET actor_name = 'Someone Else', hash = ? WHERE id = ?").bind(forged, row.id).run();
    const result = await verifyClientLog(db, DEMO.riverbend, 3);
    expect(result).toEqual({ intact: false, verified: 2, brokenAt: 3, reason: "unlinked" });
    expect(describeVerification(result)).toMatch(/^Log broken at entry #3: its link to entry #2 does not match/);
  });

  it("detects a deleted row as a gap at its sequence number", async () => {
    await appendThroughLog(4, 5);
    await env.DB.prepare("DELETE FROM client_log WHERE client_id = ? AND seq = 3").bind(4).run();
    const result = await verifyClientLog(db, DEMO.riverbend, 4);
    expect(result).toEqual({ intact: false, verified: 2, brokenAt: 3, reason: "missing" });
    expect(describeVerification(result)).toMatch(/^Log broken at entry #3: it is missing/);
  });

  it("detects a missing first entry", async () => {
    await appendThroughLog(5, 3);
    await env.DB.prepare("DELETE FROM client_log WHERE client_id = ? AND seq = 1").bind(5).run();
    const result = await verifyClientLog(db, DEMO.riverbend, 5);
    expect(result).toEqual({ intact: false, verified: 0, brokenAt: 1, reason: "missing" });
    expect(describeVerification(result)).toBe("Log broken at entry #1: the first entry is missing.");
  });

  it("detects a row moved to another client as missing from this one", async () => {
    await appendThroughLog(6, 3);
    await env.DB.prepare("UPDATE client_log SET client_id = 11 WHERE client_id = ? AND seq = 2").bind(6).run();
    expect(await verifyClientLog(db, DEMO.riverbend, 6)).toMatchObject({ intact: false, brokenAt: 2, reason: "missing" });
  });

  it("walks a long log in chunks and still finds a break deep inside it", async () => {
    const start = Date.UTC(2025, 0, 1);
    await seedLog(
      DEMO.riverbend,
      8,
      Array.from({ length: 1203 }, (_, i) => ({ at: start + i * 60_000, actor: DANA, changeType: "Face Sheet", description: `change ${i + 1}` })),
    );
    expect(await verifyClientLog(db, DEMO.riverbend, 8)).toEqual({ intact: true, verified: 1203 });
    await env.DB.prepare("DELETE FROM client_log WHERE client_id = ? AND seq = 1001").bind(8).run();
    expect(await verifyClientLog(db, DEMO.riverbend, 8)).toEqual({ intact: false, verified: 1000, brokenAt: 1001, reason: "missing" });
  });
});
