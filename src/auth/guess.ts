/**
 * Guesses at a secret other than the sign-in password — a current password, a second-factor code,
 * a Forgot password request — charged by the sign-in throttle (./throttle.ts) exactly as a
 * sign-in attempt is: before the secret is checked, atomically.
 */
import { inArray, sql } from "drizzle-orm";
import type { Db } from "../db";
import { signInThrottle } from "../db/schema";
import { chargeAccountRow, chargeCounters, giveBack, prepareAttempt, readCounters, retryAfterMs, throttleSettings, type ThrottleRow } from "./throttle";
import type { AddressBucket } from "./throttle-keys";

/** A guess charged by `chargeGuess`: `refund` takes it back (it wasn't a real guess), `succeeded` forgets the account's failures. */
export interface ChargedGuess {
  /**
   * How long the next guess must wait, as this charge left the counters (0: none). When the guess
   * proves wrong and this is above 0, it was the one that reached the limit: answer "too many"
   * now, as a sign-in does, rather than let the next try find out.
   */
  retryAfterMs: number;
  refund(): Promise<void>;
  succeeded(): Promise<void>;
}

/**
 * Charges one guess at a secret other than the sign-in password — a current password on the
 * Change password page, a second-factor code — exactly as a sign-in attempt is charged: before the
 * secret is checked, atomically, so parallel guesses can't get past the limit. `subject` is the
 * counter's key (throttleKeyOf). Null when refused: the caller answers "too many" and checks
 * nothing. A wrong guess needs no further call: its charge stands (and when `retryAfterMs` > 0 it
 * reached the limit: answer "too many", as staff-sign-in.ts does).
 *
 * @example const guess = await chargeGuess(env, db, { subject, bucket }); if (!guess) return tooMany();
 */
export async function chargeGuess(env: { THROTTLE_KEY?: string }, db: Db, req: { subject: string; bucket: AddressBucket; countAddress?: boolean }): Promise<ChargedGuess | null> {
  const attempt = await prepareAttempt(env, throttleSettings(env), { ...req, now: Date.now() });
  // `countAddress: false` (Forgot password): the guess counts on its own counter only, so requests
  // that name no account can't use up an address's sign-in budget and lock its people out.
  const counters = req.countAddress === false ? [] : chargeCounters(db, attempt);
  const [charged, ...rest] = await db.batch([chargeAccountRow(db, attempt, sql`1`), ...counters, readCounters(db, attempt)]);
  if (charged.length === 0) return null;
  const rows = rest.at(-1) as ThrottleRow[];
  const less = sql`max(${signInThrottle.failures} - 1, 0)`;
  return {
    retryAfterMs: retryAfterMs(attempt, rows.find((r) => r.key === attempt.subject) ?? null, rows),
    refund: async () => {
      await db.update(signInThrottle).set({ failures: less }).where(inArray(signInThrottle.key, [attempt.subject, attempt.addressKey]));
    },
    succeeded: async () => {
      await db.batch(giveBack(db, attempt, { accountRow: true }));
    },
  };
}

/** Whether a guess at `subject` from this address would be refused now (without charging one). */
export async function guessRefused(env: { THROTTLE_KEY?: string }, db: Db, req: { subject: string; bucket: AddressBucket }): Promise<boolean> {
  const attempt = await prepareAttempt(env, throttleSettings(env), { ...req, now: Date.now() });
  const rows = await readCounters(db, attempt);
  return retryAfterMs(attempt, rows.find((r) => r.key === attempt.subject) ?? null, rows) > 0;
}
