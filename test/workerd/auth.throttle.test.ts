import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { Browser, DEMO_PASSWORD } from "./fixtures";

const TOO_MANY = /Too many attempts/;

/** One sign-in attempt from an address; returns status and page text. */
async function attempt(email: string, password: string, ip: string) {
  const b = new Browser();
  const res = await b.post("/sign-in", { email, password }, { headers: { "CF-Connecting-IP": ip } });
  return { status: res.status, html: await res.text(), signedIn: res.status === 303 };
}

// Lower limits for this file keep it quick; the arithmetic is the same as the defaults'.
Object.assign(env, { PORTAL_LOCK_AFTER_FAILURES: "4", PORTAL_IP_MAX_FAILURES: "12" });

describe("staff sign-in throttling", () => {
  it("locks an email after repeated failures: even the right password is refused until unlocked", async () => {
    for (let i = 0; i < 4; i++) expect((await attempt("staff@riverbend.test", "wrong password", "10.0.0.1")).status).toBe(i < 3 ? 401 : 429);
    const locked = await attempt("staff@riverbend.test", DEMO_PASSWORD, "10.0.0.2");
    expect(locked.status).toBe(429);
    expect(locked.html).toMatch(TOO_MANY);
    // When the lock runs out, the right password works again and the count starts over.
    await env.DB.prepare("UPDATE sign_in_throttle SET locked_until = 1 WHERE key = ?").bind("staff-email:staff@riverbend.test").run();
    expect((await attempt("staff@riverbend.test", DEMO_PASSWORD, "10.0.0.2")).signedIn).toBe(true);
    expect((await attempt("staff@riverbend.test", "wrong password", "10.0.0.2")).status).toBe(401);
  });

  it("answers an unknown email exactly like a real one, so locks reveal nothing", async () => {
    const real: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 5; i++) {
      real.push((await attempt("admin@lakeside.test", "wrong password", "10.0.1.1")).status);
      unknown.push((await attempt("nobody@lakeside.test", "wrong password", "10.0.1.2")).status);
    }
    expect(unknown).toEqual(real);
    expect(real).toEqual([401, 401, 401, 429, 429]);
  });

  it("locks an address that fails across many emails", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 13; i++) statuses.push((await attempt(`guess${i}@riverbend.test`, "x", "10.0.2.1")).status);
    expect(statuses.slice(0, 11).every((s) => s === 401)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    // Another address is not affected.
    expect((await attempt("admin@riverbend.test", DEMO_PASSWORD, "10.0.2.2")).signedIn).toBe(true);
  });
});
