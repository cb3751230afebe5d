/**
 * Staff sign-in throttling: failures on an account make new devices wait (known and unknown emails
 * alike), a browser that signed in before keeps working — so nobody can lock a staff member out by
 * guessing — but is limited on its own; the account locks for every device at the maximum
 * (NIST SP 800-63B-4: at most 100); an admin's unlock clears it all; an address is limited across
 * emails. Limits are lowered for this file: 4 failures, 12 per address, a lock at 8.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { unlockStaffSignIn } from "../../src/auth/staff-sign-in";
import { database } from "../../src/db";
import { Browser, DEMO_PASSWORD } from "./fixtures";
import { staffRow } from "./helpers";

Object.assign(env, { PORTAL_LOCK_AFTER_FAILURES: "4", PORTAL_IP_MAX_FAILURES: "12", PORTAL_ACCOUNT_MAX_FAILURES: "8" });

const TOO_MANY = /Too many attempts\. Wait (\d+) minutes and try again/;
let nextIp = 0;
/** A documentation-range address no other attempt in this file uses. */
const freshIp = () => `192.0.2.${++nextIp}`;

/** One sign-in attempt in browser `b` (a new one: a device that never signed in) from an address. */
async function attempt(email: string, password: string, ip = freshIp(), b = new Browser()) {
  const res = await b.post("/sign-in", { email, password }, { headers: { "CF-Connecting-IP": ip } });
  const html = await res.text();
  return { status: res.status, html, wait: Number(TOO_MANY.exec(html)?.[1] ?? 0), signedIn: res.status === 303 };
}

/** Lets the account's current wait for new devices run out (as time would). */
const endAccountWaits = () => env.DB.prepare("UPDATE sign_in_throttle SET locked_until = ? WHERE key = subject AND locked_until IS NOT NULL").bind(Date.now() - 1).run();

/** A browser that has signed in as `email` (so it holds the account's device cookie), then signed out. */
async function trustedBrowser(email: string) {
  const b = new Browser();
  expect((await attempt(email, DEMO_PASSWORD, freshIp(), b)).signedIn).toBe(true);
  expect(b.cookies.has("staff_device")).toBe(true);
  await b.post("/sign-out", {});
  return b;
}

describe("failures on an account", () => {
  it("make new devices wait after 4, answered exactly alike for a known and an unknown email", async () => {
    const real: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 5; i++) {
      real.push((await attempt("admin@lakeside.test", "wrong password")).status);
      unknown.push((await attempt("nobody@lakeside.test", "wrong password")).status);
    }
    expect(unknown).toEqual(real);
    expect(real).toEqual([401, 401, 401, 429, 429]);
    // Even the right password, from yet another address, waits 15 minutes.
    const right = await attempt("admin@lakeside.test", DEMO_PASSWORD);
    expect(right.status).toBe(429);
    expect(right.wait).toBe(15);
    await unlockStaffSignIn(env, database(env.DB), { email: "admin@lakeside.test" });
  });

  it("don't lock out a browser that signed in before: a stranger's guesses from many addresses leave it working", async () => {
    const mine = await trustedBrowser("staff@riverbend.test");
    for (let i = 0; i < 6; i++) await attempt("staff@riverbend.test", `stranger guess ${i}`);
    expect((await attempt("staff@riverbend.test", DEMO_PASSWORD)).status).toBe(429);
    const back = await attempt("staff@riverbend.test", DEMO_PASSWORD, freshIp(), mine);
    expect(back.signedIn).toBe(true);
    // Signing in gave the charge back: new devices no longer wait.
    expect((await attempt("staff@riverbend.test", DEMO_PASSWORD)).signedIn).toBe(true);
  });

  it("make each new wait a minute longer than the last", async () => {
    const waits: number[] = [];
    for (let i = 0; i < 7; i++) {
      const r = await attempt("nobody.waits@riverbend.test", "wrong password");
      if (r.status === 429) waits.push(r.wait);
      await endAccountWaits();
    }
    // The 4th failure waits 15 minutes, the 5th 16, then 17, 18 (every failure counted: each wait was let run out).
    expect(waits).toEqual([15, 16, 17, 18]);
  });
});

describe("a browser that signed in before", () => {
  it("is limited on its own: 4 failures in a row and it waits too", async () => {
    const mine = await trustedBrowser("admin@riverbend.test");
    const ip = freshIp();
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push((await attempt("admin@riverbend.test", `typo ${i}`, ip, mine)).status);
    expect(answers).toEqual([401, 401, 401, 429]);
    expect((await attempt("admin@riverbend.test", DEMO_PASSWORD, ip, mine)).status).toBe(429);
    await unlockStaffSignIn(env, database(env.DB), { email: "admin@riverbend.test" });
    expect((await attempt("admin@riverbend.test", DEMO_PASSWORD, ip, mine)).signedIn).toBe(true);
  });

  it("is locked out too once the account reaches its maximum of failures in a row (8 here, never over 100)", async () => {
    const mine = await trustedBrowser("admin@riverbend.test");
    // Eight failures in a row from new devices (each wait let run out before the next).
    for (let i = 0; i < 8; i++) {
      expect((await attempt("admin@riverbend.test", "a stranger's guess")).status).toBe(i < 3 ? 401 : 429);
      if (i < 7) await endAccountWaits();
    }
    const locked = await attempt("admin@riverbend.test", DEMO_PASSWORD, freshIp(), mine);
    expect(locked.status).toBe(429);
    expect(locked.html).toMatch(/Wait 24 hours/);
    // The admin's Unlock ends it for every device.
    expect(await unlockStaffSignIn(env, database(env.DB), { agencyId: 1, staffId: (await staffRow("admin@riverbend.test")).id })).toBe(true);
    expect((await attempt("admin@riverbend.test", DEMO_PASSWORD, freshIp(), mine)).signedIn).toBe(true);
  });
});

describe("unlockStaffSignIn", () => {
  it("clears a staff member's locks by id within the agency; another agency's id or an unknown email finds no one", async () => {
    for (let i = 0; i < 4; i++) await attempt("admin@lakeside.test", "wrong password");
    expect((await attempt("admin@lakeside.test", DEMO_PASSWORD)).status).toBe(429);
    const lakesideAdmin = await staffRow("admin@lakeside.test");
    expect(await unlockStaffSignIn(env, database(env.DB), { agencyId: 1, staffId: lakesideAdmin.id })).toBe(false);
    expect((await attempt("admin@lakeside.test", DEMO_PASSWORD)).status).toBe(429);
    expect(await unlockStaffSignIn(env, database(env.DB), { email: "nobody@lakeside.test" })).toBe(false);
    expect(await unlockStaffSignIn(env, database(env.DB), { agencyId: 2, staffId: lakesideAdmin.id })).toBe(true);
    expect((await attempt("admin@lakeside.test", DEMO_PASSWORD)).signedIn).toBe(true);
  });
});

describe("an address", () => {
  it("is refused after 12 failures across emails; other addresses are not", async () => {
    const ip = freshIp();
    const statuses: number[] = [];
    for (let i = 0; i < 13; i++) statuses.push((await attempt(`guess${i}@riverbend.test`, "x", ip)).status);
    expect(statuses.slice(0, 11).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(11)).toEqual([429, 429]);
    expect((await attempt("admin@riverbend.test", DEMO_PASSWORD, ip)).status).toBe(429);
    expect((await attempt("admin@riverbend.test", DEMO_PASSWORD)).signedIn).toBe(true);
  });
});
