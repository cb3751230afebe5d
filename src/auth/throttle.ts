/**
 * Sign-in throttling for the portal and the staff app, shaped so that it never tells whether an
 * account exists. Staff sign-in counts every email (known or not) under its own key in
 * `sign_in_throttle`. For the portal:
 * an existing login counts its failures in `portal_logins.failed_attempts` / `locked_until` (what
 * staff see as "Locked" and clear with Edit → Save), an unknown username counts them under its own
 * key in `sign_in_throttle`, with exactly the same arithmetic. Both lock after the same number of
 * failures for the same time, and both slow down the same way before that.
 *
 * Failures from one address (CF-Connecting-IP) across all usernames are counted in a window too;
 * past a limit, that address gets "too many attempts" for a while whatever it tries.
 *
 * Settings (Worker vars, all optional):
 *   PORTAL_LOCK_AFTER_FAILURES  failures for one username before it locks        (default 10)
 *   PORTAL_LOCK_MINUTES         how long a username or an address stays locked   (default 15)
 *   PORTAL_IP_MAX_FAILURES      failures from one address within that many minutes before the
 *                               address is locked                                 (default 50)
 */
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../db";
import { portalLogins, signInThrottle } from "../db/schema";

export interface ThrottleSettings {
  lockAfterFailures: number;
  lockMs: number;
  ipMaxFailures: number;
}

const positive = (v: unknown, fallback: number) => {
  const n = Number(v);
  return Number.isFinite(n) && n >= 1 ? Math.floor(n) : fallback;
};

/** Reads the throttle settings from the Worker's vars, with the defaults above. */
export function throttleSettings(env: object): ThrottleSettings {
  const vars = env as Record<string, unknown>;
  return {
    lockAfterFailures: positive(vars.PORTAL_LOCK_AFTER_FAILURES, 10),
    lockMs: positive(vars.PORTAL_LOCK_MINUTES, 15) * 60_000,
    ipMaxFailures: positive(vars.PORTAL_IP_MAX_FAILURES, 50),
  };
}

/** The caller's address as Cloudflare reports it ("unknown" when there is none, e.g. in tests). */
export function clientAddress(headers: { header(name: string): string | undefined }): string {
  return (headers.header("CF-Connecting-IP") ?? "unknown").slice(0, 64);
}

/** Throttle key of an address. */
export const addressKey = (ip: string) => `portal-ip:${ip}`;
/** Throttle key of a staff sign-in email (every email, known or not: the same arithmetic). */
export const staffEmailKey = (email: string) => `staff-email:${email.trim().toLowerCase()}`;
/** Throttle key of a username at an agency that has no such login. */
export const unknownUsernameKey = (agencyId: number, usernameKey: string) => `portal-user:${agencyId}:${usernameKey}`;

export type ThrottleRow = typeof signInThrottle.$inferSelect;

/** The query for the throttle rows of these keys (to run in the sign-in's read batch). */
export function throttleRowsQuery(db: Db, keys: string[]) {
  return db.select().from(signInThrottle).where(inArray(signInThrottle.key, keys));
}

/** Forgets a key's failures (after a successful sign-in). */
export function clearThrottle(db: Db, key: string) {
  return db.delete(signInThrottle).where(eq(signInThrottle.key, key));
}

/** Whether a lock (epoch ms or null) is still in force. */
export const isLocked = (lockedUntil: number | null | undefined, now: number) => lockedUntil != null && lockedUntil > now;

/**
 * How long to hold a failure's answer: nothing for the first half of the allowed failures, then a
 * quarter second more per failure (at most 2 s). Same for known and unknown usernames.
 */
export function failureDelayMs(failuresSoFar: number, s: ThrottleSettings): number {
  const over = failuresSoFar - Math.floor(s.lockAfterFailures / 2);
  return over > 0 ? Math.min(over * 250, 2_000) : 0;
}

/** Who failed: an existing login (by id) or an unknown username (by key). */
export type FailureSubject = { loginId: number; agencyId: number } | { unknownKey: string };

export interface FailureResult {
  /** Failures counted for the username since its last lock or success (0 right after locking). */
  failures: number;
  /** This failure locked the username. */
  usernameLocked: boolean;
  /** This failure locked the address. */
  addressLocked: boolean;
}

