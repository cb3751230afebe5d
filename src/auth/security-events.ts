/**
 * Staff sign-in, failed sign-in and sign-out, as entries of the agency's access log (HIPAA audit
 * controls). Recorded after the response (src/audit/agency-events.ts), so sign-in takes no longer.
 * A failed sign-in is recorded only for a known staff email: an unknown one has no agency.
 */
import { recordAgencyEvent, staffActor, type RequestContext } from "../audit/agency-events";

interface StaffAccount {
  id: number;
  agencyId: number;
  name: string;
}

/** Why a known account's sign-in failed. */
export type SignInFailure = "wrong password" | "inactive account";

/** A successful staff sign-in. */
export function recordSignIn(c: RequestContext, staff: StaffAccount & { email: string }): void {
  recordAgencyEvent(c, staff.agencyId, { actor: staffActor(staff), action: "Sign-in", description: "Signed in.", details: { email: staff.email } });
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
