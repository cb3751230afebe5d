/**
 * A staff member's sign-in lock, as staff administration sees it: whether it is "Locked", and
 * Unlock — both from the same counter, the account row of the sign-in throttle
 * (src/auth/throttle.ts), keyed by an HMAC of the member's email (throttleKeyOf.staffAccount).
 */
import { inArray } from "drizzle-orm";
import { clearAccountCounters } from "../auth/throttle";
import { throttleKeyOf } from "../auth/throttle-keys";
import type { Db } from "../db";
import { signInThrottle } from "../db/schema";

/**
 * Until when each member's sign-in is held back (epoch ms, or null): new devices wait while the
 * account row's `locked_until` is ahead; at the failure ceiling every device does.
 */
export async function signInLocks(env: Env, db: Db, members: { id: number; email: string }[]): Promise<Map<number, number | null>> {
  const keys = await Promise.all(members.map((m) => throttleKeyOf.staffAccount(env, m.email)));
  const rows = keys.length ? await db.select({ key: signInThrottle.key, lockedUntil: signInThrottle.lockedUntil }).from(signInThrottle).where(inArray(signInThrottle.key, keys)) : [];
  const byKey = new Map(rows.map((r) => [r.key, r.lockedUntil]));
  return new Map(members.map((m, i) => [m.id, byKey.get(keys[i]!) ?? null]));
}

/**
 * The statement that clears a member's sign-in counters on every device (Unlock). It changes rows
 * only when there was something to clear.
 */
export async function unlockStatement(env: Env, db: Db, member: { email: string }) {
  // .toSQL() here: a drizzle query is a thenable, and returning it from an async function would run it.
  return clearAccountCounters(db, await throttleKeyOf.staffAccount(env, member.email)).toSQL();
}
