/**
 * A portal user choosing a new password: the first one (replacing the temporary password) or any
 * later change (current password required). The new hash, the end of the temporary password, of
 * every other session (session_version + 1; this device's session carried over) and of any unused
 * emailed link, the lock cleared, and the client's "Reset Password" entry are one atomic commit
 * through the client's log.
 */
import { hashPassword, verifyPassword } from "../auth/password";
import { newPasswordProblem } from "../auth/password-rules";
import { and, eq } from "drizzle-orm";
import { commitChange, portalEventEntry } from "../clients/log";
import { endLinksStatement } from "../clients/portal-links";
import { portalLogins } from "../db/schema";
import type { Db } from "../db";
import { effectiveSettings } from "../db/agency-settings";
import { chargePasswordCheck, loginPasswordHash } from "./password-change-queries";
import { giveBackCharge } from "./sign-in-charge";
import { usernameKeyOf } from "./sign-in-login";
import type { PortalAgency } from "./portal-agency";
import type { PortalUser } from "./portal-user";
import { keepSessionStatement } from "./sessions";
import { prepareAttempt, retryAfterMs, throttleSettings } from "../auth/throttle";
import { throttleKeyOf, type AddressBucket } from "../auth/throttle-keys";

export type ChangeField = "currentPassword" | "newPassword" | "confirmPassword";

export type ChangeOutcome =
  | { kind: "changed"; sessionVersion: number }
  /** Bad input: the first field and message, and (for the new password) every field's message. */
  | { kind: "invalid"; field: ChangeField; message: string; errors?: Partial<Record<ChangeField, string>> }
  | { kind: "too-many"; retryAfterMs: number }
  /** The login changed under the session (deactivated, reset, changed elsewhere): signed out. */
  | { kind: "ended" };

/** The Client Action Log's entry for a password the user changed. */
export function passwordChangedEntry(user: PortalUser) {
  return portalEventEntry({ loginId: user.loginId, username: user.username, event: "Reset Password", actingAs: user.actingAs });
}

/**
 * Checks and saves a new password for the signed-in login. `current` is required unless the login
 * still has its temporary password (the user has just signed in with it) or has no password at all
 * (it chose a passkey with an emailed link: the session alone may set one, as it may add a passkey).
 */
export async function changePortalPassword(
  env: Env,
  db: Db,
  req: { agency: PortalAgency; user: PortalUser; current?: string; next: string; confirm: string; bucket: AddressBucket },
): Promise<ChangeOutcome> {
  const { agency, user } = req;
  const next = req.next.normalize("NFKC");
  let stored: { passwordHash: string | null } | null;

  // 1. Any later change proves the current password, charged before it is checked like a sign-in
  //    from a new device. While the login is locked nothing is checked at all: otherwise a stolen
  //    session could go on guessing the current password and take the account over.
  if (!user.mustChangePassword && user.hasPassword) {
    const settings = throttleSettings(env, effectiveSettings(env, agency));
    const subject = await throttleKeyOf.portalAccount(env, agency.id, usernameKeyOf(user.username));
    const attempt = await prepareAttempt(env, settings, { subject, bucket: req.bucket, now: Date.now() });
    const charged = await chargePasswordCheck(db, attempt, agency.id, user.loginId);
    stored = charged.current;
    if (!stored?.passwordHash) return { kind: "ended" };
    if (!charged.accepted) return { kind: "too-many", retryAfterMs: retryAfterMs(attempt, charged.current, charged.rows) || settings.lockMs };
    const current = (req.current ?? "").normalize("NFKC");
    const { ok } = current ? await verifyPassword(stored.passwordHash, current) : { ok: false };
    if (!ok) {
      const wait = retryAfterMs(attempt, charged.current, charged.rows);
      if (wait > 0) return { kind: "too-many", retryAfterMs: wait };
      return { kind: "invalid", field: "currentPassword", message: current ? "That isn't your current password." : "Enter your current password." };
    }
    // Proven: the charge is given back, so mistakes in the new password never lock anyone out.
    await giveBackCharge(db, attempt, agency.id, user.loginId);
    if (next === current) return { kind: "invalid", field: "newPassword", message: "Choose a password different from your current one." };
  } else {
    stored = await loginPasswordHash(db, agency.id, user.loginId);
    if (!stored || (user.mustChangePassword && !stored.passwordHash)) return { kind: "ended" };
  }

  // 2. The rules (length, context words, common and breached passwords — in production also the
  //    Pwned Passwords range API, fail-open) and the confirmation.
  const problem = await newPasswordProblem(
    next,
    req.confirm.normalize("NFKC"),
    { username: user.username, agencyName: agency.name, agencySlug: agency.slug },
    { origin: env.PWNED_PASSWORDS_ORIGIN },
  );
  if (problem) return { kind: "invalid", ...problem };

  // 3. A first password must differ from the temporary one.
  if (user.mustChangePassword && (await verifyPassword(stored.passwordHash!, next)).ok) {
    return { kind: "invalid", field: "newPassword", message: "Choose a password different from your temporary password." };
  }

  // 4. Save, only if the login is still as this session knew it (same version, still active);
  //    this device's session moves to the new version with it, every other session ends.
  const result = await commitChange(env, {
    agencyId: agency.id,
    clientId: user.clientId,
    statements: [
      keepSessionStatement(db, agency.id, user.loginId, user.sessionId, user.sessionVersion),
      // Before the update and under its condition: a reset or invitation link left unused ends.
      endLinksStatement(db, {
        agencyId: agency.id,
        loginId: user.loginId,
        now: Date.now(),
        onlyIf: and(eq(portalLogins.clientId, user.homeClientId), eq(portalLogins.active, true), eq(portalLogins.sessionVersion, user.sessionVersion)),
      }),
      {
        sql:
          "UPDATE portal_logins SET password_hash = ?, must_change_password = 0, temp_password_expires_at = NULL, " +
          "session_version = session_version + 1, failed_attempts = 0, locked_until = NULL " +
          "WHERE id = ? AND agency_id = ? AND client_id = ? AND active = 1 AND session_version = ?",
        params: [await hashPassword(next), user.loginId, agency.id, user.homeClientId, user.sessionVersion],
      },
    ],
    entry: passwordChangedEntry(user),
  });
  if (!result.committed) return { kind: "ended" };
  return { kind: "changed", sessionVersion: user.sessionVersion + 1 };
}
