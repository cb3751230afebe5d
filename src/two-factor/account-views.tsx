/** @jsxImportSource hono/jsx */
/** The signed-in member's own two-factor pages: status, authenticator-app setup, recovery codes. */
import type { CurrentStaff } from "../app";
import { hasSecondFactor, type TwoFactorStatus } from "../auth/second-step";
import { stateTitle } from "../layout/page-title";
import { Layout, type Crumb } from "../layout/views";
import { CodeField, RecoveryCodes, TotpSetup } from "./enrol-views";
import { RECOVERY_CODE_COUNT } from "./recovery-codes";

const crumbs = (last?: string): Crumb[] => [
  { label: "Main Menu", href: "/menu" },
  last ? { label: "Two-factor sign-in", href: "/account/two-factor" } : { label: "Two-factor sign-in" },
  ...(last ? [{ label: last }] : []),
];

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** Status and actions: the authenticator app (set up / turn off), recovery codes, passkeys. */
export function TwoFactorAccountPage(props: { staff: CurrentStaff; status: TwoFactorStatus; notice?: string; codeError?: string; alert?: string }) {
  const { status } = props;
  return (
    <Layout title={stateTitle("Two-factor sign-in", props.alert !== undefined || props.codeError !== undefined)} staff={props.staff} crumbs={crumbs()}>
      <h1>Two-factor sign-in</h1>
      {props.notice && (
        <p class="notice" role="status">
          {props.notice}
        </p>
      )}
      {props.alert && (
        <p class="error-summary" role="alert" tabindex={-1} autofocus>
          {props.alert}
        </p>
      )}
      {status.required && <p class="hint">{props.staff.agency.name} requires two-factor sign-in: keep at least one authenticator app or passkey.</p>}
      <div class="columns">
        <section class="card" aria-labelledby="totp-heading">
          <h2 id="totp-heading">Authenticator app</h2>
          {status.totp ? (
            <>
              <p>
                <span class="badge ok">On</span> Sign-in asks for the 6-digit code your app shows.
              </p>
              <form method="post" action="/account/two-factor/totp/disable" novalidate>
                <CodeField label="Current code" hint="To turn the authenticator app off, enter the code it shows now." error={props.codeError} />
                <button type="submit">Turn off authenticator app</button>
              </form>
            </>
          ) : (
            <>
              <p>
                <span class="badge">Off</span> An app on your phone (such as Google Authenticator, Microsoft Authenticator or 1Password)
                gives a 6-digit code to enter after your password.
              </p>
              <form method="post" action="/account/two-factor/totp/start">
                <button type="submit" class="primary">
                  Set up authenticator app
                </button>
              </form>
            </>
          )}
        </section>
        <section class="card" aria-labelledby="passkeys-heading">
          <h2 id="passkeys-heading">Passkeys</h2>
          <p>
            {status.passkeys > 0 ? `You have ${plural(status.passkeys, "passkey", "passkeys")}.` : "No passkeys yet."} A passkey signs you in
            with your fingerprint, face, screen lock or security key.
          </p>
          <p>
            <a href="/account/passkeys">Manage passkeys</a>
          </p>
        </section>
        <section class="card" aria-labelledby="recovery-heading">
          <h2 id="recovery-heading">Recovery codes</h2>
          {hasSecondFactor(status) ? (
            <>
              <p>
                {plural(status.recoveryCodesLeft, "unused code", "unused codes")} of {RECOVERY_CODE_COUNT}. Each lets you sign in once if you lose
                your authenticator app or passkey.
              </p>
              <form method="post" action="/account/two-factor/recovery-codes">
                <button type="submit">Get new recovery codes</button>
              </form>
              <p class="hint">New codes replace all the old ones.</p>
            </>
          ) : (
            <p>You get recovery codes when you set up an authenticator app.</p>
          )}
        </section>
      </div>
    </Layout>
  );
}

/** Authenticator-app setup from the account page. */
export function AccountTotpSetupPage(props: { staff: CurrentStaff; qrDataUri: string; typedSecret: string; keyUri: string; error?: string }) {
  return (
    <Layout title="Set up authenticator app" staff={props.staff} crumbs={crumbs("Set up authenticator app")}>
      <section class="card narrow wide-card">
        <h1>Set up authenticator app</h1>
        <TotpSetup
          action="/account/two-factor/totp"
          qrDataUri={props.qrDataUri}
          typedSecret={props.typedSecret}
          keyUri={props.keyUri}
          error={props.error}
          cancel={{ href: "/account/two-factor", label: "Cancel" }}
        />
      </section>
    </Layout>
  );
}

/** Fresh recovery codes, shown this once. */
export function AccountRecoveryCodesPage(props: { staff: CurrentStaff; codes: string[]; heading: string }) {
  return (
    <Layout title="Save your recovery codes" staff={props.staff} crumbs={crumbs("Recovery codes")}>
      <section class="card narrow wide-card">
        <h1>{props.heading}</h1>
        <RecoveryCodes codes={props.codes} next={{ href: "/account/two-factor", label: "I've saved them — done" }} />
      </section>
    </Layout>
  );
}
