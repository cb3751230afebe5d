/**
 * Issue 13, attacked from outside: (1) staff pages' reads sent beside the session check
 * (src/auth/session-reads.ts) — other agencies' ids, sessions ended or changed between requests,
 * forged-agency tokens, settings changed, htmx/HEAD/POST, bad query strings, interleaved agencies;
 * (2) migration 0014's trigger — a representation's 42 CFR Part 2 consents end with it, and only its.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { signSession, sessionLimits } from "../../src/auth/session";
import { STAFF_COOKIE } from "../../src/auth/staff-session";
import { browserOver, countingD1 } from "./d1-trips";
import { Browser, DEMO, withoutCountdown } from "./fixtures";
import { createSettledLogin, lastSeq } from "./portal.fixtures";
import { editLogin } from "./portal-logins.helpers";
import { createConsent, createRepresentation, markPart2, LUIS, consentForm, recordFields, riverbendDay } from "./part2.fixtures";
import { database } from "../../src/db";
import { recordEndedRepresentations } from "../../src/representatives/expiry";
import { agencyLogFor } from "../../src/audit/agency-events";

const counter = countingD1(env.DB);

/** A browser whose requests go through the counting binding. */
const CountingBrowser = browserOver(counter.binding);

async function get(b: Browser, path: string, opts: { htmx?: boolean; method?: string } = {}) {
  counter.reset();
  const res = await b.fetch(path, { method: opts.method ?? "GET", htmx: opts.htmx });
  const html = await res.text();
  return { res, html, trips: counter.log.trips.filter((t) => t.origin !== "log").length, written: counter.log.rows.written };
}

