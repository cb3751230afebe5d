/**
 * The idle timeout warning's server side (issue 12, WCAG 2.2.1): every signed-in page says how
 * long its session has left (a meta tag; a header on htmx answers), "Stay signed in" slides the
 * session now (POST /session/refresh, and the portal's twin), and after a timeout sign-in returns
 * to the page the user was on — only ever a path of this site (staff) or of this agency's portal.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { sessionLimits, signSession } from "../../src/auth/session";
import { portalAudience, portalCookie, safePortalNext } from "../../src/portal/portal-session";
import { Browser, DEMO } from "./fixtures";
import { browserWithToken, nowSeconds, rawPost, staffToken } from "./helpers";
import { createSessionRow, createSettledLogin, PORTAL, PortalBrowser } from "./portal.fixtures";

const IDLE = sessionLimits(env).idleSeconds;
const secondsLeftMeta = (html: string) => Number(/<meta name="session-seconds-left" content="(\d+)"/.exec(html)?.[1]);

/** A portal browser whose session token was issued `agoSeconds` ago (refreshed then). */
async function portalBrowserFrom(agoSeconds: number) {
  const login = await createSettledLogin({ clientId: DEMO.maria });
  const then = nowSeconds() - agoSeconds;
  const sid = await createSessionRow(login.id, { createdAt: then * 1000 });
  const token = await signSession(
    env.SESSION_SECRET,
    { sub: String(login.id), aud: portalAudience("riverbend"), agencyId: DEMO.riverbend, authTime: then, ver: 1, sid },
    sessionLimits(env),
    then,
  );
  const b = new PortalBrowser();
  b.cookies.set(portalCookie("riverbend"), token);
  return { b, sid };
}

describe("session.timeout: staff pages say how long the session has left", () => {
  it("a page carries the seconds left and the Stay signed in address; an htmx answer the header", async () => {
    const then = nowSeconds() - 20; // refreshed 20 s ago: not refreshed again yet
    const b = browserWithToken(await staffToken({ sub: 1, agencyId: DEMO.riverbend, authTime: then }, then));
    const html = await (await b.get("/menu")).text();
    const left = secondsLeftMeta(html);
    expect(left).toBeGreaterThanOrEqual(IDLE - 22);
    expect(left).toBeLessThanOrEqual(IDLE - 19);
    expect(html).toContain('<meta name="session-refresh-url" content="/session/refresh"/>');
    expect(html).toContain('<script src="/session-timeout.js" defer=""></script>');
    const fragment = await b.get(`/face-sheet/${DEMO.maria}`, { htmx: true });
    expect(Number(fragment.headers.get("X-Session-Seconds-Left"))).toBeLessThanOrEqual(IDLE - 19);
  });

  it("the sign-in page has no timer (nobody is signed in)", async () => {
    const html = await (await new Browser().get("/sign-in")).text();
    expect(html).not.toContain("session-seconds-left");
  });
});

describe("session.timeout: POST /session/refresh (Stay signed in, staff)", () => {
  it("slides the session now: a fresh cookie, the full idle time, last seen moved", async () => {
    const then = nowSeconds() - 30;
    const b = browserWithToken(await staffToken({ sub: 1, agencyId: DEMO.riverbend, authTime: then }, then));
    const before = b.cookies.get("__Host-staff_session");
    const res = await b.post("/session/refresh", {});
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ secondsLeft: IDLE });
    expect(res.headers.get("X-Session-Seconds-Left")).toBe(String(IDLE));
    expect(b.cookies.get("__Host-staff_session")).not.toBe(before);
    const row = await env.DB.prepare("SELECT last_seen_at FROM staff_sessions WHERE staff_id = 1 ORDER BY last_seen_at DESC LIMIT 1").first<{ last_seen_at: number }>();
    expect(row!.last_seen_at).toBeGreaterThan(Date.now() - 5_000);
    // The new cookie opens pages, with the full idle time left.
    expect(secondsLeftMeta(await (await b.get("/menu")).text())).toBeGreaterThanOrEqual(IDLE - 2);
  });

  it("refuses a session that already timed out: to sign-in, no new cookie", async () => {
    const then = nowSeconds() - IDLE - 5;
    const b = browserWithToken(await staffToken({ sub: 1, agencyId: DEMO.riverbend, authTime: then }, then));
    const res = await b.post("/session/refresh", {});
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe("/sign-in?next=%2Fmenu");
    expect(b.cookies.has("__Host-staff_session")).toBe(false);
  });

  it("refuses a request from another site (CSRF) and a GET (no such page)", async () => {
    const b = await Browser.staff("staff@riverbend.test");
    const cross = await rawPost(b, "/session/refresh", {}, { Origin: "https://evil.example", "Sec-Fetch-Site": "cross-site" });
    expect(cross.status).toBe(403);
    expect((await b.get("/session/refresh")).status).toBe(404);
  });
});

