/** @jsxImportSource hono/jsx */
/**
 * The second step of staff sign-in: the code, a recovery code or a passkey; or, when the agency
 * requires two-factor and the member has none, choosing one to set up before the session starts.
 */
import type { TwoFactorStatus } from "../auth/second-step";
import { stateTitle } from "../layout/page-title";
import { PasskeyButton } from "../layout/passkey-button";
import { Field, Layout } from "../layout/views";
import { CodeField, RecoveryCodes, TotpSetup } from "./enrol-views";

function Alert(props: { error?: string }) {
  return props.error ? (
    <p class="error-summary" role="alert" tabindex={-1} autofocus>
      {props.error}
    </p>
  ) : null;
}

const startOver = (
  <p class="other-way">
    <a href="/sign-in">Sign in as someone else</a>
  </p>
);

/** Asking for the code from the authenticator app (and offering the passkey and recovery codes). */
export function SecondStepPage(props: { status: TwoFactorStatus; error?: string; fieldError?: string; alert?: string }) {
  const { status } = props;
  return (
    <Layout title={stateTitle("Two-factor sign-in", props.alert !== undefined || props.fieldError !== undefined || props.error !== undefined)}>
      <section class="card narrow">
        <h1>Two-factor sign-in</h1>
        <Alert error={props.alert} />
        {status.totp && (
          <form method="post" action="/sign-in/two-factor" novalidate>
            <CodeField label="Code from your authenticator app" hint="6 digits; a new one every 30 seconds." error={props.fieldError} />
            <button type="submit" class="primary">
              Verify
            </button>
          </form>
        )}
        {status.passkeys > 0 && (
          <div class="second-way">
            {status.totp ? <p class="or">or</p> : <p>Use the passkey you registered for this account.</p>}
            <PasskeyButton
              ceremony="authenticate"
              optionsUrl="/sign-in/two-factor/passkey/options"
              verifyUrl="/sign-in/two-factor/passkey"
              label="Use a passkey"
              primary={!status.totp}
            />
          </div>
        )}
        {status.recoveryCodesLeft > 0 && (
          <p class="other-way">
            <a href="/sign-in/two-factor/recovery">Use a recovery code</a>
          </p>
        )}
        {startOver}
      </section>
    </Layout>
  );
}

/** Asking for one of the member's recovery codes. */
export function RecoveryCodePage(props: { value?: string; fieldError?: string; alert?: string }) {
  return (
    <Layout title={stateTitle("Use a recovery code", props.alert !== undefined || props.fieldError !== undefined)}>
      <section class="card narrow">
        <h1>Use a recovery code</h1>
        <Alert error={props.alert} />
        <form method="post" action="/sign-in/two-factor/recovery" novalidate>
          <Field
            name="recoveryCode"
            label="Recovery code"
            hint="One of the codes you saved when you turned on two-factor, like abcd-efgh-jkmn. Each works once."
            value={props.value}
            error={props.fieldError}
            autocomplete="off"
            maxlength={32}
            verbatim
            required
          />
          <button type="submit" class="primary">
            Verify
          </button>
        </form>
        <p class="other-way">
          <a href="/sign-in/two-factor">Use your authenticator app or passkey instead</a>
        </p>
        {startOver}
      </section>
    </Layout>
  );
}

/** The agency requires two-factor and the member has none: choose one before going on. */
export function EnrolChoicePage(props: { agencyName: string; error?: string }) {
  return (
    <Layout title="Set up two-factor sign-in">
      <section class="card narrow">
        <h1>Set up two-factor sign-in</h1>
        <Alert error={props.error} />
        <p>
          {props.agencyName} requires a second step when staff sign in. Set one up now; you'll use it every time you sign in.
        </p>
        <h2>Authenticator app</h2>
        <p>A 6-digit code from an app on your phone.</p>
        <form method="post" action="/sign-in/two-factor/totp/start">
          <button type="submit" class="primary">
            Set up an authenticator app
          </button>
        </form>
        <h2 class="spaced">Passkey</h2>
        <p>Your fingerprint, face, screen lock or security key. Also lets you sign in without your password.</p>
        <div class="field">
          <label for="f-name">Passkey name</label>
          <p class="hint" id="f-name-hint">So you can tell your passkeys apart later.</p>
          <input id="f-name" name="name" type="text" value="Passkey" maxlength={60} aria-describedby="f-name-hint" />
        </div>
        <PasskeyButton
          ceremony="register"
          optionsUrl="/sign-in/two-factor/passkeys/options"
          verifyUrl="/sign-in/two-factor/passkeys"
          label="Add a passkey"
          nameField="f-name"
        />
        {startOver}
      </section>
    </Layout>
  );
}

/** Authenticator-app setup during sign-in. */
export function SignInTotpSetupPage(props: { qrDataUri: string; typedSecret: string; keyUri: string; error?: string }) {
  return (
    <Layout title={stateTitle("Set up an authenticator app", props.error !== undefined)}>
      <section class="card narrow wide-card">
        <h1>Set up an authenticator app</h1>
        <TotpSetup
          action="/sign-in/two-factor/totp"
          qrDataUri={props.qrDataUri}
          typedSecret={props.typedSecret}
          keyUri={props.keyUri}
          error={props.error}
          cancel={{ href: "/sign-in/two-factor", label: "Back" }}
        />
      </section>
    </Layout>
  );
}

/** Enrolment done during sign-in: the session has started; the recovery codes, once. */
export function SignInRecoveryCodesPage(props: { codes: string[]; next: string }) {
  return (
    <Layout title="Save your recovery codes">
      <section class="card narrow wide-card">
        <h1>Two-factor is on: save your recovery codes</h1>
        <RecoveryCodes codes={props.codes} next={{ href: props.next, label: "I've saved them — continue" }} />
      </section>
    </Layout>
  );
}
