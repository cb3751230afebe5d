/**
 * Signing in with TOTP: after the password, a member with an authenticator app gets no session
 * until a right, unused code within ±1 step; wrong, replayed and out-of-window codes are answered
 * next to the field (422) and counted by the sign-in throttle under the member's own key, which a
 * correct password doesn't reset; recovery codes work once each.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { Browser, DEMO_PASSWORD } from "./fixtures";
import { alertText, fieldError, STAFF_COOKIE } from "./helpers";
import {
  createStaff,
  currentStep,
  memberWithTotp,
  passwordStep,
  recoveryCodeCounts,
  SECOND_STEP_COOKIE,
  secondFactorThrottle,
  totpCode,
  totpRow,
  uniqueIp,
} from "./two-factor.fixtures";

const WRONG = "That code isn't right. Check the app and enter the code it shows now.";
const REPLAYED = "That code was already used. Wait for the app to show a new one.";
/** A second-factor counter that counts nothing: each guess was charged, then given back. */
const NOT_COUNTED = { failures: 0, locked_until: null };

/** Posts a code at the second step from an address. */
const postCode = (b: Browser, code: string, ip: string) => b.post("/sign-in/two-factor", { code }, { headers: { "CF-Connecting-IP": ip } });

describe("two-factor sign-in with an authenticator app", () => {
  it("asks for the code after the password and starts the session only once it is right", async () => {
    const member = await memberWithTotp();
    const { b, res } = await passwordStep(member.email);
    // a. The password is right, but there is no session yet: only the pending second step.
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/sign-in/two-factor");
    expect(b.cookies.has(SECOND_STEP_COOKIE)).toBe(true);
    expect(b.cookies.has(STAFF_COOKIE)).toBe(false);
    expect((await b.get("/menu")).status).toBe(302);

    // b. The page asks for the code and offers a recovery code.
    const page = await (await b.get("/sign-in/two-factor")).text();
    expect(page).toContain('name="code"');
    expect(page).toContain('autocomplete="one-time-code"');
    expect(page).toContain('href="/sign-in/two-factor/recovery"');
    expect(page).not.toContain('data-passkey="authenticate"'); // no passkey registered

    // c. Enrolment used the current step; the next step's code (within the window) signs in.
    const step = currentStep();
    const done = await postCode(b, totpCode(member.key, 1, step * 30_000), uniqueIp());
    expect(done.status).toBe(303);
    expect(done.headers.get("Location")).toBe("/menu");
    expect(b.cookies.has(STAFF_COOKIE)).toBe(true);
    expect(b.cookies.has(SECOND_STEP_COOKIE)).toBe(false);
    expect((await b.get("/menu")).status).toBe(200);
    expect((await totpRow(member.id))!.last_used_step).toBe(step + 1);
  });

  it("spends the pending step once a sign-in completes: a saved copy of its cookie opens nothing", async () => {
    const member = await memberWithTotp();
    const { b } = await passwordStep(member.email);
    const saved = b.cookies.get(SECOND_STEP_COOKIE)!;
    const step = currentStep();
    expect((await postCode(b, totpCode(member.key, 1, step * 30_000), uniqueIp())).status).toBe(303);
    // Someone who kept the pending cookie (and has a recovery code) tries it again.
    const thief = new Browser();
    thief.cookies.set(SECOND_STEP_COOKIE, saved);
    const res = await thief.post("/sign-in/two-factor/recovery", { recoveryCode: member.recoveryCodes[0]! }, { headers: { "CF-Connecting-IP": uniqueIp() } });
    expect(res.headers.get("Location")).not.toBe("/menu");
    expect(thief.cookies.has(STAFF_COOKIE)).toBe(false);
  });

  it("keeps the pending step in a short-lived HttpOnly, Secure, SameSite=Lax cookie for /sign-in only", async () => {
    const member = await memberWithTotp();
    const { res } = await passwordStep(member.email);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith(`${SECOND_STEP_COOKIE}=`))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/Secure/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Path=\/sign-in/);
    expect(cookie).toMatch(/Max-Age=300/);
    expect(res.headers.getSetCookie().some((c) => c.startsWith(`${STAFF_COOKIE}=`))).toBe(false);
  });

  it("returns to `next` after the second step", async () => {
    const member = await memberWithTotp();
    const b = new Browser();
    await b.post("/sign-in", { email: member.email, password: DEMO_PASSWORD, next: "/face-sheet/1" });
    const res = await postCode(b, totpCode(member.key, 1), uniqueIp());
    expect(res.headers.get("Location")).toBe("/face-sheet/1");
  });

  it("answers a wrong code with 422 next to the field, no session, and one counted failure", async () => {
    const member = await memberWithTotp();
    const { b } = await passwordStep(member.email);
    const right = totpCode(member.key, 1);
    const wrong = right === "000000" ? "111111" : "000000";
    const res = await postCode(b, wrong, uniqueIp());
    expect(res.status).toBe(422);
    expect(fieldError(await res.text(), "code")).toBe(WRONG);
    expect(b.cookies.has(STAFF_COOKIE)).toBe(false);
    expect((await secondFactorThrottle(member.id))?.failures).toBe(1);
    expect((await totpRow(member.id))!.last_used_step).toBe(member.enrolledStep); // unchanged since enrolment
  });

  it("refuses codes from outside the ±1-step window and counts them", async () => {
    const member = await memberWithTotp();
    const { b } = await passwordStep(member.email);
    const ip = uniqueIp();
    for (const offset of [-5, 5]) {
      const res = await postCode(b, totpCode(member.key, offset), ip);
      expect(res.status).toBe(422);
      expect(fieldError(await res.text(), "code")).toBe(WRONG);
    }
    expect((await secondFactorThrottle(member.id))?.failures).toBe(2);
    expect(b.cookies.has(STAFF_COOKIE)).toBe(false);
  });

  it("never accepts a code twice: the same code at the next sign-in is refused as replayed and counted", async () => {
    const member = await memberWithTotp();
    const code = totpCode(member.key, 1);
    const first = await passwordStep(member.email);
    expect((await postCode(first.b, code, uniqueIp())).status).toBe(303);

    const second = await passwordStep(member.email);
    const res = await postCode(second.b, code, uniqueIp());
    expect(res.status).toBe(422);
    expect(fieldError(await res.text(), "code")).toBe(REPLAYED);
    expect(second.b.cookies.has(STAFF_COOKIE)).toBe(false);
    expect((await secondFactorThrottle(member.id))?.failures).toBe(1);
    // The code of the enrolment step (older than the last used) is a replay too.
    const older = await postCode(second.b, totpCode(member.key, 0), uniqueIp());
    expect(older.status).toBe(422);
  });

  it("lets exactly one of two simultaneous submissions of the same code in", async () => {
    const member = await memberWithTotp();
    const a = await passwordStep(member.email);
    const b = await passwordStep(member.email);
    const code = totpCode(member.key, 1);
    const results = await Promise.all([postCode(a.b, code, uniqueIp()), postCode(b.b, code, uniqueIp())]);
    expect(results.map((r) => r.status).sort()).toEqual([303, 422]);
  });

  it("answers an empty or malformed code with 422 and doesn't count it", async () => {
    const member = await memberWithTotp();
    const { b } = await passwordStep(member.email);
    for (const code of ["", "12ab56", "1234"]) {
      const res = await postCode(b, code, uniqueIp());
      expect(res.status).toBe(422);
      expect(fieldError(await res.text(), "code")).toBe("Enter the 6-digit code from your authenticator app.");
    }
    // Charged before the form is read, then given back: the counter stands at nothing.
    expect(await secondFactorThrottle(member.id)).toMatchObject(NOT_COUNTED);
  });

  it("locks the second step after 10 counted failures — a right code then gets 429 — and signing in again with the password doesn't unlock it", async () => {
    const member = await memberWithTotp();
    const { b } = await passwordStep(member.email);
    const ip = uniqueIp();
    const right = totpCode(member.key, 1);
    const wrong = right === "000000" ? "111111" : "000000";
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await postCode(b, wrong, ip)).status);
    expect(statuses).toEqual([422, 422, 422, 422, 422, 422, 422, 422, 422, 429]);

    const locked = await postCode(b, right, uniqueIp());
    expect(locked.status).toBe(429);
    expect(alertText(await locked.text())).toMatch(/^Too many attempts\. Wait 15 minutes/);
    expect(b.cookies.has(STAFF_COOKIE)).toBe(false);

    // The password step succeeds (it clears the email's failures), but the second step stays locked.
    const again = await passwordStep(member.email);
    expect(again.res.status).toBe(303);
    expect((await postCode(again.b, right, uniqueIp())).status).toBe(429);
    expect(again.b.cookies.has(STAFF_COOKIE)).toBe(false);
  });

  it("forgets counted failures after a complete sign-in", async () => {
    const member = await memberWithTotp();
    const { b } = await passwordStep(member.email);
    await postCode(b, "000000", uniqueIp());
    await postCode(b, "999999", uniqueIp());
    expect((await postCode(b, totpCode(member.key, 1), uniqueIp())).status).toBe(303);
    expect(await secondFactorThrottle(member.id)).toBeNull();
  });
});

