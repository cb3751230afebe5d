/** @jsxImportSource hono/jsx */
/**
 * The pages of an emailed portal link (invitation or password reset): the date-of-birth check,
 * choosing a password, and the one page for a link that can't be used. None of them carries the
 * link's secret (it is in an HttpOnly cookie: link-cookie.ts); the forms post to token-less URLs.
 */
import type { Child } from "hono/jsx";
import { NewPasswordFields, PasswordRules } from "../auth/password-fields";
import { PASSWORD_RULES } from "../auth/password-rules";
import type { PortalLinkPurpose } from "../clients/portal-link-settings";
import type { FieldErrors } from "../forms/parse";
import { PasskeyButton } from "../layout/passkey-button";
import { Field } from "../layout/views";
import { DOB_EXAMPLE, DOB_FIELD, type DobValues } from "./date-of-birth";
import { linkPath } from "./link-cookie";
import type { PortalAgency } from "./portal-agency";
import { PortalLayout } from "./views";
import { ErrorSummary } from "../layout/error-summary";
import { stateTitle } from "../layout/page-title";

const signIn = (agency: PortalAgency) => `/portal/${agency.slug}`;

/** The title each step and purpose shows. */
const titles = { invite: "Set up your Client Portal login", reset: "Choose a new password" } as const;

/** The fields, for the error summary's links (the date of birth links its first box). */
const LABELS = { newPassword: "New password", confirmPassword: "Confirm new password", month: "Date of birth" };

function Alert(props: { text?: string; errors?: FieldErrors }) {
  return props.text ? <ErrorSummary message={props.text} errors={props.errors} labels={LABELS} /> : null;
}

/**
 * Step 1: the client's date of birth. Before it is answered the page names no one: whoever holds
 * the link may not be the person it was meant for.
 */
export function LinkDobPage(props: { agency: PortalAgency; purpose: PortalLinkPurpose; representative: boolean; values?: DobValues; error?: string; alert?: string }) {
  const { agency } = props;
  const v = props.values ?? { month: "", day: "", year: "" };
  const id = `f-${DOB_FIELD}`;
  const whose = props.representative ? "the date of birth of the client whose information you will see" : "your date of birth";
  const input = (name: keyof DobValues, label: string, size: number, autocomplete: string) => (
    <div class="dob-part">
      <label for={`f-${name}`}>{label}</label>
      <input
        id={`f-${name}`}
        name={name}
        type="text"
        inputmode="numeric"
        autocomplete={autocomplete}
        maxlength={size}
        class={`dob-${size}`}
        value={v[name]}
        aria-invalid={props.error ? "true" : undefined}
      />
    </div>
  );
  return (
    <PortalLayout agency={agency} title={stateTitle(titles[props.purpose], props.alert !== undefined || props.error !== undefined)}>
      <section class="card narrow portal-card">
        <h1>
          {titles[props.purpose]} <span class="sub">Step 1 of 2: confirm it's you</span>
        </h1>
        <Alert text={props.alert} errors={props.error ? { month: props.error } : undefined} />
        <p>To keep this account safe, enter {whose}, as {agency.name} has it on file.</p>
        <form method="post" action={`${linkPath(agency.slug)}/date-of-birth`} novalidate>
          <fieldset class={props.error ? "dob has-error" : "dob"} aria-describedby={`${id}-hint${props.error ? ` ${id}-error` : ""}`}>
            <legend>Date of birth</legend>
            <p class="hint" id={`${id}-hint`}>
              {DOB_EXAMPLE}
            </p>
            {props.error && (
              <p class="error" id={`${id}-error`}>
                {props.error}
              </p>
            )}
            <div class="dob-parts">
              {input("month", "Month", 2, "bday-month")}
              {input("day", "Day", 2, "bday-day")}
              {input("year", "Year", 4, "bday-year")}
            </div>
          </fieldset>
          <button type="submit" class="primary wide">
            Continue
          </button>
        </form>
      </section>
    </PortalLayout>
  );
}

/**
 * Step 2: the new password, under the portal's NIST rules. `alternatives` is where another way to
 * finish (a passkey instead of a password: LinkPasskeyChoice) appears, below the password form;
 * a line at the top points to it, shown only where the browser can use passkeys.
 */
