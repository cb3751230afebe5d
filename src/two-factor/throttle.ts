/**
 * Second-factor failures (wrong, replayed or out-of-window TOTP codes, unknown recovery codes,
 * failed passkey assertions) counted by the sign-in throttle (src/auth/throttle.ts): under the
 * caller's address and under a per-member key of their own. That key is deliberately not the
 * email key: a correct password clears the email's failures, and a thief who has the password
 * must not be able to reset the count of guessed codes by signing in again.
 *
 * A failed passkey sign-in (no password, so no member yet) counts under the address only.
 *
 * The only place two-factor and passkeys touch the throttle: rewire these functions if it changes.
 */
import type { Db } from "../db";
import { addressKey, clearThrottle, countFailure, failureDelayMs, isLocked, throttleRowsQuery, throttleSettings } from "../auth/throttle";

/** Throttle key of a staff member's second-factor attempts. */
export const secondFactorKey = (staffId: number) => `staff-2fa:${staffId}`;

/** Whether the member's second step or the address is locked right now. */
export async function secondFactorLocked(db: Db, staffId: number, ip: string, now: number): Promise<boolean> {
  const rows = await throttleRowsQuery(db, [addressKey(ip), secondFactorKey(staffId)]);
  return rows.some((r) => isLocked(r.lockedUntil, now));
}

/**
 * Counts one failed second-factor attempt. Returns whether it locked the member or the address,
 * after holding the answer as the throttle prescribes for repeated failures.
 */
export async function countSecondFactorFailure(db: Db, env: object, staffId: number, ip: string, now: number): Promise<{ locked: boolean }> {
  const settings = throttleSettings(env);
  const result = await countFailure(db, { unknownKey: secondFactorKey(staffId) }, ip, settings, now);
  if (result.usernameLocked || result.addressLocked) return { locked: true };
  const delay = failureDelayMs(result.failures, settings);
  if (delay > 0) await new Promise((r) => setTimeout(r, delay));
  return { locked: false };
}

/** Whether the address is locked right now (passkey sign-in, before any member is known). */
export async function addressLocked(db: Db, ip: string, now: number): Promise<boolean> {
  const rows = await throttleRowsQuery(db, [addressKey(ip)]);
  return rows.some((r) => isLocked(r.lockedUntil, now));
}

/** Counts one failed passkey sign-in against the address; returns whether that locked it. */
export async function countAddressFailure(db: Db, env: object, ip: string, now: number): Promise<{ locked: boolean }> {
  const result = await countFailure(db, null, ip, throttleSettings(env), now);
  return { locked: result.addressLocked };
}

/** Forgets the member's second-factor failures after a complete sign-in. */
export async function clearSecondFactorFailures(db: Db, staffId: number): Promise<void> {
  await clearThrottle(db, secondFactorKey(staffId));
}

/** The lock's length in minutes, for the "too many attempts" message. */
export const lockMinutes = (env: object) => Math.round(throttleSettings(env).lockMs / 60_000);