describe("recovery codes at sign-in", () => {
  it("sign in once each: the same code again is refused (422) and counted", async () => {
    const member = await memberWithTotp();
    const [code] = member.recoveryCodes;
    expect(member.recoveryCodes).toHaveLength(10);
    expect(await recoveryCodeCounts(member.id)).toEqual({ total: 10, unused: 10 });

    const first = await passwordStep(member.email);
    const page = await first.b.get("/sign-in/two-factor/recovery");
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('name="recoveryCode"');
    const ok = await first.b.post("/sign-in/two-factor/recovery", { recoveryCode: code! });
    expect(ok.status).toBe(303);
    expect(first.b.cookies.has(STAFF_COOKIE)).toBe(true);
    expect(await recoveryCodeCounts(member.id)).toEqual({ total: 10, unused: 9 });

    const second = await passwordStep(member.email);
    const again = await second.b.post("/sign-in/two-factor/recovery", { recoveryCode: code! });
    expect(again.status).toBe(422);
    const html = await again.text();
    expect(fieldError(html, "recoveryCode")).toBe("That recovery code isn't right, or was already used.");
    expect(html).toContain(`value="${code}"`); // what was typed is kept
    expect(second.b.cookies.has(STAFF_COOKIE)).toBe(false);
    expect((await secondFactorThrottle(member.id))?.failures).toBe(1);
  });

  it("are read in capitals and with spaces", async () => {
    const member = await memberWithTotp();
    const typed = member.recoveryCodes[3]!.toUpperCase().replace(/-/g, " ");
    const { b } = await passwordStep(member.email);
    expect((await b.post("/sign-in/two-factor/recovery", { recoveryCode: typed })).status).toBe(303);
  });

  it("answer malformed input with 422 next to the field and don't count it", async () => {
    const member = await memberWithTotp();
    const { b } = await passwordStep(member.email);
    const res = await b.post("/sign-in/two-factor/recovery", { recoveryCode: "not a code" });
    expect(res.status).toBe(422);
    expect(fieldError(await res.text(), "recoveryCode")).toMatch(/^Enter a recovery code/);
    // Charged before the form is read, then given back: the counter stands at nothing.
    expect(await secondFactorThrottle(member.id)).toMatchObject(NOT_COUNTED);
    expect(await recoveryCodeCounts(member.id)).toEqual({ total: 10, unused: 10 });
  });

  it("don't work for another member", async () => {
    const owner = await memberWithTotp();
    const other = await memberWithTotp();
    const { b } = await passwordStep(other.email);
    expect((await b.post("/sign-in/two-factor/recovery", { recoveryCode: owner.recoveryCodes[0]! })).status).toBe(422);
    expect(await recoveryCodeCounts(owner.id)).toEqual({ total: 10, unused: 10 });
  });
});

