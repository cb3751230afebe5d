/**
 * A portal login's state at a glance, as the Client Portal section shows it.
 */
import type { LoginLinks } from "../clients/portal-links";
import { lockHolds } from "../clients/portal-links";
import type { PortalLogin } from "../db/schema";
import type { AccessVerdict } from "../representatives/access";

export type LoginStatus =
  | "Invited"
  | "Active"
  | "Inactive"
  | "Locked"
  | "Link locked"
  | "Link expired"
  | "Expired"
  | "No password"
  // The access rule (src/representatives/access.ts) says no:
  | "Blocked"
  | "Expired (representative)"
  | "Record needed"
  | "Not started"
  | "Too young"
  | "Consent needed";

type StatusFields = Pick<PortalLogin, "active" | "passwordHash" | "mustChangePassword" | "tempPasswordExpiresAt" | "lockedUntil">;

/** How long a link's date-of-birth lock shows (portalLinkSettings().lockHoldMs). */
export interface StatusSettings {
  lockHoldMs: number;
}

/**
 * The invitation link the login is waiting on, if it was invited by link and hasn't chosen a
 * password yet (that invitation may have expired or locked).
 */
export function pendingInvitation(login: Pick<PortalLogin, "passwordHash" | "mustChangePassword">, links: LoginLinks | undefined) {
  if (login.passwordHash !== null || !login.mustChangePassword) return undefined;
  return links?.invite && links.invite.usedAt === null ? links.invite : undefined;
}

/**
 * With `access` (the access rule's verdict): Blocked, Expired (representative), Record needed,
 * Not started, Too young come first. Then: Inactive (staff turned it off) › Locked (too many failed sign-ins, until `lockedUntil`) ›
 * Link locked (an emailed link took too many wrong dates of birth) › Active (chose a password) ›
 * Invited / Link expired (waiting on an invitation link) › No password (added with Reset Password
 * cleared) › Expired (temporary password unused past the lifetime it was issued with, the agency's
 * setting) › Invited (temporary password not yet changed).
 */
export function loginStatus(login: StatusFields, now: number, links: LoginLinks = {}, s: StatusSettings = { lockHoldMs: 0 }, access?: AccessVerdict): LoginStatus {
  // Blocked › the representative's access ended by time or never recorded › the rest as before.
  if (access && !access.ok) {
    if (access.reason === "blocked") return "Blocked";
    if (access.reason === "end-date" || access.reason === "majority" || access.reason === "ended") return "Expired (representative)";
    if (access.reason === "no-record") return "Record needed";
    if (access.reason === "not-started") return "Not started";
    if (access.reason === "under-age") return "Too young";
    if (access.reason === "part2-consent") return "Consent needed";
  }
  if (!login.active) return "Inactive";
  if (login.lockedUntil !== null && login.lockedUntil > now) return "Locked";
  if (lockHolds(links.newest, now, s)) return "Link locked";
  if (!login.mustChangePassword) return "Active";
  if (login.passwordHash === null) {
    const invite = pendingInvitation(login, links);
    if (!invite) return "No password";
    return invite.expiresAt <= now ? "Link expired" : "Invited";
  }
  if (login.tempPasswordExpiresAt !== null && login.tempPasswordExpiresAt <= now) return "Expired";
  return "Invited";
}

/**
 * Whether the last credentials email went out: "sent", "failed" (also when its outcome was never
 * recorded), or null when no email was due (no credentials issued, or the user has chosen their
 * own and no later link failed).
 */
export function emailDelivery(login: Pick<PortalLogin, "emailStatus" | "passwordHash" | "mustChangePassword">, links?: LoginLinks): "sent" | "failed" | null {
  if (!login.mustChangePassword) return login.emailStatus === "sent" ? "sent" : login.emailStatus === "failed" ? "failed" : null;
  if (login.passwordHash === null && !pendingInvitation(login, links)) return null;
  return login.emailStatus === "sent" ? "sent" : "failed";
}

/** Whether the login holds a temporary password not yet changed (what the email Resend re-issues). */
export const hasTemporaryPassword = (login: Pick<PortalLogin, "passwordHash" | "mustChangePassword">) => login.passwordHash !== null && login.mustChangePassword;
