/**
 * The Pwned Passwords range check (src/auth/pwned-passwords.ts) against the local range server
 * (test/fixture-servers/pwned-range.ts, PWNED_PASSWORDS_ORIGIN in tests): only the 5-character
 * SHA-1 prefix leaves the Worker, padding lines don't count, and every failure of the API is
 * "unavailable" — after which the bundled lists alone decide (fail-open).
 */
import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { BREACHED_PASSWORD_MESSAGE, newPasswordProblem } from "../../src/auth/password-rules";
import { pwnedPasswordsLookup } from "../../src/auth/pwned-passwords";
import { PWNED_FIXTURE } from "./pwned-passwords.fixture";

const origin = env.PWNED_PASSWORDS_ORIGIN;
const context = { username: "maria.portal", agencyName: "Riverbend Behavioral Health", agencySlug: "riverbend" };

async function sha1Hex(s: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-1", new TextEncoder().encode(s)));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("").toUpperCase();
}

/** What the range server has been sent so far (by every test file). */
async function requestsSeen(): Promise<{ path: string; headers: Record<string, string> }[]> {
  return (await fetch(`${origin}/requests`)).json();
}

afterEach(() => vi.restoreAllMocks());

describe("Pwned Passwords range lookup", () => {
  it("reports a breached password with its count", async () => {
    expect(await pwnedPasswordsLookup(PWNED_FIXTURE.breached.password, { origin })).toEqual({ kind: "breached", count: 312 });
  });

  it("takes a suffix that appears only as padding (count 0), or not at all, as not found", async () => {
    expect(await pwnedPasswordsLookup(PWNED_FIXTURE.paddingOnly.password, { origin })).toEqual({ kind: "not-found" });
    expect(await pwnedPasswordsLookup(PWNED_FIXTURE.clean, { origin })).toEqual({ kind: "not-found" });
  });

  it("sends only the first 5 hex characters of the SHA-1, with Add-Padding: true", async () => {
    const password = `only the prefix leaves ${crypto.randomUUID()}`;
    const hash = await sha1Hex(password);
    await pwnedPasswordsLookup(password, { origin });
    const mine = (await requestsSeen()).filter((r) => r.path.endsWith(hash.slice(0, 5)));
    expect(mine).toHaveLength(1);
    expect(mine[0]!.path).toBe(`/range/${hash.slice(0, 5)}`);
    expect(mine[0]!.headers["add-padding"]).toBe("true");
    const sent = JSON.stringify(mine[0]).toUpperCase();
    expect(sent).not.toContain(hash.slice(5, 15));
    expect(sent).not.toContain(password.toUpperCase());
  });

  it("is unavailable, not a verdict, when the API times out, fails, answers nonsense or hangs up", async () => {
    const started = Date.now();
    expect(await pwnedPasswordsLookup(PWNED_FIXTURE.breached.password, { origin: `${origin}/slow`, timeoutMs: 300 })).toEqual({
      kind: "unavailable",
      reason: "timed out",
    });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await pwnedPasswordsLookup(PWNED_FIXTURE.breached.password, { origin: `${origin}/down` })).toEqual({ kind: "unavailable", reason: "status 503" });
    expect(await pwnedPasswordsLookup(PWNED_FIXTURE.breached.password, { origin: `${origin}/garbage` })).toEqual({
      kind: "unavailable",
      reason: "no range lines in the answer",
    });
    // workerd itself prints "uncaught exception … Network connection lost" for a dropped subrequest,
    // even though fetch's rejection is caught (a plain try/catch around fetch prints it too).
    expect((await pwnedPasswordsLookup(PWNED_FIXTURE.breached.password, { origin: `${origin}/hangup` })).kind).toBe("unavailable");
  });
});

describe("new password check with the range API", () => {
  const check = (password: string, apiOrigin = origin) => newPasswordProblem(password, password, context, { origin: apiOrigin, timeoutMs: 300 });

  it("refuses what the API knows as breached, with the kind message on New password", async () => {
    expect(await check(PWNED_FIXTURE.breached.password)).toMatchObject({ field: "newPassword", message: BREACHED_PASSWORD_MESSAGE });
    expect(await check(PWNED_FIXTURE.clean)).toBeNull();
  });

  it("fails open: with the API down or slow the bundled lists decide, and the log names no password or hash", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const hash = await sha1Hex(PWNED_FIXTURE.breached.password);
    expect(await check(PWNED_FIXTURE.breached.password, `${origin}/down`)).toBeNull();
    expect(await check(PWNED_FIXTURE.breached.password, `${origin}/slow`)).toBeNull();
    // The bundled lists still refuse what they know without the API.
    expect(await check("correct horse battery staple", `${origin}/down`)).toMatchObject({ field: "newPassword", message: BREACHED_PASSWORD_MESSAGE });
    expect(warn).toHaveBeenCalledTimes(2);
    const logged = warn.mock.calls.flat().join(" ");
    expect(logged).toMatch(/pwned passwords: no answer \(status 503\)/);
    expect(logged).toMatch(/no answer \(timed out\)/);
    expect(logged).not.toContain(PWNED_FIXTURE.breached.password);
    expect(logged).not.toContain(hash.slice(0, 5));
  });

  it("doesn't ask the API when it is off (empty origin) or when a bundled rule already refused", async () => {
    const before = (await requestsSeen()).length;
    expect(await check(PWNED_FIXTURE.breached.password, "")).toBeNull();
    expect((await check("fourteen chars"))?.message).toMatch(/^Use at least 15/);
    expect((await check("stairwaytoheaven"))?.message).toBe(BREACHED_PASSWORD_MESSAGE);
    // Other files may use the server meanwhile; none of these three calls did.
    const seen = (await requestsSeen()).slice(before);
    const prefixes = await Promise.all([PWNED_FIXTURE.breached.password, "fourteen chars", "stairwaytoheaven"].map(async (p) => (await sha1Hex(p)).slice(0, 5)));
    expect(seen.filter((r) => prefixes.some((p) => r.path.endsWith(p)))).toEqual([]);
  });
});
