/**
 * Throttling portal sign-in: after 10 failures in a row a username makes new devices wait 15
 * minutes, known or not, with the same answers; a device that signed in before keeps working (a
 * stranger can't lock the owner out) but is limited on its own; at 100 failures in a row the login
 * locks for every device; an address is limited across usernames; locks are logged for staff and
 * shown as "Locked"; staff Save (unlock) clears every device's lock; a password change clears it.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { throttleSettings } from "../../src/auth/throttle";
import { Browser, DEMO } from "./fixtures";
import { editLogin } from "./portal-logins.helpers";
import {
  GENERIC_FAILURE,
  PORTAL,
  PortalBrowser,
  RIVERBEND,
  alertOf,
  createSettledLogin,
  lastSeq,
  logEntries,
  loginRow,
  sql,
  uniqueIp,
  uniqueUsername,
} from "./portal.fixtures";

const TOO_MANY = `Too many attempts. Wait 15 minutes and try again, or contact ${RIVERBEND.name} for help.`;

/** Signs in `times` times from fresh addresses; each answer's status and alert. */
async function attempts(username: string, password: string, times: number) {
  const answers: [number, string | undefined][] = [];
  for (let i = 0; i < times; i++) {
    const res = await new PortalBrowser().signIn(username, password);
    answers.push([res.status, alertOf(await res.text())]);
  }
  return answers;
}

describe("settings", () => {
  it("defaults to 10 failures, 15 minutes, waits up to an hour, 50 failures per address, a lock at 100 for 24 hours, and reads the vars", () => {
    expect(throttleSettings({})).toEqual({
      lockAfterFailures: 10,
      lockMs: 15 * 60_000,
      ipMaxFailures: 50,
      backoffMaxMs: 60 * 60_000,
      accountMaxFailures: 100,
      accountWindowMs: 24 * 3_600_000,
    });
    expect(
      throttleSettings({
        PORTAL_LOCK_AFTER_FAILURES: "5",
        PORTAL_LOCK_MINUTES: "30",
        PORTAL_IP_MAX_FAILURES: "100",
        PORTAL_BACKOFF_MAX_MINUTES: "90",
        PORTAL_ACCOUNT_MAX_FAILURES: "40",
        PORTAL_ACCOUNT_WINDOW_HOURS: "48",
      }),
    ).toEqual({ lockAfterFailures: 5, lockMs: 30 * 60_000, ipMaxFailures: 100, backoffMaxMs: 90 * 60_000, accountMaxFailures: 40, accountWindowMs: 48 * 3_600_000 });
    expect(throttleSettings({ PORTAL_LOCK_AFTER_FAILURES: "nonsense" }).lockAfterFailures).toBe(10);
    expect(throttleSettings(env).lockAfterFailures).toBe(10);
  });

  it("never allows more than 100 failures in a row on one account (NIST SP 800-63B-4), nor a wait shorter than the first", () => {
    expect(throttleSettings({ PORTAL_ACCOUNT_MAX_FAILURES: "500" }).accountMaxFailures).toBe(100);
    expect(throttleSettings({ PORTAL_LOCK_MINUTES: "30", PORTAL_BACKOFF_MAX_MINUTES: "5" }).backoffMaxMs).toBe(30 * 60_000);
  });
});

