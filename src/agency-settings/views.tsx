/** @jsxImportSource hono/jsx */
/**
 * Main Menu > Administration > Agency settings: one form in groups (Agency, Portal, Sign-in and
 * lockout, Credentials, Minors, Two-factor). Each field's hint gives its limits and the default an
 * empty field stands for. The form is also the fragment a Save swaps (htmx), with the outcome at
 * its top.
 */
import type { CurrentStaff } from "../app";
import { CREDENTIAL_METHODS, type NumberSetting, type SettingDefaults } from "../db/agency-settings";
import type { FieldErrors } from "../forms/parse";
import { Checkbox, Layout } from "../layout/views";
import { CREDENTIAL_METHOD_LABELS, SETTING_LABELS } from "./changes";
import { NUMBER_UNITS, rangeText } from "./form";
import type { ZoneGroup } from "./time-zones";

export const SETTINGS_PATH = "/admin/settings";
const FORM_ID = "agency-settings-form";

export interface SettingsFormProps {
  agencyName: string;
  slug: string;
  portalEnabled: boolean;
  /** The fields as text (what was stored, or what was typed). */
  values: Record<string, string>;
  errors?: FieldErrors;
  /** Why nothing was saved (bad input, a conflict, D1 unavailable). */
  alert?: { text: string; reload?: boolean };
  /** What a Save did. */
  notice?: { text: string; lines?: string[] };
  defaults: SettingDefaults;
  /** The Agency Portal URL in force now, or null when none can be made (no origin on a deployed host). */
  portalUrl: string | null;
  zoneGroups: ZoneGroup[];
}

const idOf = (name: string) => `f-${name}`;
const describedBy = (name: string, error?: string) => [`${idOf(name)}-hint`, error ? `${idOf(name)}-error` : ""].filter(Boolean).join(" ");

function ErrorText(props: { name: string; error?: string }) {
  return props.error ? (
    <p class="error" id={`${idOf(props.name)}-error`}>
      {props.error}
    </p>
  ) : null;
}

/** A whole-number setting: a short box with its unit after it; empty means the default. */
function NumberField(props: { name: NumberSetting; label: string; hint: string; value: string; error?: string; fallback: number }) {
  const id = idOf(props.name);
  return (
    <div class={props.error ? "field has-error" : "field"}>
      <label for={id}>{props.label}</label>
      <p class="hint" id={`${id}-hint`}>
        {props.hint} {rangeText(props.name, true)}; leave empty for the default ({props.fallback}).
      </p>
      <div class="with-unit">
        <input
          id={id}
          name={props.name}
          type="text"
          inputmode="numeric"
          maxlength={6}
          class="short"
          value={props.value}
          autocomplete="off"
          aria-invalid={props.error ? "true" : undefined}
          aria-describedby={describedBy(props.name, props.error)}
        />
        <span aria-hidden="true">{NUMBER_UNITS[props.name].unit}</span>
      </div>
      <ErrorText name={props.name} error={props.error} />
    </div>
  );
}

function PortalOriginField(props: { value: string; error?: string; fallback: string | null; portalUrl: string | null; slug: string }) {
  const id = idOf("portalOrigin");
  const fallback = props.fallback
    ? `Leave empty for the deployment's default, ${props.fallback}.`
    : "Leave empty for the deployment's default: none is set, so portal links work only on a local copy opened on localhost.";
  return (
    <div class={props.error ? "field has-error" : "field"}>
      <label for={id}>{SETTING_LABELS.portalOrigin}</label>
      <p class="hint" id={`${id}-hint`}>
        Where clients open the Client Portal: https:// and the host, e.g. https://portal.example.org. The Agency Portal URL on the Face Sheet
        and in every credentials email is this followed by /portal/{props.slug}. {fallback}
      </p>
      <input
        id={id}
        name="portalOrigin"
        type="text"
        inputmode="url"
        maxlength={200}
        value={props.value}
        autocomplete="off"
        autocapitalize="none"
        autocorrect="off"
        spellcheck={false}
        aria-invalid={props.error ? "true" : undefined}
        aria-describedby={describedBy("portalOrigin", props.error)}
      />
      <ErrorText name="portalOrigin" error={props.error} />
      {props.portalUrl ? (
        <p class="meta now">
          Agency Portal URL now: <code>{props.portalUrl}</code>
        </p>
      ) : (
        <p class="warning now">
          No Agency Portal URL can be made: set the origin here (or ask for PORTAL_ORIGIN to be set). Until then, adding portal logins and
          opening Face Sheets with a Client Portal section fail.
        </p>
      )}
    </div>
  );
}

