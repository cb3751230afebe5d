/**
 * A staff member choosing a password: through an emailed link (first password or reset), or when
 * signed in (current password required). Both follow the portal's NIST rules
 * (src/auth/password-rules.ts) with the member's email name and agency as context words; both end
 * every other session (session_version + 1) and every unused link, and send a notice.
 */
import { and, eq, sql } from "drizzle-orm";
import { hashPassword, verifyPassword } from "../auth/password";
import { endSessionsStatement } from "../auth/session-records";
import { passwordProblem, type PasswordField } from "../auth/password-rules";
import { addressKey, countFailure, isLocked, staffEmailKey, throttleRowsQuery, throttleSettings } from "../auth/throttle";
import type { CurrentStaff } from "../app";
import type { Db } from "../db";
import { staffUsers } from "../db/schema";
import { revokeLinksStatement, useLink, type ValidLink } from "./links";

export type NewPasswordInput = { newPassword: string; confirmPassword: string };
export type Invalid = { kind: "invalid"; field: PasswordField | "currentPassword"; message: string };

/** The rules' context for a staff member: their email's name part and their agency. */
function ruleProblem(email: string, agency: { name: string; slug: string }, input: NewPasswordInput) {
  return passwordProblem(input.newPassword.normalize("NFKC"), input.confirmPassword.normalize("NFKC"), {
    username: email.split("@")[0] ?? email,
    usernameLabel: "email address",
    agencyName: agency.name,
    agencySlug: agency.slug,
  });
}

export type LinkOutcome = { kind: "set"; sessionVersion: number } | Invalid | { kind: "spent" };

/**
 * Sets a password through a link: rules first (nothing written on bad input), then the one
 * conditional batch. `spent` when the link stopped working between the page and the submit.
 */
export async function setPasswordWithLink(db: Db, link: ValidLink, input: NewPasswordInput, now: number): Promise<LinkOutcome> {
  const problem = ruleProblem(link.staff.email, link.agency, input);
  if (problem) return { kind: "invalid", ...problem };
  const version = await useLink(db, link, await hashPassword(input.newPassword.normalize("NFKC")), now);
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
  req: { staff: CurrentStaff; sessionVersion: number; sessionId: string; current: string; input: NewPasswordInput; ip: string },
): Promise<ChangeOutcome> {
  const { staff, input } = req;
  const now = Date.now();
  const settings = throttleSettings(env);
  const key = staffEmailKey(staff.email);
  const [throttles, stored] = await db.batch([
    throttleRowsQuery(db, [addressKey(req.ip), key]),
    db
      .select({ passwordHash: staffUsers.passwordHash })
      .from(staffUsers)
      .where(and(eq(staffUsers.id, staff.id), eq(staffUsers.agencyId, staff.agency.id), eq(staffUsers.active, true))),
  ]);
  if (throttles.some((t) => isLocked(t.lockedUntil, now))) return { kind: "too-many" };
  const hash = stored[0]?.passwordHash;
  if (!hash) return { kind: "ended" };

  // 1. The current password, counted like a sign-in when wrong.
  const current = req.current.normalize("NFKC");
  if (!current) return { kind: "invalid", field: "currentPassword", message: "Enter your current password." };
  if (!(await verifyPassword(hash, current)).ok) {
    const result = await countFailure(db, { unknownKey: key }, req.ip, settings, now);
    if (result.usernameLocked || result.addressLocked) return { kind: "too-many" };
    return { kind: "invalid", field: "currentPassword", message: "That isn't your current password." };
  }
  // 2. The rules, and a password that actually changes.
  const problem = ruleProblem(staff.email, staff.agency, input);
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
