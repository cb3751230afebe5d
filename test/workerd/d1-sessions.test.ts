/**
 * D1 Sessions API (src/db/session.ts): every request runs in one `withSession(…)` — reads start
 * `first-unconstrained` or at the browser's bookmark, writes and sign-in on the primary — and a
 * write's response carries the bookmark (its own session's, or the one the ClientLog returned after
 * writing D1 for it), so the same browser's next read starts at least there and sees the write.
 * Locally there are no replicas (every query is served by the primary): what can be asserted here
 * is the bookmark's round trip and that no query bypasses the session.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { app } from "../../src/index";
import { commitChange } from "../../src/clients/log";
import { BOOKMARK_COOKIE, databaseSession, newerBookmark } from "../../src/db/session";
import { browserOver, countingD1 } from "./d1-trips";
import { DEMO } from "./fixtures";
import { clientRow, faceSheetForm } from "./helpers";
import { PORTAL, PortalBrowser, createSettledLogin } from "./portal.fixtures";

const counter = countingD1(env.DB);

/** A browser whose requests go through the counting binding. */
const CountingBrowser = browserOver(counter.binding);

const bookmarkSet = (res: Response) =>
  res.headers
    .getSetCookie()
    .find((l) => l.startsWith(`${BOOKMARK_COOKIE}=`))
    ?.split(";")[0]!
    .slice(BOOKMARK_COOKIE.length + 1);

let staff: InstanceType<typeof CountingBrowser>;
beforeAll(async () => {
  staff = await CountingBrowser.staff("staff@riverbend.test");
});

describe("bookmark round trip (read-your-writes)", () => {
  it("a Face Sheet update sets the bookmark cookie; the next read starts there and shows the change", async () => {
    const before = staff.cookies.get(BOOKMARK_COOKIE) ?? null;
    const form = faceSheetForm(await clientRow(DEMO.maria), { residenceCity: "Bookmark Falls" });
    counter.reset();
    const saved = await staff.post(`/face-sheet/${DEMO.maria}`, form);
    expect(saved.status).toBe(303);
    expect(counter.log.sessions).toEqual(["first-primary"]);
    const cookie = saved.headers.getSetCookie().find((l) => l.startsWith(`${BOOKMARK_COOKIE}=`));
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/Secure/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\//);
    const bookmark = bookmarkSet(saved)!;
    // The ClientLog wrote the change for this request: the cookie is at least as new as that write.
    expect(newerBookmark(bookmark, before)).toBe(bookmark);
    expect(bookmark).not.toBe(before);

    counter.reset();
    const page = await staff.get(`/face-sheet/${DEMO.maria}`);
    expect(page.status).toBe(200);
    expect(counter.log.sessions).toEqual([bookmark]);
    expect(await page.text()).toContain("Bookmark Falls");
    // A read sets no cookie of its own.
    expect(bookmarkSet(page)).toBeUndefined();
  });

  it("the ClientLog returns the bookmark after its write, newer than one taken before it", async () => {
    const s = env.DB.withSession("first-primary");
    await s.prepare("SELECT 1").first();
    const earlier = s.getBookmark();
    const result = await commitChange(env, {
      agencyId: DEMO.riverbend,
      clientId: DEMO.james,
      statements: [{ sql: "UPDATE clients SET version = version + 1 WHERE id = ? AND agency_id = ?", params: [DEMO.james, DEMO.riverbend] }],
      entry: { actor: { type: "staff", id: 1, name: "Test" }, changeType: "Test", description: "bookmark", details: {} },
    });
    expect(result.committed).toBe(true);
    expect(result.bookmark).toBeTruthy();
    expect(newerBookmark(result.bookmark!, earlier)).toBe(result.bookmark);
    expect(result.bookmark).not.toBe(earlier);
  });

  it("portal sign-in runs on the primary and sets the cookie; Home then reads from that bookmark", async () => {
    const login = await createSettledLogin();
    const b = new PortalBrowser(undefined, { DB: counter.binding });
    counter.reset();
    const res = await b.signIn(login.username, login.password);
    expect(res.status).toBe(303);
    expect(counter.log.sessions).toEqual(["first-primary"]);
    const bookmark = b.cookies.get(BOOKMARK_COOKIE);
    expect(bookmark).toBeTruthy();
    counter.reset();
    expect((await b.get(PORTAL)).status).toBe(200);
    expect(counter.log.sessions).toEqual([bookmark]);
  });

  it("a read without a bookmark starts first-unconstrained; a malformed cookie is ignored", async () => {
    const b = new CountingBrowser();
    counter.reset();
    expect((await b.get("/sign-in")).status).toBe(200);
    b.cookies.set(BOOKMARK_COOKIE, "'; DROP TABLE clients; --");
    expect((await b.get("/sign-in")).status).toBe(200);
    expect(counter.log.sessions).toEqual(["first-unconstrained", "first-unconstrained"]);
  });
});

describe("every route uses the session", () => {
  it("the session middleware is installed before every route", () => {
    const at = app.routes.findIndex((r) => r.handler === databaseSession);
    expect(at).toBeGreaterThan(-1);
    const isMiddleware = (r: { method: string; path: string }) => r.method === "ALL" && r.path === "/*";
    const firstRoute = app.routes.findIndex((r) => !isMiddleware(r));
    expect(at).toBeLessThan(firstRoute);
  });

  it("no query of any GET route bypasses it (walked from the router)", async () => {
    const admin = await CountingBrowser.staff("admin@riverbend.test");
    const gets = [...new Set(app.routes.filter((r) => r.method === "GET" && !r.path.includes("*")).map((r) => r.path))];
    const url = (pattern: string) =>
      pattern.replace(/:(\w+)(\{[^}]*\})?/g, (_, name: string) => (name === "slug" ? "riverbend" : name === "clientId" ? String(DEMO.maria) : "1"));
    counter.reset();
    for (const path of gets) {
      const res = await admin.get(url(path));
      expect(res.status, path).toBeLessThan(500);
    }
    expect(counter.log.trips.length).toBeGreaterThan(gets.length);
    expect(counter.log.trips.filter((t) => !t.bound).map((t) => t.sql)).toEqual([]);
    // One session per request; the Agency Log page and its CSV read in a second one, started at
    // the bookmark of the AgencyLog's write of its waiting entries (agencyLogReader).
    const readAfterTheLogsWrite = gets.filter((p) => p.startsWith("/admin/agency-log")).length;
    expect(readAfterTheLogsWrite).toBe(2);
    expect(counter.log.sessions.length).toBe(gets.length + readAfterTheLogsWrite);
  });

  it("a portal write (log out) runs on the primary and nothing bypasses the session", async () => {
    const login = await createSettledLogin();
    const b = new PortalBrowser(undefined, { DB: counter.binding });
    await b.signIn(login.username, login.password);
    counter.reset();
    const res = await b.post(`${PORTAL}/log-out`, {});
    expect(res.status).toBe(303);
    expect(counter.log.sessions).toEqual(["first-primary"]);
    expect(counter.log.trips.filter((t) => !t.bound)).toEqual([]);
  });
});
