/**
 * The ClientLog's durable head: kept in the object's own storage with every group commit, it
 * survives restarts, catches up with entries that reached D1 just before a crash (only those it
 * sealed itself), and tells Verify about entries still waiting for D1 rather than calling them
 * missing.
 */
import { env, evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { describeVerification } from "../../src/audit/verify";
import { clientLogFor, commitChange, recordStaffEvent, verifyClientLog as verifyWith } from "../../src/clients/log";
import { database } from "../../src/db";
import { DEMO } from "./fixtures";
import { DANA, logRows } from "./document-center.helpers";

const db = database(env.DB);
const verifyClientLog = (clientId: number) => verifyWith(env, db, DEMO.riverbend, clientId);
const note = (clientId: number, description: string) =>
  recordStaffEvent(env, { agencyId: DEMO.riverbend, clientId, actor: DANA, changeType: "Portal Login", description });

/** The head as the object's storage holds it. */
const storedHead = (clientId: number) =>
  runInDurableObject(clientLogFor(env, clientId), (_instance, state) => state.storage.kv.get<{ seq: number; hash: string }>("head"));

describe("the ClientLog's durable head", () => {
  it("is written with every group commit: after 30 concurrent changes it names the last entry", async () => {
    const clientId = 1;
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        commitChange(env, {
          agencyId: DEMO.riverbend,
          clientId,
          statements: [{ sql: "UPDATE clients SET version = version + 1 WHERE id = ?", params: [clientId] }],
          entry: { actor: DANA, changeType: "Face Sheet", description: `change ${i}`, details: {} },
        }),
      ),
    );
    const last = (await logRows(clientId)).at(-1)!;
    expect(last.seq).toBe(30);
    expect(await storedHead(clientId)).toMatchObject({ seq: 30, hash: last.hash });
  });

  it("after a crash between a D1 batch and its head write, the object carries on after the entries that landed", async () => {
    const clientId = 2;
    for (let i = 1; i <= 3; i++) await note(clientId, `note ${i}`);
    // Put the stored head back at #1, as if the object stopped before writing it for #2 and #3.
    const first = (await logRows(clientId))[0]!;
    await runInDurableObject(clientLogFor(env, clientId), (_instance, state) => state.storage.kv.put("head", { seq: 1, hash: first.hash, at: first.at }));
    await evictDurableObject(clientLogFor(env, clientId));
    expect(await note(clientId, "note 4")).toMatchObject({ seq: 4 });
    expect(await storedHead(clientId)).toMatchObject({ seq: 4 });
    expect(await verifyClientLog(clientId)).toEqual({ intact: true, verified: 4 });
  });

  it("never adopts a row someone else put at its next number: the entry waits, and Verify shows the forgery", async () => {
    const clientId = 4;
    await note(clientId, "note 1");
    const [row] = await logRows(clientId);
    await env.DB.prepare(
      "INSERT INTO client_log (agency_id, client_id, seq, at, actor_type, actor_id, actor_name, change_type, description, details, prev_hash, key_id, hash) VALUES (?, ?, 2, ?, 'staff', 1, 'Dana Whitfield', 'Portal Login', 'planted', '{}', ?, 't2', ?)",
    )
      .bind(DEMO.riverbend, clientId, row!.at + 1, row!.hash, "f".repeat(64))
      .run();
    await evictDurableObject(clientLogFor(env, clientId));
    // The real entry #2 can't land on top of the planted one: it waits in the outbox.
    expect(await note(clientId, "note 2")).toMatchObject({ seq: 2 });
    expect(await clientLogFor(env, clientId).pending()).toBe(1);
    expect((await logRows(clientId)).map((r) => r.description)).toEqual(["note 1", "planted"]);
    expect(await verifyClientLog(clientId)).toMatchObject({ intact: false, brokenAt: 2, reason: "altered" });
  });

  it("when D1 refuses an event, Verify says the entry is still being written, not that it is missing; once it lands, intact", async () => {
    const clientId = 5;
    await note(clientId, "note 1");
    await env.DB.exec("CREATE TRIGGER refuse_head_test BEFORE INSERT ON client_log BEGIN SELECT RAISE(ABORT, 'injected'); END");
    try {
      expect(await note(clientId, "note 2")).toMatchObject({ seq: 2 });
      const result = await verifyClientLog(clientId);
      expect(result).toEqual({ intact: false, verified: 1, brokenAt: 2, reason: "waiting", headSeq: 2 });
      expect(describeVerification(result)).toBe(
        "Not everything could be checked yet: entry #2 is still being written to the database (it is retried automatically). Verify again in a minute. Entry #1 is intact.",
      );
    } finally {
      await env.DB.exec("DROP TRIGGER refuse_head_test");
    }
    expect(await runDurableObjectAlarm(clientLogFor(env, clientId))).toBe(true);
    expect(await verifyClientLog(clientId)).toEqual({ intact: true, verified: 2 });
  });

  it("Verify tries the waiting entries itself before it reads D1", async () => {
    const clientId = 6;
    await env.DB.exec("CREATE TRIGGER refuse_head_test2 BEFORE INSERT ON client_log BEGIN SELECT RAISE(ABORT, 'injected'); END");
    await note(clientId, "note 1");
    await env.DB.exec("DROP TRIGGER refuse_head_test2");
    expect(await clientLogFor(env, clientId).pending()).toBe(1);
    expect(await verifyClientLog(clientId)).toEqual({ intact: true, verified: 1 });
    expect(await clientLogFor(env, clientId).pending()).toBe(0);
  });

  it("is rewritten with the key and caught at the head: a log re-sealed up to its newest entry doesn't match it", async () => {
    const clientId = 7;
    for (let i = 1; i <= 3; i++) await note(clientId, `note ${i}`);
    // Someone holding the log key and D1 rewrites the whole log: drop it and have a fresh object write it again.
    await env.DB.prepare("DELETE FROM client_log WHERE client_id = ?").bind(clientId).run();
    const stub = clientLogFor(env, clientId);
    const realHead = await storedHead(clientId);
    await runInDurableObject(stub, (_instance, state) => state.storage.kv.delete("head"));
    await evictDurableObject(stub);
    for (let i = 1; i <= 3; i++) await note(clientId, `rewritten ${i}`);
    await runInDurableObject(stub, (_instance, state) => state.storage.kv.put("head", realHead));
    await evictDurableObject(stub);
    const result = await verifyClientLog(clientId);
    expect(result).toMatchObject({ intact: false, brokenAt: 3, reason: "rewritten" });
    expect(describeVerification(result)).toBe("Log broken at entry #3: it is not the entry the log wrote as #3, so the log was rewritten up to it by someone holding the log key.");
  });
});
