/**
 * Staff sign-in, in one fixed order: one D1 round trip that charges the attempt to the email's
 * counters (known or not: the same account row, the same arithmetic) and reads the account; one
 * Argon2id verification (an unknown email costs the dummy's); then nothing more before a failure's
 * answer, or — a success — the statements that give its charge back, which the caller sends in one
 * batch with the new session's (one round trip after the hash). Throttling: throttle.ts.
 */
import { sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "../db";
import { hashPassword, verifyAgainstDummy, verifyPassword } from "./password";
import { staffByEmailQuery, staffEmail, updateStaffPasswordHashQuery, type StaffSignInRow } from "./queries";
import {
  chargeAccountRow,
  chargeCounters,
  clearAccountCounters,
  failureDelayMs,
  giveBack,
  prepareAttempt,
  readCounters,
  retryAfterMs,
  throttleSettings,
  type ThrottleRow,
} from "./throttle";
import { newDeviceToken, throttleKeyOf, type AddressBucket } from "./throttle-keys";

export type StaffSignInOutcome =
  /** `deviceToken`: a new device cookie for this browser (null: it already has this account's). */
  /** `settle`: the charge given back (and a fresher hash), for the caller's one batch with the session. */
  | { kind: "signed-in"; staff: StaffSignInRow; deviceToken: string | null; settle: BatchItem<"sqlite">[] }
  /** `account`: the known account that failed (for the agency log), null for an unknown email. */
  | { kind: "failed"; account: StaffSignInRow | null; reason: "wrong password" | "inactive account" }
  | { kind: "too-many"; retryAfterMs: number; account?: StaffSignInRow | null; reason?: "wrong password" | "inactive account" };

/** Tries a staff sign-in with an email and password from an address bucket (and device cookie). */
export async function attemptStaffSignIn(
  env: Env,
  db: Db,
  req: { email: string; password: string; bucket: AddressBucket; deviceToken?: string },
): Promise<StaffSignInOutcome> {
  const settings = throttleSettings(env);
  // Passwords are set and compared as NFKC (a full-width space, a ligature typed on another keyboard).
  const password = req.password.normalize("NFKC");
  const subject = await throttleKeyOf.staffAccount(env, req.email);
  const attempt = await prepareAttempt(env, settings, { subject, bucket: req.bucket, deviceToken: req.deviceToken, now: Date.now() });

  // 1. One round trip: the attempt charged (or refused), the account and the counters read.
  const [charged, ...rest] = await db.batch([chargeAccountRow(db, attempt, sql`1`), ...chargeCounters(db, attempt), staffByEmailQuery(db, req.email), readCounters(db, attempt)]);
  const found = (rest.at(-2) as StaffSignInRow[])[0] ?? null;
  // A member invited but not past their link has no password: exactly like an unknown email.
  const staff = found?.passwordHash ? { ...found, passwordHash: found.passwordHash } : null;
  const rows = rest.at(-1) as ThrottleRow[];
  const accountRow = rows.find((r) => r.key === subject) ?? null;
  if (charged.length === 0) return { kind: "too-many", retryAfterMs: retryAfterMs(attempt, accountRow, rows) || settings.lockMs };

  // 2. Exactly one hash: the account's, or the dummy's for an unknown email.
  const { ok, needsRehash } = staff ? await verifyPassword(staff.passwordHash, password) : { ok: await verifyAgainstDummy(password), needsRehash: false };

  // 3. Any failure (unknown, wrong password, inactive): the charge stands; nothing else is written.
  if (!staff || !ok || !staff.active) {
    const reason = ok ? "inactive account" : "wrong password";
    const wait = retryAfterMs(attempt, accountRow, rows);
    if (wait > 0) return { kind: "too-many", retryAfterMs: wait, account: staff, reason };
    const delay = failureDelayMs(charged[0]!.failures, settings);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    return { kind: "failed", account: staff, reason };
  }

  // 4. Success: one round trip gives the charge back and upgrades a hash made with older parameters.
  const rehash = needsRehash ? [updateStaffPasswordHashQuery(db, staff.id, await hashPassword(password))] : [];
  const settle = [...giveBack(db, attempt, { accountRow: true }), ...rehash];
  return { kind: "signed-in", staff, deviceToken: attempt.deviceKey ? null : await newDeviceToken(env, subject), settle };
}

/**
 * Unlocks a staff member's sign-in: forgets every failure counted against the account, on every
 * device (not those of the addresses, which are shared with others). For the admin's Unlock: the
 * staff member by id within the admin's agency, or by email (an operator). False when not found.
 *
 * @example await unlockStaffSignIn(c.env, c.var.db, { agencyId: admin.agency.id, staffId })
 */
export async function unlockStaffSignIn(env: Env, db: Db, who: { agencyId: number; staffId: number } | { email: string }): Promise<boolean> {
  const email = "email" in who ? ((await staffByEmailQuery(db, who.email))[0]?.email ?? null) : await staffEmail(db, who.agencyId, who.staffId);
  if (!email) return false;
  await clearAccountCounters(db, await throttleKeyOf.staffAccount(env, email));
  return true;
}
