/**
 * Staff sign-in, failed sign-in and sign-out, as entries of the agency's access log (HIPAA audit
 * controls). A failed sign-in and a sign-out are recorded after the response
 * (src/audit/agency-events.ts: the timing of a known email's failure must not differ from an
 * unknown one's); a sign-in that succeeds is recorded before its answer, alongside its session's
 * batch, so no session starts whose entry could still be lost. A failed sign-in is recorded only
 * for a known staff email: an unknown one has no agency.
 */
import type { Context } from "hono";
import type { AppEnv } from "../app";
import { recordAgencyEvent, recordAgencyEventNow, staffActor, type RequestContext } from "../audit/agency-events";
import { endStaffSession, startStaffSession } from "./staff-session";

interface StaffAccount {
  id: number;
  agencyId: number;
  name: string;
}

/** Why a known account's sign-in failed. */
export type SignInFailure = "wrong password" | "inactive account";

/**
 * Starts a staff member's session and records "Signed in." in the agency's log, side by side (the
 * session's D1 batch and the log's object at once, so the entry costs no extra wait); resolves
 * when both hold. If the entry can't be recorded the cookie is taken back and the error thrown:
 * no one is signed in without the log knowing.
 */
export async function startRecordedSession(
  c: Context<AppEnv>,
  staff: StaffAccount & { email: string; sessionVersion: number },
  withStatements?: Parameters<typeof startStaffSession>[3],
): Promise<void> {
  const entry = { actor: staffActor(staff), action: "Sign-in", description: "Signed in.", details: { email: staff.email } } as const;
  const [session, recorded] = await Promise.allSettled([startStaffSession(c, staff, undefined, withStatements), recordAgencyEventNow(c, staff.agencyId, entry)]);
  if (session.status === "rejected" || recorded.status === "rejected") {
    endStaffSession(c);
    throw session.status === "rejected" ? session.reason : (recorded as PromiseRejectedResult).reason;
  }
}

/** A failed sign-in for a known staff email; `locked` when this failure locked the email. */
export function recordSignInFailure(c: RequestContext, staff: StaffAccount & { email: string }, reason: SignInFailure, locked: boolean): void {
  const why = reason === "wrong password" ? "wrong password" : "the account is inactive";
  recordAgencyEvent(c, staff.agencyId, {
    actor: staffActor(staff),
    action: "Sign-in failed",
    description: `Sign-in failed: ${why}.${locked ? " The email is now locked." : ""}`,
    details: { email: staff.email, reason, locked },
  });
}

/** A staff sign-out (the session ended everywhere). */
export function recordSignOut(c: RequestContext, staff: StaffAccount): void {
  recordAgencyEvent(c, staff.agencyId, { actor: staffActor(staff), action: "Sign-out", description: "Signed out." });
}
