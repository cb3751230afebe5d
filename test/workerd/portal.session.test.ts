/**
 * Portal sessions: cookie, idle timeout, the session version and this device's session row checked
 * on every request (deactivate, staff reset, change elsewhere), log out (this device only), and
 * the separation of staff and portal sessions.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { SignJWT } from "jose";
import { sessionLimits, signSession } from "../../src/auth/session";
import { Browser } from "./fixtures";
import { nowSeconds, STAFF_COOKIE, staffRow, staffToken } from "./helpers";
import { PORTAL, PORTAL_COOKIE, PortalBrowser, createLogin, createSessionRow, createSettledLogin, lastSeq, logEntries, loginRow, sessionRows, sql } from "./portal.fixtures";

const ENDED = "Your session has ended. Please sign in again.";

/**
 * A portal token as the Worker would sign it, as of `now` (epoch seconds), naming a session row
 * (`sid`): by default a new row for the login at the token's version, as sign-in would make.
 */
async function portalToken(p: { loginId: number; ver?: number; aud?: string; agencyId?: number; authTime?: number; sid?: string | null }, now = nowSeconds()) {
  const sid = p.sid === undefined ? await createSessionRow(p.loginId, { version: p.ver ?? 1, createdAt: (p.authTime ?? now) * 1000 }) : p.sid;
  return signSession(
    env.SESSION_SECRET,
    { sub: String(p.loginId), aud: p.aud ?? "portal:riverbend", agencyId: p.agencyId ?? 1, authTime: p.authTime ?? now, ver: p.ver ?? 1, ...(sid ? { sid } : {}) },
    sessionLimits(env),
    now,
  );
}

function withPortalCookie(token: string): PortalBrowser {
  const b = new PortalBrowser();
  b.cookies.set(PORTAL_COOKIE, token);
  return b;
}

async function isSignedIn(b: PortalBrowser): Promise<boolean> {
  const res = await b.get(`${PORTAL}/activity`);
  return res.status === 200;
}

describe("the session version, checked on every request", () => {
  it("ends the session at once when staff make the login inactive", async () => {
    const login = await createSettledLogin();
    const b = new PortalBrowser();
    await b.signInReady(login);
    expect(await isSignedIn(b)).toBe(true);
    // What the staff side's Save does when Active is cleared.
    await sql("UPDATE portal_logins SET active = 0, session_version = session_version + 1 WHERE id = ?", login.id);
    const res = await b.get(`${PORTAL}/activity`);
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe(`${PORTAL}?ended&next=${encodeURIComponent(`${PORTAL}/activity`)}`);
    expect(b.cookies.has(PORTAL_COOKIE)).toBe(false);
    expect(await (await b.get(res.headers.get("Location")!)).text()).toContain(ENDED);
  });

  it("ends it even if only `active` changed (no version bump)", async () => {
    const login = await createSettledLogin();
    const b = new PortalBrowser();
    await b.signInReady(login);
    await sql("UPDATE portal_logins SET active = 0 WHERE id = ?", login.id);
    expect(await isSignedIn(b)).toBe(false);
    expect(b.cookies.has(PORTAL_COOKIE)).toBe(false);
  });

  it("ends the session when staff reset the password (version + 1)", async () => {
    const login = await createSettledLogin();
    const b = new PortalBrowser();
    await b.signInReady(login);
    await sql(
      "UPDATE portal_logins SET session_version = session_version + 1, must_change_password = 1, temp_password_expires_at = ?, failed_attempts = 0, locked_until = NULL WHERE id = ?",
      Date.now() + 72 * 3600_000,
      login.id,
    );
    const home = await b.get(PORTAL);
    expect(await home.text()).toContain(ENDED);
    expect(await isSignedIn(b)).toBe(false);
  });

  it("ends a session begun with a temporary password once that password has expired", async () => {
    const login = await createLogin();
    const b = new PortalBrowser();
    await b.signIn(login.username, login.password);
    expect((await b.get(`${PORTAL}/change-password`)).status).toBe(200);
    await sql("UPDATE portal_logins SET temp_password_expires_at = ? WHERE id = ?", Date.now() - 1, login.id);
    const res = await b.get(`${PORTAL}/change-password`);
    expect(res.headers.get("Location")).toBe(`${PORTAL}?ended&next=${encodeURIComponent(`${PORTAL}/change-password`)}`);
  });

  it("refuses a token with an older version, another agency, a bad signature or another login's id", async () => {
    const login = await createSettledLogin();
    await sql("UPDATE portal_logins SET session_version = 3 WHERE id = ?", login.id);
    expect(await isSignedIn(withPortalCookie(await portalToken({ loginId: login.id, ver: 3 })))).toBe(true);
    expect(await isSignedIn(withPortalCookie(await portalToken({ loginId: login.id, ver: 2 })))).toBe(false);
    expect(await isSignedIn(withPortalCookie(await portalToken({ loginId: login.id, ver: 3, agencyId: 2 })))).toBe(false);
    expect(await isSignedIn(withPortalCookie(await portalToken({ loginId: login.id, ver: 3, aud: "portal:lakeside" })))).toBe(false);
    const good = await portalToken({ loginId: login.id, ver: 3 });
    const tampered = good.slice(0, -3) + (good.endsWith("AAA") ? "BBB" : "AAA");
    expect(await isSignedIn(withPortalCookie(tampered))).toBe(false);
    // A Lakeside client's login id under a Riverbend token opens nothing.
    const lakeside = await createSettledLogin({ agencyId: 2, clientId: 13 });
    expect(await isSignedIn(withPortalCookie(await portalToken({ loginId: lakeside.id })))).toBe(false);
  });
});

