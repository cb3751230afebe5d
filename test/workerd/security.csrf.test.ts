/**
 * CSRF, whatever the content type or method: an unsafe request (anything but GET, HEAD, OPTIONS)
 * runs only when the browser says it came from this very origin — `Origin` equal to the site's,
 * or, without Origin, `Sec-Fetch-Site: same-origin`. A JSON body, no body at all, PUT or DELETE
 * are refused just like a form (hono/csrf checked form content types only). Each refused request
 * must leave the session, the rows and the log as they were.
 */
import { env, SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { Browser, DEMO, ORIGIN } from "./fixtures";
import { STAFF_COOKIE } from "./helpers";
import { addLogin, loginRow, loginsPath } from "./portal-logins.helpers";
import { PORTAL, PORTAL_COOKIE, PortalBrowser, createSettledLogin, lastSeq } from "./portal.fixtures";

const FOREIGN = "https://evil.example";

/** A request straight to the Worker with exactly these headers plus the cookies of `b`. */
function send(b: { cookies: Map<string, string> } | null, method: string, path: string, init: { body?: BodyInit; headers?: Record<string, string> } = {}) {
  const headers = new Headers(init.headers);
  if (b?.cookies.size) headers.set("Cookie", [...b.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
  return SELF.fetch(new URL(path, ORIGIN), { method, body: init.body, headers, redirect: "manual" });
}

const json = (origin?: string) => ({
  body: JSON.stringify({}),
  headers: { "Content-Type": "application/json", ...(origin ? { Origin: origin } : {}) },
});

let caseLogPath: string;
let resendLoginId: number;

beforeAll(async () => {
  const staff = await Browser.staff("admin@riverbend.test");
  const kase = await env.DB.prepare("SELECT id FROM cases WHERE client_id = ? ORDER BY id LIMIT 1").bind(DEMO.maria).first<{ id: number }>();
  caseLogPath = `/document-center/clients/${DEMO.maria}/cases/${kase!.id}/face-sheet-log`;
  expect((await addLogin(staff, DEMO.maria, { username: "csrf.resend", email: "csrf.resend@example.com" })).status).toBe(200);
  resendLoginId = (await loginRow("csrf.resend"))!.id;
  await env.DB.prepare("UPDATE portal_logins SET email_status = 'failed' WHERE id = ?").bind(resendLoginId).run();
});

describe("a JSON POST from a foreign origin", () => {
  it("does not sign staff out (403; the session still opens the menu)", async () => {
    const staff = await Browser.staff("admin@riverbend.test");
    const res = await send(staff, "POST", "/sign-out", json(FOREIGN));
    expect(res.status).toBe(403);
    expect(res.headers.getSetCookie().join("\n")).not.toContain(`${STAFF_COOKIE}=`);
    expect((await staff.get("/menu")).status).toBe(200);
  });

  it("does not log a portal user out (403; no Logout entry, the session still works)", async () => {
    const login = await createSettledLogin();
    const b = new PortalBrowser();
    await b.signInReady(login);
    const seq = await lastSeq(login.clientId);
    const res = await send(b, "POST", `${PORTAL}/log-out`, json(FOREIGN));
    expect(res.status).toBe(403);
    expect(res.headers.getSetCookie().join("\n")).not.toContain(`${PORTAL_COOKIE}=`);
    expect(await lastSeq(login.clientId)).toBe(seq);
    expect((await b.get(`${PORTAL}/activity`)).status).toBe(200);
  });

  it("does not Resend a portal password (403; the hash and the log stay)", async () => {
    const staff = await Browser.staff("admin@riverbend.test");
    const before = await loginRow("csrf.resend");
    const seq = await lastSeq(DEMO.maria);
    const res = await send(staff, "POST", `${loginsPath(DEMO.maria)}/${resendLoginId}/resend`, json(FOREIGN));
    expect(res.status).toBe(403);
    expect(await loginRow("csrf.resend")).toEqual(before);
    expect(await lastSeq(DEMO.maria)).toBe(seq);
  });

  it("does not run Verify log (403, no result)", async () => {
    const staff = await Browser.staff("admin@riverbend.test");
    const res = await send(staff, "POST", `${caseLogPath}/verify`, json(FOREIGN));
    expect(res.status).toBe(403);
    expect(await res.text()).not.toMatch(/intact/i);
  });

  it("is refused without any Origin or Sec-Fetch-Site too (403)", async () => {
    const staff = await Browser.staff("admin@riverbend.test");
    const res = await send(staff, "POST", "/sign-out", json());
    expect(res.status).toBe(403);
    expect((await staff.get("/menu")).status).toBe(200);
  });
});

describe("other content types and methods", () => {
  it.each([
    ["no body and no Content-Type", {}],
    ["application/xml", { body: "<x/>", headers: { "Content-Type": "application/xml" } }],
    ["application/octet-stream", { body: "x", headers: { "Content-Type": "application/octet-stream" } }],
  ])("refuses a foreign POST with %s (403)", async (_, init: { body?: string; headers?: Record<string, string> }) => {
    const staff = await Browser.staff("admin@riverbend.test");
    const res = await send(staff, "POST", "/sign-out", { ...init, headers: { ...init.headers, Origin: FOREIGN } });
    expect(res.status).toBe(403);
    expect((await staff.get("/menu")).status).toBe(200);
  });

  it.each(["PUT", "PATCH", "DELETE"])("refuses a foreign %s before any route sees it (403, not 404)", async (method) => {
    const staff = await Browser.staff("admin@riverbend.test");
    const res = await send(staff, method, `/face-sheet/${DEMO.maria}`, json(FOREIGN));
    expect(res.status).toBe(403);
  });

  it("refuses Origin of the right site but Sec-Fetch-Site: cross-site (a redirected cross-site request)", async () => {
    const staff = await Browser.staff("admin@riverbend.test");
    const res = await send(staff, "POST", "/sign-out", { headers: { Origin: ORIGIN, "Sec-Fetch-Site": "cross-site" } });
    expect(res.status).toBe(403);
    expect((await staff.get("/menu")).status).toBe(200);
  });

  it("lets GET and HEAD through whatever their Origin (safe methods change nothing)", async () => {
    const staff = await Browser.staff("admin@riverbend.test");
    expect((await send(staff, "GET", "/menu", { headers: { Origin: FOREIGN } })).status).toBe(200);
    expect((await send(staff, "HEAD", "/menu", { headers: { Origin: FOREIGN } })).status).toBe(200);
  });
});

describe("the site's own requests", () => {
  it("accepts a same-origin JSON POST (sign-out answers its redirect)", async () => {
    const b = await Browser.staff("admin@riverbend.test");
    const res = await send(b, "POST", "/sign-out", json(ORIGIN));
    expect(res.status).toBe(303);
  });

  it("accepts Sec-Fetch-Site: same-origin without Origin, whatever the type", async () => {
    const b = await Browser.staff("admin@riverbend.test");
    const res = await send(b, "POST", "/sign-out", { body: "{}", headers: { "Content-Type": "application/json", "Sec-Fetch-Site": "same-origin" } });
    expect(res.status).toBe(303);
  });
});
