/** @jsxImportSource hono/jsx */
import { NewPasswordFields, PASSWORD_LABELS, PasswordRules } from "../auth/password-fields";
import { STAFF_PASSWORD_RULES } from "../auth/password-rules";
import type { CurrentStaff } from "../app";
import type { FieldErrors } from "../forms/parse";
import { Field, Layout } from "../layout/views";
import { ErrorSummary } from "../layout/error-summary";
import { stateTitle } from "../layout/page-title";

/** What the pages say about any link that can't be used, whatever the reason. */
export const LINK_UNUSABLE =
  "This link can't be used. Links work once, and only for a while (24 hours for an invitation, 1 hour for a password reset); a newer link replaces an older one.";

function Alert(props: { text?: string; errors?: FieldErrors }) {
  return props.text ? <ErrorSummary message={props.text} errors={props.errors} labels={PASSWORD_LABELS} /> : null;
}


/**
 * Choosing a password through an emailed link. The form posts to the token-less /staff-link: the
 * secret travels in a short-lived cookie, never in this page.
 */
export function SetPasswordPage(props: {
  purpose: "invite" | "reset";
  name: string;
  email: string;
  agencyName: string;
  errors?: FieldErrors;
  alert?: string;
  newPassword?: string;
}) {
  const errors = props.errors ?? {};
  const invite = props.purpose === "invite";
  const title = invite ? "Set your password" : "Choose a new password";
  return (
    <Layout title={stateTitle(title, props.alert !== undefined)}>
      <section class="card narrow">
        <h1>
          {title} <span class="sub">{props.agencyName}</span>
        </h1>
        <p>{invite ? `Welcome, ${props.name}. Choose the password you will sign in with as ${props.email}.` : `Choose a new password for ${props.email}.`}</p>
        <Alert text={props.alert} errors={errors} />
        <PasswordRules rules={STAFF_PASSWORD_RULES} />
        <form method="post" action="/staff-link" novalidate>
          {/* Lets password managers file the new password under the right account. */}
          <input type="text" hidden readonly value={props.email} autocomplete="username" />
          <NewPasswordFields errors={errors} newPassword={props.newPassword} />
          <button type="submit" class="primary">{invite ? "Set password" : "Change password"}</button>
        </form>
      </section>
    </Layout>
  );
}

/** Any link that can't be used: one message, and where to get a new one. */
export function LinkUnusablePage() {
  return (
    <Layout title="Link not valid">
      <section class="card narrow">
        <h1>This link is not valid</h1>
        <p class="error-summary" role="alert" tabindex={-1} autofocus>
          {LINK_UNUSABLE}
        </p>
        <p>
          If you already have a password, <a href="/forgot-password">ask for a new reset link</a>. If you were invited, ask your administrator to send the
          invitation again. Or <a href="/sign-in">sign in</a>.
        </p>
      </section>
    </Layout>
  );
}

/** "Forgot password?": the email form, or the one answer given for every address. */
export function ForgotPasswordPage(props: { email?: string; errors?: FieldErrors; alert?: string; sentTo?: string }) {
  const errors = props.errors ?? {};
  return (
    <Layout title="Forgot password">
      <section class="card narrow">
        <h1>Forgot your password?</h1>
        {props.sentTo !== undefined ? (
          <>
            <p class="notice" role="status">
              If an account matches {props.sentTo}, we've sent it a link to choose a new password. The link works once, for 1 hour.
            </p>
            <p>
              Nothing arrived after a few minutes? Check your spam folder, or ask your administrator. <a href="/sign-in">Back to sign in</a>
            </p>
          </>
        ) : (
          <>
            <p>Enter the email you sign in with. If it belongs to an account, we'll send it a link to choose a new password.</p>
            <Alert text={props.alert} />
            <form method="post" action="/forgot-password" novalidate>
              <Field name="email" label="Email" type="email" value={props.email} error={errors.email} autocomplete="username" maxlength={254} verbatim required />
              <div class="actions">
                <button type="submit" class="primary">Send reset link</button>
                <a href="/sign-in" class="button">Cancel</a>
              </div>
            </form>
          </>
        )}
      </section>
    </Layout>
  );
}

/** Change password, for the signed-in staff member. */
export function ChangePasswordPage(props: { staff: CurrentStaff; errors?: FieldErrors; alert?: string; notice?: string; newPassword?: string }) {
  const errors = props.errors ?? {};
  return (
    <Layout title={stateTitle("Change password", props.alert !== undefined)} staff={props.staff} crumbs={[{ label: "Main Menu", href: "/menu" }, { label: "Change password" }]}>
      <section class="card narrow">
        <h1>Change password</h1>
        {props.notice && (
          <p class="notice" role="status">
            {props.notice}
          </p>
        )}
        <Alert text={props.alert} errors={errors} />
        <PasswordRules rules={STAFF_PASSWORD_RULES} />
        <form method="post" action="/account/password" novalidate>
          <input type="text" hidden readonly value={props.staff.email} autocomplete="username" />
          <Field name="currentPassword" label="Current password" type="password" error={errors.currentPassword} autocomplete="current-password" maxlength={1024} required />
          <NewPasswordFields errors={errors} newPassword={props.newPassword} />
          <div class="actions">
            <button type="submit" class="primary">Change password</button>
            <a href="/menu" class="button">Cancel</a>
          </div>
        </form>
      </section>
    </Layout>
  );
}
