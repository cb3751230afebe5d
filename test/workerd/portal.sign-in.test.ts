/**
 * Portal sign-in: the agency's portal at its URL, success, every failure with one message, the
 * expired temporary password, other agencies' portals and logins.
 */
import { describe, expect, it } from "vitest";
import { Browser } from "./fixtures";
import { expectSameTiming } from "./timing";
import {
  GENERIC_FAILURE,
  PORTAL,
  PORTAL_COOKIE,
  PortalBrowser,
  RIVERBEND,
  alertOf,
  createLogin,
  createSettledLogin,
  fieldErrorOf,
  lastSeq,
  logEntries,
  loginRow,
  sql,
  uniqueUsername,
} from "./portal.fixtures";

describe("the agency's portal page", () => {
  it("shows the sign-in form with the agency's name and the seed's labels", async () => {
    const res = await new PortalBrowser().get(PORTAL);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(RIVERBEND.name);
    expect(html).toMatch(/<label for="f-username">Portal Username/);
    expect(html).toMatch(/<label for="f-password">Password/);
    expect(html).toMatch(/<button type="submit" class="primary wide">Sign in<\/button>/);
    expect(html).toContain(`action="${PORTAL}/sign-in"`);
  });

  it("answers 404 for an unknown slug and for an agency not contracted for the portal, on every URL", async () => {
    const b = new PortalBrowser();
    for (const path of ["/portal/nowhere", "/portal/lakeside", "/portal/lakeside/activity", "/portal/lakeside/change-password", "/portal/nowhere/sign-in"]) {
      const res = await b.get(path);
      expect(res.status, path).toBe(404);
      expect(await res.text()).not.toContain("Lakeside");
    }
    const post = await b.signIn("anyone", "whatever", "/portal/lakeside");
    expect(post.status).toBe(404);
    for (const path of ["/portal", "/portal/", "/portal/riverbend/nothing-here", "/portal/Riverbend", "/portal/riverbend/activity/1"]) {
      expect((await b.get(path)).status, path).toBe(404);
    }
  });

  it("redirects a trailing slash and a GET of the sign-in URL to the portal page", async () => {
    const b = new PortalBrowser();
    expect((await b.get(`${PORTAL}/`)).headers.get("Location")).toBe(PORTAL);
    expect((await b.get(`${PORTAL}/sign-in`)).headers.get("Location")).toBe(PORTAL);
  });
});