function TimeZoneSelect(props: { value: string; error?: string; groups: ZoneGroup[] }) {
  const id = idOf("timezone");
  // A zone can be listed twice (the United States group and its region): mark only the first.
  let selected = false;
  const isChosen = (zone: string) => {
    if (selected || zone !== props.value) return false;
    selected = true;
    return true;
  };
  return (
    <div class={props.error ? "field has-error" : "field"}>
      <label for={id}>{SETTING_LABELS.timezone}</label>
      <p class="hint" id={`${id}-hint`}>
        Every time staff and clients read — the Change Log, the Agency Log, Last login, the portal's Activity — is shown in this zone, also
        for what was logged before.
      </p>
      <select id={id} name="timezone" aria-invalid={props.error ? "true" : undefined} aria-describedby={describedBy("timezone", props.error)}>
        {props.groups.map((g) => (
          <optgroup label={g.label}>
            {g.zones.map((z) => (
              <option value={z.value} selected={isChosen(z.value)}>
                {z.label}
              </option>
            ))}
          </optgroup>
        ))}
      </select>
      <ErrorText name="timezone" error={props.error} />
    </div>
  );
}

function CredentialMethodChoice(props: { value: string; error?: string; fallback: keyof typeof CREDENTIAL_METHOD_LABELS }) {
  const options = [
    { value: "", label: `Use the default (${CREDENTIAL_METHOD_LABELS[props.fallback]})` },
    ...CREDENTIAL_METHODS.map((m) => ({ value: m, label: CREDENTIAL_METHOD_LABELS[m] })),
  ];
  return (
    <fieldset class={props.error ? "choices has-error" : "choices"} aria-describedby={describedBy("defaultCredentialMethod", props.error)}>
      <legend>{SETTING_LABELS.defaultCredentialMethod}</legend>
      <p class="hint" id={`${idOf("defaultCredentialMethod")}-hint`}>
        What Add Client Portal Login sends a new login first.
      </p>
      {options.map((o, i) => {
        const id = i === 0 ? idOf("defaultCredentialMethod") : `${idOf("defaultCredentialMethod")}-${o.value}`;
        return (
          <div class="choice">
            <input id={id} type="radio" name="defaultCredentialMethod" value={o.value} checked={props.value === o.value} />
            <label for={id}>{o.label}</label>
          </div>
        );
      })}
      <ErrorText name="defaultCredentialMethod" error={props.error} />
    </fieldset>
  );
}

/** The outcome at the top of the form: saved, nothing to save, or why nothing was saved. */
function Outcome(props: { alert?: SettingsFormProps["alert"]; notice?: SettingsFormProps["notice"]; errors: FieldErrors }) {
  const problems = Object.entries(props.errors).filter(([field]) => field !== "version");
  if (props.alert) {
    return (
      <div class="error-summary" role="alert" tabindex={-1} autofocus>
        <p>{props.alert.text}</p>
        {problems.length > 0 && (
          <ul>
            {problems.map(([field, message]) => (
              <li>
                <a href={`#${idOf(field)}`}>{message}</a>
              </li>
            ))}
          </ul>
        )}
        {props.alert.reload && (
          <p>
            <a href={SETTINGS_PATH}>Open the current settings</a> (your entries here are not kept).
          </p>
        )}
      </div>
    );
  }
  if (props.notice) {
    return (
      <div class="notice" role="status" tabindex={-1} autofocus>
        <p>{props.notice.text}</p>
        {props.notice.lines && props.notice.lines.length > 0 && (
          <ul>
            {props.notice.lines.map((l) => (
              <li>{l}</li>
            ))}
          </ul>
        )}
      </div>
    );
  }
  return null;
}

