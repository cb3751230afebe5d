/**
 * The Portal Login window's fields and their rules. The messages are what staff read next to each
 * field, so they say what to do.
 */
import { z } from "zod";
import { checkbox, parseForm, type FormResult } from "../forms/parse";
import { plainText } from "../forms/text";
import { CREDENTIAL_METHODS, type CredentialMethod } from "../clients/portal-link-settings";

export const USERNAME_MIN = 3;
export const USERNAME_MAX = 32;
/** The rule as the window states it under Portal Username. */
export const USERNAME_RULE = `${USERNAME_MIN}–${USERNAME_MAX} characters: letters, digits, dot (.), hyphen (-) or underscore (_), starting with a letter or digit. Not case-sensitive.`;

export const NO_RESIDENCE_EMAIL = "There is no email in the Current Residence block.";
export const INACTIVE_WITH_PASSWORD = "A temporary password can only be sent to an active login: check Active, or clear Reset Password.";
export const INACTIVE_WITH_LINK = "An invitation link can only be sent to an active login: check Active, or clear Reset Password.";
/** The choice under Reset Password: how the credentials are sent. */
export const CREDENTIAL_METHOD_LABEL = "How to send the credentials";
/** The confirmation asked for when the client is marked Client Refused Portal Login. */
export const CHANGED_MIND_LABEL = "The client has changed their mind and now wants a portal login";
export const CHANGED_MIND_REQUIRED =
  "This client refused a portal login. Check this box to confirm they have changed their mind, or clear Active to save the login inactive.";

/** Usernames are compared without case: the key stored in `username_key` (unique per agency). */
export const usernameKeyOf = (username: string) => username.trim().toLowerCase();

const username = plainText("Portal Username")
  .trim()
  .min(1, "Enter a Portal Username.")
  .min(USERNAME_MIN, `Portal Username must be at least ${USERNAME_MIN} characters.`)
  .max(USERNAME_MAX, `Portal Username must be ${USERNAME_MAX} characters or fewer.`)
  .regex(/^[A-Za-z0-9]/, "Portal Username must start with a letter or digit.")
  .regex(/^[A-Za-z0-9._-]+$/, "Use only letters, digits, dot (.), hyphen (-) and underscore (_) in the Portal Username.");

const email = plainText("Portal User Email")
  .trim()
  .min(1, "Enter the Portal User Email.")
  .max(254, "Portal User Email must be 254 characters or fewer.")
  .refine((v) => z.email().safeParse(v).success, "Enter an email address like name@example.com.");

/** Add Client Portal Login: every field of the window. */
export const addPortalLoginForm = z.object({
  username,
  resetPassword: checkbox(),
  /** How Reset Password sends the credentials; absent (a client that predates the choice): a temporary password. */
  credentialMethod: z.enum(CREDENTIAL_METHODS, { error: "Choose how to send the credentials: Temporary password or Invitation link." }).optional(),
  representative: checkbox(),
  active: checkbox(),
  email,
  /** Shown only for a client marked refused; checked, Save clears the mark. */
  changedMind: checkbox(),
});

/** Edit: the same window; the username is shown but not changed; `seen` is the state it was opened on. */
export const editPortalLoginForm = addPortalLoginForm.omit({ username: true }).extend({
  seen: z.string().max(400, "Reload the Face Sheet and open Edit again.").optional(),
});

export type AddPortalLoginInput = z.infer<typeof addPortalLoginForm>;
export type EditPortalLoginInput = z.infer<typeof editPortalLoginForm>;

/**
 * Validates the window; besides each field's rule, a password may only be issued to an active
 * login (an emailed password that cannot sign in would only confuse the recipient), and for a
 * client marked Client Refused Portal Login (`client.refused`, as stored now) a login is saved
 * active only once staff confirm the client changed their mind.
 */
export function parsePortalLoginForm<S extends typeof addPortalLoginForm | typeof editPortalLoginForm>(
  schema: S,
  body: Record<string, string | File | (string | File)[]>,
  client: { refused: boolean },
): FormResult<z.infer<S>> {
  const result = parseForm(schema, body) as FormResult<z.infer<S>>;
  const on = (v: unknown) => v === "on" || v === "true" || v === "1";
  const rules: Record<string, string> = {};
  if (on(body.resetPassword) && !on(body.active)) rules.resetPassword = body.credentialMethod === "link" ? INACTIVE_WITH_LINK : INACTIVE_WITH_PASSWORD;
  if (client.refused && on(body.active) && !on(body.changedMind)) rules.changedMind = CHANGED_MIND_REQUIRED;
  if (Object.keys(rules).length === 0) return result;
  const errors = result.ok ? {} : result.errors;
  return { ok: false, errors: { ...errors, ...rules }, values: result.values };
}

/** The window's values as typed (strings for text, booleans for boxes), for re-rendering. */
export interface PortalLoginValues {
  username: string;
  resetPassword: boolean;
  credentialMethod: CredentialMethod;
  representative: boolean;
  active: boolean;
  email: string;
  changedMind: boolean;
}

/** Values from a submitted form, kept exactly as typed so a re-render shows them. */
export function valuesFromBody(body: Record<string, unknown>, fallbackUsername = "", defaultMethod: CredentialMethod = "password"): PortalLoginValues {
  const str = (k: string) => (typeof body[k] === "string" ? (body[k] as string) : "");
  const box = (k: string) => body[k] === "on" || body[k] === "true" || body[k] === "1";
  return {
    username: str("username") || fallbackUsername,
    resetPassword: box("resetPassword"),
    credentialMethod: body.credentialMethod === "link" || body.credentialMethod === "password" ? body.credentialMethod : defaultMethod,
    representative: box("representative"),
    active: box("active"),
    email: str("email"),
    changedMind: box("changedMind"),
  };
}