async function count(table: string, where = "1", ...params: unknown[]): Promise<number> {
  const row = await env.DB.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`)
    .bind(...params)
    .first<{ n: number }>();
  return row!.n;
}

/** Row counts of every table a page view or refusal could write to. */
async function writeCounts() {
  const tables = ["client_log", "agency_log", "staff_sessions", "portal_representations", "part2_consents"];
  const out: Record<string, number> = {};
  for (const t of tables) {
    try {
      out[t] = await count(t);
    } catch {
      /* table not in this schema */
    }
  }
  return out;
}

const MARTA_NAME = /Marta/;
const MARIA_NAME = "Maria";

/** Warms the isolate's view of both agencies, then returns a riverbend staff and a lakeside admin. */
async function twoAgencies() {
  const [river, lake] = await Promise.all([CountingBrowser.staff("staff@riverbend.test"), CountingBrowser.staff("admin@lakeside.test")]);
  await get(river, `/face-sheet/${DEMO.maria}`);
  await get(lake, `/face-sheet/${DEMO.marta}`);
  return { river, lake };
}

describe("attack: reads beside the session check — other agencies' ids", () => {
  it("warm riverbend staff asking for lakeside's client (view, edit, log, htmx) get 404 and none of it", async () => {
    const { river } = await twoAgencies();
    for (const path of [`/face-sheet/${DEMO.marta}`, `/face-sheet/${DEMO.marta}/edit`, `/document-center/clients/${DEMO.marta}/face-sheet-log`]) {
      for (const htmx of [false, true]) {
        const before = await writeCounts();
        const r = await get(river, path, { htmx });
        expect(r.res.status, `${path} htmx=${htmx}`).toBe(404);
        expect(r.html).not.toMatch(MARTA_NAME);
        expect(await writeCounts()).toEqual(before);
      }
    }
  });

  it("a lakeside case id under a riverbend client (and the other way round) is a 404", async () => {
    const { river, lake } = await twoAgencies();
    const martaCase = await env.DB.prepare("SELECT id FROM cases WHERE client_id = ? LIMIT 1").bind(DEMO.marta).first<{ id: number }>();
    const mariaCase = await env.DB.prepare("SELECT id FROM cases WHERE client_id = ? LIMIT 1").bind(DEMO.maria).first<{ id: number }>();
    expect(martaCase && mariaCase).toBeTruthy();
    const a = await get(river, `/document-center/clients/${DEMO.maria}/cases/${martaCase!.id}/face-sheet-log`);
    expect(a.res.status).toBe(404);
    expect(a.html).not.toMatch(MARTA_NAME);
    const b = await get(lake, `/document-center/clients/${DEMO.marta}/cases/${mariaCase!.id}/face-sheet-log`);
    expect(b.res.status).toBe(404);
    expect(b.html).not.toContain(MARIA_NAME);
  });

  it("a case of another client of the same agency is a 404 on the Change Log, warm", async () => {
    const river = await CountingBrowser.staff("staff@riverbend.test");
    const jamesCase = await env.DB.prepare("SELECT id FROM cases WHERE client_id = ? LIMIT 1").bind(DEMO.james).first<{ id: number }>();
    const path = `/document-center/clients/${DEMO.maria}/face-sheet-log`;
    await get(river, path);
    const r = await get(river, `/document-center/clients/${DEMO.maria}/cases/${jamesCase!.id}/face-sheet-log`);
    expect(r.res.status).toBe(404);
  });

  it("interleaving two agencies' staff in one isolate: each warm page is its own agency's, one trip each", async () => {
    const { river, lake } = await twoAgencies();
    for (let i = 0; i < 3; i++) {
      const r = await get(river, `/face-sheet/${DEMO.maria}`);
      expect(r.res.status).toBe(200);
      expect(r.trips).toBe(1);
      expect(r.html).toContain(MARIA_NAME);
      expect(r.html).not.toMatch(MARTA_NAME);
      const l = await get(lake, `/face-sheet/${DEMO.marta}`);
      expect(l.res.status).toBe(200);
      expect(l.trips).toBe(1);
      expect(l.html).toMatch(MARTA_NAME);
    }
  });
});

describe("attack: reads beside the session check — forged-agency token", () => {
  it("a validly signed token naming lakeside for a riverbend staff row is sent to sign in, and shows nothing of lakeside", async () => {
    const river = await CountingBrowser.staff("staff@riverbend.test");
    await twoAgencies(); // lakeside is warm: its reads would be built and sent
    const token = river.cookies.get(STAFF_COOKIE)!;
    const payload = JSON.parse(atob(token.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/"))) as { sub: string; auth_time: number; ver: number; sid: string };
    const now = Math.floor(Date.now() / 1000);
    const forged = await signSession(env.SESSION_SECRET, { sub: payload.sub, aud: "staff", agencyId: DEMO.lakeside, authTime: payload.auth_time, ver: payload.ver, sid: payload.sid }, sessionLimits(env), now);
    const evil = new CountingBrowser();
    evil.cookies.set(STAFF_COOKIE, forged);
    for (const path of [`/face-sheet/${DEMO.marta}`, `/face-sheet/${DEMO.marta}/edit`, `/document-center/clients/${DEMO.marta}/face-sheet-log`]) {
      evil.cookies.set(STAFF_COOKIE, forged);
      const before = await writeCounts();
      const r = await get(evil, path);
      expect(r.res.status, path).toBe(302);
      expect(r.res.headers.get("Location")).toMatch(/^\/sign-in\?next=/);
      expect(r.html).not.toMatch(MARTA_NAME);
      expect(await writeCounts()).toEqual(before);
    }
  });
});

describe("attack: reads beside the session check — the sliding refresh in the same batch", () => {
  /** The claims of a browser's staff token, re-signed with `iat` in the past (so the check refreshes) and any agency. */
  async function resigned(b: Browser, agencyId: number, ageSeconds: number) {
    const token = b.cookies.get(STAFF_COOKIE)!;
    const p = JSON.parse(atob(token.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/"))) as { sub: string; auth_time: number; ver: number; sid: string };
    const now = Math.floor(Date.now() / 1000);
    return { token: await signSession(env.SESSION_SECRET, { sub: p.sub, aud: "staff", agencyId, authTime: p.auth_time - ageSeconds, ver: p.ver, sid: p.sid }, sessionLimits(env), now - ageSeconds), sid: p.sid };
  }
  const lastSeen = async (sid: string) => (await env.DB.prepare("SELECT last_seen_at AS t FROM staff_sessions WHERE id = ?").bind(sid).first<{ t: number }>())!.t;

  it("a warm page due a refresh: still one round trip, the same page, last_seen_at moved and a fresh cookie", async () => {
    const b = await CountingBrowser.staff("staff@riverbend.test");
    const cold = await get(b, `/face-sheet/${DEMO.maria}`);
    const { token, sid } = await resigned(b, DEMO.riverbend, 120);
    b.cookies.set(STAFF_COOKIE, token);
    const seenBefore = await lastSeen(sid);
    const r = await get(b, `/face-sheet/${DEMO.maria}`);
    expect(r.res.status).toBe(200);
    expect(r.trips).toBe(1);
    expect(withoutCountdown(r.html)).toBe(withoutCountdown(cold.html));
    expect(await lastSeen(sid)).toBeGreaterThanOrEqual(seenBefore);
    expect(b.cookies.get(STAFF_COOKIE)).not.toBe(token);
  });

  it("a forged-agency token due a refresh: sign-in, nothing of lakeside, and the session row not touched", async () => {
    const river = await CountingBrowser.staff("staff@riverbend.test");
    await twoAgencies();
    const { token, sid } = await resigned(river, DEMO.lakeside, 120);
    const evil = new CountingBrowser();
    evil.cookies.set(STAFF_COOKIE, token);
    const seenBefore = await lastSeen(sid);
    const before = await writeCounts();
    const r = await get(evil, `/face-sheet/${DEMO.marta}`);
    expect(r.res.status).toBe(302);
    expect(r.html).not.toMatch(MARTA_NAME);
    expect(r.written).toBe(0);
    expect(await lastSeen(sid)).toBe(seenBefore);
    expect(await writeCounts()).toEqual(before);
  });

  it("signed out: the offered reads are never sent (no D1 trip at all)", async () => {
    const r = await get(new CountingBrowser(), `/face-sheet/${DEMO.maria}`);
    expect(r.res.status).toBe(302);
    expect(r.trips).toBe(0);
  });
});

describe("attack: reads beside the session check — changes between requests", () => {
  it("signed out everywhere (session version bumped): warm page sends to sign in, nothing of the client", async () => {
    const b = await CountingBrowser.staff("staff@riverbend.test");
    await get(b, `/face-sheet/${DEMO.maria}`);
    await env.DB.prepare("UPDATE staff_users SET session_version = session_version + 1 WHERE email = 'staff@riverbend.test'").run();
    for (const path of [`/face-sheet/${DEMO.maria}`, `/document-center/clients/${DEMO.maria}/face-sheet-log`]) {
      const before = await writeCounts();
      const r = await get(b, path, { htmx: true });
      expect(r.res.status).toBe(204);
      expect(r.res.headers.get("HX-Redirect")).toMatch(/^\/sign-in/);
      expect(r.html).toBe("");
      expect(await writeCounts()).toEqual(before);
    }
  });

  it("staff deactivated between requests: sent to sign in", async () => {
    const b = await CountingBrowser.staff("auditor@riverbend.test");
    await get(b, `/face-sheet/${DEMO.maria}`);
    await env.DB.prepare("UPDATE staff_users SET active = 0 WHERE email = 'auditor@riverbend.test'").run();
    try {
      const r = await get(b, `/face-sheet/${DEMO.maria}`);
      expect(r.res.status).toBe(302);
      expect(r.html).not.toContain("Alvarez");
    } finally {
      await env.DB.prepare("UPDATE staff_users SET active = 1 WHERE email = 'auditor@riverbend.test'").run();
    }
  });

  it("role changed to auditor between requests: /edit is 403 with no form and nothing written", async () => {
    const b = await CountingBrowser.staff("staff@riverbend.test");
    expect((await get(b, `/face-sheet/${DEMO.maria}/edit`)).res.status).toBe(200);
    await env.DB.prepare("UPDATE staff_users SET role = 'auditor' WHERE email = 'staff@riverbend.test'").run();
    try {
      // The first look's "Face Sheet view" entry is written in a batch: land it before counting.
      await agencyLogFor(env, DEMO.riverbend).flush();
      const before = await writeCounts();
      const r = await get(b, `/face-sheet/${DEMO.maria}/edit`);
      expect(r.res.status).toBe(403);
      expect(r.html).not.toContain('name="version"');
      // The one write a refusal makes by design: its "Access denied" entry in the agency's log.
      expect(await writeCounts()).toEqual({ ...before, agency_log: before.agency_log! + 1 });
      const last = await env.DB.prepare("SELECT * FROM agency_log ORDER BY rowid DESC LIMIT 1").first<Record<string, unknown>>();
      expect(JSON.stringify(last)).toContain("Access denied");
      expect(JSON.stringify(last)).not.toContain(MARIA_NAME);
      const h = await get(b, `/face-sheet/${DEMO.maria}/edit`, { htmx: true });
      expect(h.res.status).toBe(403);
      expect(h.html).not.toContain('name="version"');
    } finally {
      await env.DB.prepare("UPDATE staff_users SET role = 'staff' WHERE email = 'staff@riverbend.test'").run();
    }
  });

  it("the agency's timezone changed between requests: the Change Log's warm reads are dropped, the page equals a cold one", async () => {
    const b = await CountingBrowser.staff("admin@riverbend.test");
    const path = `/document-center/clients/${DEMO.maria}/face-sheet-log?start=01%2F01%2F2020`;
    await get(b, path);
    await env.DB.prepare("UPDATE agencies SET timezone = 'Pacific/Kiritimati' WHERE id = ?").bind(DEMO.riverbend).run();
    try {
      const changed = await get(b, path);
      expect(changed.res.status).toBe(200);
      expect(changed.trips).toBe(2);
      const again = await get(b, path);
      expect(again.trips).toBe(1);
      expect(withoutCountdown(again.html)).toBe(withoutCountdown(changed.html));
    } finally {
      await env.DB.prepare("UPDATE agencies SET timezone = 'America/New_York' WHERE id = ?").bind(DEMO.riverbend).run();
    }
  });

  it("portal turned back on between requests: the section comes back at once (stale reads not used)", async () => {
    const b = await CountingBrowser.staff("admin@riverbend.test");
    await env.DB.prepare("UPDATE agencies SET portal_enabled = 0 WHERE id = ?").bind(DEMO.riverbend).run();
    try {
      const off = await get(b, `/face-sheet/${DEMO.maria}`);
      expect(off.html).not.toContain('id="client-portal-section"');
      await get(b, `/face-sheet/${DEMO.maria}`);
    } finally {
      await env.DB.prepare("UPDATE agencies SET portal_enabled = 1 WHERE id = ?").bind(DEMO.riverbend).run();
    }
    const on = await get(b, `/face-sheet/${DEMO.maria}`);
    expect(on.res.status).toBe(200);
    expect(on.html).toContain('id="client-portal-section"');
  });
});

describe("attack: reads beside the session check — methods and query strings", () => {
  it("HEAD on the pages answers 200 with no body; signed out, the sign-in redirect", async () => {
    const b = await CountingBrowser.staff("staff@riverbend.test");
    await get(b, `/face-sheet/${DEMO.maria}`);
    const h = await get(b, `/face-sheet/${DEMO.maria}`, { method: "HEAD" });
    expect(h.res.status).toBe(200);
    expect(h.html).toBe("");
    const other = await get(b, `/face-sheet/${DEMO.marta}`, { method: "HEAD" });
    expect(other.res.status).toBe(404);
    const anon = await get(new CountingBrowser(), `/face-sheet/${DEMO.maria}`, { method: "HEAD" });
    expect(anon.res.status).toBe(302);
  });

  it("POST to the Change Log path is not a page (404/405), and writes nothing", async () => {
    const b = await CountingBrowser.staff("staff@riverbend.test");
    const before = await writeCounts();
    counter.reset();
    const r = await b.post(`/document-center/clients/${DEMO.maria}/face-sheet-log`, {});
    expect([404, 405]).toContain(r.status);
    expect(await r.text()).not.toContain("Showing");
    expect(await writeCounts()).toEqual(before);
  });

  it("a face sheet id too big for a safe integer is a 404, warm or cold (not a 500)", async () => {
    const b = await CountingBrowser.staff("staff@riverbend.test");
    await get(b, `/face-sheet/${DEMO.maria}`);
    for (const id of ["99999999999999999999", "9".repeat(400), "0", "0001"]) {
      for (const suffix of ["", "/edit"]) {
        const r = await get(b, `/face-sheet/${id}${suffix}`);
        expect(r.res.status, `${id.slice(0, 20)}${suffix}`).toBe(id === "0001" ? 200 : 404);
      }
    }
  });

  it("bad and huge query strings on the Change Log: 422 or 200 as cold, never 500; signed out still redirected", async () => {
    const b = await CountingBrowser.staff("staff@riverbend.test");
    const base = `/document-center/clients/${DEMO.maria}/face-sheet-log`;
    await get(b, base);
    const queries = [
      "?start=%",
      "?start=%E0%A4%A",
      "?changeType=" + "x".repeat(20000),
      "?before=abc",
      "?before=-1&after=99999999999999999999999",
      "?start=01%2F01%2F2020&start=13%2F45%2F2020",
      "?" + Array.from({ length: 2000 }, (_, i) => `k${i}=v`).join("&"),
    ];
    for (const q of queries) {
      const warm = await get(b, base + q);
      expect(warm.res.status, q.slice(0, 40)).not.toBe(500);
      expect([200, 400, 422]).toContain(warm.res.status);
      const frag = await get(b, base + q, { htmx: true });
      expect([200, 400, 422]).toContain(frag.res.status);
      const anon = await get(new CountingBrowser(), base + q);
      expect(anon.res.status, `signed out ${q.slice(0, 40)}`).toBe(302);
    }
  });

  it("htmx fragment and full page warm are the same as cold (fragment has no filter choices)", async () => {
    const b = await CountingBrowser.staff("staff@riverbend.test");
    const path = `/document-center/clients/${DEMO.maria}/face-sheet-log?changeType=Face+Sheet`;
    const coldFrag = await get(b, path, { htmx: true });
    const warmFrag = await get(b, path, { htmx: true });
    expect(warmFrag.trips).toBe(1);
    expect(withoutCountdown(warmFrag.html)).toBe(withoutCountdown(coldFrag.html));
    const page = await get(b, path);
    expect(page.trips).toBe(1);
    expect(page.html).toContain("<html");
    const fv = await get(b, `/face-sheet/${DEMO.maria}`, { htmx: true });
    expect(fv.res.status).toBe(200);
    expect(fv.html).not.toContain("<html");
    expect(fv.trips).toBe(1);
  });
});

describe("attack: migration 0014 — consents end with their representation, and only theirs", () => {
  beforeAll(async () => {
    await markPart2();
  });

  async function consent(id: number) {
    return (await env.DB.prepare("SELECT revoked_at AS revokedAt, superseded_at AS supersededAt FROM part2_consents WHERE id = ?").bind(id).first<{ revokedAt: number | null; supersededAt: number | null }>())!;
  }

  it("ending one representation supersedes its in-force consents only; revoked/already superseded ones keep their stamps; another representation's and another agency's are untouched", async () => {
    const a = await createSettledLogin({ clientId: LUIS, representative: true });
    const other = await createSettledLogin({ clientId: LUIS, representative: true });
    const repA = await createRepresentation(a.id, LUIS);
    const repB = await createRepresentation(other.id, LUIS);
    const live = await createConsent(repA, LUIS);
    const revoked = await createConsent(repA, LUIS, { revokedAt: 111 });
    const superseded = await createConsent(repA, LUIS, { supersededAt: 222 });
    const otherLive = await createConsent(repB, LUIS);
    const endedAt = Date.now();
    await env.DB.prepare("UPDATE portal_representations SET ended_at = ? WHERE id = ?").bind(endedAt, repA).run();
    expect((await consent(live)).supersededAt).toBe(endedAt);
    expect(await consent(revoked)).toEqual({ revokedAt: 111, supersededAt: null });
    expect((await consent(superseded)).supersededAt).toBe(222);
    expect((await consent(otherLive)).supersededAt).toBeNull();
    // Ending it again (a later ended_at) does not restamp.
    await env.DB.prepare("UPDATE portal_representations SET ended_at = ? WHERE id = ?").bind(endedAt + 5000, repA).run();
    expect((await consent(live)).supersededAt).toBe(endedAt);
    // Taken up again, then a consent given anew, then ended again: only the new one is stamped now.
    await env.DB.prepare("UPDATE portal_representations SET ended_at = NULL WHERE id = ?").bind(repA).run();
    const fresh = await createConsent(repA, LUIS);
    await env.DB.prepare("UPDATE portal_representations SET ended_at = ? WHERE id = ?").bind(endedAt + 9000, repA).run();
    expect((await consent(fresh)).supersededAt).toBe(endedAt + 9000);
    expect((await consent(live)).supersededAt).toBe(endedAt);
  });

  it("the re-link upsert (ON CONFLICT … ended_at = NULL) never revives an ended representation's consent", async () => {
    const a = await createSettledLogin({ clientId: LUIS, representative: true });
    const rep = await createRepresentation(a.id, LUIS);
    const c1 = await createConsent(rep, LUIS);
    await createRepresentation(a.id, LUIS, { endedAt: Date.now() }); // ended through the upsert path
    expect((await consent(c1)).supersededAt).not.toBeNull();
    const again = await createRepresentation(a.id, LUIS);
    expect(again).toBe(rep);
    expect((await consent(c1)).supersededAt).not.toBeNull();
  });

  // Decided (product): a representation that lapses on its end date is not *ended* (ended_at stays
  // NULL; the hourly sweep only records the end). Its 42 CFR Part 2 consent has its own expiry and
  // names the same person; staff giving the same record a new end date is continuity, so the
  // consent — unexpired, unrevoked — still holds. Unticking Representative or End link end the
  // representation itself, and with it the consent (migration 0014): taking it up again needs a new one.
  it("a representation that lapsed on its end date keeps its unexpired consent; a new end date for the same record renews access under it", async () => {
    const admin = await Browser.staff("admin@riverbend.test");
    const login = await createSettledLogin({ clientId: LUIS, representative: true });
    const rep = await createRepresentation(login.id, LUIS);
    const c1 = await createConsent(rep, LUIS);
    await env.DB.prepare("UPDATE portal_representations SET end_date = ? WHERE id = ?").bind(riverbendDay(-2), rep).run();
    await recordEndedRepresentations(env, database(env.DB), Date.now());
    const row = await env.DB.prepare("SELECT ended_at AS endedAt, end_recorded_at AS recordedAt FROM portal_representations WHERE id = ?").bind(rep).first<{ endedAt: number | null; recordedAt: number | null }>();
    expect(row!.recordedAt).not.toBeNull();
    expect(row!.endedAt).toBeNull();
    expect((await consent(c1)).supersededAt).toBeNull();
    const { version } = (await env.DB.prepare("SELECT version FROM portal_representations WHERE id = ?").bind(rep).first<{ version: number }>())!;
    const record = { ...recordFields(), endDate: riverbendDay(365), recordVersion: String(version) } as unknown as Parameters<typeof editLogin>[3]["record"];
    const again = await editLogin(admin, LUIS, login.id, { email: `${login.username}@example.com`, representative: true, record });
    expect(again.status).toBe(200);
    expect((await consent(c1)).supersededAt).toBeNull();
  });
});

describe("attack: migration 0014 through the app's own paths", () => {
  let admin: Browser;
  let auditor: Browser;
  let lakesideAdmin: Browser;
  beforeAll(async () => {
    await markPart2();
    [admin, auditor, lakesideAdmin] = await Promise.all([Browser.staff("admin@riverbend.test"), Browser.staff("auditor@riverbend.test"), Browser.staff("admin@lakeside.test")]);
  });

  const repOf = async (loginId: number, clientId: number) =>
    (await env.DB.prepare("SELECT id, ended_at AS endedAt FROM portal_representations WHERE login_id = ? AND client_id = ?").bind(loginId, clientId).first<{ id: number; endedAt: number | null }>())!;
  const consentOf = async (id: number) =>
    (await env.DB.prepare("SELECT revoked_at AS revokedAt, superseded_at AS supersededAt FROM part2_consents WHERE id = ?").bind(id).first<{ revokedAt: number | null; supersededAt: number | null }>())!;

  it("End link with only a revoked consent: the link ends, its Change Log entry is written (the chain isn't broken by a trigger that changed nothing), the revoked consent keeps its stamps", async () => {
    const login = await createSettledLogin({ clientId: DEMO.maria, representative: true });
    const rep = await createRepresentation(login.id, LUIS);
    const revoked = await createConsent(rep, LUIS, { revokedAt: 4242 });
    const seq = await lastSeq(LUIS);
    expect((await admin.post(`/face-sheet/${LUIS}/linked-logins/${login.id}/end`, {})).status).toBe(303);
    expect((await repOf(login.id, LUIS)).endedAt).not.toBeNull();
    expect(await lastSeq(LUIS)).toBeGreaterThan(seq);
    expect(await consentOf(revoked)).toEqual({ revokedAt: 4242, supersededAt: null });
  });

  it("End link on one client leaves the same login's consent for its other client in force", async () => {
    const login = await createSettledLogin({ clientId: DEMO.maria, representative: true });
    const own = await repOf(login.id, DEMO.maria);
    const ownConsent = await createConsent(own.id, DEMO.maria);
    const rep = await createRepresentation(login.id, LUIS);
    const linked = await createConsent(rep, LUIS);
    expect((await admin.post(`/face-sheet/${LUIS}/linked-logins/${login.id}/end`, {})).status).toBe(303);
    expect((await consentOf(linked)).supersededAt).not.toBeNull();
    expect(await consentOf(ownConsent)).toEqual({ revokedAt: null, supersededAt: null });
    expect((await repOf(login.id, DEMO.maria)).endedAt).toBeNull();
  });

  it("a refused End link (auditor 403, another agency 404) ends nothing: representation and consent untouched", async () => {
    const login = await createSettledLogin({ clientId: DEMO.maria, representative: true });
    const rep = await createRepresentation(login.id, LUIS);
    const live = await createConsent(rep, LUIS);
    const seq = await lastSeq(LUIS);
    expect((await auditor.post(`/face-sheet/${LUIS}/linked-logins/${login.id}/end`, {})).status).toBe(403);
    expect([403, 404]).toContain((await lakesideAdmin.post(`/face-sheet/${LUIS}/linked-logins/${login.id}/end`, {})).status);
    expect((await repOf(login.id, LUIS)).endedAt).toBeNull();
    expect(await consentOf(live)).toEqual({ revokedAt: null, supersededAt: null });
    expect(await lastSeq(LUIS)).toBe(seq);
  });

  it("Representative unticked with no consent in force (only a revoked one): saved, logged, the revoked consent untouched", async () => {
    const login = await createSettledLogin({ clientId: LUIS, representative: true });
    const rep = await createRepresentation(login.id, LUIS);
    const revoked = await createConsent(rep, LUIS, { revokedAt: 777 });
    const seq = await lastSeq(LUIS);
    const res = await editLogin(admin, LUIS, login.id, { email: `${login.username}@example.com`, representative: false });
    expect(res.status).toBe(200);
    expect((await repOf(login.id, LUIS)).endedAt).not.toBeNull();
    expect(await lastSeq(LUIS)).toBeGreaterThan(seq);
    expect(await consentOf(revoked)).toEqual({ revokedAt: 777, supersededAt: null });
  });

  it("a consent posted for a representation already ended (window left open while someone ended it) records nothing, so it can't ride into a later link", async () => {
    const login = await createSettledLogin({ clientId: LUIS, representative: true });
    const rep = await createRepresentation(login.id, LUIS);
    const email = `${login.username}@example.com`;
    expect((await editLogin(admin, LUIS, login.id, { email, representative: false })).status).toBe(200);
    expect((await repOf(login.id, LUIS)).endedAt).not.toBeNull();
    const seq = await lastSeq(LUIS);
    const res = await admin.post(`/face-sheet/${LUIS}/portal-logins/${login.id}/consent`, consentForm(), { htmx: true });
    expect(res.status).not.toBe(500);
    expect(await res.text()).not.toContain("Consent recorded.");
    expect(await count("part2_consents", "representation_id = ?", rep)).toBe(0);
    expect(await lastSeq(LUIS)).toBe(seq);
  });

  it("End link twice: the second is refused/no-op and does not restamp the consent", async () => {
    const login = await createSettledLogin({ clientId: DEMO.maria, representative: true });
    const rep = await createRepresentation(login.id, LUIS);
    const live = await createConsent(rep, LUIS);
    expect((await admin.post(`/face-sheet/${LUIS}/linked-logins/${login.id}/end`, {})).status).toBe(303);
    const first = (await consentOf(live)).supersededAt;
    expect(first).not.toBeNull();
    const second = await admin.post(`/face-sheet/${LUIS}/linked-logins/${login.id}/end`, {});
    expect(second.status).not.toBe(500);
    expect((await consentOf(live)).supersededAt).toBe(first);
  });
});
