/** @jsxImportSource hono/jsx */
/**
 * The Portal Login window: a real <dialog> when opened from the section (htmx), and the same form
 * on a page of its own without JavaScript. Bad input re-renders the form in place with messages
 * next to the fields; Populate Email re-renders it with the email filled.
 */
import type { Child } from "hono/jsx";
import type { CurrentStaff } from "../app";
import type { FieldErrors } from "../forms/parse";
import { Checkbox, Field, Layout } from "../layout/views";
import { ErrorSummary } from "../layout/error-summary";
import { stateTitle } from "../layout/page-title";
import { CHANGED_MIND_LABEL, CREDENTIAL_METHOD_LABEL, NO_RESIDENCE_EMAIL, USERNAME_RULE, type PortalLoginValues } from "./form";
import { EmailHistoryDisclosure, LoginOverview, type LoginHistoryData } from "./history-views";
import type { PortalClient } from "./queries";
import { portalLoginsPath } from "./views";
import { LinkedLoginNotice } from "../families/section-views";
import { BlockSection, RECORD_FIELD_LABELS, RepresentativeRecordFields, type BlockInfo } from "../representatives/views";
import type { RecordValues } from "../representatives/record-form";

export const FORM_ID = "portal-login-form";

export interface PortalLoginFormProps {
  client: PortalClient;
  /** Absent when adding; `seen` is the state the window was opened on (`loginFingerprint`). */
  login?: { id: number; username: string; seen: string; linked?: boolean };
  values: PortalLoginValues;
  errors?: FieldErrors;
  alert?: string;
  /** What Populate Email found: filled, or nothing to fill. */
  populate?: "filled" | "none";
  /** How long a temporary password issued now works (the agency's setting). */
  tempPasswordHours: number;
  /** How long an invitation link works, as the choice describes it ("24 hours"). */
  inviteValidFor: string;
  inDialog: boolean;
  /** Edit: the login's credential state and Email history, shown around the form (not part of it). */
  history?: LoginHistoryData;
  /** Shown after the form, outside it: a representative's 42 CFR Part 2 consent section (src/part2/). */
  afterForm?: Child;
  /** The representative record's fields (src/representatives/), as typed or stored. */
  record: { values: RecordValues; version: number; missing?: boolean; today: string; ageOfMajority: number };
  /** Said at the top when the client is too young for an own login. */
  minorNote?: string | null;
  /** Edit of a representative login: Block / Unblock, below the form. */
  block?: BlockInfo;
}

/**
 * Temporary password or Invitation link: how Reset Password sends the credentials. Radios that
 * read as one question, each with what it does; the error (an unknown value) next to them.
 */
function CredentialMethodChoice(props: { value: PortalLoginValues["credentialMethod"]; error?: string; inviteValidFor: string; tempPasswordHours: number }) {
  const option = (value: "password" | "link", label: string, hint: string) => (
    <div class="choice">
      <input type="radio" id={`f-credentialMethod-${value}`} name="credentialMethod" value={value} checked={props.value === value} aria-describedby={`f-credentialMethod-${value}-hint`} />
      <label for={`f-credentialMethod-${value}`}>{label}</label>
      <span class="meta" id={`f-credentialMethod-${value}-hint`}>
        {hint}
      </span>
    </div>
  );
  return (
    <fieldset class={props.error ? "choices credential-method has-error" : "choices credential-method"} aria-describedby={props.error ? "f-credentialMethod-error" : undefined}>
      <legend>{CREDENTIAL_METHOD_LABEL}</legend>
      {option("password", "Temporary password", `Emailed with the username; the user changes it at first sign-in. It expires in ${hoursText(props.tempPasswordHours)}.`)}
      {option(
        "link",
        "Invitation link",
        `A single-use link, valid ${props.inviteValidFor}: the user confirms the client's date of birth, then chooses a password. No password travels by email.`,
      )}
      {props.error && (
        <p class="error" id="f-credentialMethod-error">
          {props.error}
        </p>
      )}
    </fieldset>
  );
}

