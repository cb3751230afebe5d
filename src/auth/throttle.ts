/**
 * Sign-in throttling for the staff app and the portal, built so that it never tells whether an
 * account exists and never lets more attempts be checked than it allows, however many arrive at
 * once. Every attempt is *charged* in D1 before its password is hashed — conditional upserts that
 * count the attempt and refuse it when a limit is reached, in the same batch that reads the
 * account — and a success gives the charge back. Three counters (keys: throttle-keys.ts):
 *
 * - **The account** (any device): failures in a row, forgotten after a quiet
 *   PORTAL_ACCOUNT_WINDOW_HOURS or at a success or unlock. From PORTAL_LOCK_AFTER_FAILURES on,
 *   each failure makes *new devices* wait before the account checks another of their passwords:
 *   PORTAL_LOCK_MINUTES, a minute longer per further failure, at most PORTAL_BACKOFF_MAX_MINUTES.
 *   At PORTAL_ACCOUNT_MAX_FAILURES (at most 100, NIST SP 800-63B-4's ceiling) the account is
 *   locked for every device, for PORTAL_ACCOUNT_WINDOW_HOURS or until unlocked.
 *   A portal login keeps this count in its own row (`failed_attempts`, `locked_until`: staff see
 *   "Locked"); a staff account, and any username or email that names no account, in an
 *   account row here — with exactly the same arithmetic.
 * - **The account on a trusted device** (a browser holding the account's device cookie, given at
 *   a successful sign-in): not held back by the account's wait, so a stranger's guesses can't lock
 *   the owner out; instead limited on its own, PORTAL_LOCK_AFTER_FAILURES per PORTAL_LOCK_MINUTES.
 * - **The address** (IPv4, IPv6 /64, or the one bucket of requests without an address), across
 *   accounts: PORTAL_IP_MAX_FAILURES per PORTAL_LOCK_MINUTES window (PORTAL_LOCK_AFTER_FAILURES
 *   for the no-address bucket); past it, the address is refused until the window ends.
 *
 * Every row carries `expires_at`, after which it changes no answer; the hourly cron deletes it.
 */
