/** @jsxImportSource hono/jsx */
import { stateTitle } from "../layout/page-title";
import type { FieldErrors } from "../forms/parse";
import { Field } from "../layout/views";
import type { PortalAgency } from "./portal-agency";
import { PortalLayout } from "./views";

/** The one answer to every well-formed ask, whether or not it names an account. */
export const forgotAnswer = (typed: string, validFor: string, agencyName: string) =>
  `If an account matches “${typed}”, we sent a link to its email address to choose a new password. The link works once, for ${validFor}. If nothing arrives in a few minutes, check your spam folder, or contact ${agencyName}.`;

/** Forgot password?: a username or an email, and then the one answer. */
export function PortalForgotPage(props: { agency: PortalAgency; account?: string; errors?: FieldErrors; alert?: string; answer?: string }) {
  const { agency, errors = {} } = props;
  const home = `/portal/${agency.slug}`;
  return (
    <PortalLayout agency={agency} title={stateTitle("Forgot password", props.alert !== undefined)}>
      <section class="card narrow portal-card">
        <h1>
          Forgot your password? <span class="sub">{agency.name} Client Portal</span>
        </h1>
        {props.answer && (
          <p class="notice" role="status">
            {props.answer}
          </p>
        )}
        {props.alert && (
          <p class="error-summary" role="alert" tabindex={-1} autofocus>
            {props.alert}
          </p>
        )}
        {!props.answer && (
          <form method="post" action={`${home}/forgot-password`} novalidate>
            <Field
              name="account"
              label="Portal Username or email"
              hint="We'll email a link to choose a new password. You'll be asked for the date of birth on file."
              value={props.account}
              error={errors.account}
              autocomplete="username"
              maxlength={254}
              verbatim
              required
            />
            <button type="submit" class="primary wide">
              Email me a link
            </button>
          </form>
        )}
        <p class="portal-help">
          <a href={home}>Back to sign in</a>
        </p>
      </section>
    </PortalLayout>
  );
}
