/**
 * Attack on the Agency Log's batched "Face Sheet view" entries (ChainWriter.recordSoon: numbered,
 * sealed and durable in the AgencyLog at once, written to D1 by its alarm or before the log is
 * read): many looks at once, D1 refusing writes, the object restarted, other agencies' ids, an
 * insider with D1 write access, and roles that may not read the log. Each probe checks the log's
 * promises — every view exactly once, numbered without gap or duplicate, sealed, never lost,
 * on the page, in its own agency only.
 */
import { createExecutionContext, env, evictDurableObject, runDurableObjectAlarm, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import worker from "../../src/index";
import { describe, expect, it } from "vitest";
import { agencyLogFor, verifyAgencyLog } from "../../src/audit/agency-events";
import { AGENCY_LOG } from "../../src/audit/agency-log";
import { insertSql, type Sealed } from "../../src/audit/chain";
import { knownEvent, rememberEvent } from "../../src/audit/event-keys";
import { database } from "../../src/db";
import { Browser, DEMO } from "./fixtures";
import { agencyLogRows, WaitingBrowser, type AgencyLogRow } from "./agency-log.fixtures";
import { browserOver, countingD1 } from "./d1-trips";

const db = database(env.DB);
/** Riverbend's clients R-1001 … R-1012 (ids 1 … 12, scripts/demo-data.ts). */
const RIVERBEND_CLIENTS = Array.from({ length: 12 }, (_, i) => i + 1);
const number = (clientId: number) => `R-${1000 + clientId}`;
const viewed = (clientId: number) => `Viewed the Face Sheet of client ${number(clientId)}.`;

const staffOf = (email: string) => WaitingBrowser.staff(email);

/** Writes whatever waits (the alarm, if one is set, then a flush) and says nothing is left. */
async function settle(agencyId: number) {
  const stub = agencyLogFor(env, agencyId);
  await runDurableObjectAlarm(stub);
  await stub.flush();
  expect(await stub.pending()).toBe(0);
}

/** The log's rows are 1 … n without gap or duplicate, all of this agency. */
function expectNumberedInOrder(rows: AgencyLogRow[], agencyId: number) {
  expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
  expect(rows.every((r) => r.agency_id === agencyId)).toBe(true);
}

/** How many rows have this actor and description. */
const countOf = (rows: AgencyLogRow[], actor: string, description: string) => rows.filter((r) => r.actor_name === actor && r.description === description).length;

/** Stops the object's pending alarm so a probe can look at what waits without the alarm racing it. */
const holdAlarm = (agencyId: number) => runInDurableObject(agencyLogFor(env, agencyId), (_, state) => state.storage.deleteAlarm());

describe("attack: many Face Sheet views at once, among every other event", () => {
  it("30 views from three staff, interleaved with sign-ins, sign-outs, a refusal, CSV, Verify and page reads: each recorded once, 1…N, intact, on the page", async () => {
    await settle(DEMO.riverbend);
    const [admin, staff, auditor] = await Promise.all([staffOf("admin@riverbend.test"), staffOf("staff@riverbend.test"), staffOf("auditor@riverbend.test")]);
    const leaving = await staffOf("staff@riverbend.test");
    const before = (await agencyLogRows(DEMO.riverbend)).length;
    const looks = [admin, staff, auditor].flatMap((b) => RIVERBEND_CLIENTS.slice(0, 10).map((id) => () => b.get(`/face-sheet/${id}`)));
    const others = [
      () => staffOf("admin@riverbend.test"),
      () => leaving.post("/sign-out", {}),
      () => staff.get("/admin/agency-log"),
      () => admin.get("/admin/agency-log.csv"),
      () => admin.post("/admin/agency-log/verify", {}, { htmx: true }),
      () => admin.get("/admin/agency-log?action=Face+Sheet+view"),
      () => admin.get("/admin/agency-log", { htmx: true }),
    ];
    // Interleaved: one other event after every few looks, all started together.
    const all = looks.flatMap((look, i) => (i % 4 === 3 && others[(i - 3) / 4] ? [look, others[(i - 3) / 4]!] : [look]));
    const answers = await Promise.all(all.map((go) => go()));
    const statuses = answers.map((r) => ("status" in r ? r.status : 200));
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(30);

    await settle(DEMO.riverbend);
    const rows = await agencyLogRows(DEMO.riverbend);
    expectNumberedInOrder(rows, DEMO.riverbend);
    const added = rows.slice(before);
    for (const who of ["Dana Whitfield", "Sam Ortiz", "Robin Achebe"]) {
      for (const id of RIVERBEND_CLIENTS.slice(0, 10)) expect(countOf(added, who, viewed(id)), `${who} ${number(id)}`).toBe(1);
    }
    expect(added.filter((r) => r.action === "Face Sheet view")).toHaveLength(30);
    expect(added.filter((r) => r.action === "Sign-in")).toHaveLength(1);
    expect(added.filter((r) => r.action === "Sign-out")).toHaveLength(1);
    expect(added.filter((r) => r.action === "Access denied")).toHaveLength(1);
    expect(added.filter((r) => r.action === "CSV export")).toHaveLength(1);
    expect(added.filter((r) => r.action === "Verify log")).toHaveLength(1);
    expect(await verifyAgencyLog(env, db, DEMO.riverbend)).toEqual({ intact: true, verified: rows.length });

    // The page (filtered to views: fewer than a page of them) lists every one of them.
    const page = await (await admin.get("/admin/agency-log?action=Face+Sheet+view")).text();
    const views = rows.filter((r) => r.action === "Face Sheet view");
    expect(views.length).toBeLessThanOrEqual(50);
    expect(page.split("Viewed the Face Sheet of client").length - 1).toBe(views.length);
  });

  it("views racing the alarm, flushes and Verify inside the object: each written once, in number order", async () => {
    await settle(DEMO.riverbend);
    const staff = await staffOf("staff@riverbend.test");
    const stub = agencyLogFor(env, DEMO.riverbend);
    const before = (await agencyLogRows(DEMO.riverbend)).length;
    const seen = (await agencyLogRows(DEMO.riverbend)).filter((r) => r.action === "Face Sheet view").length;
    await Promise.all([
      ...RIVERBEND_CLIENTS.map((id) => staff.get(`/face-sheet/${id}`)),
      runDurableObjectAlarm(stub),
      stub.flush(),
      stub.head(DEMO.riverbend),
      runDurableObjectAlarm(stub),
      stub.flush(),
    ]);
    await settle(DEMO.riverbend);
    const rows = await agencyLogRows(DEMO.riverbend);
    expectNumberedInOrder(rows, DEMO.riverbend);
    expect(rows.slice(before).every((r) => r.action === "Face Sheet view" && r.actor_name === "Sam Ortiz")).toBe(true);
    expect(rows.filter((r) => r.action === "Face Sheet view")).toHaveLength(seen + RIVERBEND_CLIENTS.length);
    for (const id of RIVERBEND_CLIENTS) expect(countOf(rows.slice(before), "Sam Ortiz", viewed(id))).toBe(1);
    expect(await verifyAgencyLog(env, db, DEMO.riverbend)).toEqual({ intact: true, verified: rows.length });
  });

  it("a view made just before the page is opened is on it, and a CSV made just after a view has it", async () => {
    const admin = await staffOf("admin@riverbend.test");
    expect((await admin.get(`/face-sheet/${RIVERBEND_CLIENTS[11]}`)).status).toBe(200);
    const page = await (await admin.get("/admin/agency-log?action=Face+Sheet+view")).text();
    expect(page).toContain(viewed(12));
    expect((await admin.get(`/face-sheet/${RIVERBEND_CLIENTS[10]}/edit`)).status).toBe(200);
    const csv = await (await admin.get("/admin/agency-log.csv?action=Face+Sheet+view")).text();
    expect(csv).toContain(`Opened for editing the Face Sheet of client ${number(11)}.`);
  });
});

describe("attack: two agencies' views at once", () => {
  it("Riverbend and Lakeside views in parallel: each agency's log holds only its own, numbered 1…N, intact", async () => {
    await Promise.all([settle(DEMO.riverbend), settle(DEMO.lakeside)]);
    const [river, lake] = await Promise.all([staffOf("staff@riverbend.test"), staffOf("admin@lakeside.test")]);
    const lakeside = [13, 14, 15, 16, 17];
    await Promise.all([
      ...RIVERBEND_CLIENTS.slice(0, 10).map((id) => river.get(`/face-sheet/${id}`)),
      ...lakeside.flatMap((id) => [lake.get(`/face-sheet/${id}`), lake.get(`/face-sheet/${id}/edit`)]),
      lake.get("/admin/agency-log"),
    ]);
    await Promise.all([settle(DEMO.riverbend), settle(DEMO.lakeside)]);
    for (const [agencyId, actor, prefix] of [[DEMO.riverbend, "Sam Ortiz", "R-"], [DEMO.lakeside, "Lee Harper", "L-"]] as const) {
      const rows = await agencyLogRows(agencyId);
      expectNumberedInOrder(rows, agencyId);
      const views = rows.filter((r) => r.action === "Face Sheet view");
      expect(views.every((r) => r.description.includes(prefix)), `${agencyId}`).toBe(true);
      expect(rows.some((r) => r.actor_name === (agencyId === DEMO.riverbend ? "Lee Harper" : "Sam Ortiz"))).toBe(false);
      expect(views.filter((r) => r.actor_name === actor).length).toBeGreaterThanOrEqual(10);
      expect(await verifyAgencyLog(env, db, agencyId)).toEqual({ intact: true, verified: rows.length });
    }
  });
});

describe("attack: D1 refuses writes while views wait", () => {
  it("the alarm, a flush, Verify and a sign-in all fail to write: nothing lost, nothing doubled, order kept; the page still answers; all lands when D1 is back", async () => {
    await settle(DEMO.riverbend);
    const staff = await staffOf("staff@riverbend.test");
    const stub = agencyLogFor(env, DEMO.riverbend);
    const before = (await agencyLogRows(DEMO.riverbend)).length;
    await env.DB.exec("CREATE TRIGGER refuse_agency_log BEFORE INSERT ON agency_log BEGIN SELECT RAISE(ABORT, 'injected'); END");
    try {
      for (const id of [1, 2, 3]) expect((await staff.get(`/face-sheet/${id}`)).status).toBe(200);
      // The alarm runs and D1 says no: all three still wait, and a retry is set.
      await runDurableObjectAlarm(stub);
      expect(await stub.pending()).toBe(3);
      // Another event (recorded at once) arrives: it waits behind them.
      const admin = await staffOf("admin@riverbend.test");
      expect(await stub.flush()).toMatchObject({ waiting: 4 });
      // The page still answers while the flush is refused.
      const page = await admin.get("/admin/agency-log");
      expect(page.status).toBe(200);
      // Verify says what waits, not that the log is broken.
      expect(await verifyAgencyLog(env, db, DEMO.riverbend)).toMatchObject({ intact: false, reason: "waiting" });
      expect((await staff.get(`/face-sheet/4`)).status).toBe(200);
      expect(await agencyLogRows(DEMO.riverbend)).toHaveLength(before);
    } finally {
      await env.DB.exec("DROP TRIGGER refuse_agency_log");
    }
    // A retry alarm is still set: it writes everything, once, in the order accepted.
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    await settle(DEMO.riverbend);
    const rows = await agencyLogRows(DEMO.riverbend);
    expectNumberedInOrder(rows, DEMO.riverbend);
    expect(rows.slice(before).map((r) => r.description)).toEqual([viewed(1), viewed(2), viewed(3), "Signed in.", viewed(4)]);
    expect(await verifyAgencyLog(env, db, DEMO.riverbend)).toEqual({ intact: true, verified: rows.length });
  });
});

describe("attack: Verify right after views (read replicas)", () => {
  it("Verify writes the waiting views and reads the chain at least as new as that write (its bookmark), not where the request's session began", async () => {
    await settle(DEMO.riverbend);
    const counter = countingD1(env.DB);
    const admin = await browserOver(counter.binding).staff("admin@riverbend.test");
    for (const id of [1, 2]) expect((await admin.get(`/face-sheet/${id}`)).status).toBe(200);
    await holdAlarm(DEMO.riverbend);
    expect(await agencyLogFor(env, DEMO.riverbend).pending()).toBe(2);
    for (const htmx of [true, false]) {
      counter.reset();
      const res = await admin.post("/admin/agency-log/verify", {}, { htmx });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain("Log intact");
      // The request's own session began on the primary before the object wrote the views: on a
      // replica it may not have them (Verify would call them removed). The chain is read in a
      // session started at the bookmark after the object's write.
      expect(counter.log.sessions[0]).toBe("first-primary");
      expect(counter.log.sessions.slice(1).length, `htmx=${htmx}`).toBeGreaterThan(0);
      expect(counter.log.sessions.slice(1).every((s) => /^[0-9a-f]{8}(-[0-9a-f]{1,64}){1,6}$/i.test(s))).toBe(true);
    }
    await settle(DEMO.riverbend);
  });
});

describe("attack: the AgencyLog restarted between a view and its write", () => {
  it("a view accepted, the object evicted: the alarm of the new instance writes it; a view after the restart is numbered next", async () => {
    await settle(DEMO.riverbend);
    const staff = await staffOf("staff@riverbend.test");
    const before = (await agencyLogRows(DEMO.riverbend)).length;
    expect((await staff.get(`/face-sheet/5`)).status).toBe(200);
    await evictDurableObject(agencyLogFor(env, DEMO.riverbend));
    expect(await agencyLogFor(env, DEMO.riverbend).pending()).toBe((await agencyLogRows(DEMO.riverbend)).length === before ? 1 : 0);
    expect((await staff.get(`/face-sheet/6`)).status).toBe(200);
    await evictDurableObject(agencyLogFor(env, DEMO.riverbend));
    // The alarm (durable, like the entries) is still there after the restart.
    const stub = agencyLogFor(env, DEMO.riverbend);
    if ((await agencyLogRows(DEMO.riverbend)).length < before + 2) expect(await runDurableObjectAlarm(stub)).toBe(true);
    await settle(DEMO.riverbend);
    const rows = await agencyLogRows(DEMO.riverbend);
    expectNumberedInOrder(rows, DEMO.riverbend);
    expect(rows.slice(before).map((r) => r.description)).toEqual([viewed(5), viewed(6)]);
    expect(await verifyAgencyLog(env, db, DEMO.riverbend)).toEqual({ intact: true, verified: rows.length });
  });

  it("a view accepted, the object evicted and its alarm gone: the page's read on a new instance writes it", async () => {
    await settle(DEMO.riverbend);
    const admin = await staffOf("admin@riverbend.test");
    expect((await admin.get(`/face-sheet/7`)).status).toBe(200);
    await holdAlarm(DEMO.riverbend);
    await evictDurableObject(agencyLogFor(env, DEMO.riverbend));
    const page = await (await admin.get("/admin/agency-log?action=Face+Sheet+view")).text();
    expect(page).toContain(viewed(7));
    expect(await agencyLogFor(env, DEMO.riverbend).pending()).toBe(0);
  });
});

describe("attack: the object stopped after D1 took a batch but before it cleared its outbox", () => {
  it("the entry already in D1 is not written twice when the outbox is written again", async () => {
    await settle(DEMO.riverbend);
    const staff = await staffOf("staff@riverbend.test");
    const stub = agencyLogFor(env, DEMO.riverbend);
    const seen = countOf(await agencyLogRows(DEMO.riverbend), "Sam Ortiz", viewed(9));
    expect((await staff.get(`/face-sheet/9`)).status).toBe(200);
    await holdAlarm(DEMO.riverbend);
    // The batch lands in D1, then the object stops before deleting its outbox entry.
    const waiting = await runInDurableObject(stub, (_, state) => [...state.storage.kv.list<Sealed<never>>({ prefix: "outbox:" })].map(([, e]) => e));
    expect(waiting).toHaveLength(1);
    const s = insertSql(AGENCY_LOG, waiting[0]! as never, { guarded: false, idempotent: false });
    await env.DB.prepare(s.sql).bind(...s.params).run();
    await evictDurableObject(stub);
    await settle(DEMO.riverbend);
    const rows = await agencyLogRows(DEMO.riverbend);
    expectNumberedInOrder(rows, DEMO.riverbend);
    expect(countOf(rows, "Sam Ortiz", viewed(9))).toBe(seen + 1);
    expect(rows.filter((r) => r.seq === waiting[0]!.seq)).toHaveLength(1);
    expect(await verifyAgencyLog(env, db, DEMO.riverbend)).toEqual({ intact: true, verified: rows.length });
  });
});

/**
 * The real AgencyLog namespace, except that the reply to the next `lost` record() calls is lost
 * after the object ran them (a connection dropped on the way back): the caller sees an error.
 */
function losingReplies(lost: { n: number }): DurableObjectNamespace<import("../../src/audit/agency-log").AgencyLog> {
  const ns = env.AGENCY_LOG;
  return new Proxy(ns, {
    get(target, prop) {
      if (prop !== "get") return Reflect.get(target, prop).bind(target);
      return (id: DurableObjectId) => {
        const stub = target.get(id);
        return new Proxy(stub, {
          get(s, p) {
            if (p !== "record") return Reflect.get(s, p);
            return async (req: Parameters<typeof stub.record>[0]) => {
              const answer = await s.record(req);
              if (lost.n-- > 0) throw new Error("Network connection lost.");
              return answer;
            };
          },
        });
      };
    },
  });
}

describe("attack: the object's reply lost after it took the entry", () => {
  it("the Worker's retry does not record the same view (or sign-in) twice", async () => {
    await settle(DEMO.riverbend);
    const lost = { n: 0 };
    const flakyEnv = { ...env, AGENCY_LOG: losingReplies(lost) };
    class FlakyBrowser extends Browser {
      protected override async send(url: URL, init: RequestInit): Promise<Response> {
        const ctx = createExecutionContext();
        const res = await worker.fetch(new Request(url, init), flakyEnv, ctx);
        await waitOnExecutionContext(ctx);
        return res;
      }
    }
    const before = (await agencyLogRows(DEMO.riverbend)).length;
    lost.n = 1;
    const staff = await FlakyBrowser.staff("staff@riverbend.test");
    lost.n = 1;
    expect((await staff.get(`/face-sheet/10`)).status).toBe(200);
    await settle(DEMO.riverbend);
    const added = (await agencyLogRows(DEMO.riverbend)).slice(before);
    expect(added.map((r) => r.description)).toEqual(["Signed in.", viewed(10)]);
  });

  it("event keys are forgotten after five minutes, in the object's own storage: they don't pile up", async () => {
    // An AgencyLog no agency uses, so its storage holds only what this test puts there.
    const stub = env.AGENCY_LOG.get(env.AGENCY_LOG.idFromName("agency:event-keys-probe"));
    await runInDurableObject(stub, (_, state) => {
      const kv = state.storage.kv;
      kv.put("event:old", { seq: 1, at: Date.now() - 6 * 60_000 });
      kv.put("event:recent", { seq: 2, at: Date.now() - 60_000 });
      expect(knownEvent(kv, "old")).toBeUndefined();
      expect(knownEvent(kv, "recent")).toBe(2);
      rememberEvent(kv, "new", 3);
      expect([...kv.list({ prefix: "event:" })].map(([k]) => k).sort()).toEqual(["event:new", "event:recent"]);
      expect(knownEvent(kv, "new")).toBe(3);
    });
  });

  it("the same event sent twice at once (one group, or one after the other): one entry, both callers told its number", async () => {
    await settle(DEMO.riverbend);
    const stub = agencyLogFor(env, DEMO.riverbend);
    const before = (await agencyLogRows(DEMO.riverbend)).length;
    const actor = { type: "staff" as const, id: 2, name: "Sam Ortiz" };
    const send = (action: "Sign-out" | "Face Sheet view", description: string, key: string) =>
      stub.record({ agencyId: DEMO.riverbend, key, entry: { actor, action, description, details: {}, ipAddress: null, userAgent: null } });
    const [a, b] = await Promise.all([send("Sign-out", "Signed out.", "k-out"), send("Sign-out", "Signed out.", "k-out")]);
    const [c, d] = await Promise.all([send("Face Sheet view", viewed(11), "k-view"), send("Face Sheet view", viewed(11), "k-view")]);
    const e = await send("Face Sheet view", viewed(11), "k-view");
    expect(a.seq).toBe(b.seq);
    expect([d.seq, e.seq]).toEqual([c.seq, c.seq]);
    await settle(DEMO.riverbend);
    const added = (await agencyLogRows(DEMO.riverbend)).slice(before);
    expect(added.map((r) => [r.seq, r.description])).toEqual([
      [a.seq, "Signed out."],
      [c.seq, viewed(11)],
    ]);
  });
});

describe("attack: another agency's ids and log", () => {
  it("Riverbend staff asking for a Lakeside client's Face Sheet (view, edit, htmx): 404, and no entry waits or lands in either log", async () => {
    await Promise.all([settle(DEMO.riverbend), settle(DEMO.lakeside)]);
    const staff = await staffOf("staff@riverbend.test");
    const counts = async () => [(await agencyLogRows(DEMO.riverbend)).length, (await agencyLogRows(DEMO.lakeside)).length];
    const before = await counts();
    for (const path of [`/face-sheet/${DEMO.hannah}`, `/face-sheet/${DEMO.hannah}/edit`]) {
      for (const htmx of [false, true]) expect((await staff.get(path, { htmx })).status, path).toBe(404);
    }
    expect(await agencyLogFor(env, DEMO.riverbend).pending()).toBe(0);
    expect(await agencyLogFor(env, DEMO.lakeside).pending()).toBe(0);
    await Promise.all([settle(DEMO.riverbend), settle(DEMO.lakeside)]);
    expect(await counts()).toEqual(before);
  });

  it("Lakeside's admin reading its page and CSV neither writes nor shows Riverbend's waiting view", async () => {
    await settle(DEMO.riverbend);
    const [river, lake] = await Promise.all([staffOf("staff@riverbend.test"), staffOf("admin@lakeside.test")]);
    expect((await river.get(`/face-sheet/8`)).status).toBe(200);
    await holdAlarm(DEMO.riverbend);
    const riverRows = (await agencyLogRows(DEMO.riverbend)).length;
    const page = await (await lake.get("/admin/agency-log")).text();
    const csv = await (await lake.get("/admin/agency-log.csv")).text();
    for (const text of [page, csv]) {
      expect(text).not.toContain("Sam Ortiz");
      expect(text).not.toContain(number(8));
    }
    // Riverbend's view still waits in Riverbend's object: Lakeside's reads did not touch it.
    expect(await agencyLogFor(env, DEMO.riverbend).pending()).toBe(1);
    expect(await agencyLogRows(DEMO.riverbend)).toHaveLength(riverRows);
    await settle(DEMO.riverbend);
    expect(await agencyLogRows(DEMO.lakeside).then((rows) => rows.filter((r) => r.description.includes("R-10")))).toEqual([]);
    const last = (await agencyLogRows(DEMO.riverbend)).at(-1)!;
    expect(last).toMatchObject({ agency_id: DEMO.riverbend, actor_name: "Sam Ortiz", description: viewed(8) });
  });
});

describe("attack: an insider with write access to D1", () => {
  /** Riverbend's last row after a fresh view of `clientId` by `staff` has been written. */
  async function flushedView(staff: WaitingBrowser, clientId: number): Promise<AgencyLogRow> {
    expect((await staff.get(`/face-sheet/${clientId}`)).status).toBe(200);
    await settle(DEMO.riverbend);
    const row = (await agencyLogRows(DEMO.riverbend)).at(-1)!;
    expect(row.description).toBe(viewed(clientId));
    return row;
  }

  const putBack = (row: AgencyLogRow) => {
    const { id: _id, ...cols } = row;
    const names = Object.keys(cols);
    return env.DB.prepare(`INSERT INTO agency_log (${names.join(", ")}) VALUES (${names.map(() => "?").join(", ")})`).bind(...Object.values(cols)).run();
  };

  it("deleting a flushed view from the middle: Verify names it missing; changing one: Verify names it altered; deleting the newest: truncated", async () => {
    const staff = await staffOf("staff@riverbend.test");
    const middle = await flushedView(staff, 9);
    await flushedView(staff, 10);
    const verified = async () => verifyAgencyLog(env, db, DEMO.riverbend);

    await env.DB.prepare("DELETE FROM agency_log WHERE id = ?").bind(middle.id).run();
    expect(await verified()).toMatchObject({ intact: false, brokenAt: middle.seq, reason: "missing" });
    await putBack(middle);

    await env.DB.prepare("UPDATE agency_log SET description = ? WHERE agency_id = ? AND seq = ?").bind(viewed(2), DEMO.riverbend, middle.seq).run();
    expect(await verified()).toMatchObject({ intact: false, brokenAt: middle.seq, reason: "altered" });
    await env.DB.prepare("UPDATE agency_log SET description = ? WHERE agency_id = ? AND seq = ?").bind(middle.description, DEMO.riverbend, middle.seq).run();

    const newest = (await agencyLogRows(DEMO.riverbend)).at(-1)!;
    await env.DB.prepare("DELETE FROM agency_log WHERE agency_id = ? AND seq = ?").bind(DEMO.riverbend, newest.seq).run();
    expect(await verified()).toMatchObject({ intact: false, brokenAt: newest.seq, reason: "truncated" });
    // The object never hands the removed number out again.
    const next = await flushedView(staff, 11);
    expect(next.seq).toBe(newest.seq + 1);
    await putBack(newest);
    expect(await verified()).toMatchObject({ intact: true });
  });

  it("a row slipped in at the next number before the flush: Verify shows it, no number is handed out twice, the view is not lost, later entries still reach the log, and the view lands once the row is gone", async () => {
    await settle(DEMO.riverbend);
    const staff = await staffOf("staff@riverbend.test");
    const stub = agencyLogFor(env, DEMO.riverbend);
    const last = (await agencyLogRows(DEMO.riverbend)).at(-1)!;
    expect((await staff.get(`/face-sheet/12`)).status).toBe(200);
    await holdAlarm(DEMO.riverbend);
    // The insider copies the newest row to the next number (a plausible-looking entry).
    const forged = { ...last, seq: last.seq + 1, description: "Signed out.", action: "Sign-out", prev_hash: last.hash };
    const { id: _id, ...cols } = forged;
    const names = Object.keys(cols);
    await env.DB.prepare(`INSERT INTO agency_log (${names.join(", ")}) VALUES (${names.map(() => "?").join(", ")})`).bind(...Object.values(cols)).run();

    // Later events: a view and a sign-in. They land; the squatted number's entry waits, not lost.
    expect((await staff.get(`/face-sheet/1`)).status).toBe(200);
    await staffOf("admin@riverbend.test");
    await stub.flush();
    expect(await stub.pending()).toBe(1);
    const rows = await agencyLogRows(DEMO.riverbend);
    expect(rows.filter((r) => r.seq > last.seq).map((r) => [r.seq, r.description])).toEqual([
      [last.seq + 1, "Signed out."],
      [last.seq + 2, viewed(1)],
      [last.seq + 3, "Signed in."],
    ]);
    const admin = await staffOf("admin@riverbend.test");
    expect(await (await admin.get("/admin/agency-log")).text()).toContain(viewed(1));
    // Verify names the slipped-in row.
    expect(await verifyAgencyLog(env, db, DEMO.riverbend)).toMatchObject({ intact: false, brokenAt: last.seq + 1, reason: "altered" });

    // The row removed, the waiting view lands at its own number, once: the log is whole again.
    await env.DB.prepare("DELETE FROM agency_log WHERE agency_id = ? AND seq = ?").bind(DEMO.riverbend, last.seq + 1).run();
    await settle(DEMO.riverbend);
    const after = await agencyLogRows(DEMO.riverbend);
    expectNumberedInOrder(after, DEMO.riverbend);
    expect(after.find((r) => r.seq === last.seq + 1)).toMatchObject({ actor_name: "Sam Ortiz", description: viewed(12) });
    expect(await verifyAgencyLog(env, db, DEMO.riverbend)).toEqual({ intact: true, verified: after.length });
  });
});

describe("attack: entries waiting must not cover a deletion", () => {
  it("while a view waits (D1 refusing it, or its number squatted), a row deleted from the middle is still named missing, not 'still being written'", async () => {
    await settle(DEMO.riverbend);
    const staff = await staffOf("staff@riverbend.test");
    expect((await staff.get(`/face-sheet/2`)).status).toBe(200);
    await settle(DEMO.riverbend);
    const rows = await agencyLogRows(DEMO.riverbend);
    const victim = rows.at(-2)!;
    const { id: _id, ...cols } = victim;
    const names = Object.keys(cols);
    const putBack = () => env.DB.prepare(`INSERT INTO agency_log (${names.join(", ")}) VALUES (${names.map(() => "?").join(", ")})`).bind(...Object.values(cols)).run();

    // 1. D1 refuses a view; the insider deletes an earlier, written row.
    await env.DB.exec("CREATE TRIGGER refuse_agency_log BEFORE INSERT ON agency_log BEGIN SELECT RAISE(ABORT, 'injected'); END");
    try {
      expect((await staff.get(`/face-sheet/3`)).status).toBe(200);
      await holdAlarm(DEMO.riverbend);
      await env.DB.prepare("DELETE FROM agency_log WHERE id = ?").bind(victim.id).run();
      expect(await verifyAgencyLog(env, db, DEMO.riverbend)).toMatchObject({ intact: false, brokenAt: victim.seq, reason: "missing" });
    } finally {
      await env.DB.exec("DROP TRIGGER refuse_agency_log");
    }
    await putBack();
    await settle(DEMO.riverbend);
    expect(await verifyAgencyLog(env, db, DEMO.riverbend)).toMatchObject({ intact: true });

    // 2. The insider squats the next number (so a view waits for good), then deletes an earlier row.
    const last = (await agencyLogRows(DEMO.riverbend)).at(-1)!;
    expect((await staff.get(`/face-sheet/4`)).status).toBe(200);
    await holdAlarm(DEMO.riverbend);
    const { id: _lastId, ...lastCols } = { ...last, seq: last.seq + 1 };
    await env.DB.prepare(`INSERT INTO agency_log (${Object.keys(lastCols).join(", ")}) VALUES (${Object.keys(lastCols).map(() => "?").join(", ")})`)
      .bind(...Object.values(lastCols))
      .run();
    await env.DB.prepare("DELETE FROM agency_log WHERE agency_id = ? AND seq = ?").bind(DEMO.riverbend, victim.seq).run();
    expect(await verifyAgencyLog(env, db, DEMO.riverbend)).toMatchObject({ intact: false, brokenAt: victim.seq, reason: "missing" });
    // Put everything back: the squatting row goes, the deleted one returns, the view lands.
    await env.DB.prepare("DELETE FROM agency_log WHERE agency_id = ? AND seq = ?").bind(DEMO.riverbend, last.seq + 1).run();
    await putBack();
    await settle(DEMO.riverbend);
    const after = await agencyLogRows(DEMO.riverbend);
    expectNumberedInOrder(after, DEMO.riverbend);
    expect(after.at(-1)).toMatchObject({ description: viewed(4) });
    expect(await verifyAgencyLog(env, db, DEMO.riverbend)).toEqual({ intact: true, verified: after.length });
  });
});

describe("attack: refused looks record no view", () => {
  it("an auditor opening a Face Sheet for editing (page and htmx) is refused: an Access denied entry, no view, nothing waiting", async () => {
    await settle(DEMO.riverbend);
    const auditor = await staffOf("auditor@riverbend.test");
    const before = (await agencyLogRows(DEMO.riverbend)).length;
    for (const htmx of [false, true]) expect((await auditor.get(`/face-sheet/${DEMO.maria}/edit`, { htmx })).status).toBe(403);
    expect(await agencyLogFor(env, DEMO.riverbend).pending()).toBe(0);
    await settle(DEMO.riverbend);
    const added = (await agencyLogRows(DEMO.riverbend)).slice(before);
    expect(added.map((r) => [r.actor_name, r.action])).toEqual([
      ["Robin Achebe", "Access denied"],
      ["Robin Achebe", "Access denied"],
    ]);
  });
});

describe("attack: roles that may not read the Agency Log", () => {
  it("staff and auditor get 403 on the page, its fragment and its CSV; the refusal shows no waiting view, and its own entries land after it, in order", async () => {
    await settle(DEMO.riverbend);
    const [staff, auditor] = await Promise.all([staffOf("staff@riverbend.test"), staffOf("auditor@riverbend.test")]);
    expect((await staff.get(`/face-sheet/3`)).status).toBe(200);
    await holdAlarm(DEMO.riverbend);
    const rowsBefore = (await agencyLogRows(DEMO.riverbend)).length;
    for (const b of [staff, auditor]) {
      for (const [path, htmx] of [["/admin/agency-log", false], ["/admin/agency-log", true], ["/admin/agency-log.csv", false]] as const) {
        const res = await b.get(path, { htmx });
        expect(res.status, path).toBe(403);
        expect(await res.text()).not.toContain(viewed(3));
      }
      expect((await b.post("/admin/agency-log/verify", {}, { htmx: true })).status).toBe(403);
    }
    // Signed out: the sign-in redirect, nothing shown.
    for (const path of ["/admin/agency-log", "/admin/agency-log.csv"]) {
      for (const method of ["GET", "HEAD"]) {
        const res = await new WaitingBrowser().fetch(path, { method });
        expect(res.status, `${method} ${path}`).toBe(302);
        expect(await res.text()).not.toContain(viewed(3));
      }
    }
    const head = await staff.fetch("/admin/agency-log", { method: "HEAD" });
    expect(head.status).toBe(403);
    // The refusals are not reads of the log (no flush, no rows shown); their own entries are
    // recorded at once and carry the waiting view to D1 ahead of them, in order.
    const stub = agencyLogFor(env, DEMO.riverbend);
    await settle(DEMO.riverbend);
    const added = (await agencyLogRows(DEMO.riverbend)).slice(rowsBefore);
    expect(added[0]).toMatchObject({ description: viewed(3) });
    expect(added.slice(1).every((r) => r.action === "Access denied")).toBe(true);
    expect(added).toHaveLength(1 + 9);
    expect(await stub.pending()).toBe(0);
  });
});

describe("attack: a long outbox after a D1 outage", () => {
  it("650 views waiting: the alarm writes the oldest 500 in batches of 100, sets itself again, and the rest follow — 1…N, intact", async () => {
    await settle(DEMO.lakeside);
    const stub = agencyLogFor(env, DEMO.lakeside);
    const before = (await agencyLogRows(DEMO.lakeside)).length;
    const entry = (i: number) => ({
      actor: { type: "staff" as const, id: 3, name: "Lee Harper" },
      action: "Face Sheet view" as const,
      description: `Viewed the Face Sheet of client L-${i}.`,
      details: {},
      ipAddress: null,
      userAgent: null,
    });
    await Promise.all(Array.from({ length: 650 }, (_, i) => stub.record({ agencyId: DEMO.lakeside, entry: entry(i) })));
    expect(await stub.pending()).toBe(650);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await stub.pending()).toBe(150);
    expect(await agencyLogRows(DEMO.lakeside)).toHaveLength(before + 500);
    expect(await runDurableObjectAlarm(stub)).toBe(true); // set again by the first run
    expect(await stub.pending()).toBe(0);
    const rows = await agencyLogRows(DEMO.lakeside);
    expect(rows).toHaveLength(before + 650);
    expectNumberedInOrder(rows, DEMO.lakeside);
    expect(await verifyAgencyLog(env, db, DEMO.lakeside)).toMatchObject({ intact: true });
  });
});
