/**
 * For the Agency settings tests: an agency's settings as stored when nothing is set, the settings
 * form as the page submits it, and the agency's row read straight from D1.
 */
import { env } from "cloudflare:test";
import type { AgencySettingsRow } from "../../src/db/agency-settings";

/** A new agency's settings: every default, Eastern time, two-factor not required. */
export const UNSET_SETTINGS: AgencySettingsRow = {
  timezone: "America/New_York",
  requireTwoFactor: false,
  portalOrigin: null,
  lockAfterFailures: null,
  lockMinutes: null,
  tempPasswordHours: null,
  inviteLinkHours: null,
  defaultCredentialMethod: null,
  minorOwnLoginAge: null,
  ageOfMajority: null,
};

/** An `agencies` row as D1 returns it (snake_case, booleans as 0/1). */
export interface AgencyRow {
  id: number;
  name: string;
  slug: string;
  portal_enabled: number;
  timezone: string;
  require_two_factor: number;
  portal_origin: string | null;
  lock_after_failures: number | null;
  lock_minutes: number | null;
  temp_password_hours: number | null;
  invite_link_hours: number | null;
  default_credential_method: string | null;
  minor_own_login_age: number | null;
  age_of_majority: number | null;
  settings_version: number;
}

export async function agencyRow(id: number): Promise<AgencyRow> {
  const row = await env.DB.prepare("SELECT * FROM agencies WHERE id = ?").bind(id).first<AgencyRow>();
  if (!row) throw new Error(`no agency ${id}`);
  return row;
}

const text = (v: number | string | null) => (v === null ? "" : String(v));

/** The settings form exactly as the page would submit it for this row, with overrides (undefined: left out). */
export function settingsForm(row: AgencyRow, overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const form: Record<string, string | undefined> = {
    version: String(row.settings_version),
    portalOrigin: text(row.portal_origin),
    timezone: row.timezone,
    lockAfterFailures: text(row.lock_after_failures),
    lockMinutes: text(row.lock_minutes),
    tempPasswordHours: text(row.temp_password_hours),
    inviteLinkHours: text(row.invite_link_hours),
    defaultCredentialMethod: text(row.default_credential_method),
    minorOwnLoginAge: text(row.minor_own_login_age),
    ageOfMajority: text(row.age_of_majority),
    // Browsers send "on" for a checked box and nothing at all for an unchecked one.
    requireTwoFactor: row.require_two_factor ? "on" : undefined,
    ...overrides,
  };
  return Object.fromEntries(Object.entries(form).filter((e): e is [string, string] => e[1] !== undefined));
}
