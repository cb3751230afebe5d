/**
 * Staff sessions: each sign-in is a row (device, address, last seen) named by the token's `sid`;
 * a token whose row has ended, or belongs to someone else, opens nothing. Sign-out ends this
 * session only; a password change ends the others; "Your sessions" lists only the member's own
 * open sessions, this device marked, and signs any other one out.
 */
import { env } from "cloudflare:test";
import { decodeJwt } from "jose";
import { afterEach, describe, expect, it, vi } from "vitest";
import { deviceSummary } from "../../src/auth/device";
import { STAFF_COOKIE } from "../../src/auth/staff-session";
import { noticeText, alertText } from "./helpers";
import { adminTables, sessionRows, signedIn, signedInMember, stillSignedIn } from "./staff-admin.fixtures";
import { goodPassword, StaffBrowser } from "./staff-credentials.fixtures";
import { issueLink } from "../../src/staff-credentials/links";
import { database } from "../../src/db";
import { keepCookies } from "./fixtures";

afterEach(() => {
  vi.restoreAllMocks();
});

const FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0";
const SAFARI_IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Mobile/15E148 Safari/604.1";

const sidOf = (b: StaffBrowser) => decodeJwt(b.cookies.get(STAFF_COOKIE)!).sid as string;

describe("a sign-in's session", () => {
  it("records device (browser and system), address and times, and carries its id in the token", async () => {
    const started = Date.now();
    const { member } = await signedInMember();
    const b = await signedIn(member.email, member.password!, { ip: "198.51.100.7", userAgent: FIREFOX_LINUX });
    const rows = await sessionRows(member.id);
    const row = rows.at(-1)!;
    expect(row).toMatchObject({ id: sidOf(b), agency_id: 1, device: "Firefox on Linux", address: "198.51.100.7", ended_at: null });
    expect(row.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(row.created_at).toBeGreaterThanOrEqual(started);
    expect(row.last_seen_at).toBe(row.created_at);
  });

  it("refuses a token whose session has ended, even though it is signed and unexpired", async () => {
    const { browser } = await signedInMember();
    await env.DB.prepare("UPDATE staff_sessions SET ended_at = ? WHERE id = ?").bind(Date.now(), sidOf(browser)).run();
    expect(await stillSignedIn(browser)).toBe(false);
  });

  it("refuses a token that names another member's session", async () => {
    const a = await signedInMember();
    const b = await signedInMember();
    // Even a validly signed token can't borrow another member's session: the row must be its subject's.
    const { signSession, sessionLimits } = await import("../../src/auth/session");
    const claims = decodeJwt(b.browser.cookies.get(STAFF_COOKIE)!);
    const now = Math.floor(Date.now() / 1000);
    const forged = await signSession(env.SESSION_SECRET, { sub: String(claims.sub), aud: "staff", agencyId: 1, authTime: now, ver: Number(claims.ver), sid: sidOf(a.browser) }, sessionLimits(env), now);
    const x = new StaffBrowser();
    x.cookies.set(STAFF_COOKIE, forged);
    expect(await stillSignedIn(x)).toBe(false);
  });

  it("refuses a token without a session id (made before sessions were recorded)", async () => {
    const { browser } = await signedInMember();
    const { signSession, sessionLimits } = await import("../../src/auth/session");
    const claims = decodeJwt(browser.cookies.get(STAFF_COOKIE)!);
    const now = Math.floor(Date.now() / 1000);
    const old = await signSession(env.SESSION_SECRET, { sub: String(claims.sub), aud: "staff", agencyId: 1, authTime: now, ver: Number(claims.ver) }, sessionLimits(env), now);
    const x = new StaffBrowser();
    x.cookies.set(STAFF_COOKIE, old);
    expect(await stillSignedIn(x)).toBe(false);
  });

  it("moves last_seen_at at most once a minute, together with the cookie refresh", async () => {
    const { member, browser } = await signedInMember();
    const sid = sidOf(browser);
    // A minute ago: the next request refreshes the cookie and the row.
    await env.DB.prepare("UPDATE staff_sessions SET last_seen_at = last_seen_at - 120000 WHERE id = ?").bind(sid).run();
    const { signSession, sessionLimits } = await import("../../src/auth/session");
    const claims = decodeJwt(browser.cookies.get(STAFF_COOKIE)!);
    const twoMinutesAgo = Math.floor(Date.now() / 1000) - 120;
    browser.cookies.set(
      STAFF_COOKIE,
      await signSession(env.SESSION_SECRET, { sub: String(claims.sub), aud: "staff", agencyId: 1, authTime: Number(claims.auth_time), ver: Number(claims.ver), sid }, sessionLimits(env), twoMinutesAgo),
    );
    const before = (await sessionRows(member.id)).at(-1)!.last_seen_at;
    expect(await stillSignedIn(browser)).toBe(true);
    const touched = (await sessionRows(member.id)).at(-1)!.last_seen_at;
    expect(touched).toBeGreaterThan(before + 100_000);
    expect(browser.lastSetCookie.some((c) => c.startsWith(`${STAFF_COOKIE}=`))).toBe(true);
    // Right after, nothing moves.
    expect(await stillSignedIn(browser)).toBe(true);
    expect((await sessionRows(member.id)).at(-1)!.last_seen_at).toBe(touched);
    expect(browser.lastSetCookie.some((c) => c.startsWith(`${STAFF_COOKIE}=`))).toBe(false);
  });

  it("sign-out ends this session only: a copy of its cookie stops, the member's other device carries on", async () => {
    const { member, browser } = await signedInMember();
    const other = await signedIn(member.email, member.password!);
    const copy = new StaffBrowser();
    keepCookies(copy.cookies, [`${STAFF_COOKIE}=${browser.cookies.get(STAFF_COOKIE)}`]);
    expect((await browser.post("/sign-out", {})).status).toBe(303);
    expect(await stillSignedIn(copy)).toBe(false);
    expect(await stillSignedIn(other)).toBe(true);
    expect((await sessionRows(member.id)).map((s) => s.ended_at !== null)).toEqual([true, false]);
  });

  it("a password change ends the other sessions' rows and keeps this one", async () => {
    const { member, browser } = await signedInMember();
    const other = await signedIn(member.email, member.password!);
    const password = goodPassword();
    const res = await browser.post("/account/password", { currentPassword: member.password!, newPassword: password, confirmPassword: password });
    expect(res.status).toBe(303);
    const rows = await sessionRows(member.id);
    expect(rows.map((s) => [s.id === sidOf(browser), s.ended_at !== null])).toEqual([
      [true, false],
      [false, true],
    ]);
    expect(await stillSignedIn(browser)).toBe(true);
    expect(await stillSignedIn(other)).toBe(false);
  });

  it("setting a password through a link ends every earlier session's row and starts a new one", async () => {
    const { member, browser } = await signedInMember();
    const link = await issueLink(database(env.DB), { email: member.email, purpose: "reset", now: Date.now() });
    const fresh = new StaffBrowser();
    await fresh.openLink(`/staff-link/${link!.token}`);
    const password = goodPassword();
    expect((await fresh.post("/staff-link", { newPassword: password, confirmPassword: password })).status).toBe(303);
    const rows = await sessionRows(member.id);
    expect(rows.map((s) => [s.id === sidOf(fresh), s.ended_at !== null])).toEqual([
      [false, true],
      [true, false],
    ]);
    expect(await stillSignedIn(browser)).toBe(false);
    expect(await stillSignedIn(fresh)).toBe(true);
  });
});

describe("Your sessions", () => {
  it("lists the member's own open sessions — this device marked — and nobody else's", async () => {
    const { member } = await signedInMember();
    const here = await signedIn(member.email, member.password!, { ip: "198.51.100.20", userAgent: FIREFOX_LINUX });
    await signedIn(member.email, member.password!, { ip: "198.51.100.21", userAgent: SAFARI_IPHONE });
    const ended = await signedIn(member.email, member.password!, { ip: "198.51.100.22" });
    await ended.post("/sign-out", {});
    const someoneElse = await signedInMember();
    await signedIn(someoneElse.member.email, someoneElse.member.password!, { ip: "198.51.100.99" });

    const res = await here.get("/account/sessions");
    expect(res.status).toBe(200);
    const html = await res.text();
    const items = html.split('<li class="session').slice(1).map((li) => li.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim());
    // The first sign-in (signedInMember's) is there too: 3 open sessions, this device first.
    expect(items).toHaveLength(3);
    expect(items[0]).toMatch(/^current"> Firefox on Linux This device Address 198\.51\.100\.20 Signed in .* Last seen Now Sign out$/);
    expect(items.some((i) => /Safari on iOS Address 198\.51\.100\.21 Signed in .* Last seen .*[AP]M Sign out$/.test(i))).toBe(true);
    expect(html).not.toContain("198.51.100.22");
    expect(html).not.toContain("198.51.100.99");
    expect(html).toContain('<a href="/account/sessions">Sessions</a>');
  });

  it("signs another of the member's sessions out: that device's next request lands at sign-in", async () => {
    const { member, browser } = await signedInMember({ name: "Sid Sessions" });
    const phone = await signedIn(member.email, member.password!, { userAgent: SAFARI_IPHONE });
    const phoneSession = sidOf(phone);
    const res = await browser.post(`/account/sessions/${phoneSession}/end`, {});
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/account/sessions?ended=1");
    expect(noticeText(await (await browser.get("/account/sessions?ended=1")).text())).toBe("That session was signed out.");
    expect(await stillSignedIn(phone)).toBe(false);
    expect(await stillSignedIn(browser)).toBe(true);
    // Twice: it had already ended.
    const again = await browser.post(`/account/sessions/${phoneSession}/end`, {});
    expect(again.headers.get("Location")).toBe("/account/sessions?ended=already");
    expect(alertText(await (await browser.get("/account/sessions?ended=already")).text())).toBe("That session had already ended.");
  });

  it("answers 404 for another member's session (or none), writing nothing, logged", async () => {
    const mine = await signedInMember();
    const theirs = await signedInMember();
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const before = await adminTables();
    for (const id of [sidOf(theirs.browser), "AAAAAAAAAAAAAAAAAAAAAA"]) {
      expect((await mine.browser.post(`/account/sessions/${id}/end`, {})).status).toBe(404);
    }
    expect(await adminTables()).toEqual(before);
    expect(await stillSignedIn(theirs.browser)).toBe(true);
    expect(warn.mock.calls).toHaveLength(2);
    expect(String(warn.mock.calls[0]![0])).not.toContain(sidOf(theirs.browser));
  });

  it("answers 404 to a malformed session id", async () => {
    const { browser } = await signedInMember();
    expect((await browser.post("/account/sessions/not%20an%20id!/end", {})).status).toBe(404);
  });

  it("does not end this device's session from the list (that is Sign out)", async () => {
    const { browser } = await signedInMember();
    const res = await browser.post(`/account/sessions/${sidOf(browser)}/end`, {});
    expect(res.headers.get("Location")).toBe("/account/sessions");
    expect(await stillSignedIn(browser)).toBe(true);
  });

  it("sends a visitor without a session to sign-in", async () => {
    const res = await new StaffBrowser().get("/account/sessions");
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe("/sign-in?next=%2Faccount%2Fsessions");
  });
});

describe("device summary", () => {
  it.each([
    [FIREFOX_LINUX, "Firefox on Linux"],
    [SAFARI_IPHONE, "Safari on iOS"],
    ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36 Edg/140.0.0.0", "Edge on Windows"],
    ["Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36", "Chrome on macOS"],
    ["Mozilla/5.0 (Linux; Android 15; Pixel 9) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Mobile Safari/537.36", "Chrome on Android"],
    ["Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36", "Chrome on Linux"],
    ["curl/8.5.0", "Unknown browser"],
    [undefined, "Unknown browser"],
  ])("%s → %s", (ua, expected) => {
    expect(deviceSummary(ua)).toBe(expected);
  });
});
