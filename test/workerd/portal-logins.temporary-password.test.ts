/**
 * Temporary passwords: CSPRNG output in unambiguous characters, long enough for the password
 * rules, and never the same twice.
 */
import { describe, expect, it } from "vitest";
import { PASSWORD_MIN_LENGTH } from "../../src/auth/password-rules";
import { generateTemporaryPassword, TEMPORARY_PASSWORD_ALPHABET } from "../../src/portal-logins/temporary-password";

describe("generateTemporaryPassword", () => {
  it("is four groups of four from the unambiguous alphabet (no 0/O, 1/l/I)", () => {
    for (let i = 0; i < 200; i++) {
      const p = generateTemporaryPassword();
      expect(p).toMatch(/^[a-km-np-z2-9]{4}(-[a-km-np-z2-9]{4}){3}$/);
      expect(p).not.toMatch(/[0O1lIo]/);
    }
    expect(TEMPORARY_PASSWORD_ALPHABET).toHaveLength(32);
    expect(new Set(TEMPORARY_PASSWORD_ALPHABET).size).toBe(32);
  });

  it("is at least as long as the password rules ask (80 bits of entropy)", () => {
    expect(generateTemporaryPassword().length).toBeGreaterThanOrEqual(PASSWORD_MIN_LENGTH);
    expect(16 * Math.log2(TEMPORARY_PASSWORD_ALPHABET.length)).toBe(80);
  });

  it("never repeats and uses every symbol about equally", () => {
    const seen = new Set<string>();
    const counts = new Map<string, number>();
    for (let i = 0; i < 2000; i++) {
      const p = generateTemporaryPassword();
      seen.add(p);
      for (const ch of p.replace(/-/g, "")) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    }
    expect(seen.size).toBe(2000);
    // 32,000 symbols over 32 values: 1,000 each expected; a biased generator would stray far.
    expect(counts.size).toBe(32);
    for (const n of counts.values()) expect(n).toBeGreaterThan(820);
    for (const n of counts.values()) expect(n).toBeLessThan(1180);
  });
});
