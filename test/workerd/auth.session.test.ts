import { env } from "cloudflare:test";
import { decodeJwt, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { Browser } from "./fixtures";
import { browserWithToken, clientRow, faceSheetForm, nowSeconds, staffRow, staffToken, STAFF_COOKIE } from "./helpers";

// Storage is per file. admin@riverbend.test and admin@lakeside.test are never changed here;
// staff@riverbend.test is made inactive by one test.

const MIN = 60;
const HOUR = 3600;

/** Asserts the request was refused: a redirect to sign-in that also clears the cookie. */
async function expectRefused(b: Browser, path = "/menu") {
  const res = await b.get(path);
  expect(res.status).toBe(302);
  expect(res.headers.get("Location")).toBe(`/sign-in?next=${encodeURIComponent(path)}`);
  expect(res.headers.getSetCookie().some((c) => c.startsWith(`${STAFF_COOKIE}=;`) && /Max-Age=0/i.test(c))).toBe(true);
  expect(b.cookies.has(STAFF_COOKIE)).toBe(false);
}

async function riverbendAdmin() {
  const row = await staffRow("admin@riverbend.test");
  return { sub: row.id, agencyId: row.agency_id };
}

/** Flips one character in the middle of a token's signature (not the last, whose low bits are padding). */
function tamperSignature(token: string): string {
  const [h, p, s] = token.split(".") as [string, string, string];
  const i = Math.floor(s.length / 2);
  const flipped = s[i] === "A" ? "B" : "A";
  return `${h}.${p}.${s.slice(0, i)}${flipped}${s.slice(i + 1)}`;
}

/** A token with whatever claims we like, signed with `secret` (bypasses signSession's exp rule). */
function rawToken(payload: Record<string, unknown>, secret: string = env.SESSION_SECRET) {
  return new SignJWT(payload).setProtectedHeader({ alg: "HS256" }).sign(new TextEncoder().encode(secret));
}

describe("staff session tokens", () => {
  it("accepts a token signed now for an active staff member (the crafted tokens below are real)", async () => {
    const now = nowSeconds();
    const b = browserWithToken(await staffToken({ ...(await riverbendAdmin()), authTime: now }, now));
    const res = await b.get("/menu");
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Dana Whitfield");
  });

  it("refuses a token whose signature was tampered with", async () => {
    const now = nowSeconds();
    const token = await staffToken({ ...(await riverbendAdmin()), authTime: now }, now);
    await expectRefused(browserWithToken(tamperSignature(token)));
  });

  it("refuses a token whose payload was changed without re-signing", async () => {
    const now = nowSeconds();
    const token = await staffToken({ ...(await riverbendAdmin()), authTime: now }, now);
    const [h, , s] = token.split(".");
    const payload = { ...decodeJwt(token), agencyId: 2 };
    const forged = `${h}.${btoa(JSON.stringify(payload)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_")}.${s}`;
    await expectRefused(browserWithToken(forged));
  });

  it("refuses a token signed with another secret", async () => {
    const now = nowSeconds();
    const token = await staffToken({ ...(await riverbendAdmin()), authTime: now }, now, "another-secret-that-is-also-long-enough-42");
    await expectRefused(browserWithToken(token));
  });

  it("refuses an unsigned (alg: none) token", async () => {
    const now = nowSeconds();
    const { sub, agencyId } = await riverbendAdmin();
    const enc = (o: object) => btoa(JSON.stringify(o)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
    const token = `${enc({ alg: "none" })}.${enc({ sub: String(sub), aud: "staff", agencyId, auth_time: now, ver: 1, iat: now, exp: now + 900 })}.`;
    await expectRefused(browserWithToken(token));
  });

  it("refuses a portal token (another audience) on the staff app", async () => {
    const now = nowSeconds();
    const token = await staffToken({ ...(await riverbendAdmin()), authTime: now, aud: "portal:riverbend" }, now);
    await expectRefused(browserWithToken(token));
  });

  it("refuses garbage in the cookie", async () => {
    await expectRefused(browserWithToken("not-a-jwt"));
  });
});

describe("staff session timeouts", () => {
  it("refuses an expired token", async () => {
    const now = nowSeconds();
    const signedAt = now - 20 * MIN;
    const token = await staffToken({ ...(await riverbendAdmin()), authTime: signedAt }, signedAt);
    expect(decodeJwt(token).exp!).toBeLessThan(now);
    await expectRefused(browserWithToken(token));
  });

  it("refuses a session idle for more than 15 minutes, though signed in only 2 hours ago", async () => {
    const now = nowSeconds();
    const lastActivity = now - 16 * MIN;
    const token = await staffToken({ ...(await riverbendAdmin()), authTime: now - 2 * HOUR }, lastActivity);
    await expectRefused(browserWithToken(token));
  });

  it("refuses an idle session even if its exp claim were far in the future (the iat check itself)", async () => {
    const now = nowSeconds();
    const { sub, agencyId } = await riverbendAdmin();
    const token = await rawToken({ sub: String(sub), aud: "staff", agencyId, auth_time: now - HOUR, ver: 1, iat: now - 16 * MIN, exp: now + HOUR });
    await expectRefused(browserWithToken(token));
  });

  it("refuses a session signed in more than 8 hours ago, though active a minute ago", async () => {
    const now = nowSeconds();
    const token = await staffToken({ ...(await riverbendAdmin()), authTime: now - 8 * HOUR - MIN }, now - MIN);
    await expectRefused(browserWithToken(token));
  });

  it("refuses a session past 8 hours even if its exp claim were far in the future (the auth_time check itself)", async () => {
    const now = nowSeconds();
    const { sub, agencyId } = await riverbendAdmin();
    const token = await rawToken({ sub: String(sub), aud: "staff", agencyId, auth_time: now - 8 * HOUR - MIN, ver: 1, iat: now, exp: now + HOUR });
    await expectRefused(browserWithToken(token));
  });

  it("refuses a token without exp, though every other claim is good (it would never expire)", async () => {
    const now = nowSeconds();
    const { sub, agencyId } = await riverbendAdmin();
    const token = await rawToken({ sub: String(sub), aud: "staff", agencyId, auth_time: now, ver: 1, iat: now });
    await expectRefused(browserWithToken(token));
  });

  it("refuses a token without iat or without sub", async () => {
    const now = nowSeconds();
    const { sub, agencyId } = await riverbendAdmin();
    await expectRefused(browserWithToken(await rawToken({ sub: String(sub), aud: "staff", agencyId, auth_time: now, ver: 1, exp: now + 10 * MIN })));
    await expectRefused(browserWithToken(await rawToken({ aud: "staff", agencyId, auth_time: now, ver: 1, iat: now, exp: now + 10 * MIN })));
  });

  it("refuses a token without auth_time", async () => {
    const now = nowSeconds();
    const { sub, agencyId } = await riverbendAdmin();
    const token = await rawToken({ sub: String(sub), aud: "staff", agencyId, ver: 1, iat: now, exp: now + 10 * MIN });
    await expectRefused(browserWithToken(token));
  });

  it("slides the idle timeout on activity but never moves the sign-in time", async () => {
    const now = nowSeconds();
    const authTime = now - 7 * HOUR - 55 * MIN;
    const b = browserWithToken(await staffToken({ ...(await riverbendAdmin()), authTime }, now - 14 * MIN));
    const res = await b.get("/menu");
    expect(res.status).toBe(200);

    const fresh = decodeJwt(b.cookies.get(STAFF_COOKIE)!);
    expect(fresh.auth_time).toBe(authTime);
    expect(fresh.iat!).toBeGreaterThanOrEqual(now);
    // The refreshed token still ends at the absolute limit (8 h after sign-in), not 15 min from now.
    expect(fresh.exp).toBe(authTime + 8 * HOUR);
  });
});

describe("staff session and the staff_users row", () => {
  it("refuses a Riverbend staff member's id with Lakeside's agencyId, even signed with the real secret", async () => {
    const now = nowSeconds();
    const { sub } = await riverbendAdmin();
    const lakeside = await staffRow("admin@lakeside.test");
    const b = browserWithToken(await staffToken({ sub, agencyId: lakeside.agency_id, authTime: now }, now));
    await expectRefused(b);
    await expectRefused(browserWithToken(await staffToken({ sub, agencyId: lakeside.agency_id, authTime: now }, now)), "/face-sheet/17");
  });

  it("refuses a Lakeside staff member's id with Riverbend's agencyId", async () => {
    const now = nowSeconds();
    const lakeside = await staffRow("admin@lakeside.test");
    const { agencyId: riverbend } = await riverbendAdmin();
    await expectRefused(browserWithToken(await staffToken({ sub: lakeside.id, agencyId: riverbend, authTime: now }, now)), "/face-sheet/1");
  });

  it("refuses a token for a staff id that does not exist", async () => {
    const now = nowSeconds();
    await expectRefused(browserWithToken(await staffToken({ sub: 9999, agencyId: 1, authTime: now }, now)));
  });

  it("ends the session of a staff member made inactive", async () => {
    const b = await Browser.staff("staff@riverbend.test");
    expect((await b.get("/menu")).status).toBe(200);
    await env.DB.prepare("UPDATE staff_users SET active = 0 WHERE email = ?").bind("staff@riverbend.test").run();
    await expectRefused(b);
  });
});

describe("pages without a session", () => {
  it.each(["/menu", "/", "/face-sheet", "/face-sheet?q=alvarez", "/face-sheet/1", "/face-sheet/1/edit"])(
    "GET %s redirects to sign-in with next",
    async (path) => {
      const res = await new Browser().get(path);
      expect(res.status).toBe(302);
      expect(res.headers.get("Location")).toBe(`/sign-in?next=${encodeURIComponent(path)}`);
      expect(await res.text()).not.toContain("Alvarez");
    },
  );

  it("answers an htmx request with 204 and HX-Redirect to sign-in", async () => {
    const res = await new Browser().get("/face-sheet?q=alv", { htmx: true });
    expect(res.status).toBe(204);
    expect(res.headers.get("HX-Redirect")).toBe(`/sign-in?next=${encodeURIComponent("/face-sheet?q=alv")}`);
    expect(res.headers.get("Location")).toBeNull();
    expect(await res.text()).toBe("");
  });

  it("redirects an unauthenticated Update to sign-in and writes nothing", async () => {
    const before = await clientRow(1);
    const b = new Browser();
    const res = await b.post("/face-sheet/1", faceSheetForm(before, { residenceCity: "Hacked" }));
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe("/sign-in?next=%2Fmenu");
    expect(await clientRow(1)).toEqual(before);
  });

  it("answers an unauthenticated htmx Update with HX-Redirect and writes nothing", async () => {
    const before = await clientRow(1);
    const res = await new Browser().post("/face-sheet/1", faceSheetForm(before, { residenceCity: "Hacked" }), { htmx: true });
    expect(res.status).toBe(204);
    expect(res.headers.get("HX-Redirect")).toBe("/sign-in?next=%2Fmenu");
    expect(await clientRow(1)).toEqual(before);
  });

  it("refuses an Update carrying a tampered session and writes nothing", async () => {
    const now = nowSeconds();
    const before = await clientRow(1);
    const b = browserWithToken(tamperSignature(await staffToken({ ...(await riverbendAdmin()), authTime: now }, now)));
    const res = await b.post("/face-sheet/1", faceSheetForm(before, { residenceCity: "Hacked" }));
    expect(res.status).toBe(302);
    expect(await clientRow(1)).toEqual(before);
  });
});
