/**
 * A portal login's state at a glance, as the Client Portal section shows it.
 */
import type { PortalLogin } from "../db/schema";

export type LoginStatus = "Invited" | "Active" | "Inactive" | "Locked" | "Expired" | "No password";

type StatusFields = Pick<PortalLogin, "active" | "passwordHash" | "mustChangePassword" | "tempPasswordExpiresAt" | "lockedUntil">;

/**
 * Inactive (staff turned it off) › Locked (too many failed sign-ins, until `lockedUntil`) ›
 * No password (added with Reset Password cleared) › Expired (temporary password unused past the
 * lifetime it was issued with, the agency's setting) › Invited (temporary password not yet changed) › Active.
 */
export function loginStatus(login: StatusFields, now: number): LoginStatus {
  if (!login.active) return "Inactive";
  if (login.lockedUntil !== null && login.lockedUntil > now) return "Locked";
  if (login.passwordHash === null) return "No password";
  if (login.mustChangePassword && login.tempPasswordExpiresAt !== null && login.tempPasswordExpiresAt <= now) return "Expired";
  if (login.mustChangePassword) return "Invited";
  return "Active";
}

/**
 * Whether the last credentials email went out: "sent", "failed" (also when its outcome was never
 * recorded), or null when no email was due (no password issued, or the user has chosen their own).
 */
export function emailDelivery(login: Pick<PortalLogin, "emailStatus" | "passwordHash" | "mustChangePassword">): "sent" | "failed" | null {
  if (login.passwordHash === null) return null;
  if (!login.mustChangePassword) return login.emailStatus === "sent" ? "sent" : null;
  return login.emailStatus === "sent" ? "sent" : "failed";
}
