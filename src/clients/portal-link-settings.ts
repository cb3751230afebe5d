/**
 * Every number the portal's emailed links live by, read in one place: how long an invitation and
 * a reset link work, the Resend invitation cool-down, how many dates of birth a link takes, how
 * many reset links a login may be sent an hour, and which way of sending credentials the Portal
 * Login window offers first.
 *
 * Today they come from Worker vars (wrangler.toml) and constants. When agency settings arrive
 * (credential lifetimes, default credential method), this is the one function to make read them:
 * every caller already goes through `portalLinkSettings`.
 */

/** How the Portal Login window sends a login's credentials: the seed's temporary password, or an invitation link. */
export type CredentialMethod = "password" | "link";
export const CREDENTIAL_METHODS = ["password", "link"] as const satisfies readonly CredentialMethod[];

export type PortalLinkPurpose = "invite" | "reset";

export interface PortalLinkSettings {
  /** How long each kind of link works. Invitation: 24 h by default, at most 7 days; reset: 1 hour. */
  lifetimeMs: Record<PortalLinkPurpose, number>;
  /** How soon after an invitation staff may send another (Resend invitation). */
  resendCooldownMs: number;
  /** Wrong dates of birth that lock a link. */
  dobMaxFailures: number;
  /** Reset links one login may be sent per hour through Forgot password? (more asks: same answer, no email). */
  resetsPerHour: number;
  /** After a link locks, how long Forgot password? sends that login no link (unless staff clear the lock first). */
  lockHoldMs: number;
  /** Which way the Portal Login window offers first. */
  defaultCredentialMethod: CredentialMethod;
}

const HOUR = 3_600_000;
/** NIST SP 800-63B-4 asks 24 h of emailed secrets; an agency may allow at most a week. */
export const INVITE_MAX_HOURS = 7 * 24;

/**
 * The settings, from the Worker's vars: `PORTAL_INVITE_LINK_HOURS` (default 24, at most 168) and
 * `PORTAL_DEFAULT_CREDENTIAL_METHOD` ("password", the default, or "link").
 *
 * @example portalLinkSettings(env).lifetimeMs.invite // 86_400_000
 */
export function portalLinkSettings(env: object): PortalLinkSettings {
  const vars = env as Record<string, unknown>;
  const hours = Number(vars.PORTAL_INVITE_LINK_HOURS);
  const inviteHours = Number.isFinite(hours) && hours >= 1 ? Math.min(Math.floor(hours), INVITE_MAX_HOURS) : 24;
  return {
    lifetimeMs: { invite: inviteHours * HOUR, reset: HOUR },
    resendCooldownMs: 5 * 60_000,
    dobMaxFailures: 5,
    resetsPerHour: 3,
    lockHoldMs: 24 * HOUR,
    defaultCredentialMethod: vars.PORTAL_DEFAULT_CREDENTIAL_METHOD === "link" ? "link" : "password",
  };
}

/**
 * A lifetime as emails and pages say it: "1 hour", "24 hours", "3 days".
 *
 * @example durationText(86_400_000) // "24 hours"
 */
export function durationText(ms: number): string {
  const hours = Math.round(ms / HOUR);
  if (hours > 48 && hours % 24 === 0) return `${hours / 24} days`;
  if (hours >= 1) return hours === 1 ? "1 hour" : `${hours} hours`;
  const minutes = Math.max(1, Math.round(ms / 60_000));
  return minutes === 1 ? "1 minute" : `${minutes} minutes`;
}