describe("idle timeout", () => {
  it("ends a session idle for longer than SESSION_IDLE_MINUTES (15 by default)", async () => {
    const login = await createSettledLogin();
    const limits = sessionLimits(env);
    expect(limits.idleSeconds).toBe(15 * 60);
    const now = nowSeconds();
    const fresh = await portalToken({ loginId: login.id, authTime: now - 20 * 60 }, now - 14 * 60);
    expect(await isSignedIn(withPortalCookie(fresh))).toBe(true);
    const idle = await portalToken({ loginId: login.id, authTime: now - 20 * 60 }, now - 16 * 60);
    const b = withPortalCookie(idle);
    expect(await isSignedIn(b)).toBe(false);
    expect(await (await b.get(PORTAL)).text()).not.toContain("Signed in as");
  });

  it("slides the timeout: a request after a minute re-issues the cookie", async () => {
    const login = await createSettledLogin();
    const b = withPortalCookie(await portalToken({ loginId: login.id }, nowSeconds() - 120));
    const before = b.cookies.get(PORTAL_COOKIE);
    expect(await isSignedIn(b)).toBe(true);
    expect(b.lastSetCookie.some((l) => l.startsWith(`${PORTAL_COOKIE}=`) && /Path=\/(;|$)/.test(l))).toBe(true);
    expect(b.cookies.get(PORTAL_COOKIE)).not.toBe(before);
  });

  it("reads the idle limit from the environment", () => {
    expect(sessionLimits({ SESSION_IDLE_MINUTES: "5" }).idleSeconds).toBe(300);
    expect(sessionLimits({}).idleSeconds).toBe(900);
  });
});

describe("tokens without an expiry", () => {
  it("refuses a portal token without exp, though signed with the real secret", async () => {
    const login = await createSettledLogin();
    const now = nowSeconds();
    const token = await new SignJWT({ agencyId: 1, auth_time: now, ver: 1 })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(String(login.id))
      .setAudience("portal:riverbend")
      .setIssuedAt(now)
      .sign(new TextEncoder().encode(env.SESSION_SECRET));
    expect(await isSignedIn(withPortalCookie(token))).toBe(false);
  });
});

