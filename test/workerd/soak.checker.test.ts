/**
 * The soak's checker (bench/soak/check.ts) on rows from the real D1, written through the real
 * ClientLog: a run whose record and log agree passes, and each planted violation — an entry
 * deleted from D1, a seq duplicated in D1, an entry for a refused request, an acknowledged update
 * lost, a 5xx no fault explains — is reported. (`npm run soak` runs the same checker on a whole run.)
 */
import { env } from "cloudflare:test";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { checkSoak, type CheckInput, type LogRow, type RequestRecord } from "../../bench/soak/check";
import { pickValues, updateFaceSheet } from "../../src/clients/face-sheet";
import { clientLogFor, recordPortalEvent, verifyClientLog } from "../../src/clients/log";
import { database } from "../../src/db";
import { clients } from "../../src/db/schema";
import { describeVerification } from "../../src/audit/verify";
import { DEMO } from "./fixtures";

const db = database(env.DB);
const DANA = { type: "staff" as const, id: 1, name: "Dana Whitfield" };
const LOGIN = { loginId: 501, username: "soak.p001" };

/** Writes what a short run would have: two sign-ins, a log-out and one saved Face Sheet update. */
async function shortRun(clientId: number, nonce: string): Promise<RequestRecord[]> {
  const who = { ...LOGIN, clientId };
  await recordPortalEvent(env, { agencyId: DEMO.riverbend, clientId, ...LOGIN, event: "Login" });
  await recordPortalEvent(env, { agencyId: DEMO.riverbend, clientId, ...LOGIN, event: "Logout" });
  await recordPortalEvent(env, { agencyId: DEMO.riverbend, clientId, ...LOGIN, event: "Login" });
  const row = await db.select().from(clients).where(and(eq(clients.id, clientId), eq(clients.agencyId, DEMO.riverbend))).get();
  const saved = await updateFaceSheet(env, db, {
    agencyId: DEMO.riverbend,
    clientId,
    expectedVersion: row!.version,
    values: { ...pickValues(row!), residenceAddress: nonce },
    actor: DANA,
  });
  expect(saved.status).toBe("saved");
  const at = Date.now();
  return [
    { kind: "portal-sign-in", status: 303, ms: 40, outcome: "signed-in", at, ...who },
    { kind: "portal-log-out", status: 303, ms: 10, outcome: "logged-out", at, ...who },
    { kind: "portal-sign-in", status: 303, ms: 40, outcome: "signed-in", at, ...who },
    // The second tab of the same Edit: a version conflict, which must have left nothing.
    { kind: "face-sheet-update", status: 303, ms: 30, outcome: "saved", at, clientId, nonce },
    { kind: "face-sheet-update", status: 409, ms: 30, outcome: "conflict", at, clientId, nonce: `${nonce}-other-tab` },
  ];
}

/** The checker's input for one client, read back from D1 and its ClientLog as `npm run soak` does. */
async function inputFor(clientId: number, requests: RequestRecord[]): Promise<CheckInput> {
  const { results } = await env.DB.prepare(
    "SELECT client_id AS clientId, seq, change_type AS changeType, description, details, actor_type AS actorType, actor_id AS actorId FROM client_log WHERE client_id = ? ORDER BY seq",
  )
    .bind(clientId)
    .all<LogRow>();
  const verified = await verifyClientLog(env, db, DEMO.riverbend, clientId);
  const client = await env.DB.prepare("SELECT id, residence_address AS residenceAddress FROM clients WHERE id = ?").bind(clientId).first<{ id: number; residenceAddress: string }>();
  return {
    requests,
    log: results,
    clients: [client!],
    logins: [],
    emails: [],
    verify: [{ clientId, intact: verified.intact, detail: describeVerification(verified), pending: await clientLogFor(env, clientId).pending() }],
  };
}

