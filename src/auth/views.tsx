/** @jsxImportSource hono/jsx */
import { PasskeyButton } from "../layout/passkey-button";
import { Field, Layout } from "../layout/views";

/** The staff sign-in page. One message for every failure, so it never says which part was wrong. */
export function SignInPage(props: { email?: string; next?: string; error?: string; notice?: string }) {
  return (
    <Layout title="Sign in">
      <section class="card narrow">
        <h1>Sign in</h1>
        {props.notice && <p class="notice" role="status">{props.notice}</p>}
        {props.error && (
          <p class="error-summary" role="alert">
            {props.error}
          </p>
        )}
        <form method="post" action="/sign-in" novalidate>
          <input type="hidden" name="next" value={props.next ?? "/menu"} />
          <Field name="email" label="Email" type="email" value={props.email} autocomplete="username" required />
          <Field name="password" label="Password" type="password" autocomplete="current-password" required />
          <button type="submit" class="primary">Sign in</button>
        </form>
        <div class="second-way">
          <PasskeyButton ceremony="authenticate" optionsUrl="/sign-in/passkey/options" verifyUrl="/sign-in/passkey" label="Sign in with a passkey" next={props.next ?? "/menu"} />
        </div>
      </section>
    </Layout>
  );
}
