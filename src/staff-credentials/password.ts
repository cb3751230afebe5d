/**
 * A staff member choosing a password: through an emailed link (first password or reset), or when
 * signed in (current password required). Both follow the portal's NIST rules
 * (src/auth/password-rules.ts) with the member's email name and agency as context words; both end
 * every other session (session_version + 1) and every unused link, and send a notice.
 */
import { and, eq, sql } from "drizzle-orm";
import { hashPassword, verifyPassword } from "../auth/password";
import { endSessionsStatement } from "../auth/session-records";
import { newPasswordProblem, type PasswordField } from "../auth/password-rules";
import { chargeGuess } from "../auth/guess";
import { throttleKeyOf, type AddressBucket } from "../auth/throttle-keys";
import type { CurrentStaff } from "../app";
import type { Db } from "../db";
import { staffUsers } from "../db/schema";
import { revokeLinksStatement, useLink, type ValidLink } from "./links";

export type NewPasswordInput = { newPassword: string; confirmPassword: string };
/** Bad input: the first field and message, and (for the new password) every field's message. */
export type Invalid = { kind: "invalid"; field: PasswordField | "currentPassword"; message: string; errors?: Partial<Record<PasswordField, string>> };

/** The rules (and the breached-password range check) with a staff member's context: their email's name part and agency. */
function ruleProblem(env: Env, email: string, agency: { name: string; slug: string }, input: NewPasswordInput) {
  return newPasswordProblem(
    input.newPassword.normalize("NFKC"),
    input.confirmPassword.normalize("NFKC"),
    { username: email.split("@")[0] ?? email, usernameLabel: "email address", agencyName: agency.name, agencySlug: agency.slug },
    { origin: env.PWNED_PASSWORDS_ORIGIN },
  );
}

export type LinkOutcome = { kind: "set"; sessionVersion: number } | Invalid | { kind: "spent" };

/**
 * Sets a password through a link: rules first (nothing written on bad input), then the one
 * conditional batch. `spent` when the link stopped working between the page and the submit.
 */
export async function setPasswordWithLink(env: Env, db: Db, link: ValidLink, input: NewPasswordInput, now: number): Promise<LinkOutcome> {
  const problem = await ruleProblem(env, link.staff.email, link.agency, input);
  if (problem) return { kind: "invalid", ...problem };
  const version = await useLink(env, db, link, await hashPassword(input.newPassword.normalize("NFKC")), now);
  return version === null ? { kind: "spent" } : { kind: "set", sessionVersion: version };
}

export type ChangeOutcome = { kind: "changed"; sessionVersion: number } | Invalid | { kind: "too-many" } | { kind: "ended" };

/**
 * Changes the signed-in member's password. The current password is required; a wrong one counts
 * exactly like a failed sign-in for that email and address (same throttle keys), so guessing it
 * here is no easier than at the sign-in page, and while either is locked nothing is checked.
 */
export async function changeOwnPassword(
  env: Env,
  db: Db,
  req: { staff: CurrentStaff; sessionVersion: number; sessionId: string; current: string; input: NewPasswordInput; bucket: AddressBucket },
): Promise<ChangeOutcome> {
  const { staff, input } = req;
  const now = Date.now();
  const current = req.current.normalize("NFKC");
  if (!current) return { kind: "invalid", field: "currentPassword", message: "Enter your current password." };
  // 1. The current password is a guess at the account like a sign-in: charged to the same
  //    counters before it is checked (so guessing here is no easier), and refused when over.
  const guess = await chargeGuess(env, db, { subject: await throttleKeyOf.staffAccount(env, staff.email), bucket: req.bucket });
  if (!guess) return { kind: "too-many" };
  const [stored] = await db
    .select({ passwordHash: staffUsers.passwordHash })
    .from(staffUsers)
    .where(and(eq(staffUsers.id, staff.id), eq(staffUsers.agencyId, staff.agency.id), eq(staffUsers.active, true)));
  const hash = stored?.passwordHash;
  if (!hash) return { kind: "ended" };
  if (!(await verifyPassword(hash, current)).ok) {
    // The wrong guess that reaches the limit is answered "too many" at once, as at sign-in.
    if (guess.retryAfterMs > 0) return { kind: "too-many" };
    return { kind: "invalid", field: "currentPassword", message: "That isn't your current password." };
  }
  await guess.succeeded();
  // 2. The rules, and a password that actually changes.
  const problem = await ruleProblem(env, staff.email, staff.agency, input);
  if (problem) return { kind: "invalid", ...problem };
  const next = input.newPassword.normalize("NFKC");
  if (next === current) return { kind: "invalid", field: "newPassword", message: "Choose a password different from your current one." };

  // 3. Save, only if the session is still current; other sessions and unused links end with it.
  const [updated] = await db.batch([
    db
      .update(staffUsers)
      .set({ passwordHash: await hashPassword(next), sessionVersion: sql`${staffUsers.sessionVersion} + 1` })
      .where(
        and(
          eq(staffUsers.id, staff.id),
          eq(staffUsers.agencyId, staff.agency.id),
          eq(staffUsers.active, true),
          eq(staffUsers.sessionVersion, req.sessionVersion),
        ),
      )
      .returning({ sessionVersion: staffUsers.sessionVersion }),
    revokeLinksStatement(db, staff.id, staff.agency.id, now),
    // The other sessions' rows end too, only if the password was changed just now (version moved on).
    endSessionsStatement(db, {
      staffId: staff.id,
      agencyId: staff.agency.id,
      now,
      except: req.sessionId,
      onlyIf: sql`(SELECT s.session_version FROM staff_users s WHERE s.id = ${staff.id}) = ${req.sessionVersion + 1}`,
    }),
  ]);
  const version = updated[0]?.sessionVersion;
  return version === undefined ? { kind: "ended" } : { kind: "changed", sessionVersion: version };
}
