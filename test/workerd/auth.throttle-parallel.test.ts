/**
 * Parallel guesses at staff sign-in never get past the limit: every attempt is charged in D1 before
 * its password is checked, so however many arrive at once, at most PORTAL_LOCK_AFTER_FAILURES (10)
 * are checked. 401 = checked and failed, 303 = checked and signed in, 429 = refused (or the failure
 * that reached the limit).
 */
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { DEMO_PASSWORD, ORIGIN } from "./fixtures";

const LIMIT = 10;

function attempt(email: string, password: string, ip: string) {
  return SELF.fetch(new URL("/sign-in", ORIGIN), {
    method: "POST",
    body: new URLSearchParams({ email, password }),
    headers: { Origin: ORIGIN, "CF-Connecting-IP": ip },
    redirect: "manual",
  }).then(async (res) => {
    await res.arrayBuffer();
    return res.status;
  });
}

const checked = (statuses: number[]) => statuses.filter((s) => s === 401 || s === 303).length;

describe("parallel wrong passwords for one staff email", { timeout: 30_000 }, () => {
  it("from one address: at most 10 are checked; the right password is refused while locked", async () => {
    const statuses = await Promise.all([
      ...Array.from({ length: 30 }, (_, i) => attempt("staff@riverbend.test", `wrong guess ${i}`, "10.9.0.1")),
      attempt("staff@riverbend.test", DEMO_PASSWORD, "10.9.0.1"),
    ]);
    expect(checked(statuses)).toBeLessThanOrEqual(LIMIT);
    const again = await Promise.all(Array.from({ length: 30 }, (_, i) => attempt("staff@riverbend.test", `more guesses ${i}`, "10.9.0.1")));
    expect(checked(again)).toBeLessThanOrEqual(LIMIT);
    expect(await attempt("staff@riverbend.test", DEMO_PASSWORD, "10.9.0.1")).toBe(429);
  });

  it("from 30 addresses: at most 10 are checked; the right password from a new address is refused", async () => {
    const statuses = await Promise.all(Array.from({ length: 30 }, (_, i) => attempt("admin@lakeside.test", `wrong guess ${i}`, `10.9.1.${i + 1}`)));
    expect(checked(statuses)).toBeLessThanOrEqual(LIMIT);
    expect(await attempt("admin@lakeside.test", DEMO_PASSWORD, "10.9.1.200")).toBe(429);
  });
});
