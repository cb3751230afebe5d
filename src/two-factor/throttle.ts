/**
 * Second-factor guesses (TOTP codes, recovery codes, passkey assertions) charged by the sign-in
 * throttle (src/auth/throttle.ts) before they are checked, under the caller's address and a
 * per-member counter of their own. That counter is deliberately not the email's: a correct
 * password clears the email's failures, and a thief who has the password must not be able to
 * reset the count of guessed codes by signing in again.
 *
 * A passkey sign-in (no password, so no member yet) is charged to an address-only counter.
 *
 * The only place two-factor and passkeys touch the throttle.
 */
import { throttleSettings, clearAccountCounters } from "../auth/throttle";
import { chargeGuess, guessRefused, type ChargedGuess } from "../auth/guess";
import { throttleKeyOf, type AddressBucket } from "../auth/throttle-keys";
import type { Db } from "../db";

export type { ChargedGuess } from "../auth/guess";

/** Charges one second-factor guess for the member from this address; null when refused (too many). */
export async function chargeSecondFactor(env: Env, db: Db, staffId: number, bucket: AddressBucket): Promise<ChargedGuess | null> {
  return chargeGuess(env, db, { subject: await throttleKeyOf.secondFactor(env, staffId), bucket });
}

/** Whether the member's second step from this address is refused right now (charges nothing). */
export async function secondFactorRefused(env: Env, db: Db, staffId: number, bucket: AddressBucket): Promise<boolean> {
  return guessRefused(env, db, { subject: await throttleKeyOf.secondFactor(env, staffId), bucket });
}

/** Charges one passkey sign-in from this address (no member known yet); null when refused. */
export async function chargePasskeySignIn(env: Env, db: Db, bucket: AddressBucket): Promise<ChargedGuess | null> {
  return chargeGuess(env, db, { subject: await throttleKeyOf.address(env, `passkey:${bucket}`), bucket });
}

/** Whether passkey sign-in from this address is refused right now (charges nothing). */
export async function passkeySignInRefused(env: Env, db: Db, bucket: AddressBucket): Promise<boolean> {
  return guessRefused(env, db, { subject: await throttleKeyOf.address(env, `passkey:${bucket}`), bucket });
}

/** Forgets the member's second-factor failures after a complete sign-in. */
export async function clearSecondFactorFailures(env: Env, db: Db, staffId: number): Promise<void> {
  await clearAccountCounters(db, await throttleKeyOf.secondFactor(env, staffId));
}

/** The first wait's length in minutes, for the "too many attempts" message. */
export const lockMinutes = (env: object) => Math.round(throttleSettings(env).lockMs / 60_000);
