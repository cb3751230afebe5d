/**
 * TOTP (RFC 6238): 6 digits, 30-second steps, HMAC-SHA-1 — what every authenticator app reads
 * from an `otpauth://` QR code. A code is accepted for the current step and one step either side
 * (clocks drift), and only for a step newer than the last one accepted, so no code — and no older
 * code — works twice.
 */
import { createTOTPKeyURI, verifyHOTP } from "@oslojs/otp";
import { encodeBase32UpperCaseNoPadding } from "@oslojs/encoding";

export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Steps accepted either side of the current one. */
export const TOTP_WINDOW = 1;

/** A fresh 160-bit TOTP key (RFC 4226's recommended length). */
export function newTotpKey(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(20));
}

/** The time step an instant (epoch ms) falls in. */
export const totpStep = (nowMs: number) => Math.floor(nowMs / (TOTP_PERIOD_SECONDS * 1000));

/** The `otpauth://` URI an authenticator app reads from the QR code. */
export function totpKeyUri(issuer: string, account: string, key: Uint8Array): string {
  return createTOTPKeyURI(issuer, account, key, TOTP_PERIOD_SECONDS, TOTP_DIGITS);
}

/** The key as people type it: base32 in groups of four, e.g. `JBSW Y3DP EHPK 3PXP …`. */
export function typedSecret(key: Uint8Array): string {
  return encodeBase32UpperCaseNoPadding(key).match(/.{1,4}/g)!.join(" ");
}

/** A code as typed ("123 456", "123-456") reduced to its digits; null if it can't be a code. */
export function normalizeTotpCode(typed: string): string | null {
  const digits = typed.replace(/[\s-]/g, "");
  return new RegExp(`^\\d{${TOTP_DIGITS}}$`).test(digits) ? digits : null;
}

export type TotpMatch = { ok: true; step: number } | { ok: false; reason: "wrong" | "replayed" };

/**
 * Checks a code against the steps around `nowMs`. Returns the step it matched (to record as the
 * last used one), "replayed" when it only matches a step at or before `lastUsedStep`, else
 * "wrong". Every candidate step is compared (in constant time), whatever matched first.
 */
export function matchTotpCode(key: Uint8Array, code: string, nowMs: number, lastUsedStep: number | null): TotpMatch {
  const now = totpStep(nowMs);
  let fresh: number | null = null;
  let stale = false;
  for (let step = now - TOTP_WINDOW; step <= now + TOTP_WINDOW; step++) {
    if (!verifyHOTP(key, BigInt(step), TOTP_DIGITS, code)) continue;
    if (lastUsedStep !== null && step <= lastUsedStep) stale = true;
    else fresh ??= step;
  }
  if (fresh !== null) return { ok: true, step: fresh };
  return { ok: false, reason: stale ? "replayed" : "wrong" };
}
