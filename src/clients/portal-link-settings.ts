/**
 * Every number the portal's emailed links live by, read in one place: how long an invitation and
 * a reset link work, the Resend invitation cool-down, how many dates of birth a link takes, how
 * many reset links a login may be sent an hour, and which way of sending credentials the Portal
 * Login window offers first. The invitation lifetime and the default method are the agency's
 * settings (src/db/agency-settings.ts); the rest are fixed here.
 */
import { effectiveSettings, type AgencySettingsRow, type CredentialMethod, type SettingDefaultVars } from "../db/agency-settings";

export { CREDENTIAL_METHODS, type CredentialMethod } from "../db/agency-settings";

export type PortalLinkPurpose = "invite" | "reset";

export interface PortalLinkSettings {
  /** How long each kind of link works. Invitation: the agency's inviteLinkHours (24 h by default, at most 7 days); reset: 1 hour. */
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

/**
 * The settings for one agency: its effective `inviteLinkHours` and `defaultCredentialMethod`
 * (the agency's row, else the PORTAL_INVITE_LINK_HOURS / PORTAL_DEFAULT_CREDENTIAL_METHOD vars).
 *
 * @example portalLinkSettings(env, agency).lifetimeMs.invite // 86_400_000
 */
export function portalLinkSettings(env: SettingDefaultVars, agency: AgencySettingsRow): PortalLinkSettings {
  const settings = effectiveSettings(env, agency);
  return linkSettingsFor(settings.inviteLinkHours, settings.defaultCredentialMethod);
}

/**
 * The settings from an invitation lifetime already resolved (a caller that was handed the
 * agency's `inviteLinkHours` rather than its row).
 */
export function linkSettingsFor(inviteLinkHours: number, defaultCredentialMethod: CredentialMethod = "password"): PortalLinkSettings {
  return {
    lifetimeMs: { invite: inviteLinkHours * HOUR, reset: HOUR },
    resendCooldownMs: 5 * 60_000,
    dobMaxFailures: 5,
    resetsPerHour: 3,
    lockHoldMs: 24 * HOUR,
    defaultCredentialMethod,
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