/** The settings form: the page's content and the fragment a Save swaps. */
export function AgencySettingsForm(props: SettingsFormProps) {
  const v = props.values;
  const e = props.errors ?? {};
  const d = props.defaults;
  const number = (name: NumberSetting, hint: string) => (
    <NumberField name={name} label={SETTING_LABELS[name]} hint={hint} value={v[name] ?? ""} error={e[name]} fallback={d[name]} />
  );
  return (
    <form
      id={FORM_ID}
      class="settings"
      method="post"
      action={SETTINGS_PATH}
      hx-post={SETTINGS_PATH}
      hx-target="this"
      hx-swap="outerHTML show:top"
      novalidate
    >
      <Outcome alert={props.alert} notice={props.notice} errors={e} />
      <input type="hidden" name="version" value={v.version ?? ""} />
      <div class="settings-groups">
        <fieldset class="card">
          <legend>Agency</legend>
          <TimeZoneSelect value={v.timezone ?? ""} error={e.timezone} groups={props.zoneGroups} />
        </fieldset>
        <fieldset class="card">
          <legend>Portal</legend>
          {!props.portalEnabled && (
            <p class="warning">{props.agencyName} is not contracted for the Client Portal: the portal settings below apply once it is.</p>
          )}
          <PortalOriginField value={v.portalOrigin ?? ""} error={e.portalOrigin} fallback={d.portalOrigin} portalUrl={props.portalUrl} slug={props.slug} />
        </fieldset>
        <fieldset class="card">
          <legend>Sign-in and lockout</legend>
          {number("lockAfterFailures", "A portal login locks after this many failed sign-ins.")}
          {number("lockMinutes", "How long a locked portal login stays locked.")}
        </fieldset>
        <fieldset class="card">
          <legend>Credentials</legend>
          {number("tempPasswordHours", "How long an emailed temporary password works (the email says so). NIST allows at most 24 hours for an emailed secret. Applies to passwords issued from now on.")}
          {number("inviteLinkHours", "How long an emailed invitation link to the portal works. Applies to links sent from now on.")}
          <CredentialMethodChoice value={v.defaultCredentialMethod ?? ""} error={e.defaultCredentialMethod} fallback={d.defaultCredentialMethod} />
        </fieldset>
        <fieldset class="card">
          <legend>Minors</legend>
          {number("minorOwnLoginAge", "From this age a minor may have a portal login of their own, with their own email.")}
          {number("ageOfMajority", "A parent's portal access ends when the client reaches this age, unless a court-ordered guardianship is recorded.")}
          <p class="hint">Representatives' access by age is not enforced yet: these settings are kept for when it is.</p>
        </fieldset>
        <fieldset class="card">
          <legend>Two-factor</legend>
          <Checkbox
            name="requireTwoFactor"
            label="Require two-factor sign-in for all staff"
            checked={v.requireTwoFactor === "on"}
            error={e.requireTwoFactor}
            hint="Staff without an authenticator app or passkey must set one up at their next sign-in, and no one can remove their last one while this is on."
          />
        </fieldset>
      </div>
      <div class="actions">
        <button type="submit" class="primary">
          Save
        </button>
        <a class="button" href="/menu">
          Cancel
        </a>
      </div>
    </form>
  );
}

/** The whole page. */
export function AgencySettingsPage(props: { staff: CurrentStaff; form: SettingsFormProps }) {
  return (
    <Layout
      title="Agency settings"
      staff={props.staff}
      crumbs={[{ label: "Main Menu", href: "/menu" }, { label: "Administration", href: "/menu" }, { label: "Agency settings" }]}
    >
      <h1>
        Agency settings <span class="sub">{props.form.agencyName}</span>
      </h1>
      <p class="hint intro">Changes apply as soon as you Save, and each Save is recorded in the Agency Log with what it changed.</p>
      <AgencySettingsForm {...props.form} />
    </Layout>
  );
}
