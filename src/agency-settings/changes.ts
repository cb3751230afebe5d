/**
 * What a settings Save changed, worded for the Agency Log: one "Label: before → after" per changed
 * setting, a setting left to the default shown as "default (N)" so the entry says what was in
 * force on each side.
 */
import type { CredentialMethod, SettingDefaults } from "../db/agency-settings";
import type { SettingKey, StoredSettings } from "./form";

/** Each setting's name in the log and on the page, in the page's order. */
export const SETTING_LABELS: Record<SettingKey, string> = {
  portalOrigin: "Agency Portal URL origin",
  timezone: "Time zone",
  lockAfterFailures: "Lock after (failed sign-ins)",
  lockMinutes: "Lock for (minutes)",
  tempPasswordHours: "Temporary password lifetime (hours)",
  inviteLinkHours: "Invitation link lifetime (hours)",
  defaultCredentialMethod: "Default first credential",
  minorOwnLoginAge: "Minimum age for a minor's own login",
  ageOfMajority: "Age of majority",
  requireTwoFactor: "Require two-factor for staff",
};

export const CREDENTIAL_METHOD_LABELS: Record<CredentialMethod, string> = {
  password: "Emailed temporary password",
  link: "Invitation link",
};

export interface SettingChange {
  key: SettingKey;
  line: string;
}

/** A stored value as the log shows it. */
function shown(key: SettingKey, value: StoredSettings[SettingKey], defaults: SettingDefaults): string {
  if (typeof value === "boolean") return value ? "Yes" : "No";
  if (value === null) {
    const fallback = defaults[key as keyof SettingDefaults];
    if (fallback === null) return "default (none)";
    return `default (${key === "defaultCredentialMethod" ? CREDENTIAL_METHOD_LABELS[fallback as CredentialMethod] : fallback})`;
  }
  return key === "defaultCredentialMethod" ? CREDENTIAL_METHOD_LABELS[value as CredentialMethod] : String(value);
}

/**
 * The settings that differ between `before` and `after`, each with its log line, in the page's
 * order; empty when the Save changes nothing.
 *
 * @example diffSettings(before, { ...before, timezone: "America/Chicago" }, defaults)
 *   // → [{ key: "timezone", line: "Time zone: America/New_York → America/Chicago" }]
 */
export function diffSettings(before: StoredSettings, after: StoredSettings, defaults: SettingDefaults): SettingChange[] {
  return (Object.keys(SETTING_LABELS) as SettingKey[])
    .filter((key) => before[key] !== after[key])
    .map((key) => ({ key, line: `${SETTING_LABELS[key]}: ${shown(key, before[key], defaults)} → ${shown(key, after[key], defaults)}` }));
}
