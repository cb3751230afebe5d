/** @jsxImportSource hono/jsx */
/**
 * Enrolment pieces shared by the account page and sign-in-time enrolment: the authenticator-app
 * setup (QR code, typed key, first code) and the recovery codes, shown once.
 */
import { Field } from "../layout/views";
import { RECOVERY_CODE_COUNT } from "./recovery-codes";

/** The one-time-code field, as phones and password managers expect it. */
export function CodeField(props: { label: string; error?: string; hint?: string }) {
  return (
    <Field
      name="code"
      label={props.label}
      hint={props.hint}
      error={props.error}
      inputmode="numeric"
      autocomplete="one-time-code"
      maxlength={9}
      verbatim
      required
    />
  );
}

/** Step-by-step authenticator-app setup: scan (or type the key), then confirm with a code. */
export function TotpSetup(props: { action: string; qrDataUri: string; typedSecret: string; keyUri: string; error?: string; cancel: { href: string; label: string } }) {
  return (
    <>
      <ol class="setup-steps">
        <li>
          <h2>Add an account in your authenticator app</h2>
          <p>Any app that shows 6-digit codes works, such as Google Authenticator, Microsoft Authenticator or 1Password.</p>
        </li>
        <li>
          <h2>Scan this QR code with the app</h2>
          <img class="qr" src={props.qrDataUri} width="232" height="232" alt="QR code for adding your account to an authenticator app" />
          <p class="hint" id="typed-secret-hint">
            Can't scan it? Choose "enter a setup key" in the app and type this key (time-based):
          </p>
          <p class="typed-secret">
            <code aria-describedby="typed-secret-hint">{props.typedSecret}</code>
          </p>
          <p class="hint">
            Setting up on this phone? <a href={props.keyUri}>Open it in your authenticator app</a>.
          </p>
        </li>
        <li>
          <h2>Enter the code the app shows</h2>
          <form method="post" action={props.action} novalidate>
            <CodeField label="6-digit code" error={props.error} />
            <div class="actions">
              <button type="submit" class="primary">
                Turn on
              </button>
              <a class="button" href={props.cancel.href}>
                {props.cancel.label}
              </a>
            </div>
          </form>
        </li>
      </ol>
    </>
  );
}

/** The recovery codes, once: what they are for, the list, a copy button, and the way on. */
export function RecoveryCodes(props: { codes: string[]; next: { href: string; label: string } }) {
  return (
    <>
      <p class="warning">
        <strong>Save these codes now: they won't be shown again.</strong> If you lose your authenticator app or passkey, each
        code lets you sign in once. Keep them in a password manager or print them.
      </p>
      <ol class="recovery-codes" aria-label={`${RECOVERY_CODE_COUNT} recovery codes`}>
        {props.codes.map((code) => (
          <li>
            <code>{code}</code>
          </li>
        ))}
      </ol>
      <div class="actions">
        <button type="button" data-copy={props.codes.join("\n")} data-copy-fallback="Select the codes and copy them." aria-controls="copy-status">
          Copy codes
        </button>
        <a class="button primary" href={props.next.href}>
          {props.next.label}
        </a>
      </div>
      <p id="copy-status" class="hint" role="status"></p>
    </>
  );
}