// Each lock takes ten answers, the later ones deliberately slowed: give these tests time.
describe("after 10 failures in a row, a username makes new devices wait", { timeout: 30_000 }, () => {
  it("answers a real and an unknown username identically, failure by failure", async () => {
    const login = await createSettledLogin();
    const real = await attempts(login.username, "a wrong password", 11);
    const unknown = await attempts(uniqueUsername("nobody"), "a wrong password", 11);
    expect(real).toEqual(unknown);
    expect(real.slice(0, 9)).toEqual(Array(9).fill([401, GENERIC_FAILURE]));
    expect(real[9]).toEqual([429, TOO_MANY]);
    expect(real[10]).toEqual([429, TOO_MANY]);
  });

  it("locks the login for new devices for 15 minutes: even the right password is refused, and staff see the lock", async () => {
    const login = await createSettledLogin();
    const before = await lastSeq(login.clientId);
    await attempts(login.username, "a wrong password", 10);
    const row = await loginRow(login.id);
    expect(row.locked_until).toBeGreaterThan(Date.now() + 14 * 60_000);
    expect(row.locked_until).toBeLessThanOrEqual(Date.now() + 15 * 60_000);

    const res = await new PortalBrowser().signIn(login.username, login.password);
    expect(res.status).toBe(429);
    expect(alertOf(await res.text())).toBe(TOO_MANY);

    const entries = await logEntries(login.clientId, before);
    expect(entries.filter((e) => e.change_type === "Portal Sign-in")).toHaveLength(10);
    const lock = entries.filter((e) => e.change_type === "Portal Login");
    expect(lock.map((e) => e.description)).toEqual([`Portal Login ${login.username} was locked after 10 failed sign-in attempts.`]);
    expect(entries.at(-1)!.change_type).toBe("Portal Login");
    // Staff-only: none of it reaches the portal's Client Action Log, and no Login was recorded.
    expect(entries.every((e) => JSON.parse(e.details).portal === undefined)).toBe(true);
  });

  it("is unlocked by staff Save (failures and lock cleared) and by the lock running out", async () => {
    const login = await createSettledLogin();
    await attempts(login.username, "a wrong password", 10);
    // Staff: Edit → Save on the login's row.
    await sql("UPDATE portal_logins SET failed_attempts = 0, locked_until = NULL WHERE id = ?", login.id);
    expect((await new PortalBrowser().signIn(login.username, login.password)).status).toBe(303);

    await attempts(login.username, "a wrong password", 10);
    expect((await new PortalBrowser().signIn(login.username, login.password)).status).toBe(429);
    await sql("UPDATE portal_logins SET locked_until = ? WHERE id = ?", Date.now() - 1, login.id);
    expect((await new PortalBrowser().signIn(login.username, login.password)).status).toBe(303);
  });

  it("starts counting afresh after a successful sign-in", async () => {
    const login = await createSettledLogin();
    await attempts(login.username, "a wrong password", 9);
    expect((await loginRow(login.id)).failed_attempts).toBe(9);
    expect((await new PortalBrowser().signIn(login.username, login.password)).status).toBe(303);
    expect((await loginRow(login.id)).failed_attempts).toBe(0);
  });

  it("slows down before the lock: from the 6th failure each answer waits a little longer", async () => {
    const login = await createSettledLogin();
    await attempts(login.username, "a wrong password", 8);
    const b = new PortalBrowser();
    await b.signIn(login.username, "a wrong password");
    // 9th failure: (9 - 5) × 250 ms.
    expect(b.lastMs).toBeGreaterThanOrEqual(950);
  });

  it("while locked, a signed-in session cannot change the password either (no guessing around the lock)", async () => {
    const login = await createSettledLogin();
    const b = new PortalBrowser();
    await b.signInReady(login);
    await attempts(login.username, "a wrong password", 10);
    expect((await loginRow(login.id)).locked_until).not.toBeNull();
    const next = "an entirely fresh passphrase";
    // Even the right current password is not checked while the lock lasts.
    const res = await b.post(`${PORTAL}/change-password`, { currentPassword: login.password, newPassword: next, confirmPassword: next });
    expect(res.status).toBe(429);
    expect(alertOf(await res.text())).toBe(TOO_MANY);
    expect((await loginRow(login.id)).locked_until).not.toBeNull();
    // When the lock has run out, the owner can change it.
    await env.DB.prepare("UPDATE portal_logins SET locked_until = 1 WHERE id = ?").bind(login.id).run();
    const after = await b.post(`${PORTAL}/change-password`, { currentPassword: login.password, newPassword: next, confirmPassword: next });
    expect(after.status).toBe(303);
    expect((await loginRow(login.id)).locked_until).toBeNull();
  });

  it("counts wrong current passwords on the change-password page and locks there too", async () => {
    const login = await createSettledLogin();
    const b = new PortalBrowser();
    await b.signInReady(login);
    const form = { currentPassword: "not it", newPassword: "an entirely fresh passphrase", confirmPassword: "an entirely fresh passphrase" };
    for (let i = 0; i < 9; i++) expect((await b.post(`${PORTAL}/change-password`, form)).status).toBe(422);
    const tenth = await b.post(`${PORTAL}/change-password`, form);
    expect(tenth.status).toBe(429);
    expect(alertOf(await tenth.text())).toBe(TOO_MANY);
    expect((await b.post(`${PORTAL}/change-password`, form)).status).toBe(429);
    // Locked: not even the right current password is checked until the lock runs out.
    expect((await b.post(`${PORTAL}/change-password`, { ...form, currentPassword: login.password })).status).toBe(429);
    expect((await loginRow(login.id)).locked_until).not.toBeNull();
  });
});