const clientName = (c: PortalClient) => `${c.firstName} ${c.lastName}`;

/** The window's fields, for the error summary's links (the method's radios link their first). */
const FIELD_LABELS: Record<string, string> = {
  username: "Portal Username",
  resetPassword: "Reset Password",
  changedMind: CHANGED_MIND_LABEL,
  credentialMethod: CREDENTIAL_METHOD_LABEL,
  email: "Portal User Email",
};

/** The window's title, as the page and the document say it: "Portal Login: Alvarez, Maria". */
const windowTitle = (c: PortalClient) => `Portal Login: ${c.lastName}, ${c.firstName}`;
const hoursText = (n: number) => `${n} ${n === 1 ? "hour" : "hours"}`;

/** The form itself (the fragment a 422 or Populate Email swaps inside the open dialog). */
export function PortalLoginForm(props: PortalLoginFormProps) {
  const base = portalLoginsPath(props.client.id);
  const action = props.login ? `${base}/${props.login.id}` : base;
  const e = props.errors ?? {};
  const v = props.values;
  const htmx = props.inDialog ? { "hx-post": action, "hx-target": "this", "hx-swap": "outerHTML" } : {};
  const emailDescribedBy = [e.email ? "f-email-error" : "", props.populate ? "f-email-populate" : ""].filter(Boolean).join(" ");
  return (
    <form id={FORM_ID} method="post" action={action} novalidate {...htmx}>
      {props.alert && <ErrorSummary message={props.alert} errors={props.errors} labels={{ ...FIELD_LABELS, ...RECORD_FIELD_LABELS }} targets={{ credentialMethod: "f-credentialMethod-password" }} />}
      {props.login && <input type="hidden" name="seen" value={props.login.seen} />}
      {props.login?.linked && <LinkedLoginNotice />}
      {props.minorNote && (
        <p class="warning" id="portal-login-minor">
          {props.minorNote}
        </p>
      )}
      {props.client.refusedPortalLogin && (
        <p class="warning" id="portal-login-refused">
          This client is marked Client Refused Portal Login. To save an active login, first confirm below that the client has changed
          their mind: Save then also clears the mark, and both changes are logged.
        </p>
      )}
      {props.login ? (
        <div class="field">
          <label for="f-username">Portal Username</label>
          <p class="hint" id="f-username-hint">
            A username can't be changed. To use another, add a new login and clear Active on this one.
          </p>
          <input id="f-username" type="text" value={props.login.username} readonly aria-describedby="f-username-hint" />
        </div>
      ) : (
        <Field
          name="username"
          label="Portal Username"
          value={v.username}
          error={e.username}
          required
          hint={USERNAME_RULE}
          autocomplete="off"
        />
      )}
      <Checkbox
        name="resetPassword"
        label="Reset Password"
        checked={v.resetPassword}
        error={e.resetPassword}
        hint="Sends credentials to the Portal User Email, the way chosen below. When editing, the current password stops working."
      />
      <CredentialMethodChoice value={v.credentialMethod} error={e.credentialMethod} inviteValidFor={props.inviteValidFor} tempPasswordHours={props.tempPasswordHours} />
      <Checkbox
        name="representative"
        label="Representative"
        checked={v.representative}
        error={e.representative}
        hint="Check when this login is for someone acting for the client (family member, guardian, social worker)."
      />
      <RepresentativeRecordFields
        values={props.record.values}
        errors={e}
        version={props.record.version}
        missing={props.record.missing}
        client={props.client}
        ageOfMajority={props.record.ageOfMajority}
        today={props.record.today}
      />
      <Checkbox name="active" label="Active" checked={v.active} error={e.active} hint="Only an active login can sign in to the Client Portal." />
      {props.client.refusedPortalLogin && (
        <Checkbox
          name="changedMind"
          label={CHANGED_MIND_LABEL}
          checked={v.changedMind}
          error={e.changedMind}
          required
          hint="Required to save an active login for this client. Save then clears Client Refused Portal Login."
        />
      )}
      <div class={e.email ? "field has-error" : "field"}>
        <label for="f-email">
          Portal User Email<span aria-hidden="true"> *</span>
        </label>
        <input
          id="f-email"
          name="email"
          type="email"
          value={v.email}
          required
          autocomplete="off"
          maxlength={254}
          aria-invalid={e.email ? "true" : undefined}
          aria-describedby={emailDescribedBy || undefined}
        />
        {e.email && (
          <p class="error" id="f-email-error">
            {e.email}
          </p>
        )}
        {props.populate && (
          <p class={props.populate === "filled" ? "hint populate-note" : "error populate-note"} id="f-email-populate" role="status">
            {props.populate === "filled" ? "Filled from the Current Residence block." : NO_RESIDENCE_EMAIL}
          </p>
        )}
      </div>
      {/* Enter in a text field submits with the form's first submit button: make that Save, not Populate. */}
      <button type="submit" class="visually-hidden" tabindex={-1} aria-hidden="true">
        Save
      </button>
      <button type="submit" name="populate" value="1" id="populate-email" formnovalidate class="small">
        Populate Email from Current Residence Block
      </button>
      <div class="actions">
        <button type="submit" class="primary" id="portal-login-save">
          Save
        </button>
        <a class="button" href={`/face-sheet/${props.client.id}#client-portal-section`} data-close-dialog>
          Cancel
        </a>
      </div>
    </form>
  );
}

