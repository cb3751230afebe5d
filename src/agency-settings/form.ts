/**
 * The Agency settings form and its rules. Every setting a Worker var defaults can be left empty
 * ("use the default"); a value must be within the limits of src/db/agency-settings.ts. The
 * messages say the limits and the default, since that is what the admin needs to correct it.
 */
import { z } from "zod";
import { CREDENTIAL_METHODS, NUMBER_SETTINGS, type CredentialMethod, type NumberSetting, type SettingDefaults } from "../db/agency-settings";
import { checkbox } from "../forms/parse";
import { plainText } from "../forms/text";
import { parsePortalOrigin, PortalOriginError, type PortalOriginProblem } from "../portal-logins/portal-url";
import { isKnownTimeZone } from "./time-zones";

/** The settings as stored: null where the agency uses the default. */
export interface StoredSettings {
  portalOrigin: string | null;
  timezone: string;
  lockAfterFailures: number | null;
  lockMinutes: number | null;
  tempPasswordHours: number | null;
  inviteLinkHours: number | null;
  defaultCredentialMethod: CredentialMethod | null;
  minorOwnLoginAge: number | null;
  ageOfMajority: number | null;
  requireTwoFactor: boolean;
}
export type SettingKey = keyof StoredSettings;

/** How each whole-number setting is counted, for hints and messages. */
export const NUMBER_UNITS: Record<NumberSetting, { unit: string; what: string }> = {
  lockAfterFailures: { unit: "failed sign-ins", what: "a number of failed sign-ins" },
  lockMinutes: { unit: "minutes", what: "a number of minutes" },
  tempPasswordHours: { unit: "hours", what: "a number of hours" },
  inviteLinkHours: { unit: "hours", what: "a number of hours" },
  minorOwnLoginAge: { unit: "years old", what: "an age in years" },
  ageOfMajority: { unit: "years old", what: "an age in years" },
};

const LONG_RANGES: Partial<Record<NumberSetting, string>> = { inviteLinkHours: "7 days", lockMinutes: "24 hours" };

/**
 * The range of a whole-number setting as people read it, with its unit when asked.
 *
 * @example rangeText("inviteLinkHours") // "1 to 168 (7 days)"; with the unit: "1 to 168 hours (7 days)"
 */
export function rangeText(key: NumberSetting, withUnit = false): string {
  const { min, max } = NUMBER_SETTINGS[key];
  const long = LONG_RANGES[key] ? ` (${LONG_RANGES[key]})` : "";
  return `${min} to ${max}${withUnit ? ` ${NUMBER_UNITS[key].unit}` : ""}${long}`;
}

const ORIGIN_MESSAGES: Record<PortalOriginProblem, string> = {
  unset: "Enter the portal's address, e.g. https://portal.example.org, or leave it empty for the default.",
  "not-url": "Enter the portal's address as https:// and a host name, e.g. https://portal.example.org, or leave it empty for the default.",
  "not-origin": "Enter only the scheme and host (and port, if any), with no path: e.g. https://portal.example.org.",
  "not-https": "Use an https:// address (plain http works only for localhost).",
};

/** A text field; one the request left out counts as empty (a browser always sends every field). */
const text = (label: string) => z.string().default("").pipe(plainText(label).trim());

function wholeNumber(key: NumberSetting, label: string, fallback: number) {
  const { min, max } = NUMBER_SETTINGS[key];
  const message = `Enter ${NUMBER_UNITS[key].what} from ${rangeText(key)}, or leave it empty for the default (${fallback}).`;
  return text(label)
    .refine((v) => v === "" || (/^\d{1,6}$/.test(v) && Number(v) >= min && Number(v) <= max), message)
    .transform((v) => (v === "" ? null : Number(v)));
}

/**
 * The form's schema. `defaults` are the deployment's (for the messages); `currentTimezone` is
 * accepted even if Intl's list doesn't have it (an alias an agency was created with), so a Save
 * that leaves it alone is never refused.
 */
export function agencySettingsForm(defaults: SettingDefaults, currentTimezone: string) {
  return z
    .object({
      portalOrigin: text("Agency Portal URL origin")
        .refine((v) => v.length <= 200, "Use at most 200 characters.")
        .transform((v, ctx) => {
          if (v === "") return null;
          try {
            return parsePortalOrigin(v);
          } catch (err) {
            const problem = err instanceof PortalOriginError ? err.problem : "not-url";
            ctx.addIssue({ code: "custom", message: ORIGIN_MESSAGES[problem] });
            return z.NEVER;
          }
        }),
      timezone: text("Time zone")
        .refine((v) => v === currentTimezone || isKnownTimeZone(v), "Choose a time zone from the list."),
      lockAfterFailures: wholeNumber("lockAfterFailures", "Lock after", defaults.lockAfterFailures),
      lockMinutes: wholeNumber("lockMinutes", "Lock for", defaults.lockMinutes),
      tempPasswordHours: wholeNumber("tempPasswordHours", "Temporary password lifetime", defaults.tempPasswordHours),
      inviteLinkHours: wholeNumber("inviteLinkHours", "Invitation link lifetime", defaults.inviteLinkHours),
      defaultCredentialMethod: z
        .string()
        .optional()
        .transform((v) => v ?? "")
        .refine((v) => v === "" || (CREDENTIAL_METHODS as readonly string[]).includes(v), "Choose one of the options.")
        .transform((v) => (v === "" ? null : (v as CredentialMethod))),
      minorOwnLoginAge: wholeNumber("minorOwnLoginAge", "Minimum age for a minor's own login", defaults.minorOwnLoginAge),
      ageOfMajority: wholeNumber("ageOfMajority", "Age of majority", defaults.ageOfMajority),
      requireTwoFactor: checkbox(),
      version: z.coerce.number({ message: "Reload the page and try again." }).int().positive("Reload the page and try again."),
    })
    .superRefine((s, ctx) => {
      // The ages are compared as they will apply, defaults included.
      const minor = s.minorOwnLoginAge ?? defaults.minorOwnLoginAge;
      const majority = s.ageOfMajority ?? defaults.ageOfMajority;
      if (minor >= majority) {
        ctx.addIssue({
          code: "custom",
          path: ["minorOwnLoginAge"],
          message: `The minimum age for a minor's own login (${minor}) must be below the age of majority (${majority}).`,
        });
      }
    });
}

export type AgencySettingsInput = z.infer<ReturnType<typeof agencySettingsForm>>;

/** The form's fields as text, as the page shows them for stored settings (empty: the default). */
export function formValues(s: StoredSettings, version: number): Record<string, string> {
  const text = (v: number | string | null) => (v === null ? "" : String(v));
  return {
    portalOrigin: text(s.portalOrigin),
    timezone: s.timezone,
    lockAfterFailures: text(s.lockAfterFailures),
    lockMinutes: text(s.lockMinutes),
    tempPasswordHours: text(s.tempPasswordHours),
    inviteLinkHours: text(s.inviteLinkHours),
    defaultCredentialMethod: text(s.defaultCredentialMethod),
    minorOwnLoginAge: text(s.minorOwnLoginAge),
    ageOfMajority: text(s.ageOfMajority),
    requireTwoFactor: s.requireTwoFactor ? "on" : "",
    version: String(version),
  };
}