describe("session.timeout: POST /portal/<slug>/session/refresh (Stay signed in, portal)", () => {
  it("slides this device's session now and answers the full idle time", async () => {
    const { b, sid } = await portalBrowserFrom(30);
    const res = await b.post(`${PORTAL}/session/refresh`, {});
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ secondsLeft: IDLE });
    const row = await env.DB.prepare("SELECT last_seen_at FROM portal_sessions WHERE id = ?").bind(sid).first<{ last_seen_at: number }>();
    expect(row!.last_seen_at).toBeGreaterThan(Date.now() - 5_000);
    const home = await (await b.get(PORTAL)).text();
    expect(secondsLeftMeta(home)).toBeGreaterThanOrEqual(IDLE - 2);
    expect(home).toContain(`<meta name="session-refresh-url" content="${PORTAL}/session/refresh"/>`);
  });

  it("answers 401 JSON without a session, or with a timed-out one", async () => {
    const res = await new PortalBrowser().post(`${PORTAL}/session/refresh`, {});
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: "Your session has ended. Sign in again.", redirect: `${PORTAL}?ended` });
    const { b } = await portalBrowserFrom(IDLE + 5);
    expect((await b.post(`${PORTAL}/session/refresh`, {})).status).toBe(401);
  });

  it("a session of one agency's portal doesn't refresh at another's (401), nor cross-site (403)", async () => {
    const { b } = await portalBrowserFrom(10);
    expect((await b.post("/portal/lakeside/session/refresh", {})).status).toBe(404); // Lakeside has no portal
    const cross = await b.fetch(`${PORTAL}/session/refresh`, { method: "POST", headers: { Origin: "https://evil.example" } });
    expect(cross.status).toBe(403);
  });
});

describe("session.timeout: back to the page after signing in again", () => {
  it("staff: the sign-in page says why after a timeout and keeps where to return", async () => {
    const html = await (await new Browser().get(`/sign-in?timeout&next=${encodeURIComponent(`/face-sheet/${DEMO.maria}/edit`)}`)).text();
    expect(html).toContain("You were signed out because there was no activity for a while.");
    expect(html).toContain(`<input type="hidden" name="next" value="/face-sheet/${DEMO.maria}/edit"/>`);
    const res = await new Browser().post("/sign-in", { email: "staff@riverbend.test", password: "demo-password-2026", next: `/face-sheet/${DEMO.maria}/edit` });
    expect(res.headers.get("Location")).toBe(`/face-sheet/${DEMO.maria}/edit`);
  });

  it("staff: another site as the return path goes to the Main Menu instead", async () => {
    const res = await new Browser().post("/sign-in", { email: "staff@riverbend.test", password: "demo-password-2026", next: "//evil.example/x" });
    expect(res.headers.get("Location")).toBe("/menu");
  });

  it("portal: a page asked without a session sends to sign-in with the page as next, and signing in returns there", async () => {
    const login = await createSettledLogin({ clientId: DEMO.maria });
    const b = new PortalBrowser();
    const res = await b.get(`${PORTAL}/activity?page=2`);
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe(`${PORTAL}?next=${encodeURIComponent(`${PORTAL}/activity?page=2`)}`);
    const page = await (await b.get(`${PORTAL}?timeout&next=${encodeURIComponent(`${PORTAL}/activity?page=2`)}`)).text();
    expect(page).toContain("You were logged out because there was no activity for a while.");
    expect(page).toContain(`<input type="hidden" name="next" value="${PORTAL}/activity?page=2"/>`);
    const signed = await b.post(`${PORTAL}/sign-in`, { username: login.username, password: login.password, next: `${PORTAL}/activity?page=2` });
    expect(signed.status).toBe(303);
    expect(signed.headers.get("Location")).toBe(`${PORTAL}/activity?page=2`);
  });

  it("portal: a return path outside this agency's portal signs in to Home instead", async () => {
    const login = await createSettledLogin({ clientId: DEMO.maria });
    const signed = await new PortalBrowser().post(`${PORTAL}/sign-in`, { username: login.username, password: login.password, next: "https://evil.example/portal/riverbend" });
    expect(signed.headers.get("Location")).toBe(PORTAL);
  });

  it.each([
    ["https://evil.example/", "another site"],
    ["//evil.example/portal/riverbend", "a scheme-relative URL"],
    ["/portal/other-agency/activity", "another agency's portal"],
    ["/portal/riverbendx/activity", "a slug that only starts the same"],
    ["/portal/riverbend/../../menu", "dot segments"],
    ["/portal/riverbend/%2e%2e/%2E%2E/menu", "encoded dot segments"],
    ["/portal/riverbend/\\evil.example", "a backslash"],
    ["/portal/riverbend/\tactivity", "a tab"],
    ["/portal/riverbend/activity\u200b", "a hidden character"],
    ["/menu", "a staff page"],
  ])("safePortalNext refuses %s (%s)", (next) => {
    expect(safePortalNext("riverbend", next)).toBe("/portal/riverbend");
  });

  it("safePortalNext keeps the portal's own pages", () => {
    expect(safePortalNext("riverbend", "/portal/riverbend")).toBe("/portal/riverbend");
    expect(safePortalNext("riverbend", "/portal/riverbend/activity?page=2")).toBe("/portal/riverbend/activity?page=2");
    expect(safePortalNext("riverbend", "/portal/riverbend/devices")).toBe("/portal/riverbend/devices");
  });
});
