/**
 * Parallel guesses never get past the limit: every attempt is charged in D1 before its password is
 * checked, so however many arrive at once, at most PORTAL_LOCK_AFTER_FAILURES (10) of them are
 * checked, and the right password sent in or after the burst is refused while the lock lasts.
 * A 401 is an attempt that was checked and failed; a 303 one that was checked and signed in; a 429
 * one refused (or the failure that reached the limit).
 */
import { describe, expect, it } from "vitest";
import { PortalBrowser, createSettledLogin, loginRow, uniqueIp } from "./portal.fixtures";

const LIMIT = 10;

/** Fires all attempts at once: one PortalBrowser (so one execution context) each. */
function burst(attempts: { username: string; password: string; ip: string }[]) {
  return Promise.all(
    attempts.map(async (a) => {
      const b = new PortalBrowser(a.ip);
      const res = await b.signIn(a.username, a.password);
      return { status: res.status, right: a.password.startsWith("settled"), signedIn: b.cookies.has("portal_session") };
    }),
  );
}

const checked = (answers: { status: number }[]) => answers.filter((a) => a.status === 401 || a.status === 303).length;

describe("parallel wrong passwords for one portal username", { timeout: 30_000 }, () => {
  it("from one address: at most 10 are checked, and the right password is refused while locked", async () => {
    const login = await createSettledLogin();
    const ip = uniqueIp();
    const wrong = Array.from({ length: 30 }, (_, i) => ({ username: login.username, password: `wrong guess ${i}`, ip }));
    const answers = await burst([...wrong, { username: login.username, password: login.password, ip }]);
    expect(checked(answers)).toBeLessThanOrEqual(LIMIT);
    expect(answers.filter((a) => a.status === 429).length).toBeGreaterThanOrEqual(31 - LIMIT);
    // If the right password was among the first ten, it signed in and gave its charge back; either
    // way, more wrong guesses lock the login and then the right password is refused.
    const again = await burst(Array.from({ length: 30 }, (_, i) => ({ username: login.username, password: `more guesses ${i}`, ip })));
    expect(checked(again)).toBeLessThanOrEqual(LIMIT);
    const after = await new PortalBrowser(ip).signIn(login.username, login.password);
    expect(after.status).toBe(429);
  });

  it("from 31 addresses: at most 10 are checked, and the right password from a new address is refused", async () => {
    const login = await createSettledLogin();
    const wrong = Array.from({ length: 30 }, (_, i) => ({ username: login.username, password: `wrong guess ${i}`, ip: uniqueIp() }));
    const answers = await burst(wrong);
    expect(checked(answers)).toBeLessThanOrEqual(LIMIT);
    const right = await new PortalBrowser(uniqueIp()).signIn(login.username, login.password);
    expect(right.status).toBe(429);
    expect((await loginRow(login.id)).locked_until).toBeGreaterThan(Date.now());
  });

  it("for an unknown username: the same bound", async () => {
    const wrong = Array.from({ length: 30 }, (_, i) => ({ username: "nobody.parallel", password: `wrong guess ${i}`, ip: uniqueIp() }));
    expect(checked(await burst(wrong))).toBeLessThanOrEqual(LIMIT);
  });
});