/** How the login was given and where its credential stands, above the form. */
function WindowOverview(props: { history: LoginHistoryData }) {
  return (
    <div class="window-overview">
      <LoginOverview {...props.history} />
    </div>
  );
}

/**
 * The window as htmx opens it: app.js shows `<dialog data-open>` as a modal and focuses its first
 * field, and titles the document from `data-title` while it is open ("Error: …" while its form
 * shows an error summary).
 */
export function PortalLoginDialog(props: Omit<PortalLoginFormProps, "inDialog">) {
  return (
    <dialog data-open id="portal-login-dialog" aria-labelledby="portal-login-title" aria-describedby="portal-login-for" data-title={windowTitle(props.client)}>
      <div class="dialog-body">
        <h2 id="portal-login-title">Portal Login</h2>
        <p class="meta" id="portal-login-for">
          {props.login ? `Editing ${props.login.username}` : "New login"} for {clientName(props.client)}
        </p>
        {props.history && <WindowOverview history={props.history} />}
        <PortalLoginForm {...props} inDialog />
        {props.afterForm}
        {props.block && <BlockSection {...props.block} />}
        {props.history && <EmailHistoryDisclosure {...props.history} idPrefix="window" />}
      </div>
    </dialog>
  );
}

/** The window as a page, for browsers without JavaScript. */
export function PortalLoginPage(props: Omit<PortalLoginFormProps, "inDialog"> & { staff: CurrentStaff }) {
  const name = `${props.client.lastName}, ${props.client.firstName}`;
  return (
    <Layout
      title={stateTitle(windowTitle(props.client), props.alert !== undefined)}
      staff={props.staff}
      crumbs={[
        { label: "Main Menu", href: "/menu" },
        { label: "Admissions Menu", href: "/menu#admissions-menu" },
        { label: "Face Sheet", href: "/face-sheet" },
        { label: name, href: `/face-sheet/${props.client.id}` },
        { label: "Portal Login" },
      ]}
    >
      <h1>
        Portal Login <span class="sub">{props.login ? `Editing ${props.login.username} for ${clientName(props.client)}` : `New login for ${clientName(props.client)}`}</span>
      </h1>
      <section class="card portal-login-page" aria-label="Portal Login">
        {props.history && <WindowOverview history={props.history} />}
        <PortalLoginForm {...props} inDialog={false} />
        {props.afterForm}
        {props.block && <BlockSection {...props.block} />}
        {props.history && <EmailHistoryDisclosure {...props.history} idPrefix="window" />}
      </section>
    </Layout>
  );
}
