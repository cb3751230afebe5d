/**
 * The staff member's authenticator app: enrolment (a sealed secret, shown as a QR code and as
 * text), confirmation with a first code (which also issues recovery codes), and checking a code
 * at sign-in or before turning it off — each accepted code's step is used up at once.
 */
import { renderSVG } from "uqr";
import type { Db } from "../db";
import type { StaffRef } from "../auth/second-step";
import { confirmedTotp, confirmTotp, pendingTotpSecret, startTotpEnrolment, useTotpStep } from "./queries";
import { generateRecoveryCodes, hashRecoveryCode } from "./recovery-codes";
import { openSecret, sealSecret } from "./secret-box";
import { matchTotpCode, newTotpKey, normalizeTotpCode, totpKeyUri, typedSecret } from "./totp";

const owner = (staff: StaffRef) => `staff:${staff.id}`;

/** Messages for a code that didn't work, by reason. */
export const CODE_MESSAGES = {
  invalid: "Enter the 6-digit code from your authenticator app.",
  wrong: "That code isn't right. Check the app and enter the code it shows now.",
  replayed: "That code was already used. Wait for the app to show a new one.",
} as const;

/** Starts enrolment with a fresh secret; false when an authenticator is already on. */
export async function beginTotpEnrolment(db: Db, env: Env, staff: StaffRef, now: number): Promise<boolean> {
  return startTotpEnrolment(db, staff, await sealSecret(env.TWO_FACTOR_KEY, owner(staff), newTotpKey()), now);
}

/**
 * What the enrolment page shows: the QR code (an SVG data URI), the key as text, and the
 * otpauth:// link (for setting up on the same phone); null when no enrolment is pending.
 */
export async function totpEnrolmentView(db: Db, env: Env, staff: StaffRef & { email: string; agencyName: string }) {
  const box = await pendingTotpSecret(db, staff);
  if (!box) return null;
  const key = await openSecret(env.TWO_FACTOR_KEY, owner(staff), box);
  const keyUri = totpKeyUri(staff.agencyName, staff.email, key);
  const svg = renderSVG(keyUri, { ecc: "M", border: 2, pixelSize: 8 });
  return { qrDataUri: `data:image/svg+xml;base64,${btoa(svg)}`, typedSecret: typedSecret(key), keyUri };
}

export type CodeCheck = { ok: true } | { ok: false; reason: keyof typeof CODE_MESSAGES };

/**
 * Confirms the pending enrolment with its first code; on success returns the ten recovery codes
 * (stored hashed, to be shown once). `reason: "wrong"` also covers an enrolment that vanished.
 */
export async function confirmTotpEnrolment(db: Db, env: Env, staff: StaffRef, typed: string, now: number): Promise<{ ok: true; codes: string[] } | { ok: false; reason: keyof typeof CODE_MESSAGES }> {
  const code = normalizeTotpCode(typed);
  if (!code) return { ok: false, reason: "invalid" };
  const box = await pendingTotpSecret(db, staff);
  if (!box) return { ok: false, reason: "wrong" };
  const match = matchTotpCode(await openSecret(env.TWO_FACTOR_KEY, owner(staff), box), code, now, null);
  if (!match.ok) return match;
  const codes = generateRecoveryCodes();
  const confirmed = await confirmTotp(db, staff, box, match.step, codes.map(hashRecoveryCode), now);
  return confirmed ? { ok: true, codes } : { ok: false, reason: "wrong" };
}

/** Checks a code against the member's authenticator and uses its step up (never twice). */
export async function checkTotpCode(db: Db, env: Env, staff: StaffRef, typed: string, now: number): Promise<CodeCheck> {
  const code = normalizeTotpCode(typed);
  if (!code) return { ok: false, reason: "invalid" };
  const totp = await confirmedTotp(db, staff);
  if (!totp) return { ok: false, reason: "wrong" };
  const match = matchTotpCode(await openSecret(env.TWO_FACTOR_KEY, owner(staff), totp.secretBox), code, now, totp.lastUsedStep);
  if (!match.ok) return match;
  // Two requests racing with one code: the conditional UPDATE lets exactly one through.
  return (await useTotpStep(db, staff, match.step)) ? { ok: true } : { ok: false, reason: "replayed" };
}