describe("sign-in", () => {
  it("signs in with the right password: Login in the log, last login set, failures cleared", async () => {
    const login = await createSettledLogin();
    await sql("UPDATE portal_logins SET failed_attempts = 3 WHERE id = ?", login.id);
    const before = await lastSeq(1);
    const b = new PortalBrowser();
    const res = await b.signIn(login.username, login.password);
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe(PORTAL);
    const cookie = b.lastSetCookie.find((l) => l.startsWith(`${PORTAL_COOKIE}=`))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/Secure/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\/(;|$)/);

    const row = await loginRow(login.id);
    expect(row.failed_attempts).toBe(0);
    expect(row.last_login_at).toBeGreaterThan(Date.now() - 60_000);
    const entries = await logEntries(1, before);
    expect(entries.map((e) => [e.change_type, e.description])).toEqual([["Login", `Patient Portal login by ${login.username}`]]);
    expect(JSON.parse(entries[0]!.details)).toEqual({ portal: { action: "Login", description: `Patient Portal login by ${login.username}` } });

    const home = await b.get(PORTAL);
    expect(home.status).toBe(200);
    expect(await home.text()).toContain(`Signed in as <strong>${login.username}</strong>`);
  });

  it("takes the username in any case and with spaces around it", async () => {
    const login = await createSettledLogin({ username: uniqueUsername("Mixed.Case") });
    const res = await new PortalBrowser().signIn(`  ${login.username.toUpperCase()} `, login.password);
    expect(res.status).toBe(303);
  });

  it("gives one message for a wrong username, a wrong password, an inactive login and a login without a password", async () => {
    const login = await createSettledLogin();
    const inactive = await createSettledLogin({ active: false });
    const noPassword = await createLogin({ noPassword: true });
    const attempts: [string, string][] = [
      [uniqueUsername("nobody"), login.password],
      [login.username, "wrong password entirely"],
      [inactive.username, inactive.password],
      [noPassword.username, "anything at all here"],
    ];
    for (const [username, password] of attempts) {
      const b = new PortalBrowser();
      const res = await b.signIn(username, password);
      expect(res.status, username).toBe(401);
      const html = await res.text();
      expect(alertOf(html), username).toBe(GENERIC_FAILURE);
      expect(b.cookies.has(PORTAL_COOKIE)).toBe(false);
      // The username typed is kept; the password never comes back.
      expect(html).toContain(`value="${username}"`);
      expect(html).not.toContain(password);
    }
  });

  it("records a staff-visible entry for a failed sign-in with a real username, and nothing on the portal's log", async () => {
    const login = await createSettledLogin();
    const before = await lastSeq(1);
    const b = new PortalBrowser();
    await b.signIn(login.username, "wrong password entirely");
    const entries = await logEntries(1, before);
    expect(entries).toHaveLength(1);
    expect(entries[0]!.change_type).toBe("Portal Sign-in");
    expect(entries[0]!.description).toBe(`Failed Client Portal sign-in as ${login.username}: wrong password.`);
    expect(JSON.parse(entries[0]!.details).portal).toBeUndefined();
    expect(entries[0]!.details).not.toContain("wrong password entirely");
  });

  it("refuses a login whose client refused portal login with the generic answer; the staff-visible entry names the reason", async () => {
    const login = await createSettledLogin({ clientId: 5 });
    await sql("UPDATE clients SET refused_portal_login = 1 WHERE id = 5");
    const before = await lastSeq(5);
    const b = new PortalBrowser();
    const res = await b.signIn(login.username, login.password);
    expect(res.status).toBe(401);
    expect(alertOf(await res.text())).toBe(GENERIC_FAILURE);
    expect(b.cookies.has("portal_session")).toBe(false);
    expect(b.cookies.has("portal_device")).toBe(false);
    const entries = await logEntries(5, before);
    expect(entries.map((e) => [e.change_type, e.description])).toEqual([
      ["Portal Sign-in", `Failed Client Portal sign-in as ${login.username}: the client refused portal login (Client Refused Portal Login is set).`],
    ]);
    // A wrong password says only that, whatever the flag.
    await new PortalBrowser().signIn(login.username, "not the password at all");
    expect((await logEntries(5, before)).at(-1)!.description).toBe(`Failed Client Portal sign-in as ${login.username}: wrong password.`);
    // Once staff clear the flag, the same password signs in.
    await sql("UPDATE clients SET refused_portal_login = 0 WHERE id = 5");
    expect((await new PortalBrowser().signIn(login.username, login.password)).status).toBe(303);
  });

  it("refuses empty fields with messages next to them (422) and counts nothing", async () => {
    const login = await createSettledLogin();
    const res = await new PortalBrowser().signIn(login.username, "");
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(fieldErrorOf(html, "password")).toBe("Enter your password.");
    expect(html).toMatch(/aria-describedby="f-password-error"/);
    expect((await loginRow(login.id)).failed_attempts).toBe(0);
    const none = await new PortalBrowser().signIn("", "");
    expect(fieldErrorOf(await none.text(), "username")).toBe("Enter your Portal Username.");
  });

  it("refuses a sign-in POST without Origin (CSRF)", async () => {
    const login = await createSettledLogin();
    const b = new PortalBrowser();
    const res = await b.fetch(`${PORTAL}/sign-in`, {
      method: "POST",
      body: new URLSearchParams({ username: login.username, password: login.password }),
      headers: { Origin: "https://evil.example" },
    });
    expect(res.status).toBe(403);
    expect(b.cookies.has(PORTAL_COOKIE)).toBe(false);
  });
});

