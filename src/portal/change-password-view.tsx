/** @jsxImportSource hono/jsx */
/** The portal's Change password page (first password, a later change, or one for a passkey-only login). */
import { NewPasswordFields, PASSWORD_LABELS, PasswordRules } from "../auth/password-fields";
import { PASSWORD_RULES } from "../auth/password-rules";
import type { FieldErrors } from "../forms/parse";
import { Field } from "../layout/views";
import { ErrorSummary } from "../layout/error-summary";
import type { PortalAgency } from "./portal-agency";
import type { PortalUser } from "./portal-user";
import { stateTitle } from "../layout/page-title";
import { portalPath } from "./portal-session";
import { PortalLayout } from "./views";

/** Choosing a password: the first one (no current password asked), a later change, or one for a passkey-only login. */
export function ChangePasswordPage(props: { agency: PortalAgency; user: PortalUser; errors?: FieldErrors; alert?: string; newPassword?: string }) {
  const { agency, user, errors = {} } = props;
  const first = user.mustChangePassword;
  // A login that chose a passkey instead of a password: no current password to prove.
  const none = !first && !user.hasPassword;
  const title = first ? "Choose your password" : none ? "Set a password" : "Change password";
  return (
    <PortalLayout agency={agency} title={stateTitle(title, props.alert !== undefined)} user={user} section="password">
      <section class="card narrow portal-card">
        <h1>{title}</h1>
        {first && (
          <p>
            Welcome, {user.username}. Before you go on, choose your own password. Your temporary password stops working once you have.
          </p>
        )}
        {none && <p>You sign in with a passkey and have no password. A password lets you sign in where your passkey isn't available; your passkeys keep working.</p>}
        {props.alert && <ErrorSummary message={props.alert} errors={errors} labels={PASSWORD_LABELS} />}
        <PasswordRules rules={PASSWORD_RULES} />
        <form method="post" action={`${portalPath(agency.slug)}/change-password`} novalidate>
          {/* Lets password managers file the new password under the right username. */}
          <input type="text" hidden readonly value={user.username} autocomplete="username" />
          {!first && !none && (
            <Field name="currentPassword" label="Current password" type="password" error={errors.currentPassword} autocomplete="current-password" maxlength={1024} required />
          )}
          <NewPasswordFields errors={errors} newPassword={props.newPassword} />
          <div class="actions">
            <button type="submit" class="primary">{none ? "Set password" : "Change password"}</button>
            {!first && <a href={portalPath(agency.slug)} class="button">Cancel</a>}
          </div>
        </form>
      </section>
    </PortalLayout>
  );
}