import { and, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { Db } from "../db";
import { signInThrottle } from "../db/schema";
import { NO_ADDRESS, throttleKeyOf, trustedDeviceId, type AddressBucket } from "./throttle-keys";

/** NIST SP 800-63B-4 §3.2.2: at most 100 consecutive failed attempts on one account. */
export const NIST_MAX_CONSECUTIVE_FAILURES = 100;
/** How much longer each failure past the limit makes new devices wait. */
const BACKOFF_STEP_MS = 60_000;

export interface ThrottleSettings {
  /** Failures on an account before new devices wait; failures per window for one trusted device. */
  lockAfterFailures: number;
  /** The first wait, and the window of address and device counters. */
  lockMs: number;
  /** Failures from one address (any accounts) per window. */
  ipMaxFailures: number;
  /** The longest wait between attempts from new devices. */
  backoffMaxMs: number;
  /** Failures in a row before the account locks for every device (≤ 100). */
  accountMaxFailures: number;
  /** How long an account's failures are remembered after the last one; how long its lock lasts. */
  accountWindowMs: number;
}

const positive = (v: unknown, fallback: number) => {
  const n = Number(v);
  return Number.isFinite(n) && n >= 1 ? Math.floor(n) : fallback;
};

/**
 * Reads the throttle settings from the Worker's vars, with their defaults. An agency's own
 * settings (Administration › Agency settings: lock after N failures, for M minutes) override the
 * vars for its portal logins; staff sign-in uses the vars (an unknown email has no agency).
 */
export function throttleSettings(env: object, agency?: { lockAfterFailures: number; lockMinutes: number }): ThrottleSettings {
  const vars: Record<string, unknown> = { ...(env as Record<string, unknown>), ...(agency ? { PORTAL_LOCK_AFTER_FAILURES: agency.lockAfterFailures, PORTAL_LOCK_MINUTES: agency.lockMinutes } : {}) };
  const lockMs = positive(vars.PORTAL_LOCK_MINUTES, 15) * 60_000;
  const accountWindowMs = positive(vars.PORTAL_ACCOUNT_WINDOW_HOURS, 24) * 3_600_000;
  return {
    lockAfterFailures: positive(vars.PORTAL_LOCK_AFTER_FAILURES, 10),
    lockMs,
    ipMaxFailures: positive(vars.PORTAL_IP_MAX_FAILURES, 50),
    backoffMaxMs: Math.min(Math.max(positive(vars.PORTAL_BACKOFF_MAX_MINUTES, 60) * 60_000, lockMs), accountWindowMs),
    accountMaxFailures: Math.min(positive(vars.PORTAL_ACCOUNT_MAX_FAILURES, NIST_MAX_CONSECUTIVE_FAILURES), NIST_MAX_CONSECUTIVE_FAILURES),
    accountWindowMs,
  };
}

/** One sign-in attempt's counters, keyed. */
export interface Attempt {
  settings: ThrottleSettings;
  now: number;
  /** The account's key (also the `subject` of its device rows). */
  subject: string;
  addressKey: string;
  addressLimit: number;
  /** The trusted device's counter, when the request carries this account's device cookie. */
  deviceKey: string | null;
}

/** Keys the counters of one attempt at `subject` (from throttleKeyOf) from this address and device. */
export async function prepareAttempt(
  env: { THROTTLE_KEY?: string },
  settings: ThrottleSettings,
  req: { subject: string; bucket: AddressBucket; deviceToken?: string; now: number },
): Promise<Attempt> {
  const [addressKey, deviceId] = await Promise.all([throttleKeyOf.address(env, req.bucket), trustedDeviceId(env, req.subject, req.deviceToken)]);
  return {
    settings,
    now: req.now,
    subject: req.subject,
    addressKey,
    addressLimit: req.bucket === NO_ADDRESS ? Math.min(settings.lockAfterFailures, settings.ipMaxFailures) : settings.ipMaxFailures,
    deviceKey: deviceId ? await throttleKeyOf.device(env, req.subject, deviceId) : null,
  };
}

/** Whether the windowed counter `key` is full (as the batch finds it). */
function windowFull(a: Attempt, key: string, limit: number): SQL {
  return sql`EXISTS (SELECT 1 FROM sign_in_throttle WHERE key = ${key} AND window_start > ${a.now - a.settings.lockMs} AND failures >= ${limit})`;
}

/** The condition for charging the account: the address, and a trusted device, still have room. */
export function roomBeforeAccount(a: Attempt): SQL {
  const address = sql`NOT ${windowFull(a, a.addressKey, a.addressLimit)}`;
  return a.deviceKey ? sql`(${address} AND NOT ${windowFull(a, a.deviceKey, a.settings.lockAfterFailures)})` : address;
}

/** The columns an account's count lives in: a portal login's row, or an account row here. */
export interface AccountColumns {
  failures: SQL;
  lastFailedAt: SQL;
  lockedUntil: SQL;
}

/** When new devices may try again after `failures` in a row (null: at once). */
function lockAfter(a: Attempt, failures: SQL): SQL {
  const s = a.settings;
  return sql`(CASE WHEN ${failures} >= ${s.accountMaxFailures} THEN ${a.now + s.accountWindowMs}
    WHEN ${failures} >= ${s.lockAfterFailures} THEN ${a.now} + min(${s.lockMs} + (${failures} - ${s.lockAfterFailures}) * ${BACKOFF_STEP_MS}, ${s.backoffMaxMs})
    ELSE NULL END)`;
}

/**
 * The account's arithmetic, for an UPDATE of the row that holds it: `accepts` (the account checks
 * this attempt) and the new `failures` and `lockedUntil`. A trusted device is refused only by the
 * lock at the maximum; others also while new devices wait.
 */
export function accountCharge(a: Attempt, c: AccountColumns) {
  const s = a.settings;
  const fresh = sql`(${c.lastFailedAt} IS NULL OR ${c.lastFailedAt} <= ${a.now - s.accountWindowMs})`;
  const failures = sql`(CASE WHEN ${fresh} THEN 1 ELSE ${c.failures} + 1 END)`;
  const accepts = a.deviceKey
    ? sql`(${fresh} OR NOT (${c.failures} >= ${s.accountMaxFailures} AND ${c.lockedUntil} > ${a.now}))`
    : sql`(${fresh} OR ${c.lockedUntil} IS NULL OR ${c.lockedUntil} <= ${a.now})`;
  return { accepts, failures, lockedUntil: lockAfter(a, failures) };
}

const accountRowColumns: AccountColumns = {
  failures: sql`sign_in_throttle.failures`,
  lastFailedAt: sql`sign_in_throttle.window_start`,
  lockedUntil: sql`sign_in_throttle.locked_until`,
};

// A new row as INSERT … SELECT, so that it is inserted only when a condition holds; the columns
// in schema order: key, subject, failures, window_start, locked_until, expires_at.
const newRow = (a: Attempt, key: string, subject: string | null, lockedUntil: SQL, expiresAt: number, onlyIf: SQL) =>
  sql`SELECT ${key}, ${subject}, 1, ${a.now}, ${lockedUntil}, ${expiresAt} WHERE ${onlyIf}`;

/**
 * Charges the account row (a staff account, or a username that names no login), when `onlyIf`
 * holds and the account accepts; returns the row's new count, or nothing when refused.
 */
export function chargeAccountRow(db: Db, a: Attempt, onlyIf: SQL) {
  const s = a.settings;
  const charge = accountCharge(a, accountRowColumns);
  return db
    .insert(signInThrottle)
    .select(newRow(a, a.subject, a.subject, lockAfter(a, sql`1`), a.now + s.accountWindowMs, sql`${onlyIf} AND ${roomBeforeAccount(a)}`))
    .onConflictDoUpdate({
      target: signInThrottle.key,
      set: { failures: charge.failures, lockedUntil: charge.lockedUntil, windowStart: a.now, expiresAt: a.now + s.accountWindowMs },
      setWhere: charge.accepts,
    })
    .returning({ failures: signInThrottle.failures, lockedUntil: signInThrottle.lockedUntil });
}

/** Charges a windowed counter (device or address) unless it is full; `onlyIf` must hold too. */
function chargeWindow(db: Db, a: Attempt, key: string, subject: string | null, limit: number, onlyIf: SQL) {
  const w = a.settings.lockMs;
  const ended = sql`sign_in_throttle.window_start <= ${a.now - w}`;
  return db
    .insert(signInThrottle)
    .select(newRow(a, key, subject, sql`NULL`, a.now + w, onlyIf))
    .onConflictDoUpdate({
      target: signInThrottle.key,
      set: {
        failures: sql`CASE WHEN ${ended} THEN 1 ELSE sign_in_throttle.failures + 1 END`,
        windowStart: sql`CASE WHEN ${ended} THEN ${a.now} ELSE sign_in_throttle.window_start END`,
        expiresAt: sql`CASE WHEN ${ended} THEN ${a.now + w} ELSE sign_in_throttle.window_start + ${w} END`,
      },
      setWhere: sql`${ended} OR sign_in_throttle.failures < ${limit}`,
    })
    .returning({ failures: signInThrottle.failures });
}

/**
 * The device and address charges, to run after the account's in the same batch (the account's
 * condition reads them as they were). The address is charged for every attempt it lets through,
 * refused by the account or not, so hammering a locked account still uses up the address.
 * `onlyIf` (default: always) must hold for either to be charged.
 */
export function chargeCounters(db: Db, a: Attempt, onlyIf: SQL = sql`1`) {
  const device = a.deviceKey
    ? [chargeWindow(db, a, a.deviceKey, a.subject, a.settings.lockAfterFailures, sql`${onlyIf} AND NOT ${windowFull(a, a.addressKey, a.addressLimit)}`)]
    : [];
  return [...device, chargeWindow(db, a, a.addressKey, null, a.addressLimit, onlyIf)] as const;
}

export type ThrottleRow = typeof signInThrottle.$inferSelect;

/** The attempt's counter rows after charging (to run last in the batch). */
export function readCounters(db: Db, a: Attempt) {
  return db.select().from(signInThrottle).where(inArray(signInThrottle.key, [a.subject, a.addressKey, ...(a.deviceKey ? [a.deviceKey] : [])]));
}

/** An account's count after the charge. */
export interface AccountState {
  failures: number;
  lockedUntil: number | null;
}

/**
 * How long until this device could try again at this account, from the counters after the
 * charge (0: it may try now). The same for a real account and an unknown one.
 */
export function retryAfterMs(a: Attempt, account: AccountState | null, rows: ThrottleRow[]): number {
  const s = a.settings;
  const windowWait = (key: string | null, limit: number) => {
    const row = key ? rows.find((r) => r.key === key) : undefined;
    return row && row.failures >= limit && row.windowStart > a.now - s.lockMs ? row.windowStart + s.lockMs - a.now : 0;
  };
  let accountWait = 0;
  if (account?.lockedUntil != null && account.lockedUntil > a.now && (!a.deviceKey || account.failures >= s.accountMaxFailures)) {
    accountWait = account.lockedUntil - a.now;
  }
  return Math.max(accountWait, windowWait(a.addressKey, a.addressLimit), windowWait(a.deviceKey, s.lockAfterFailures));
}

/**
 * How long to hold a failure's answer: nothing for the first half of the allowed failures, then a
 * quarter second more per failure (at most 2 s). The same for known and unknown accounts.
 */
export function failureDelayMs(failuresSoFar: number, s: ThrottleSettings): number {
  const over = failuresSoFar - Math.floor(s.lockAfterFailures / 2);
  return over > 0 ? Math.min(over * 250, 2_000) : 0;
}

/**
 * A success gives its charge back: the trusted device's count and (when `accountRow`) the account
 * row go, and the address gets this one attempt back — only one, so signing in to an account of
 * one's own can't wipe out the failures one made against others.
 */
export function giveBack(db: Db, a: Attempt, opts: { accountRow: boolean }) {
  const keys = [...(opts.accountRow ? [a.subject] : []), ...(a.deviceKey ? [a.deviceKey] : [])];
  const address = db
    .update(signInThrottle)
    .set({ failures: sql`max(${signInThrottle.failures} - 1, 0)` })
    .where(and(eq(signInThrottle.key, a.addressKey), sql`${signInThrottle.windowStart} > ${a.now - a.settings.lockMs}`));
  return [address, ...(keys.length ? [db.delete(signInThrottle).where(inArray(signInThrottle.key, keys))] : [])] as const;
}

/** Deletes every counter of an account (its account row and its devices' rows): the unlock. */
export function clearAccountCounters(db: Db, subject: string) {
  return db.delete(signInThrottle).where(eq(signInThrottle.subject, subject));
}

/**
 * Deletes the throttle rows whose window has ended (run hourly by the cron): such a row changes no
 * answer any more, so deleting it reveals nothing, and nothing is kept longer than it counts.
 */
export async function purgeSpentThrottles(db: Db, now: number): Promise<number> {
  const result = await db.delete(signInThrottle).where(sql`${signInThrottle.expiresAt} <= ${now}`).run();
  return result.meta.changes ?? 0;
}

/** "15 minutes", "2 hours": how long to wait, for the too-many message. */
export function waitText(ms: number): string {
  const minutes = Math.max(1, Math.ceil(ms / 60_000));
  if (minutes < 120) return minutes === 1 ? "1 minute" : `${minutes} minutes`;
  return `${Math.ceil(minutes / 60)} hours`;
}