/** The write that counts one failure for a username (locking it at the limit), returning its state. */
function usernameFailure(db: Db, subject: FailureSubject, s: ThrottleSettings, lockUntil: number, now: number) {
  const n = s.lockAfterFailures;
  if ("loginId" in subject) {
    return db
      .update(portalLogins)
      .set({
        lockedUntil: sql`CASE WHEN ${portalLogins.failedAttempts} + 1 >= ${n} THEN ${lockUntil} ELSE ${portalLogins.lockedUntil} END`,
        failedAttempts: sql`CASE WHEN ${portalLogins.failedAttempts} + 1 >= ${n} THEN 0 ELSE ${portalLogins.failedAttempts} + 1 END`,
      })
      .where(and(eq(portalLogins.id, subject.loginId), eq(portalLogins.agencyId, subject.agencyId)))
      .returning({ failures: portalLogins.failedAttempts, lockedUntil: portalLogins.lockedUntil });
  }
  return db
    .insert(signInThrottle)
    .values({ key: subject.unknownKey, failures: n <= 1 ? 0 : 1, windowStart: now, lockedUntil: n <= 1 ? lockUntil : null })
    .onConflictDoUpdate({
      target: signInThrottle.key,
      set: {
        lockedUntil: sql`CASE WHEN ${signInThrottle.failures} + 1 >= ${n} THEN ${lockUntil} ELSE ${signInThrottle.lockedUntil} END`,
        failures: sql`CASE WHEN ${signInThrottle.failures} + 1 >= ${n} THEN 0 ELSE ${signInThrottle.failures} + 1 END`,
      },
    })
    .returning({ failures: signInThrottle.failures, lockedUntil: signInThrottle.lockedUntil });
}

/** The write that counts one failure from an address within its window (locking it at the limit). */
function addressFailure(db: Db, ip: string, s: ThrottleSettings, lockUntil: number, now: number) {
  // The window is as long as a lock; a failure after the window has passed starts a new one.
  const windowOpen = sql`${signInThrottle.windowStart} > ${now - s.lockMs}`;
  const failures = sql`CASE WHEN ${windowOpen} THEN ${signInThrottle.failures} + 1 ELSE 1 END`;
  return db
    .insert(signInThrottle)
    .values({ key: addressKey(ip), failures: 1, windowStart: now, lockedUntil: s.ipMaxFailures <= 1 ? lockUntil : null })
    .onConflictDoUpdate({
      target: signInThrottle.key,
      set: {
        lockedUntil: sql`CASE WHEN ${failures} >= ${s.ipMaxFailures} THEN ${lockUntil} ELSE ${signInThrottle.lockedUntil} END`,
        failures,
        windowStart: sql`CASE WHEN ${windowOpen} THEN ${signInThrottle.windowStart} ELSE ${now} END`,
      },
    })
    .returning({ failures: signInThrottle.failures, lockedUntil: signInThrottle.lockedUntil });
}

/**
 * Counts one failed attempt from the address and, unless `subject` is null (the username is
 * already locked), for the username, in one D1 batch; each locks when it reaches its limit. The
 * database does the counting, so parallel attempts can't slip past it by a read-modify-write race.
 */
export async function countFailure(db: Db, subject: FailureSubject | null, ip: string, s: ThrottleSettings, now: number): Promise<FailureResult> {
  const lockUntil = now + s.lockMs;
  const address = addressFailure(db, ip, s, lockUntil, now);
  if (!subject) {
    const [a] = await address;
    return { failures: 0, usernameLocked: false, addressLocked: a?.lockedUntil === lockUntil };
  }
  const [userRows, addressRows] = await db.batch([usernameFailure(db, subject, s, lockUntil, now), address]);
  const u = userRows[0];
  return {
    failures: u?.failures ?? 0,
    usernameLocked: u?.lockedUntil === lockUntil,
    addressLocked: addressRows[0]?.lockedUntil === lockUntil,
  };
}

/**
 * Deletes the throttle rows that no longer change any answer (run hourly by the cron): address
 * rows whose window and lock have both ended, and username/email rows whose lock has run out
 * with no failure since — deleting those is the same as keeping them, so it reveals nothing.
 * Rows still counting failures stay until they lock or succeed.
 */
export async function purgeSpentThrottles(db: Db, s: ThrottleSettings, now: number): Promise<number> {
  const lockOver = sql`(${signInThrottle.lockedUntil} IS NULL OR ${signInThrottle.lockedUntil} <= ${now})`;
  const result = await db
    .delete(signInThrottle)
    .where(
      sql`${lockOver} AND (
        (${signInThrottle.key} LIKE 'portal-ip:%' AND ${signInThrottle.windowStart} <= ${now - s.lockMs})
        OR (${signInThrottle.key} NOT LIKE 'portal-ip:%' AND ${signInThrottle.failures} = 0)
      )`,
    )
    .run();
  return result.meta.changes ?? 0;
}