describe("soak checker", () => {
  it("passes a run whose record and log agree (4 entries, nothing for the conflict)", async () => {
    const requests = await shortRun(3, "Soak#clean-1#");
    const result = checkSoak(await inputFor(3, requests));
    expect(result.violations).toEqual([]);
    expect(result.entriesChecked).toBe(4);
  });

  it("catches an entry deleted from D1: a seq gap, Verify broken, a sign-in without its entry", async () => {
    const requests = await shortRun(4, "Soak#deleted-1#");
    await env.DB.prepare("DELETE FROM client_log WHERE client_id = 4 AND seq = 1").run();
    const { violations } = checkSoak(await inputFor(4, requests));
    expect(violations).toEqual(
      expect.arrayContaining([
        { check: "seq", detail: "client 4: seq 1 missing (next is 2)" },
        { check: "verify", detail: expect.stringMatching(/^client 4: Log broken at entry #1/) },
        { check: "entries", detail: "login 501: 2 portal-sign-in acknowledged, only 1 Login entries" },
      ]),
    );
  });

  it("catches a duplicated seq planted in D1 (with the unique index dropped to let it in)", async () => {
    const requests = await shortRun(5, "Soak#dup-1#");
    await env.DB.prepare("DROP INDEX client_log_client_seq").run();
    try {
      await env.DB.prepare(
        "INSERT INTO client_log (agency_id, client_id, seq, at, actor_type, actor_id, actor_name, change_type, description, details, prev_hash, key_id, hash) " +
          "SELECT agency_id, client_id, seq, at, actor_type, actor_id, actor_name, change_type, description, details, prev_hash, key_id, hash FROM client_log WHERE client_id = 5 AND seq = 2",
      ).run();
      const { violations } = checkSoak(await inputFor(5, requests));
      expect(violations).toEqual(
        expect.arrayContaining([
          { check: "seq", detail: "client 5: seq 2 appears more than once" },
          { check: "entries", detail: "login 501: 2 Logout entries for 1 acknowledged portal-log-out (0 failed)" },
        ]),
      );
    } finally {
      await env.DB.prepare("DELETE FROM client_log WHERE id IN (SELECT MAX(id) FROM client_log WHERE client_id = 5 AND seq = 2)").run();
      await env.DB.prepare("CREATE UNIQUE INDEX client_log_client_seq ON client_log (client_id, seq)").run();
    }
  });

  it("catches an entry for a refused request, a lost update and a 5xx no fault explains", async () => {
    const requests = await shortRun(6, "Soak#lost-1#");
    // The conflicting tab's value landed (with no entry of its own), as a lost update would.
    await env.DB.prepare("UPDATE clients SET residence_address = 'Soak#lost-1#-other-tab' WHERE id = 6").run();
    // A sign-in that was refused (401) but left a Login entry.
    await recordPortalEvent(env, { agencyId: DEMO.riverbend, clientId: 6, ...LOGIN, event: "Login" });
    const refused: RequestRecord = { kind: "portal-sign-in", status: 401, ms: 40, outcome: "failed", at: Date.now(), ...LOGIN, clientId: 6 };
    const crashed: RequestRecord = { kind: "portal-home", status: 500, ms: 5, outcome: "error", at: Date.now(), ...LOGIN, clientId: 6 };
    const { violations } = checkSoak(await inputFor(6, [...requests, refused, crashed]));
    expect(violations).toEqual([
      { check: "entries", detail: "login 501: 3 Login entries for 2 acknowledged portal-sign-in (1 failed)" },
      { check: "lost-update", detail: 'client 6: address is "Soak#lost-1#-other-tab", its last entry (#4) set "Soak#lost-1#"' },
      { check: "5xx", detail: "portal-home answered 500 with no fault injected" },
    ]);
  });

  it("accepts at most one entry for a staff Save whose 500 leaves the outcome open, none for a 503 or a portal error", async () => {
    const requests = await shortRun(7, "Soak#fault-1#");
    const save = async (address: string) => {
      const row = await db.select().from(clients).where(eq(clients.id, 7)).get();
      const values = { ...pickValues(row!), residenceAddress: address };
      expect((await updateFaceSheet(env, db, { agencyId: DEMO.riverbend, clientId: 7, expectedVersion: row!.version, values, actor: DANA })).status).toBe("saved");
    };
    const at = Date.now();
    // a. A 500 after a ClientLog reset ("open the page again to see whether it was kept"): its update may have landed …
    const open: RequestRecord = { kind: "face-sheet-update", status: 500, ms: 40, outcome: "error", injected: "client-log-reset", at, clientId: 7, nonce: "Soak#fault-2#" };
    await save("Soak#fault-2#");
    expect(checkSoak(await inputFor(7, [...requests, open])).violations).toEqual([]);
    // b. … but a 503 says nothing was changed, and a portal error page too: an entry for either is a violation.
    const told: RequestRecord = { ...open, status: 503, outcome: "unavailable" };
    const portal: RequestRecord = { kind: "portal-sign-in", status: 500, ms: 40, outcome: "error", injected: "client-log-reset", at, ...LOGIN, clientId: 7 };
    await recordPortalEvent(env, { agencyId: DEMO.riverbend, clientId: 7, ...LOGIN, event: "Login" });
    expect(checkSoak(await inputFor(7, [...requests, told, portal])).violations).toEqual([
      { check: "entries", detail: "login 501: 3 Login entries for 2 acknowledged portal-sign-in (1 failed)" },
      { check: "entries", detail: "Face Sheet update Soak#fault-2# (503 unavailable): 1 entries for a refused request, want none" },
    ]);
  });
});