describe("the second step without a valid pending sign-in", () => {
  it("sends every page and form back to /sign-in and starts nothing", async () => {
    const b = new Browser();
    for (const [method, path] of [
      ["GET", "/sign-in/two-factor"],
      ["POST", "/sign-in/two-factor"],
      ["GET", "/sign-in/two-factor/recovery"],
      ["POST", "/sign-in/two-factor/recovery"],
      ["POST", "/sign-in/two-factor/totp/start"],
      ["GET", "/sign-in/two-factor/totp"],
      ["POST", "/sign-in/two-factor/totp"],
    ] as const) {
      const res = method === "GET" ? await b.get(path) : await b.post(path, { code: "123456", recoveryCode: "abcd-efgh-jkmn" });
      expect(res.status, `${method} ${path}`).toBe(303);
      expect(res.headers.get("Location")).toBe("/sign-in");
    }
    expect(b.cookies.has(STAFF_COOKIE)).toBe(false);
  });

  it("refuses a forged or tampered pending cookie", async () => {
    const member = await memberWithTotp();
    const { b } = await passwordStep(member.email);
    const token = b.cookies.get(SECOND_STEP_COOKIE)!;
    const [h, p, s] = token.split(".");
    const payload = JSON.parse(atob(p!.replace(/-/g, "+").replace(/_/g, "/")));
    payload.sub = "1"; // someone else
    const forged = btoa(JSON.stringify(payload)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
    b.cookies.set(SECOND_STEP_COOKIE, `${h}.${forged}.${s}`);
    const res = await b.get("/sign-in/two-factor");
    expect(res.headers.get("Location")).toBe("/sign-in");
  });

  it("voids the pending step when the member's sessions are ended (sign-out elsewhere, deactivation)", async () => {
    const member = await memberWithTotp();
    const { b } = await passwordStep(member.email);
    await env.DB.prepare("UPDATE staff_users SET session_version = session_version + 1 WHERE id = ?").bind(member.id).run();
    const res = await postCode(b, totpCode(member.key, 1), uniqueIp());
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/sign-in");
    expect(b.cookies.has(STAFF_COOKIE)).toBe(false);
  });

  it("finishes the sign-in when the member's last factor went while they were at the second step", async () => {
    const member = await memberWithTotp();
    const { b } = await passwordStep(member.email);
    await env.DB.prepare("DELETE FROM staff_totp WHERE staff_id = ?").bind(member.id).run();
    const res = await b.get("/sign-in/two-factor");
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/menu");
    expect(b.cookies.has(STAFF_COOKIE)).toBe(true);
    expect(b.cookies.has(SECOND_STEP_COOKIE)).toBe(false);
  });

  it("a member with no second factor in an agency that doesn't require one signs in with the password alone", async () => {
    const member = await createStaff();
    const { b, res } = await passwordStep(member.email);
    expect(res.headers.get("Location")).toBe("/menu");
    expect(b.cookies.has(STAFF_COOKIE)).toBe(true);
    expect(b.cookies.has(SECOND_STEP_COOKIE)).toBe(false);
  });
});
