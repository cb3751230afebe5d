/** @jsxImportSource hono/jsx */
import type { CurrentStaff } from "../app";
import type { FieldErrors } from "../forms/parse";
import { PasskeyButton } from "../layout/passkey-button";
import { Field, Layout } from "../layout/views";
import { ErrorSummary } from "../layout/error-summary";
import { stateTitle } from "../layout/page-title";

/** The staff sign-in page. One message for every failure, so it never says which part was wrong. */
export function SignInPage(props: { email?: string; next?: string; error?: string; errors?: FieldErrors; notice?: string }) {
  return (
    <Layout title={stateTitle("Sign in", props.error !== undefined)}>
      <section class="card narrow">
        <h1>Sign in</h1>
        {props.notice && (
          // After a full-page load the message takes focus, so it is read out (role alone isn't).
          <p class="notice" role="status" tabindex={-1} autofocus={!props.error}>
            {props.notice}
          </p>
        )}
        {props.error && <ErrorSummary message={props.error} errors={props.errors} labels={{ email: "Email", password: "Password" }} />}
        <form method="post" action="/sign-in" novalidate>
          <input type="hidden" name="next" value={props.next ?? "/menu"} />
          <Field name="email" label="Email" type="email" value={props.email} error={props.errors?.email} autocomplete="username" required />
          <Field name="password" label="Password" type="password" autocomplete="current-password" required />
          <button type="submit" class="primary">Sign in</button>
        </form>
        <p class="portal-help">
          <a href="/forgot-password">Forgot password?</a>
        </p>
        <div class="second-way">
          <PasskeyButton ceremony="authenticate" optionsUrl="/sign-in/passkey/options" verifyUrl="/sign-in/passkey" label="Sign in with a passkey" next={props.next ?? "/menu"} />
        </div>
      </section>
    </Layout>
  );
}

/**
 * What a refused request shows (403): what the role can't do, and which permission it needs.
 * Alone for htmx (it replaces the page's content), inside `AccessDeniedPage` otherwise.
 */
export function AccessDenied(props: { reason: string; missing: string }) {
  return (
    <section class="card narrow" aria-labelledby="denied-h">
      <h1 id="denied-h" tabindex={-1}>
        Not available to your role
      </h1>
      <p class="warning" role="alert">
        {props.reason}
      </p>
      <p>{props.missing}</p>
      <p>Nothing was changed.</p>
      <p>
        <a href="/menu">Go to the Main Menu</a>
      </p>
    </section>
  );
}

/** The whole 403 page, with the signed-in staff member in the header. */
export function AccessDeniedPage(props: { staff: CurrentStaff; reason: string; missing: string }) {
  return (
    <Layout title="Not available to your role" staff={props.staff}>
      <AccessDenied reason={props.reason} missing={props.missing} />
    </Layout>
  );
}
