/**
 * Whose passkeys these are. The ceremonies serve two kinds of owner — staff members (the staff
 * app) and portal logins (an agency's Client Portal) — each with a table of its own
 * (staff_passkeys, portal_passkeys) and always with its agency: every query names both.
 */

export type OwnerKind = "staff" | "portal";

/** A staff member or a portal login, with the agency it belongs to. */
export interface PasskeyOwner {
  kind: OwnerKind;
  id: number;
  agencyId: number;
}

/**
 * Where a passkey sign-in (no owner known yet) may find its passkey: any staff member's (staff
 * sign-in is one page for every agency), or one agency's portal logins'.
 */
export type SignInScope = { kind: "staff" } | { kind: "portal"; agencyId: number };

/** A staff member as a passkey owner. */
export const staffOwner = (staff: { id: number; agencyId: number }): PasskeyOwner => ({ kind: "staff", id: staff.id, agencyId: staff.agencyId });

/** A portal login as a passkey owner. */
export const portalOwner = (agencyId: number, loginId: number): PasskeyOwner => ({ kind: "portal", id: loginId, agencyId });
