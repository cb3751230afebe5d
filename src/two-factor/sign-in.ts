/**
 * The pieces every way of finishing the second step shares (code, recovery code, passkey,
 * enrolment): who is signing in, and starting their session.
 */
import type { Context } from "hono";
import type { AppEnv } from "../app";
import { endSecondStep, hasSecondFactor, readSecondStep, twoFactorStatus, type PendingSecondStep, type TwoFactorStatus } from "../auth/second-step";
import { findSignInStaff } from "./queries";
import { startRecordedSession } from "../auth/security-events";
import { clearSecondFactorFailures } from "./throttle";

export type SignInStaff = NonNullable<Awaited<ReturnType<typeof findSignInStaff>>>;

export interface SecondStep {
  pending: PendingSecondStep;
  staff: SignInStaff;
  status: TwoFactorStatus;
}

/**
 * The second step this browser is in: a valid pending cookie for a member who is still active and
 * hasn't signed out everywhere since (same session version). Null otherwise — start over.
 */
export async function loadSecondStep(c: Context<AppEnv>): Promise<SecondStep | null> {
  const pending = await readSecondStep(c);
  if (!pending) return null;
  const staff = await findSignInStaff(c.var.db, pending);
  if (!staff || staff.sessionVersion !== pending.ver) return null;
  // Single use: once any sign-in of the member has completed after this step began (this one
  // included), a saved copy of the pending cookie opens nothing.
  if (staff.lastSignInAt != null && staff.lastSignInAt >= pending.at) return null;
  return { pending, staff, status: await twoFactorStatus(c.var.db, staff) };
}

/** Completes sign-in: the pending step and its failures are forgotten, the session starts. */
export async function finishSignIn(c: Context<AppEnv>, staff: SignInStaff): Promise<void> {
  endSecondStep(c);
  await clearSecondFactorFailures(c.env, c.var.db, staff.id);
  await startRecordedSession(c, staff);
}

/**
 * Enrolling during sign-in is only for a member whose agency requires two-factor and who has
 * none yet: otherwise the password alone would let someone add their own second factor.
 */
export const mustEnrol = (step: SecondStep) => step.status.required && !hasSecondFactor(step.status);
