/**
 * The TOTP rules on their own, with explicit clocks: RFC 6238 codes, ±1 step accepted, ±2
 * refused, a used step (or an older one) never accepted again; secrets sealed per member; recovery
 * codes' shape, strength and normalization.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { generateHOTP } from "@oslojs/otp";
import { matchTotpCode, normalizeTotpCode, totpStep, typedSecret } from "../../src/two-factor/totp";
import { openSecret, sealSecret } from "../../src/two-factor/secret-box";
import { generateRecoveryCodes, hashRecoveryCode, normalizeRecoveryCode } from "../../src/two-factor/recovery-codes";

const key = new TextEncoder().encode("12345678901234567890"); // RFC 6238's SHA-1 test key
const at = (seconds: number) => seconds * 1000;

describe("TOTP codes", () => {
  it("matches the RFC 6238 test vectors (SHA-1, 6 of the 8 digits)", () => {
    // RFC 6238 appendix B: T=59 → 94287082, T=1111111109 → 07081804, T=2000000000 → 69279037.
    expect(generateHOTP(key, BigInt(totpStep(at(59))), 6)).toBe("287082");
    expect(matchTotpCode(key, "287082", at(59), null)).toEqual({ ok: true, step: 1 });
    expect(matchTotpCode(key, "081804", at(1111111109), null)).toEqual({ ok: true, step: 37037036 });
    expect(matchTotpCode(key, "279037", at(2000000000), null)).toEqual({ ok: true, step: 66666666 });
  });

  it("accepts the codes of one step before and after now, and refuses two steps away", () => {
    const now = at(1_800_000_015);
    const step = totpStep(now);
    const code = (offset: number) => generateHOTP(key, BigInt(step + offset), 6);
    expect(matchTotpCode(key, code(-1), now, null)).toEqual({ ok: true, step: step - 1 });
    expect(matchTotpCode(key, code(0), now, null)).toEqual({ ok: true, step });
    expect(matchTotpCode(key, code(1), now, null)).toEqual({ ok: true, step: step + 1 });
    expect(matchTotpCode(key, code(-2), now, null)).toEqual({ ok: false, reason: "wrong" });
    expect(matchTotpCode(key, code(2), now, null)).toEqual({ ok: false, reason: "wrong" });
  });

  it("refuses a code whose step was already used, and any older one, as a replay", () => {
    const now = at(1_800_000_015);
    const step = totpStep(now);
    const code = (offset: number) => generateHOTP(key, BigInt(step + offset), 6);
    expect(matchTotpCode(key, code(0), now, step)).toEqual({ ok: false, reason: "replayed" });
    expect(matchTotpCode(key, code(-1), now, step)).toEqual({ ok: false, reason: "replayed" });
    expect(matchTotpCode(key, code(1), now, step)).toEqual({ ok: true, step: step + 1 });
    expect(matchTotpCode(key, code(1), now, step + 1)).toEqual({ ok: false, reason: "replayed" });
  });

  it("reads codes typed with spaces or a dash, and refuses anything but six digits", () => {
    expect(normalizeTotpCode(" 123 456 ")).toBe("123456");
    expect(normalizeTotpCode("123-456")).toBe("123456");
    for (const bad of ["", "12345", "1234567", "12345a", "１２３４５６"]) expect(normalizeTotpCode(bad)).toBeNull();
  });

  it("shows the key as base32 in groups of four", () => {
    expect(typedSecret(key)).toBe("GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ");
  });
});

describe("TOTP secrets at rest", () => {
  it("are AES-GCM boxes that open only for their owner and under the Worker's key", async () => {
    const box = await sealSecret(env.TWO_FACTOR_KEY, "staff:7", key);
    expect(box).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    expect(box).not.toContain("GEZDGNBV");
    expect(await openSecret(env.TWO_FACTOR_KEY, "staff:7", box)).toEqual(key);
    await expect(openSecret(env.TWO_FACTOR_KEY, "staff:8", box)).rejects.toThrow();
    await expect(openSecret("another-key-that-is-also-long-enough-012345", "staff:7", box)).rejects.toThrow();
    // Two boxes of the same secret differ (fresh IV each time).
    expect(await sealSecret(env.TWO_FACTOR_KEY, "staff:7", key)).not.toBe(box);
  });

  it("refuse to work without a long enough key", async () => {
    await expect(sealSecret(undefined, "staff:7", key)).rejects.toThrow(/TWO_FACTOR_KEY/);
    await expect(sealSecret("short", "staff:7", key)).rejects.toThrow(/TWO_FACTOR_KEY/);
  });
});

describe("recovery codes", () => {
  it("are ten distinct xxxx-xxxx-xxxx codes (60 bits) without look-alike characters", () => {
    const codes = generateRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const c of codes) expect(c).toMatch(/^[a-km-np-z2-9]{4}-[a-km-np-z2-9]{4}-[a-km-np-z2-9]{4}$/);
  });

  it("are read in any case, with or without dashes and spaces, and hashed the same way", () => {
    expect(normalizeRecoveryCode(" ABCD-efgh jkmn ")).toBe("abcdefghjkmn");
    expect(hashRecoveryCode("ABCD EFGH JKMN")).toBe(hashRecoveryCode("abcd-efgh-jkmn"));
    expect(hashRecoveryCode("abcd-efgh-jkmn")).toMatch(/^[0-9a-f]{64}$/);
    for (const bad of ["", "abcd-efgh", "abcd-efgh-jkm0", "abcd-efgh-jkmn-p"]) expect(normalizeRecoveryCode(bad)).toBeNull();
  });
});
