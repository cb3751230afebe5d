/**
 * A portal login's sessions, one per device: Home says since when this device is signed in; Devices
 * lists the login's active sessions (browser, approximate place, last seen) and no one else's;
 * ending another device's session sends that device to sign-in on its next request; Log out ends
 * only this device's session; Log out everywhere and a password change end the others. The last
 * seen time moves at most once a minute, with the cookie. Spent rows are purged.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { sessionLimits, signSession } from "../../src/auth/session";
import { cityOf, countryOf, deviceSummary, placeText } from "../../src/portal/device";
import { purgeSpentSessions } from "../../src/portal/sessions";
import { database } from "../../src/db";
import { nowSeconds } from "./helpers";
import { createPortalAgency, signedInLogin } from "./portal-passkeys.fixtures";
import {
  PORTAL,
  PORTAL_COOKIE,
  PortalBrowser,
  createSessionRow,
  createSettledLogin,
  decode,
  freshPassphrase,
  lastSeq,
  logEntries,
  loginRow,
  sessionRows,
  sql,
  type CreatedLogin,
} from "./portal.fixtures";

const ANDROID_CHROME = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36";
const IPHONE_SAFARI = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1";

/** A tab that presents itself as a given browser from a given place. */
class DeviceTab extends PortalBrowser {
  constructor(private extra: Record<string, string>) {
    super();
  }
  override fetch(path: string, init: RequestInit = {}) {
    const headers = new Headers(init.headers);
    for (const [k, v] of Object.entries(this.extra)) if (!headers.has(k)) headers.set(k, v);
    return super.fetch(path, { ...init, headers });
  }
}

/** Signs `login` in on a new tab with these headers. */
async function signInOn(login: CreatedLogin, headers: Record<string, string> = {}): Promise<DeviceTab> {
  const b = new DeviceTab(headers);
  const res = await b.signIn(login.username, login.password);
  if (res.status !== 303) throw new Error(`sign-in: ${res.status}`);
  return b;
}

async function isSignedIn(b: PortalBrowser): Promise<boolean> {
  return (await b.get(`${PORTAL}/activity`)).status === 200;
}

/** The Devices page's entries as "device | place | last seen", this device marked. */
function deviceEntries(html: string): string[] {
  return [...html.matchAll(/<li class="device" aria-label="([^"]*)">([\s\S]*?)<\/li>/g)].map((m) => {
    const dd = [...m[2]!.matchAll(/<dd>([\s\S]*?)<\/dd>/g)].map((d) => decode(d[1]!.replace(/<[^>]+>/g, "")).trim());
    return [decode(m[1]!), dd[0], dd[2]].join(" | ");
  });
}

/** The session id of a tab's current session (its newest row for the login). */
async function newestSessionId(loginId: number): Promise<string> {
  return (await sessionRows(loginId)).at(-1)!.id;
}

describe("Home", () => {
  it("says since when this device has been signed in", async () => {
    const login = await createSettledLogin();
    const b = await signInOn(login);
    const [row] = await sessionRows(login.id);
    const html = await (await b.get(PORTAL)).text();
    expect(html).toMatch(new RegExp(`Signed in on this device since <time datetime="${new Date(row!.created_at).toISOString()}">\\d{1,2}/\\d{1,2}/\\d{4} \\d{1,2}:\\d{2}:\\d{2} [AP]M</time>\\.`));
    expect(html).toContain(`<a href="${PORTAL}/devices">Devices</a>`);
  });
});

