/**
 * The password rules on their own (src/auth/password-rules.ts): NIST SP 800-63B-4 length limits,
 * no composition rules, the shipped common-password list, and context words.
 */
import { describe, expect, it } from "vitest";
import {
  breachedPasswordFilterInfo,
  commonPasswordCount,
  isBreachedPassword,
  isCommonPassword,
  passwordProblem,
} from "../../src/auth/password-rules";

const context = { username: "maria.portal", agencyName: "Riverbend Behavioral Health", agencySlug: "riverbend" };
const BREACHED = "This password appears in lists of breached passwords. Choose another — a few unrelated words work well.";
const check = (pw: string, confirm = pw, ctx = context) => passwordProblem(pw, confirm, ctx);

describe("password rules", () => {
  it("ships a list of at least 10,000 common passwords", () => {
    expect(commonPasswordCount()).toBeGreaterThanOrEqual(10_000);
  });

  it("ships a breached-password filter of over a million entries, 1 false positive in 8,192 lookups", () => {
    const { entries, falsePositiveRate } = breachedPasswordFilterInfo();
    expect(entries).toBeGreaterThan(1_200_000);
    expect(falsePositiveRate).toBe(1 / 8192);
    // One entry from each source (scripts/breached-passwords.ts), looked up as typed.
    for (const pw of ["manchesterunited", "password123456789", "qazwsxedcrfvtgb", "iloveyou", "tr0ub4dor&3"]) {
      expect(isBreachedPassword(pw), pw).toBe(true);
    }
  });

  it("takes about 1 in 2,000 passphrases on no list for a breached one (measured, deterministic)", () => {
    // Each of these is looked up in 3–4 forms (as typed, without spaces, …), each 1/8,192.
    const probes = 100_000;
    let refused = 0;
    for (let i = 0; i < probes; i++) {
      if (isBreachedPassword(`${(i * 7919).toString(36)} quiet heron ${i.toString(36)} kettle`)) refused++;
    }
    expect(refused / probes).toBeGreaterThan(1 / 8192);
    expect(refused / probes).toBeLessThan(1 / 1500);
  });

  it("counts characters, not bytes, between 15 and 128", () => {
    expect(check("aa quick brown")?.message).toBe("Use at least 15 characters (this one has 14).");
    expect(check("ünïcödé wörds ok")).toBeNull(); // 16 characters, more bytes
    expect(check("🦊🦊 sly fox den")?.message).toBe("Use at least 15 characters (this one has 14)."); // 28 bytes
    expect(check("🦊🦊 sly fox dens")).toBeNull();
    const long = "the quiet heron waits by cold water while autumn leaves drift past a small red boat that rocks at the old stone pier by the mill";
    expect(check(long)).toBeNull(); // 128
    expect(check(`${long}s`)?.message).toBe("Use at most 128 characters (this one has 129).");
  });

  it("has no composition rules: lower-case words with spaces pass", () => {
    for (const pw of ["lantern orchard velvet compass", "the quiet heron waits by cold water while autumn leaves drift by", "zebra kettle mountain"]) {
      expect(check(pw), pw).toBeNull();
    }
  });

  it("refuses common passwords, with or without digits and symbols around them, repeated or as keyboard runs", () => {
    for (const pw of ["passwordpassword", "1qaz2wsx3edc4rfv", "Password12345678!", "iloveyou 1234567", "aaaaaaaaaaaaaaaa", "abcabcabcabcabcabc", "123456789012345", "qwertyuiopasdfghj", "ZYXWVUTSRQPONMLK"]) {
      expect(isCommonPassword(pw), pw).toBe(true);
      expect(check(pw)?.message, pw).toMatch(/^That password is too common/);
    }
    expect(isCommonPassword("lantern orchard velvet compass")).toBe(false);
  });

  it("refuses the username and the agency's name or slug, in any case and spacing", () => {
    expect(check("hello MARIA.PORTAL friend")?.message).toBe("Don't use your Portal Username in your password.");
    expect(check("hello maria portal friend")?.message).toBe("Don't use your Portal Username in your password.");
    expect(check("Riverbend Behavioral Health!")?.message).toBe("Don't use the agency's name in your password.");
    expect(check("down by the riverbend again")?.message).toBe("Don't use the agency's name in your password.");
    // Very short usernames are not treated as words to avoid.
    expect(check("a long journey by the sea", "a long journey by the sea", { ...context, username: "jo" })).toBeNull();
  });

  it("refuses well-known breached passwords that the common list misses, as typed or spaced out", () => {
    for (const pw of [
      "correcthorsebatterystaple",
      "correct horse battery staple",
      "CorrectHorseBatteryStaple",
      "manchesterunited",
      "stairwaytoheaven",
      "cristianoronaldo",
      "worldofwarcraft",
      "Manchester United 1999!",
    ]) {
      expect(check(pw)?.message, pw).toBe(BREACHED);
    }
  });

  it("doesn't let separators or symbols hide a run or a repeat, nor a few characters added at its ends", () => {
    for (const pw of ["123456789123456789", "velvetcompassvelvetcompass", "1234567890123456789!", "1-2-3-4-5-6-7-8-9-0", "q.w.e.r.t.y.u.i.o.p.a.s", "abcd-abcd-abcd-abcd", "Abcdefghijklmnop1!", "!!9876543210987654"]) {
      expect(check(pw)?.message, pw).toMatch(/^That password is too common/);
    }
  });

  it("still accepts unrelated words joined by separators or followed by a symbol", () => {
    for (const pw of ["lantern-orchard-velvet-compass", "zebra kettle mountain!", "heron.quiet.cold.water", "Velvet Compass Orchard 7"]) {
      expect(check(pw), pw).toBeNull();
    }
  });

  it("refuses a confirmation that doesn't match, on the confirmation field", () => {
    expect(check("lantern orchard velvet compass", "lantern orchard velvet")).toMatchObject({
      field: "confirmPassword",
      message: "The two passwords don't match. Type the same password in both boxes.",
    });
  });

  it("reports every broken rule at once, and a mismatched confirmation with them (issue 12)", () => {
    const problem = check("riverbend", "riverbend!");
    const all = `Use at least 15 characters (this one has 9). Don't use the agency's name in your password. ${BREACHED}`;
    expect(problem).toEqual({
      field: "newPassword",
      message: all,
      errors: {
        newPassword: all,
        confirmPassword: "The two passwords don't match. Type the same password in both boxes.",
      },
    });
  });
});
