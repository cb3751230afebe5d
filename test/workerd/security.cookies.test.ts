/**
 * Session cookies carry the `__Host-` prefix, so a browser accepts them only with Secure,
 * Path=/ and no Domain: a sibling subdomain can't plant or overwrite them. The staff cookie is
 * `__Host-staff_session`; each agency's portal has its own, `__Host-portal_session-<slug>`, so
 * that with Path=/ the staff app's and different agencies' portal sessions still never cross —
 * one browser can be signed in to two portals and each keeps its own.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { Browser, DEMO, DEMO_PASSWORD } from "./fixtures";
import { nowSeconds, staffRow, staffToken } from "./helpers";
import { PORTAL, PORTAL_COOKIE, PortalBrowser, createSettledLogin } from "./portal.fixtures";

const LAKESIDE_PORTAL = "/portal/lakeside";
const LAKESIDE_COOKIE = "__Host-portal_session-lakeside";

/** The Set-Cookie line for `name`, split into its attributes (lower-cased names). */
function cookieLine(lines: string[], name: string) {
  const line = lines.find((l) => l.startsWith(`${name}=`));
  expect(line, `Set-Cookie ${name}`).toBeDefined();
  const attrs = new Map(
    line!
      .split(";")
      .slice(1)
      .map((a) => a.trim().split("="))
      .map(([k, v]) => [k!.toLowerCase(), v ?? ""]),
  );
  return { line: line!, attrs };
}

function expectHostPrefixed(attrs: Map<string, string>) {
  expect(attrs.has("secure")).toBe(true);
  expect(attrs.get("path")).toBe("/");
  expect(attrs.has("domain")).toBe(false);
  expect(attrs.has("httponly")).toBe(true);
  expect(attrs.get("samesite")).toBe("Lax");
}

beforeAll(async () => {
  // This file's own copy of the database: Lakeside gets the portal too, for a second agency.
  await env.DB.prepare("UPDATE agencies SET portal_enabled = 1 WHERE id = ?").bind(DEMO.lakeside).run();
});

describe("the staff session cookie", () => {
  it("is __Host-staff_session: Secure, Path=/, no Domain, HttpOnly, SameSite=Lax", async () => {
    const b = new Browser();
    const res = await b.post("/sign-in", { email: "admin@riverbend.test", password: DEMO_PASSWORD });
    expect(res.status).toBe(303);
    expectHostPrefixed(cookieLine(res.headers.getSetCookie(), "__Host-staff_session").attrs);
    expect((await b.get("/menu")).status).toBe(200);
  });

  it("is cleared under the same name and attributes at sign-out", async () => {
    const b = await Browser.staff("admin@riverbend.test");
    const res = await b.post("/sign-out", {});
    const { attrs } = cookieLine(res.headers.getSetCookie(), "__Host-staff_session");
    expect(attrs.get("max-age")).toBe("0");
    expect(attrs.has("secure")).toBe(true);
    expect(attrs.get("path")).toBe("/");
  });

  it("is not read under the old unprefixed name (a cookie a subdomain could have planted)", async () => {
    const staff = await staffRow("admin@riverbend.test");
    const now = nowSeconds();
    const b = new Browser();
    b.cookies.set("staff_session", await staffToken({ sub: staff.id, agencyId: staff.agency_id, authTime: now }, now));
    const res = await b.get("/menu");
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toMatch(/^\/sign-in/);
  });
});

describe("portal session cookies", () => {
  it("are named per agency, __Host-portal_session-<slug>: Secure, Path=/, no Domain", async () => {
    const login = await createSettledLogin();
    const b = new PortalBrowser();
    const res = await b.signIn(login.username, login.password);
    expect(res.status).toBe(303);
    expect(PORTAL_COOKIE).toBe("__Host-portal_session-riverbend");
    expectHostPrefixed(cookieLine(b.lastSetCookie, PORTAL_COOKIE).attrs);
  });

  it("one browser signed in to two agencies' portals keeps both sessions, and logging out of one leaves the other", async () => {
    const riverbend = await createSettledLogin();
    const lakeside = await createSettledLogin({ agencyId: DEMO.lakeside, clientId: DEMO.hannah });
    const b = new PortalBrowser();
    await b.signInReady(riverbend);
    const res = await b.signIn(lakeside.username, lakeside.password, LAKESIDE_PORTAL);
    expect(res.status).toBe(303);
    const sessions = [...b.cookies.keys()].filter((name) => name.startsWith("__Host-portal_session-"));
    expect(sessions.sort()).toEqual([LAKESIDE_COOKIE, PORTAL_COOKIE].sort());
    // The throttle's device cookie (no session in it) is scoped to each agency's own portal.
    expect(cookieLine(b.lastSetCookie, "portal_device").attrs.get("path")).toBe(LAKESIDE_PORTAL);
    expect(await (await b.get(PORTAL)).text()).toContain(`Signed in as`);
    expect(await (await b.get(PORTAL)).text()).toContain(riverbend.username);
    expect(await (await b.get(LAKESIDE_PORTAL)).text()).toContain(lakeside.username);

    await b.post(`${LAKESIDE_PORTAL}/log-out`, {});
    expect(b.cookies.has(LAKESIDE_COOKIE)).toBe(false);
    expect(await (await b.get(PORTAL)).text()).toContain(riverbend.username);
  });

  it("one agency's token under another agency's cookie name opens nothing", async () => {
    const riverbend = await createSettledLogin();
    const b = new PortalBrowser();
    await b.signInReady(riverbend);
    const moved = new PortalBrowser();
    moved.cookies.set(LAKESIDE_COOKIE, b.cookies.get(PORTAL_COOKIE)!);
    const res = await moved.get(`${LAKESIDE_PORTAL}/activity`);
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe(`${LAKESIDE_PORTAL}?ended&next=${encodeURIComponent(`${LAKESIDE_PORTAL}/activity`)}`);
  });

  it("the staff cookie and the portal cookie never open each other, though both are sent everywhere now", async () => {
    const login = await createSettledLogin();
    const portal = new PortalBrowser();
    await portal.signInReady(login);
    const staff = await Browser.staff("admin@riverbend.test");
    const swapped = new Browser();
    swapped.cookies.set("__Host-staff_session", portal.cookies.get(PORTAL_COOKIE)!);
    expect((await swapped.get("/menu")).status).toBe(302);
    const other = new PortalBrowser();
    other.cookies.set(PORTAL_COOKIE, staff.cookies.get("__Host-staff_session")!);
    expect((await other.get(`${PORTAL}/activity`)).status).toBe(303);
  });
});