export function LinkPasswordPage(props: {
  agency: PortalAgency;
  purpose: PortalLinkPurpose;
  username: string;
  errors?: FieldErrors;
  alert?: string;
  alternatives?: Child;
  /** The new password as typed, after a refusal (the confirmation is always cleared). */
  newPassword?: string;
}) {
  const { agency, errors = {} } = props;
  return (
    <PortalLayout agency={agency} title={stateTitle(titles[props.purpose], props.alert !== undefined)}>
      <section class="card narrow portal-card">
        <h1>
          {titles[props.purpose]} <span class="sub">Step 2 of 2: {props.alternatives ? "choose a password or a passkey" : "choose a password"}</span>
        </h1>
        <Alert text={props.alert} errors={errors} />
        <p>
          Thank you. Your Portal Username is <strong>{props.username}</strong>. Choose the password you will sign in with.
        </p>
        {props.alternatives && (
          <p class="hint" data-passkey-action hidden>
            Rather not have a password? <a href="#passkey-choice">Create a passkey instead</a>.
          </p>
        )}
        <PasswordRules rules={PASSWORD_RULES} />
        <form method="post" action={`${linkPath(agency.slug)}/password`} novalidate>
          {/* Lets password managers file the new password under the right username. */}
          <input type="text" hidden readonly value={props.username} autocomplete="username" />
          <NewPasswordFields errors={errors} newPassword={props.newPassword} />
          <button type="submit" class="primary wide">
            {props.purpose === "invite" ? "Set password and sign in" : "Change password and sign in"}
          </button>
        </form>
        {props.alternatives}
      </section>
    </PortalLayout>
  );
}

/**
 * "Create a passkey instead": the link's last step done with a passkey (link-passkey-routes.ts).
 * Hidden, like every passkey button, until public/passkeys.js finds the browser can use passkeys.
 */
export function LinkPasskeyChoice(props: { agency: PortalAgency }) {
  const path = linkPath(props.agency.slug);
  return (
    <section class="second-way link-passkey" id="passkey-choice" aria-labelledby="passkey-choice-heading" data-passkey-action hidden>
      <p class="or" aria-hidden="true">
        or
      </p>
      <h2 id="passkey-choice-heading">Create a passkey instead</h2>
      <p>
        Sign in with your fingerprint, face, screen lock or security key: nothing to remember, and it only works on {props.agency.name}'s portal, so a fake
        site can't steal it. You won't have a password; you can set one later under Change password.
      </p>
      <Field name="passkeyName" label="Passkey name" hint="So you can tell your passkeys apart, e.g. My phone." value="My passkey" maxlength={60} />
      <PasskeyButton ceremony="register" optionsUrl={`${path}/passkey/options`} verifyUrl={`${path}/passkey`} label="Create a passkey" nameField="f-passkeyName" />
    </section>
  );
}

/** What the page says about any link that can't be used, whatever the reason. */
export const linkUnusableText = (agencyName: string) =>
  `Links work once and only for a while, and a newer link replaces an older one. If you have a password, use Forgot password? to get a new link; otherwise ask ${agencyName} to send you a new invitation.`;

/** What the page says about a link locked by wrong dates of birth. */
export const linkLockedText = (agencyName: string) =>
  `The date of birth was entered wrongly too many times, so this link can't be used any more. ${agencyName} has been told: contact them for help.`;

/**
 * The one page for a link that can't be used — expired, used, replaced, altered, of another
 * agency, of an inactive login — or (`locked`) that took too many wrong dates of birth.
 */
export function LinkUnusablePage(props: { agency: PortalAgency; locked?: boolean; accessEnded?: string }) {
  const { agency } = props;
  if (props.accessEnded) {
    return (
      <PortalLayout agency={agency} title="Access has ended">
        <section class="card narrow portal-card">
          <h1>This link can't be used</h1>
          <Alert text={props.accessEnded} />
        </section>
      </PortalLayout>
    );
  }
  return (
    <PortalLayout agency={agency} title={props.locked ? "Link locked" : "Link can't be used"}>
      <section class="card narrow portal-card">
        <h1>{props.locked ? "This link is locked" : "This link can't be used"}</h1>
        <Alert text={props.locked ? linkLockedText(agency.name) : linkUnusableText(agency.name)} />
        <p class="actions">
          <a class="button" href={signIn(agency)}>
            Go to sign in
          </a>
          {!props.locked && (
            <a class="button" href={`${signIn(agency)}/forgot-password`}>
              Forgot password?
            </a>
          )}
        </p>
      </section>
    </PortalLayout>
  );
}