describe("temporary passwords", () => {
  it("leads a first sign-in to choosing a password", async () => {
    const login = await createLogin();
    const res = await new PortalBrowser().signIn(login.username, login.password);
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe(`${PORTAL}/change-password`);
  });

  it("refuses an expired temporary password with a message to contact the agency, only when the password is right", async () => {
    const login = await createLogin({ tempPasswordExpiresAt: Date.now() - 1000 });
    const before = await lastSeq(1);
    const b = new PortalBrowser();
    const res = await b.signIn(login.username, login.password);
    expect(res.status).toBe(401);
    expect(alertOf(await res.text())).toBe(`Your temporary password has expired. Contact ${RIVERBEND.name} for a new one.`);
    expect(b.cookies.has(PORTAL_COOKIE)).toBe(false);
    expect(await logEntries(1, before)).toEqual([]);
    // Without the password, the expiry is not revealed.
    const wrong = await new PortalBrowser().signIn(login.username, "not the temporary one");
    expect(alertOf(await wrong.text())).toBe(GENERIC_FAILURE);
  });

  it("still accepts a temporary password a moment before it expires", async () => {
    const login = await createLogin({ tempPasswordExpiresAt: Date.now() + 60_000 });
    expect((await new PortalBrowser().signIn(login.username, login.password)).status).toBe(303);
  });
});

describe("other agencies", () => {
  it("never signs a Riverbend login in at another agency's portal", async () => {
    await sql("INSERT OR IGNORE INTO agencies (id, name, slug, portal_enabled, timezone) VALUES (3, 'Hillcrest Family Services', 'hillcrest', 1, 'America/Chicago')");
    const login = await createSettledLogin();
    // Lakeside has no portal: 404. Hillcrest has one, but not this login: the generic failure.
    expect((await new PortalBrowser().signIn(login.username, login.password, "/portal/lakeside")).status).toBe(404);
    const res = await new PortalBrowser().signIn(login.username, login.password, "/portal/hillcrest");
    expect(res.status).toBe(401);
    expect(alertOf(await res.text())).toBe(GENERIC_FAILURE);
  });

  it("does not open another agency's portal with this portal's session cookie", async () => {
    const login = await createSettledLogin();
    const b = new PortalBrowser();
    await b.signInReady(login);
    // The test browser sends the cookie everywhere (a real one wouldn't: Path=/portal/riverbend).
    const other = await b.get("/portal/hillcrest");
    expect(other.status).toBe(200);
    const html = await other.text();
    expect(html).not.toContain("Signed in as");
    expect(html).toContain('<label for="f-username">Portal Username');
    expect((await b.get("/portal/hillcrest/activity")).status).toBe(303);
  });

  it("never finds a login whose client belongs to another agency", async () => {
    // A corrupt row (Riverbend login on a Lakeside client) must not open anything.
    const login = await createSettledLogin({ clientId: 13 });
    const res = await new PortalBrowser().signIn(login.username, login.password);
    expect(res.status).toBe(401);
  });
});

describe("timing", () => {
  it("answers an unknown username as fast as a known one with a wrong password (medians over 100 interleaved pairs)", { timeout: 60_000 }, async () => {
    const login = await createSettledLogin();
    const timed = async (username: string, password: string) => {
      // A new address and browser each time: no throttling delay enters the measurement.
      const b = new PortalBrowser();
      const res = await b.signIn(username, password);
      expect(res.status).toBe(401);
      return b.lastMs;
    };
    // Warm the isolate, both hashes and both paths first.
    for (let i = 0; i < 3; i++) {
      await timed(uniqueUsername("warm"), "warm-up password");
      await timed(login.username, "warm-up password");
    }
    await expectSameTiming("portal sign-in", {
      pairs: 100,
      known: (i) => timed(login.username, `wrong password ${i}`),
      unknown: (i) => timed(uniqueUsername("ghost"), `wrong password ${i}`),
      // Keep the known login's count low (an unknown username starts at 1 each time too).
      between: () => sql("UPDATE portal_logins SET failed_attempts = 0, last_failed_at = NULL, locked_until = NULL WHERE id = ?", login.id),
    });
  });
});

describe("staff and portal sessions are separate", () => {
  it("does not sign a staff member in to the portal with the staff cookie", async () => {
    const staff = await Browser.staff("admin@riverbend.test");
    const b = new PortalBrowser();
    b.cookies = staff.cookies;
    const res = await b.get(PORTAL);
    expect(await res.text()).not.toContain("Signed in as");
    expect((await b.get(`${PORTAL}/activity`)).status).toBe(303);
  });
});
