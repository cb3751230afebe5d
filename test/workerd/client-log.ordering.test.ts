import { env, runInDurableObject, runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { clientLogFor, commitChange, recordPortalEvent } from "../../src/clients/log";
import { verifyChainOf } from "./chain";
import { DEMO } from "./fixtures";

async function seqs(clientId: number): Promise<number[]> {
  const { results } = await env.DB.prepare("SELECT seq FROM client_log WHERE client_id = ? ORDER BY seq").bind(clientId).all<{ seq: number }>();
  return results.map((r) => r.seq);
}

describe("client log ordering", () => {
  it("gives 50 concurrent writers sequence numbers 1..50 with no gap or duplicate", async () => {
    const clientId = 3;
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        recordPortalEvent(env, { agencyId: DEMO.riverbend, clientId, loginId: 1, username: `user${i}`, event: "Login" }),
      ),
    );
    expect(await seqs(clientId)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });

  it("keeps one gapless order when data changes and portal events interleave", async () => {
    const clientId = 5;
    const actor = { type: "staff" as const, id: 1, name: "Dana Whitfield" };
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        i % 2 === 0
          ? commitChange(env, {
              agencyId: DEMO.riverbend,
              clientId,
              statements: [{ sql: "UPDATE clients SET version = version + 1 WHERE id = ?", params: [clientId] }],
              entry: { actor, changeType: "Face Sheet", description: `change ${i}`, details: {} },
            })
          : recordPortalEvent(env, { agencyId: DEMO.riverbend, clientId, loginId: 1, username: "u", event: "Login" }),
      ),
    );
    expect(await seqs(clientId)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    const { results } = await env.DB.prepare("SELECT version FROM clients WHERE id = ?").bind(clientId).all<{ version: number }>();
    expect(results[0]!.version).toBe(21);
    expect(await verifyChainOf(clientId)).toBe(true);
  });

  it("in a group of concurrent changes, those that change nothing log nothing and the rest stay gapless", async () => {
    const clientId = 6;
    const actor = { type: "staff" as const, id: 1, name: "Dana Whitfield" };
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        commitChange(env, {
          agencyId: DEMO.riverbend,
          clientId,
          // Every third change targets a version that never exists: it changes no row.
          statements: [{ sql: "UPDATE clients SET version = version + 1 WHERE id = ? AND ? = 1", params: [clientId, i % 3 === 0 ? 0 : 1] }],
          entry: { actor, changeType: "Face Sheet", description: `change ${i}`, details: {} },
        }),
      ),
    );
    expect(results.filter((r) => !r.committed)).toHaveLength(10);
    const committed = results.filter((r) => r.committed).map((r) => (r.committed ? r.seq : 0));
    expect(committed.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(await seqs(clientId)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const { results: rows } = await env.DB.prepare("SELECT version FROM clients WHERE id = ?").bind(clientId).all<{ version: number }>();
    expect(rows[0]!.version).toBe(21);
    expect(await verifyChainOf(clientId)).toBe(true);
  });

  it("when D1 refuses a group of concurrent changes, every caller is told and nothing is written", async () => {
    const clientId = 7;
    const actor = { type: "staff" as const, id: 1, name: "Dana Whitfield" };
    const change = (i: number) =>
      commitChange(env, {
        agencyId: DEMO.riverbend,
        clientId,
        statements: [{ sql: "UPDATE clients SET residence_city = ? WHERE id = ?", params: [`City ${i}`, clientId] }],
        entry: { actor, changeType: "Face Sheet", description: `change ${i}`, details: {} },
      });
    await env.DB.exec("CREATE TRIGGER fail_group BEFORE INSERT ON client_log BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => change(i)));
    await env.DB.exec("DROP TRIGGER fail_group");
    expect(outcomes.every((o) => o.status === "rejected")).toBe(true);
    expect(await seqs(clientId)).toEqual([]);
    const { results: rows } = await env.DB.prepare("SELECT residence_city AS city FROM clients WHERE id = ?").bind(clientId).all<{ city: string }>();
    expect(rows[0]!.city).not.toMatch(/^City /);
    // The sequence was not used up: the next change is entry 1.
    expect(await change(99)).toMatchObject({ committed: true, seq: 1, parts: 1 });
  });

  it("retries an entry whose D1 write failed, until it lands exactly once", async () => {
    const clientId = 4;
    await env.DB.exec("CREATE TRIGGER fail_log BEFORE INSERT ON client_log BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
    const { seq } = await recordPortalEvent(env, { agencyId: DEMO.riverbend, clientId, loginId: 1, username: "u", event: "Logout" });
    expect(seq).toBe(1);
    expect(await seqs(clientId)).toEqual([]);
    const stub = clientLogFor(env, clientId);
    expect(await stub.pending()).toBe(1);
    await env.DB.exec("DROP TRIGGER fail_log");
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await seqs(clientId)).toEqual([1]);
    expect(await stub.pending()).toBe(0);
    // A second alarm run has nothing left to write.
    await runInDurableObject(stub, async (instance) => {
      await instance.alarm();
    });
    expect(await seqs(clientId)).toEqual([1]);
  });
});