describe("the Devices page", () => {
  it("lists the login's active sessions — browser, place, last seen — this device first and marked, nobody else's", async () => {
    const login = await createSettledLogin();
    const phone = await signInOn(login, { "User-Agent": ANDROID_CHROME, "CF-IPCountry": "US", "CF-IPCity": "Austin" });
    const iphone = await signInOn(login, { "User-Agent": IPHONE_SAFARI, "CF-IPCountry": "XX" });
    // Another login's session, an ended one and an idle one of this login: none of them listed.
    await signInOn(await createSettledLogin(), { "User-Agent": "Firefox/130.0" });
    await createSessionRow(login.id, { device: "Ended tab" }).then((id) => sql("UPDATE portal_sessions SET ended_at = ? WHERE id = ?", Date.now(), id));
    await createSessionRow(login.id, { device: "Idle tab", lastSeenAt: Date.now() - 16 * 60_000 });

    const res = await iphone.get(`${PORTAL}/devices`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(deviceEntries(html)).toEqual(["Safari on iPhone (this device) | Unknown | Now", expect.stringMatching(/^Chrome on Android \| Austin, United States \| \d+\/\d+\/\d{4} /)]);
    expect(html).toContain("Ends every session of " + login.username + ", on this device and 1 other.");
    const rows = await sessionRows(login.id);
    expect(rows.find((r) => r.device === "Chrome on Android")).toMatchObject({ country: "US", city: "Austin", method: "password", agency_id: 1 });
    expect(rows.find((r) => r.device === "Safari on iPhone")).toMatchObject({ country: null, city: null });
    expect(await isSignedIn(phone)).toBe(true);
  });

  it("needs a session", async () => {
    const res = await new PortalBrowser().get(`${PORTAL}/devices`);
    expect(res.status).toBe(303);
    // To sign-in, which returns to the page asked for.
    expect(res.headers.get("Location")).toBe(`${PORTAL}?next=${encodeURIComponent(`${PORTAL}/devices`)}`);
  });
});

describe("ending a session from Devices", () => {
  it("ends another device's session: its next request lands at sign-in; this device stays; logged", async () => {
    const login = await createSettledLogin();
    const other = await signInOn(login, { "User-Agent": ANDROID_CHROME, "CF-IPCountry": "CA", "CF-IPCity": "Toronto" });
    const otherId = await newestSessionId(login.id);
    const here = await signInOn(login, { "User-Agent": IPHONE_SAFARI });
    const before = await lastSeq(login.clientId);

    const res = await here.post(`${PORTAL}/devices/${otherId}/end`, {});
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe(`${PORTAL}/devices?done=ended`);
    const page = await (await here.get(`${PORTAL}/devices?done=ended`)).text();
    expect(page).toContain("That session has ended.");
    expect(deviceEntries(page)).toEqual(["Safari on iPhone (this device) | Unknown | Now"]);

    const next = await other.get(`${PORTAL}/activity`);
    expect(next.status).toBe(303);
    expect(next.headers.get("Location")).toBe(`${PORTAL}?ended&next=${encodeURIComponent(`${PORTAL}/activity`)}`);
    expect(other.cookies.has(PORTAL_COOKIE)).toBe(false);
    expect(await isSignedIn(here)).toBe(true);

    const entries = await logEntries(login.clientId, before);
    expect(entries.map((e) => [e.change_type, e.description])).toEqual([["Logout", `Patient Portal logout by ${login.username}`]]);
    expect(JSON.parse(entries[0]!.details).lines).toEqual(["Session on Chrome on Android (Toronto, Canada) ended from Devices on another device."]);
    expect((await loginRow(login.id)).session_version).toBe(1);
  });

  it("answers another login's session, another agency's, an ended one or a malformed id with 404 and changes nothing", async () => {
    const { login, b } = await signedInLogin();
    const someoneElse = await createSettledLogin();
    await signInOn(someoneElse);
    const theirs = await newestSessionId(someoneElse.id);
    const agency = await createPortalAgency();
    const foreignLogin = await createSettledLogin({ agencyId: agency.id, clientId: agency.clientId });
    const foreign = await createSessionRow(foreignLogin.id, { agencyId: agency.id });
    const ended = await createSessionRow(login.id);
    await sql("UPDATE portal_sessions SET ended_at = 1 WHERE id = ?", ended);
    const before = await lastSeq(login.clientId);

    for (const id of [theirs, foreign, ended, "not-a-session", "x".repeat(23)]) {
      expect((await b.post(`${PORTAL}/devices/${id}/end`, {})).status, id).toBe(404);
    }
    expect((await sessionRows(someoneElse.id)).every((r) => r.ended_at === null)).toBe(true);
    expect((await sessionRows(foreignLogin.id))[0]!.ended_at).toBeNull();
    expect(await logEntries(login.clientId, before)).toEqual([]);
    expect(await isSignedIn(b)).toBe(true);
  });

  it("ending this device's own session signs it out", async () => {
    const { login, b } = await signedInLogin();
    const res = await b.post(`${PORTAL}/devices/${await newestSessionId(login.id)}/end`, {});
    expect(res.headers.get("Location")).toBe(`${PORTAL}?logged-out`);
    expect(await isSignedIn(b)).toBe(false);
  });

  it("refuses a cross-site POST (CSRF), and without a session sends the browser to sign-in", async () => {
    const login = await createSettledLogin();
    const other = await signInOn(login);
    const otherId = await newestSessionId(login.id);
    const here = await signInOn(login);
    const cross = await here.fetch(`${PORTAL}/devices/${otherId}/end`, { method: "POST", body: "", headers: { Origin: "https://evil.example", "Content-Type": "application/x-www-form-urlencoded" } });
    expect(cross.status).toBe(403);
    expect((await new PortalBrowser().post(`${PORTAL}/devices/${otherId}/end`, {})).status).toBe(303);
    expect(await isSignedIn(other)).toBe(true);
  });
});

describe("Log out and Log out everywhere", () => {
  it("Log out ends only this device's session: the other device stays signed in", async () => {
    const login = await createSettledLogin();
    const laptop = await signInOn(login);
    const phone = await signInOn(login);
    expect((await phone.post(`${PORTAL}/log-out`, {})).headers.get("Location")).toBe(`${PORTAL}?logged-out`);
    expect(await isSignedIn(phone)).toBe(false);
    expect(await isSignedIn(laptop)).toBe(true);
    expect((await loginRow(login.id)).session_version).toBe(1);
  });

  it("Log out everywhere ends every session of the login, logged once", async () => {
    const login = await createSettledLogin();
    const laptop = await signInOn(login);
    const phone = await signInOn(login);
    const bystander = await signInOn(await createSettledLogin());
    const before = await lastSeq(login.clientId);
    const res = await phone.post(`${PORTAL}/log-out-everywhere`, {});
    expect(res.headers.get("Location")).toBe(`${PORTAL}?logged-out`);
    expect(await isSignedIn(phone)).toBe(false);
    expect(await isSignedIn(laptop)).toBe(false);
    expect(await isSignedIn(bystander)).toBe(true);
    expect((await loginRow(login.id)).session_version).toBe(2);
    expect((await sessionRows(login.id)).every((r) => r.ended_at !== null)).toBe(true);
    const entries = await logEntries(login.clientId, before);
    expect(entries.map((e) => [e.change_type, JSON.parse(e.details).lines])).toEqual([["Logout", ["Logged out on every device."]]]);
    // Signing in again works.
    await signInOn(login);
  });

  it("a password change keeps this device's session and ends the others", async () => {
    const login = await createSettledLogin();
    const other = await signInOn(login);
    const here = await signInOn(login);
    const hereId = await newestSessionId(login.id);
    const next = freshPassphrase();
    const res = await here.post(`${PORTAL}/change-password`, { currentPassword: login.password, newPassword: next, confirmPassword: next });
    expect(res.headers.get("Location")).toBe(`${PORTAL}?password-changed`);
    expect(await isSignedIn(here)).toBe(true);
    expect(await isSignedIn(other)).toBe(false);
    const rows = await sessionRows(login.id);
    expect(rows.find((r) => r.id === hereId)).toMatchObject({ session_version: 2, ended_at: null });
    expect(deviceEntries(await (await here.get(`${PORTAL}/devices`)).text())).toHaveLength(1);
  });
});

describe("last seen", () => {
  it("moves at most once a minute, when the cookie is refreshed", async () => {
    const login = await createSettledLogin();
    const long = Date.now() - 10 * 60_000;
    const sid = await createSessionRow(login.id, { createdAt: long, lastSeenAt: long });
    const token = (iat: number) =>
      signSession(env.SESSION_SECRET, { sub: String(login.id), aud: "portal:riverbend", agencyId: 1, authTime: Math.floor(long / 1000), ver: 1, sid }, sessionLimits(env), iat);
    const b = new PortalBrowser();
    // Refreshed 30 s ago: nothing moves.
    b.cookies.set(PORTAL_COOKIE, await token(nowSeconds() - 30));
    expect(await isSignedIn(b)).toBe(true);
    expect((await sessionRows(login.id))[0]!.last_seen_at).toBe(long);
    // Refreshed 2 minutes ago: the cookie is re-issued and last seen moves with it.
    b.cookies.set(PORTAL_COOKIE, await token(nowSeconds() - 120));
    expect(await isSignedIn(b)).toBe(true);
    expect(b.lastSetCookie.some((l) => l.startsWith(`${PORTAL_COOKIE}=`))).toBe(true);
    expect((await sessionRows(login.id))[0]!.last_seen_at).toBeGreaterThan(Date.now() - 5_000);
  });

  it("a token without a session id (from before sessions per device) opens nothing", async () => {
    const login = await createSettledLogin();
    const b = new PortalBrowser();
    b.cookies.set(
      PORTAL_COOKIE,
      await signSession(env.SESSION_SECRET, { sub: String(login.id), aud: "portal:riverbend", agencyId: 1, authTime: nowSeconds(), ver: 1 }, sessionLimits(env), nowSeconds()),
    );
    expect(await isSignedIn(b)).toBe(false);
  });
});

describe("the hourly purge", () => {
  it("deletes session rows spent for a day and keeps the rest", async () => {
    const login = await createSettledLogin();
    const now = Date.now();
    const day = 24 * 3_600_000;
    const active = await createSessionRow(login.id);
    const recentlyEnded = await createSessionRow(login.id);
    await sql("UPDATE portal_sessions SET ended_at = ? WHERE id = ?", now - 60_000, recentlyEnded);
    const longEnded = await createSessionRow(login.id);
    await sql("UPDATE portal_sessions SET ended_at = ? WHERE id = ?", now - day - 60_000, longEnded);
    await createSessionRow(login.id, { createdAt: now - 2 * day, lastSeenAt: now - 2 * day });
    await purgeSpentSessions(database(env.DB), sessionLimits(env), now);
    expect((await sessionRows(login.id)).map((r) => r.id).sort()).toEqual([active, recentlyEnded].sort());
  });
});

describe("what is said about a device", () => {
  it.each([
    [ANDROID_CHROME, "Chrome on Android"],
    [IPHONE_SAFARI, "Safari on iPhone"],
    ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0", "Edge on Windows"],
    ["Mozilla/5.0 (Macintosh; Intel Mac OS X 14.7; rv:132.0) Gecko/20100101 Firefox/132.0", "Firefox on Mac"],
    ["Mozilla/5.0 (Linux; Android 14; SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36", "Samsung Internet on Android"],
    ["Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36", "Chrome on Linux"],
    ["curl/8.5.0", "Unknown browser"],
    [undefined, "Unknown browser"],
  ])("summarises %s as %s", (ua, summary) => {
    expect(deviceSummary(ua)).toBe(summary);
  });

  it("reads the place headers, ignoring unknown and Tor countries and odd cities", () => {
    expect(countryOf("us")).toBe("US");
    expect(countryOf("XX")).toBeNull();
    expect(countryOf("T1")).toBeNull();
    expect(countryOf("USA")).toBeNull();
    expect(cityOf(" São Paulo ")).toBe("São Paulo");
    expect(cityOf("Evil\u202Ecity")).toBeNull();
    expect(placeText("BR", "São Paulo")).toBe("São Paulo, Brazil");
    expect(placeText(null, null)).toBeNull();
  });
});