describe("log out", () => {
  it("records Logout and clears the cookie", async () => {
    const login = await createSettledLogin();
    const b = new PortalBrowser();
    await b.signInReady(login);
    const before = await lastSeq(login.clientId);
    const res = await b.post(`${PORTAL}/log-out`, {});
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe(`${PORTAL}?logged-out`);
    const cleared = b.lastSetCookie.find((l) => l.startsWith(`${PORTAL_COOKIE}=`))!;
    expect(cleared).toMatch(/Max-Age=0/i);
    expect(cleared).toMatch(/Path=\/(;|$)/);
    expect(b.cookies.has(PORTAL_COOKIE)).toBe(false);
    expect(await (await b.get(`${PORTAL}?logged-out`)).text()).toContain("You have logged out.");

    const entries = await logEntries(login.clientId, before);
    expect(entries.map((e) => [e.change_type, e.description])).toEqual([["Logout", `Patient Portal logout by ${login.username}`]]);
    expect(JSON.parse(entries[0]!.details).portal).toEqual({ action: "Logout", description: `Patient Portal logout by ${login.username}` });
    // This device's session is ended on the server; the login's version (every device's) is not moved.
    expect((await loginRow(login.id)).session_version).toBe(1);
    const rows = await sessionRows(login.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.ended_at).not.toBeNull();
  });

  it("revokes the token: a copy of the cookie stops working after Log out", async () => {
    const login = await createSettledLogin();
    const b = new PortalBrowser();
    await b.signInReady(login);
    const copy = new PortalBrowser();
    copy.cookies = new Map(b.cookies);
    expect(await (await copy.get(PORTAL)).text()).toContain("Signed in as");
    await b.post(`${PORTAL}/log-out`, {});
    expect(await (await copy.get(PORTAL)).text()).not.toContain("Signed in as");
    // Signing in again works (signInReady throws otherwise).
    await new PortalBrowser().signInReady(login);
  });

  it("does nothing but redirect without a session, and is POST only", async () => {
    const before = await lastSeq(1);
    const res = await new PortalBrowser().post(`${PORTAL}/log-out`, {});
    expect(res.status).toBe(303);
    expect(await logEntries(1, before)).toEqual([]);
    expect((await new PortalBrowser().get(`${PORTAL}/log-out`)).status).toBe(404);
  });

  it("refuses a cross-site log-out POST (CSRF)", async () => {
    const login = await createSettledLogin();
    const b = new PortalBrowser();
    await b.signInReady(login);
    const res = await b.fetch(`${PORTAL}/log-out`, { method: "POST", body: "", headers: { Origin: "https://evil.example", "Content-Type": "application/x-www-form-urlencoded" } });
    expect(res.status).toBe(403);
    expect(await isSignedIn(b)).toBe(true);
  });
});

describe("staff and portal sessions never open each other", () => {
  it("a portal token, in either cookie, never opens the staff app", async () => {
    const login = await createSettledLogin();
    const b = new PortalBrowser();
    await b.signInReady(login);
    const staffTab = new Browser();
    staffTab.cookies = new Map(b.cookies);
    const menu = await staffTab.get("/menu");
    expect(menu.status).toBe(302);
    expect(menu.headers.get("Location")).toMatch(/^\/sign-in/);
    staffTab.cookies = new Map([[STAFF_COOKIE, b.cookies.get(PORTAL_COOKIE)!]]);
    const face = await staffTab.get("/face-sheet/1");
    expect(face.status).toBe(302);
    expect(face.headers.get("Location")).toMatch(/^\/sign-in/);
  });

  it("a staff token, in either cookie, never opens the portal", async () => {
    const staff = await staffRow("admin@riverbend.test");
    const now = nowSeconds();
    const token = await staffToken({ sub: staff.id, agencyId: 1, authTime: now }, now);
    const b = withPortalCookie(token);
    expect(await isSignedIn(b)).toBe(false);
    const c = new PortalBrowser();
    c.cookies.set(STAFF_COOKIE, token);
    expect(await isSignedIn(c)).toBe(false);
    // Even a staff-shaped token whose subject is a portal login's id.
    const login = await createSettledLogin();
    const forged = await staffToken({ sub: login.id, agencyId: 1, authTime: now }, now);
    expect(await isSignedIn(withPortalCookie(forged))).toBe(false);
  });
});