/** A browser tab that has signed in as the login (so it holds the login's device cookie), then logged out. */
async function trustedDevice(login: { username: string; password: string }) {
  const b = new PortalBrowser();
  expect((await b.signIn(login.username, login.password)).status).toBe(303);
  expect(b.cookies.has("portal_device")).toBe(true);
  await b.post(`${PORTAL}/log-out`, {});
  return b;
}

/** Staff: Edit → Save on the login's row, changing nothing else (the unlock). */
async function staffSave(login: { id: number; username: string }) {
  const admin = await Browser.staff("admin@riverbend.test");
  const res = await editLogin(admin, DEMO.maria, login.id, { email: `${login.username}@example.com` });
  expect(await res.text()).toContain("Unlocked");
}

describe("a device that signed in before", { timeout: 30_000 }, () => {
  it("keeps signing in while a stranger's failures make new devices wait", async () => {
    const login = await createSettledLogin();
    const mine = await trustedDevice(login);
    await attempts(login.username, "a stranger's guess", 12);
    expect((await new PortalBrowser().signIn(login.username, login.password)).status).toBe(429);
    expect((await mine.signIn(login.username, login.password)).status).toBe(303);
    // The success gave the charge back: the lock is gone for every device.
    expect(await loginRow(login.id)).toMatchObject({ failed_attempts: 0, locked_until: null });
  });

  it("is limited on its own (10 failures a window), and staff Save lets it in again", async () => {
    const login = await createSettledLogin();
    const mine = await trustedDevice(login);
    const answers: number[] = [];
    for (let i = 0; i < 11; i++) answers.push((await mine.signIn(login.username, `my typo ${i}`)).status);
    expect(answers.slice(0, 9).every((s) => s === 401)).toBe(true);
    expect(answers.slice(9)).toEqual([429, 429]);
    expect((await mine.signIn(login.username, login.password)).status).toBe(429);
    await staffSave(login);
    expect((await mine.signIn(login.username, login.password)).status).toBe(303);
  });

  it("is locked out too at 100 failures in a row (NIST SP 800-63B-4's ceiling); staff see it, and Save unlocks", async () => {
    const login = await createSettledLogin();
    const mine = await trustedDevice(login);
    const before = await lastSeq(login.clientId);
    // 99 failures so far, the last wait over: the 100th locks the login for every device.
    await sql("UPDATE portal_logins SET failed_attempts = 99, last_failed_at = ?, locked_until = ? WHERE id = ?", Date.now() - 60_000, Date.now() - 1, login.id);
    expect((await new PortalBrowser().signIn(login.username, "the hundredth guess")).status).toBe(429);
    const row = await loginRow(login.id);
    expect(row.failed_attempts).toBe(100);
    expect(row.locked_until).toBeGreaterThan(Date.now() + 23 * 3_600_000);
    const res = await mine.signIn(login.username, login.password);
    expect(res.status).toBe(429);
    expect(alertOf(await res.text())).toBe(`Too many attempts. Wait 24 hours and try again, or contact ${RIVERBEND.name} for help.`);
    const lock = (await logEntries(login.clientId, before)).filter((e) => e.change_type === "Portal Login");
    expect(lock.map((e) => e.description)).toEqual([`Portal Login ${login.username} was locked after 100 failed sign-in attempts in a row.`]);
    await staffSave(login);
    expect((await mine.signIn(login.username, login.password)).status).toBe(303);
  });
});

describe("an address is limited across usernames", { timeout: 30_000 }, () => {
  it("after 50 failures from one address, that address gets 'too many' for any username; others don't", async () => {
    const login = await createSettledLogin();
    const ip = uniqueIp();
    const answers: number[] = [];
    for (let i = 0; i < 50; i++) {
      const res = await new PortalBrowser(ip).signIn(uniqueUsername("spray"), "Summer2026!");
      answers.push(res.status);
    }
    expect(answers.slice(0, 49).every((s) => s === 401)).toBe(true);
    expect(answers[49]).toBe(429);
    const blocked = await new PortalBrowser(ip).signIn(login.username, login.password);
    expect(blocked.status).toBe(429);
    expect(alertOf(await blocked.text())).toBe(TOO_MANY);
    expect((await new PortalBrowser().signIn(login.username, login.password)).status).toBe(303);
    // The address's failures counted nothing against the real login.
    expect((await loginRow(login.id)).failed_attempts).toBe(0);
  });
});
