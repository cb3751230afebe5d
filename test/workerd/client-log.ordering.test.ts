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
