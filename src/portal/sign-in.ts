/**
 * Portal sign-in, in one fixed order. Every way of failing that could tell an outsider something
 * (no such username, wrong password, inactive login, login without a password) gives the same
 * answer after the same work: one Argon2id verification, one counting write. The expired
 * temporary-password message comes only after the password has been verified.
 */
import { hashPassword, verifyAgainstDummy, verifyPassword } from "../auth/password";
import { recordStaffEvent } from "../clients/log";
import type { Db } from "../db";
import { loadSignInState, markSignedIn, usernameKeyOf, type PortalAgency, type SignInLogin } from "./queries";
import { addressKey, countFailure, failureDelayMs, isLocked, throttleSettings, unknownUsernameKey } from "../auth/throttle";
import { errorText } from "../observability/error-text";

export type SignInOutcome =
  | { kind: "signed-in"; login: SignInLogin }
  | { kind: "failed" }
  | { kind: "too-many" }
  | { kind: "expired" };

const PORTAL_ACTOR = { type: "system", id: null, name: "Client Portal" } as const;

/** Why a known login's sign-in failed, for the staff-visible entry (never shown to the user). */
function failureReason(login: SignInLogin, passwordOk: boolean): string {
  if (!login.passwordHash) return "no password has been issued";
  if (!passwordOk) return "wrong password";
  return "the login is inactive";
}

/**
 * Tries to sign in at an agency's portal. `defer` runs log writes after the answer is sent
 * (ctx.waitUntil), so that the answer's timing never depends on whether the username exists.
 */
export async function attemptSignIn(
  env: Env,
  db: Db,
  req: { agency: PortalAgency; username: string; password: string; ip: string; defer: (work: Promise<unknown>) => void },
): Promise<SignInOutcome> {
  const { agency, ip } = req;
  const settings = throttleSettings(env);
  const now = Date.now();
  const usernameKey = usernameKeyOf(req.username);
  const unknownKey = unknownUsernameKey(agency.id, usernameKey);
  // Passwords are compared as NFKC, so the same passphrase typed on another keyboard still matches.
  const password = req.password.normalize("NFKC");

  // 1. One read: the login (this agency's only), the address's and the unknown username's counters.
  const { login, throttles } = await loadSignInState(db, agency.id, usernameKey, [addressKey(ip), unknownKey]);
  const addressRow = throttles.find((t) => t.key === addressKey(ip));
  const unknownRow = throttles.find((t) => t.key === unknownKey);

  // 2. A locked address or username answers at once, the same for known and unknown usernames.
  if (isLocked(addressRow?.lockedUntil, now)) return { kind: "too-many" };
  const usernameLockedUntil = login ? login.lockedUntil : unknownRow?.lockedUntil;
  if (isLocked(usernameLockedUntil, now)) {
    await countFailure(db, null, ip, settings, now);
    return { kind: "too-many" };
  }

  // 3. Exactly one hash either way: the login's, or the dummy's for an unknown username.
  const verified = login?.passwordHash ? await verifyPassword(login.passwordHash, password) : { ok: await verifyAgainstDummy(password), needsRehash: false };

  // 4. Failure: count it, lock at the limit, slow down past half of it; log for staff afterwards.
  if (!login || !login.passwordHash || !verified.ok || !login.active) {
    const result = await countFailure(db, login ? { loginId: login.id, agencyId: agency.id } : { unknownKey }, ip, settings, now);
    if (login) req.defer(logFailure(env, agency, login, failureReason(login, verified.ok), ip, result.usernameLocked ? settings.lockAfterFailures : null));
    if (result.usernameLocked || result.addressLocked) return { kind: "too-many" };
    const delay = failureDelayMs(result.failures, settings);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    return { kind: "failed" };
  }

  // 5. The right password, but a temporary one past its expiry (set when it was issued, from the
  //    agency's lifetime setting): say so (only now, after the check).
  if (login.mustChangePassword && login.tempPasswordExpiresAt != null && now > login.tempPasswordExpiresAt) {
    return { kind: "expired" };
  }

  // 6. Success: failures cleared, last login set, the hash upgraded if its parameters are old.
  await markSignedIn(db, agency.id, login.id, now, verified.needsRehash ? await hashPassword(password) : undefined);
  return { kind: "signed-in", login };
}

/** The staff-visible entries of a failed sign-in with a real username (and of the lock it caused). */
async function logFailure(env: Env, agency: PortalAgency, login: SignInLogin, reason: string, ip: string, lockedAfter: number | null) {
  const base = { agencyId: agency.id, clientId: login.clientId, actor: PORTAL_ACTOR };
  try {
    await recordStaffEvent(env, {
      ...base,
      changeType: "Portal Sign-in",
      description: `Failed Client Portal sign-in as ${login.username}: ${reason}.`,
      details: { lines: [`From address ${ip}`] },
    });
    if (lockedAfter !== null) {
      await recordStaffEvent(env, {
        ...base,
        changeType: "Portal Login",
        description: `Portal Login ${login.username} was locked after ${lockedAfter} failed sign-in attempts.`,
        details: { lines: [`Last attempt from address ${ip}`] },
      });
    }
  } catch (err) {
    console.error(`portal sign-in: log entry for client ${login.clientId} not written: ${errorText(err)}`);
  }
}
