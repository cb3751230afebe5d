/** @jsxImportSource hono/jsx */
/**
 * The parts every form that sets a password shares — staff (invitation, reset, Change password)
 * and portal (emailed link, Change password): the rules above the fields, and the new-password pair.
 */
import type { FieldErrors } from "../forms/parse";
import { Field } from "../layout/views";
import { PASSWORD_MAX_LENGTH } from "./password-rules";

/** The password forms' fields, for the error summary's links. */
export const PASSWORD_LABELS = { currentPassword: "Current password", newPassword: "New password", confirmPassword: "Confirm new password" };

/** The rules a new password must meet, above the form; the New password field is described by them. */
export function PasswordRules(props: { rules: readonly string[] }) {
  return (
    <div class="rules" id="password-rules">
      <h2>Your new password</h2>
      <ul>
        {props.rules.map((rule) => (
          <li>{rule}</li>
        ))}
      </ul>
    </div>
  );
}

/**
 * The new-password pair: the rules describe the New password field (read with it), every broken
 * rule shows at once, the new password comes back as typed and the confirmation empty.
 */
export function NewPasswordFields(props: { errors: FieldErrors; newPassword?: string }) {
  return (
    <>
      <Field
        name="newPassword"
        label="New password"
        type="password"
        value={props.newPassword}
        describedBy="password-rules"
        hint="At least 15 characters. See the rules above."
        error={props.errors.newPassword}
        autocomplete="new-password"
        maxlength={PASSWORD_MAX_LENGTH * 4}
        required
      />
      <Field name="confirmPassword" label="Confirm new password" type="password" error={props.errors.confirmPassword} autocomplete="new-password" maxlength={PASSWORD_MAX_LENGTH * 4} required />
    </>
  );
}
