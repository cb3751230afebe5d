/**
 * An agency's settings as the rest of the app uses them. Each setting is stored on the agency's
 * row (Administration › Agency settings); a null column means "the deployment's default", which is
 * the Worker var named below — so a new agency follows the vars until an admin sets something, and
 * an admin can go back to the default by emptying a field. Read settings through
 * `effectiveSettings`, once per request, from the row the request already loaded: a Save takes
 * effect on the next request, with nothing cached.
 *
 * The limits are enforced twice: by the settings form (with a message), and here (a var or a row
 * edited by hand is clamped into them), so no setting can exceed a ceiling it is documented to
 * have — e.g. NIST SP 800-63B-4's 24 hours for an emailed secret, or its 100 failed attempts.
 */
import { agencies, type Agency } from "./schema";

export const CREDENTIAL_METHODS = ["password", "link"] as const;
/** How a new portal login gets its first credential: an emailed temporary password or an invitation link. */
export type CredentialMethod = (typeof CREDENTIAL_METHODS)[number];

/** The Worker vars that hold the defaults. */
export interface SettingDefaultVars {
  PORTAL_ORIGIN?: string;
  PORTAL_LOCK_AFTER_FAILURES?: string;
  PORTAL_LOCK_MINUTES?: string;
  PORTAL_TEMP_PASSWORD_HOURS?: string;
  PORTAL_INVITE_LINK_HOURS?: string;
  PORTAL_DEFAULT_CREDENTIAL_METHOD?: string;
  PORTAL_MINOR_OWN_LOGIN_AGE?: string;
  PORTAL_AGE_OF_MAJORITY?: string;
}

export interface NumberRule {
  min: number;
  max: number;
  /** Used when the var is unset or not a number. */
  fallback: number;
  variable: keyof SettingDefaultVars;
}

/** Each whole-number setting: its limits (inclusive), the var holding its default, and the default without one. */
export const NUMBER_SETTINGS = {
  lockAfterFailures: { min: 3, max: 100, fallback: 10, variable: "PORTAL_LOCK_AFTER_FAILURES" },
  lockMinutes: { min: 1, max: 1440, fallback: 15, variable: "PORTAL_LOCK_MINUTES" },
  tempPasswordHours: { min: 1, max: 24, fallback: 24, variable: "PORTAL_TEMP_PASSWORD_HOURS" },
  inviteLinkHours: { min: 1, max: 168, fallback: 24, variable: "PORTAL_INVITE_LINK_HOURS" },
  minorOwnLoginAge: { min: 10, max: 17, fallback: 12, variable: "PORTAL_MINOR_OWN_LOGIN_AGE" },
  ageOfMajority: { min: 16, max: 21, fallback: 18, variable: "PORTAL_AGE_OF_MAJORITY" },
} as const satisfies Record<string, NumberRule>;
export type NumberSetting = keyof typeof NUMBER_SETTINGS;

const DEFAULT_CREDENTIAL_METHOD: CredentialMethod = "password";

/** The stored settings columns of an agency row (null: the default). */
export type AgencySettingsRow = Pick<Agency, "timezone" | "requireTwoFactor" | "portalOrigin" | "defaultCredentialMethod" | NumberSetting>;

/** The columns of AgencySettingsRow, for a Drizzle select that also loads the agency. */
export const agencySettingsColumns = {
  timezone: agencies.timezone,
  requireTwoFactor: agencies.requireTwoFactor,
  portalOrigin: agencies.portalOrigin,
  lockAfterFailures: agencies.lockAfterFailures,
  lockMinutes: agencies.lockMinutes,
  tempPasswordHours: agencies.tempPasswordHours,
  inviteLinkHours: agencies.inviteLinkHours,
  defaultCredentialMethod: agencies.defaultCredentialMethod,
  minorOwnLoginAge: agencies.minorOwnLoginAge,
  ageOfMajority: agencies.ageOfMajority,
};

