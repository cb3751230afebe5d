/** @jsxImportSource hono/jsx */
/**
 * Main Menu > Administration > Agency settings (admins only, by the permission table):
 *
 *   GET  /admin/settings   the form, with the agency's stored settings (empty fields: the defaults)
 *   POST /admin/settings   Save: validated, written with its Agency Log entry in one batch
 *
 * Every read and write is of the signed-in admin's own agency: no URL names an agency. A Save
 * applies from the next request on (each request reads the agency's row with the session).
 */
import { Hono, type Context } from "hono";
import type { AppEnv } from "../app";
import { effectiveSettings, settingDefaults, type SettingDefaults } from "../db/agency-settings";
import { parseForm, type FieldErrors } from "../forms/parse";
import { wantsFragment } from "../layout/fragment";
import { errorText } from "../observability/error-text";
import { agencyPortalUrl, PortalOriginError } from "../portal-logins/portal-url";
import { agencySettingsForm, formValues } from "./form";
import { loadAgencySettings, type AgencySettingsRecord } from "./queries";
import { saveAgencySettings } from "./save";
import { timeZoneGroups } from "./time-zones";
import { AgencySettingsForm, AgencySettingsPage, SETTINGS_PATH, type SettingsFormProps } from "./views";

const INVALID = "Nothing was saved. Correct the fields marked below.";
const CONFLICT =
  "Another administrator changed these settings after you opened this page, so nothing was saved. Your entries are still below: note them, open the current settings, and Save again.";
const UNAVAILABLE = "The settings could not be saved just now, so nothing was changed. Your entries are still here: try Save again.";

/** The Agency Portal URL the stored settings give on this request, or null when none can be made. */
function portalUrlNow(c: Context<AppEnv>, record: AgencySettingsRecord): string | null {
  try {
    return agencyPortalUrl(effectiveSettings(c.env, record.settings), c.req.url, record.slug);
  } catch (err) {
    if (err instanceof PortalOriginError) return null;
    throw err;
  }
}

/** The form's props for the stored settings; `values` etc. override. */
function formProps(c: Context<AppEnv>, record: AgencySettingsRecord, defaults: SettingDefaults, more: Partial<SettingsFormProps> = {}): SettingsFormProps {
  return {
    agencyName: record.name,
    slug: record.slug,
    portalEnabled: record.portalEnabled,
    values: formValues(record.settings, record.version),
    defaults,
    portalUrl: portalUrlNow(c, record),
    zoneGroups: timeZoneGroups(record.settings.timezone),
    ...more,
  };
}

const SAVED_NOTICE = "Settings saved. They apply from now on, and the change is in the Agency Log.";

export const agencySettingsRoutes = new Hono<AppEnv>()
  .get(SETTINGS_PATH, async (c) => {
    const record = await loadAgencySettings(c.var.db, c.var.staff.agency.id);
    if (!record) return c.notFound();
    const saved = c.req.query("saved") !== undefined;
    const unchanged = c.req.query("unchanged") !== undefined;
    const notice = saved ? { text: SAVED_NOTICE } : unchanged ? { text: "No changes to save." } : undefined;
    return c.html(<AgencySettingsPage staff={c.var.staff} form={formProps(c, record, settingDefaults(c.env), { notice })} />);
  })
  .post(SETTINGS_PATH, async (c) => {
    const staff = c.var.staff;
    const record = await loadAgencySettings(c.var.db, staff.agency.id);
    if (!record) return c.notFound();
    const defaults = settingDefaults(c.env);
    const fragment = wantsFragment(c);
    const respond = (props: SettingsFormProps, status: 200 | 409 | 422 | 503) =>
      c.html(fragment ? <AgencySettingsForm {...props} /> : <AgencySettingsPage staff={staff} form={props} />, status);

    // 1. Validate; bad input comes back with the messages beside the fields, and nothing is written.
    const body = await c.req.parseBody();
    const form = parseForm(agencySettingsForm(defaults, record.settings.timezone), body);
    // What was typed, as typed (an unchecked box is absent from the body).
    const typed = { ...form.values, requireTwoFactor: form.values.requireTwoFactor ? "on" : "" };
    if (!form.ok) {
      const errors: FieldErrors = form.errors;
      const text = errors.version && Object.keys(errors).length === 1 ? errors.version : INVALID;
      return respond(formProps(c, record, defaults, { values: typed, errors, alert: { text, reload: Boolean(errors.version) } }), 422);
    }
    const { version, ...values } = form.data;

    // 2. Save: the changed settings and one Agency Log entry, or nothing (unchanged, stale form).
    let outcome;
    try {
      outcome = await saveAgencySettings(c, { current: record, expectedVersion: version, values, defaults });
    } catch (err) {
      console.error(`agency ${staff.agency.id}: settings not saved: ${errorText(err)}`);
      return respond(formProps(c, record, defaults, { values: typed, alert: { text: UNAVAILABLE } }), 503);
    }
    if (outcome.status === "conflict") return respond(formProps(c, record, defaults, { values: typed, alert: { text: CONFLICT, reload: true } }), 409);

    // 3. The settings as they now are (a plain form post is redirected, so a refresh doesn't resubmit).
    if (!fragment) return c.redirect(`${SETTINGS_PATH}?${outcome.status}`, 303);
    const fresh = (await loadAgencySettings(c.var.db, staff.agency.id)) ?? record;
    const notice = outcome.status === "saved" ? { text: SAVED_NOTICE, lines: outcome.changes.map((ch) => ch.line) } : { text: "No changes to save." };
    return respond(formProps(c, fresh, defaults, { notice }), 200);
  });
