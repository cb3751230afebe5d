/** @jsxImportSource hono/jsx */

/**
 * A button that runs a WebAuthn ceremony through public/passkeys.js (with the vendored
 * @simplewebauthn/browser bundle): it POSTs JSON to `optionsUrl`, asks the browser for a passkey,
 * POSTs the result to `verifyUrl` and follows the `redirect` it answers. Hidden until the script
 * finds the browser supports passkeys; messages appear in the live region beside it.
 */
export function PasskeyButton(props: {
  ceremony: "register" | "authenticate";
  optionsUrl: string;
  verifyUrl: string;
  label: string;
  /** Sent along as `next` (where to go after sign-in). */
  next?: string;
  /** The id of an input whose value is sent as the passkey's `name`. */
  nameField?: string;
  primary?: boolean;
}) {
  return (
    <>
      <div class="passkey-action" data-passkey-action hidden>
        <button
          type="button"
          class={props.primary ? "primary" : undefined}
          data-passkey={props.ceremony}
          data-options-url={props.optionsUrl}
          data-verify-url={props.verifyUrl}
          data-next={props.next}
          data-name-field={props.nameField}
          aria-describedby="passkey-message"
        >
          {props.label}
        </button>
        <p id="passkey-message" class="passkey-message" role="status"></p>
      </div>
      <p class="hint" data-passkey-unsupported hidden>
        This browser can't use passkeys.
      </p>
      <script src="/vendor/simplewebauthn-browser.umd.min.js" defer></script>
      <script src="/passkeys.js" defer></script>
    </>
  );
}
