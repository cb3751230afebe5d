/**
 * A staff member's sign-in lock, as staff administration sees it: whether it is "Locked", and
 * Unlock. Today's throttle (src/auth/throttle.ts) counts staff failures under
 * `staffEmailKey(email)` in sign_in_throttle.
 *
 * TODO(throttle, at merge): src/auth/throttle.ts is being reworked and will export the function
 * that clears a staff member's sign-in locks and counters; rewire both functions below to it
 * (Unlock and the "Locked" status must read and clear the same thing).
 */
import { eq, sql } from "drizzle-orm";
import type { Db } from "../db";
import { signInThrottle } from "../db/schema";
import { staffEmailKey } from "../auth/throttle";

/**
 * The SQL for a staff_users row's sign-in lock end (epoch ms, or null), to select beside the row:
 * the list and the member page show "Locked" while it is ahead.
 */
export function signInLockedUntilSql() {
  // Table names written out: drizzle leaves a one-table select's columns unqualified.
  return sql<number | null>`(SELECT t.locked_until FROM sign_in_throttle t WHERE t.key = ${staffEmailKey("")} || staff_users.email)`;
}

/**
 * The statement that clears a member's sign-in lock and failure count (Unlock). It changes a row
 * only when there was something to clear.
 */
export function unlockStaffSignIn(db: Db, member: { email: string }) {
  return db.delete(signInThrottle).where(eq(signInThrottle.key, staffEmailKey(member.email)));
}