/** What every part of the app uses: each setting resolved to a value. */
export interface EffectiveSettings {
  /** Origin of the Agency Portal URL; null when neither the agency nor PORTAL_ORIGIN sets one (see portal-url.ts). */
  portalOrigin: string | null;
  timezone: string;
  /** Portal sign-in: failures before a username locks. */
  lockAfterFailures: number;
  /** Portal sign-in: how long a lock lasts. */
  lockMinutes: number;
  /** How long an emailed temporary portal password works. */
  tempPasswordHours: number;
  /** How long a portal invitation link works. */
  inviteLinkHours: number;
  requireTwoFactor: boolean;
  defaultCredentialMethod: CredentialMethod;
  /** Age from which a minor may have their own portal login. */
  minorOwnLoginAge: number;
  /** Age at which a parent's access ends (unless a guardianship is recorded). */
  ageOfMajority: number;
}

/** The settings a Worker var can default (time zone and Require two-factor are always stored). */
export type SettingDefaults = Omit<EffectiveSettings, "timezone" | "requireTwoFactor">;

const clamp = (n: number, rule: NumberRule) => Math.min(rule.max, Math.max(rule.min, n));

function defaultNumber(env: SettingDefaultVars, rule: NumberRule): number {
  const raw = (env[rule.variable] ?? "").trim();
  return /^\d{1,9}$/.test(raw) ? clamp(Number(raw), rule) : rule.fallback;
}

/**
 * The deployment's defaults, from the Worker vars (clamped into the limits; the built-in value when
 * a var is unset or not a whole number).
 *
 * @example settingDefaults({ PORTAL_TEMP_PASSWORD_HOURS: "72" }).tempPasswordHours // 24: the ceiling
 */
export function settingDefaults(env: SettingDefaultVars): SettingDefaults {
  const method = (env.PORTAL_DEFAULT_CREDENTIAL_METHOD ?? "").trim();
  return {
    portalOrigin: (env.PORTAL_ORIGIN ?? "").trim() || null,
    lockAfterFailures: defaultNumber(env, NUMBER_SETTINGS.lockAfterFailures),
    lockMinutes: defaultNumber(env, NUMBER_SETTINGS.lockMinutes),
    tempPasswordHours: defaultNumber(env, NUMBER_SETTINGS.tempPasswordHours),
    inviteLinkHours: defaultNumber(env, NUMBER_SETTINGS.inviteLinkHours),
    defaultCredentialMethod: (CREDENTIAL_METHODS as readonly string[]).includes(method) ? (method as CredentialMethod) : DEFAULT_CREDENTIAL_METHOD,
    minorOwnLoginAge: defaultNumber(env, NUMBER_SETTINGS.minorOwnLoginAge),
    ageOfMajority: defaultNumber(env, NUMBER_SETTINGS.ageOfMajority),
  };
}

/**
 * The agency's settings in force: each stored value, or the Worker var's default where the agency
 * has none.
 *
 * @example effectiveSettings(c.env, c.var.staff.agency).tempPasswordHours // e.g. 24
 */
export function effectiveSettings(env: SettingDefaultVars, agency: AgencySettingsRow): EffectiveSettings {
  const defaults = settingDefaults(env);
  const number = (key: NumberSetting) => {
    const stored = agency[key];
    return stored === null || !Number.isSafeInteger(stored) ? defaults[key] : clamp(stored, NUMBER_SETTINGS[key]);
  };
  const method = agency.defaultCredentialMethod;
  return {
    portalOrigin: agency.portalOrigin?.trim() || defaults.portalOrigin,
    timezone: agency.timezone,
    lockAfterFailures: number("lockAfterFailures"),
    lockMinutes: number("lockMinutes"),
    tempPasswordHours: number("tempPasswordHours"),
    inviteLinkHours: number("inviteLinkHours"),
    requireTwoFactor: agency.requireTwoFactor,
    defaultCredentialMethod: method && (CREDENTIAL_METHODS as readonly string[]).includes(method) ? method : defaults.defaultCredentialMethod,
    minorOwnLoginAge: number("minorOwnLoginAge"),
    ageOfMajority: number("ageOfMajority"),
  };
}
