/**
 * Staff security events go to the agency's own log (who, what, when, from where): sign-in,
 * failed sign-in for a known email, sign-out, Face Sheet views, Change Log CSV export and Verify.
 * Each test asserts the entry itself — its actor, action, address and browser — and that the
 * agency's chain stays intact.
 */
import { createExecutionContext, env, runDurableObjectAlarm, waitOnExecutionContext } from "cloudflare:test";
import worker from "../../src/index";
import { describe, expect, it } from "vitest";
import { agencyLogFor, verifyAgencyLog } from "../../src/audit/agency-events";
import { database } from "../../src/db";
import { DEMO, DEMO_PASSWORD, ORIGIN } from "./fixtures";
import { agencyLogRows, lastAgencyEntry, WaitingBrowser } from "./agency-log.fixtures";

const db = database(env.DB);
const FROM = { "CF-Connecting-IP": "203.0.113.7", "User-Agent": "Mozilla/5.0 (Test) Firefox/140.0" };

async function signIn(email: string, password = DEMO_PASSWORD) {
  const b = new WaitingBrowser();
  const res = await b.post("/sign-in", { email, password }, { headers: FROM });
  return { b, res };
}

describe("staff security events in the agency log", () => {
  it("a sign-in is recorded with who, when, the address and the browser", async () => {
    const before = Date.now();
    const { res } = await signIn("admin@riverbend.test");
    expect(res.status).toBe(303);
    const e = (await lastAgencyEntry(DEMO.riverbend))!;
    expect(e).toMatchObject({
      agency_id: DEMO.riverbend,
      actor_type: "staff",
      actor_id: 1,
      actor_name: "Dana Whitfield",
      action: "Sign-in",
      description: "Signed in.",
      ip_address: "203.0.113.7",
      user_agent: "Mozilla/5.0 (Test) Firefox/140.0",
    });
    expect(e.at).toBeGreaterThanOrEqual(before);
    expect(JSON.parse(e.details)).toEqual({ email: "admin@riverbend.test" });
  });

  it("a sign-in's entry is in the log when the answer arrives (recorded before it, not after): nothing left to lose", async () => {
    const ctx = createExecutionContext();
    const before = (await lastAgencyEntry(DEMO.riverbend))?.seq ?? 0;
    const form = new URLSearchParams({ email: "staff@riverbend.test", password: DEMO_PASSWORD });
    const res = await worker.fetch(
      new Request(`${ORIGIN}/sign-in`, { method: "POST", body: form, headers: { ...FROM, Origin: ORIGIN, "Content-Type": "application/x-www-form-urlencoded" } }),
      env,
      ctx,
    );
    // Read before anything left for after the response (waitUntil) has run.
    const e = (await lastAgencyEntry(DEMO.riverbend))!;
    expect(res.status).toBe(303);
    expect(e.seq).toBeGreaterThan(before);
    expect(e).toMatchObject({ actor_name: "Sam Ortiz", action: "Sign-in", description: "Signed in." });
    await waitOnExecutionContext(ctx);
  });

  it("a failed sign-in for a known email is recorded, with the reason; an unknown email records nothing anywhere", async () => {
    const { res } = await signIn("staff@riverbend.test", "not-the-password");
    expect(res.status).toBe(401);
    expect(await lastAgencyEntry(DEMO.riverbend)).toMatchObject({
      actor_name: "Sam Ortiz",
      action: "Sign-in failed",
      description: "Sign-in failed: wrong password.",
      ip_address: "203.0.113.7",
    });
    const count = async () => (await env.DB.prepare("SELECT COUNT(*) AS n FROM agency_log").first<{ n: number }>())!.n;
    const n = await count();
    expect((await signIn("nobody@riverbend.test", "whatever")).res.status).toBe(401);
    expect(await count()).toBe(n);
  });

  it("an inactive account's sign-in is recorded as failed because it is inactive", async () => {
    await env.DB.prepare("UPDATE staff_users SET active = 0 WHERE email = 'staff@riverbend.test'").run();
    try {
      expect((await signIn("staff@riverbend.test")).res.status).toBe(401);
    } finally {
      await env.DB.prepare("UPDATE staff_users SET active = 1 WHERE email = 'staff@riverbend.test'").run();
    }
    expect(await lastAgencyEntry(DEMO.riverbend)).toMatchObject({ action: "Sign-in failed", description: "Sign-in failed: the account is inactive." });
  });

  it("a sign-out is recorded; a sign-out without a session records nothing", async () => {
    const { b } = await signIn("admin@lakeside.test");
    const n = (await agencyLogRows(DEMO.lakeside)).length;
    expect((await b.post("/sign-out", {}, { headers: FROM })).status).toBe(303);
    expect(await lastAgencyEntry(DEMO.lakeside)).toMatchObject({ actor_name: "Lee Harper", action: "Sign-out", description: "Signed out." });
    expect((await new WaitingBrowser().post("/sign-out", {})).status).toBe(303);
    expect(await agencyLogRows(DEMO.lakeside)).toHaveLength(n + 1);
  });

  it("viewing a client's Face Sheet, read-only or for editing, is recorded with the client; a 404 is not", async () => {
    const { b } = await signIn("staff@riverbend.test");
    const stub = agencyLogFor(env, DEMO.riverbend);
    expect((await b.get(`/face-sheet/${DEMO.maria}`, { headers: FROM })).status).toBe(200);
    await stub.flush();
    const viewed = (await lastAgencyEntry(DEMO.riverbend))!;
    expect(viewed).toMatchObject({ actor_name: "Sam Ortiz", action: "Face Sheet view", description: "Viewed the Face Sheet of client R-1001." });
    expect(JSON.parse(viewed.details)).toEqual({ clientId: DEMO.maria, clientNumber: "R-1001" });
    expect((await b.get(`/face-sheet/${DEMO.maria}/edit`, { htmx: true })).status).toBe(200);
    await stub.flush();
    expect(await lastAgencyEntry(DEMO.riverbend)).toMatchObject({ description: "Opened for editing the Face Sheet of client R-1001." });
    const n = (await agencyLogRows(DEMO.riverbend)).length;
    expect((await b.get(`/face-sheet/${DEMO.hannah}`)).status).toBe(404);
    expect(await stub.flush()).toMatchObject({ waiting: 0 });
    expect(await agencyLogRows(DEMO.riverbend)).toHaveLength(n);
  });

  it("a Face Sheet view is durable in the AgencyLog at once and reaches D1 in the next batch: by the alarm, or before the Agency Log is read", async () => {
    const { b } = await signIn("staff@riverbend.test");
    const stub = agencyLogFor(env, DEMO.riverbend);
    await stub.flush();
    const before = (await agencyLogRows(DEMO.riverbend)).length;
    for (const id of [DEMO.maria, DEMO.maria]) expect((await b.get(`/face-sheet/${id}`, { headers: FROM })).status).toBe(200);
    // Accepted (numbered, sealed, in the object's storage), not yet one D1 write each.
    expect(await stub.pending()).toBe(2);
    expect(await agencyLogRows(DEMO.riverbend)).toHaveLength(before);
    // The alarm writes both in one batch, in order.
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await stub.pending()).toBe(0);
    const rows = await agencyLogRows(DEMO.riverbend);
    expect(rows.slice(before).map((r) => [r.seq, r.action])).toEqual([
      [before + 1, "Face Sheet view"],
      [before + 2, "Face Sheet view"],
    ]);
    // An entry recorded at once after a waiting one keeps the order: both land, numbered in turn.
    expect((await b.get(`/face-sheet/${DEMO.maria}`)).status).toBe(200);
    expect((await b.post("/sign-out", {})).status).toBe(303);
    expect(await stub.pending()).toBe(0);
    expect((await agencyLogRows(DEMO.riverbend)).slice(before + 2).map((r) => [r.seq, r.action])).toEqual([
      [before + 3, "Face Sheet view"],
      [before + 4, "Sign-out"],
    ]);
    expect(await verifyAgencyLog(env, db, DEMO.riverbend)).toMatchObject({ intact: true });
    // The Agency Log page writes what waits before it reads: a view just made is on it.
    const admin = (await signIn("admin@riverbend.test")).b;
    expect((await admin.get(`/face-sheet/${DEMO.maria}`)).status).toBe(200);
    expect(await stub.pending()).toBe(1);
    const page = await (await admin.get("/admin/agency-log?action=Face+Sheet+view")).text();
    expect(await stub.pending()).toBe(0);
    expect(page).toContain("Viewed the Face Sheet of client R-1001.");
    expect(page.indexOf("Dana Whitfield")).toBeGreaterThan(-1);
  });

  it("a Change Log CSV export and a Change Log Verify are recorded", async () => {
    const { b } = await signIn("admin@riverbend.test");
    const log = `/document-center/clients/${DEMO.maria}/cases/1/face-sheet-log`;
    expect((await b.get(`${log}.csv?changeType=Login`)).status).toBe(200);
    const exported = (await lastAgencyEntry(DEMO.riverbend))!;
    expect(exported).toMatchObject({ action: "CSV export", description: "Exported the Face Sheet Change Log of client R-1001 as CSV." });
    expect(JSON.parse(exported.details)).toMatchObject({ log: "client", clientId: DEMO.maria, changeType: "Login" });
    expect((await b.post(`${log}/verify`, {}, { htmx: true })).status).toBe(200);
    expect(await lastAgencyEntry(DEMO.riverbend)).toMatchObject({
      action: "Verify log",
      description: "Verify log on the Face Sheet Change Log of client R-1001: Log intact: 0 entries verified.",
    });
  });

  it("every agency's events are in its own chain, numbered without gaps, and intact", async () => {
    for (const agencyId of [DEMO.riverbend, DEMO.lakeside]) {
      const rows = await agencyLogRows(agencyId);
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
      expect(rows.every((r) => r.agency_id === agencyId && r.key_id === "t2")).toBe(true);
      expect(await verifyAgencyLog(env, db, agencyId)).toEqual({ intact: true, verified: rows.length });
    }
    expect((await agencyLogRows(DEMO.lakeside)).map((r) => r.actor_name)).not.toContain("Dana Whitfield");
  });

  it("an event D1 refuses is not lost: it waits in the AgencyLog and lands when the alarm runs", async () => {
    const before = (await agencyLogRows(DEMO.lakeside)).length;
    await env.DB.exec("CREATE TRIGGER refuse_agency_log BEFORE INSERT ON agency_log BEGIN SELECT RAISE(ABORT, 'injected'); END");
    try {
      expect((await signIn("admin@lakeside.test")).res.status).toBe(303);
    } finally {
      await env.DB.exec("DROP TRIGGER refuse_agency_log");
    }
    const stub = agencyLogFor(env, DEMO.lakeside);
    expect(await stub.pending()).toBe(1);
    expect(await agencyLogRows(DEMO.lakeside)).toHaveLength(before);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await stub.pending()).toBe(0);
    expect(await lastAgencyEntry(DEMO.lakeside)).toMatchObject({ action: "Sign-in", actor_name: "Lee Harper" });
    expect(await verifyAgencyLog(env, db, DEMO.lakeside)).toMatchObject({ intact: true });
  });

  it("a change of the agency's data and its entry commit together (for staff administration later)", async () => {
    const stub = agencyLogFor(env, DEMO.lakeside);
    const answer = await stub.commit({
      agencyId: DEMO.lakeside,
      statements: [{ sql: "UPDATE agencies SET timezone = ? WHERE id = ?", params: ["America/Chicago", DEMO.lakeside] }],
      entry: { actor: { type: "staff", id: 3, name: "Lee Harper" }, action: "Verify log", description: "setting changed", details: {}, ipAddress: null, userAgent: null },
    });
    expect(answer).toMatchObject({ committed: true });
    expect((await env.DB.prepare("SELECT timezone FROM agencies WHERE id = ?").bind(DEMO.lakeside).first<{ timezone: string }>())!.timezone).toBe("America/Chicago");
    expect(await lastAgencyEntry(DEMO.lakeside)).toMatchObject({ description: "setting changed" });
    await env.DB.prepare("UPDATE agencies SET timezone = 'America/New_York' WHERE id = ?").bind(DEMO.lakeside).run();
  });
});
