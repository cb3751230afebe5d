/**
 * The staff-administration forms and their messages. Each message is shown next to its field.
 */
import { z } from "zod";
import { STAFF_ROLES } from "../db/schema";
import { plainText } from "../forms/text";

// Letters of any language, spaces and the punctuation names carry; no control or invisible characters.
const NAME_SHAPE = /^[\p{L}\p{M}][\p{L}\p{M}\p{N} .,'’()-]*$/u;

const role = z.enum(STAFF_ROLES, { error: "Choose a role." });

export const inviteForm = z.object({
  name: plainText("Name")
    .trim()
    .min(1, "Enter the person's name.")
    .max(120, "Use at most 120 characters.")
    .regex(NAME_SHAPE, "Use letters, spaces, hyphens, apostrophes and full stops only."),
  email: z
    .string()
    .trim()
    .min(1, "Enter the email they will sign in with.")
    .max(254, "That is longer than any email address.")
    .pipe(z.email("Enter an email address, like name@example.org."))
    .transform((e) => e.toLowerCase()),
  role,
});
export type InviteInput = z.infer<typeof inviteForm>;

export const roleForm = z.object({ role });

/** What the email field says when the address already has a staff account. */
export const EMAIL_TAKEN = "This email already has a staff account. Each person signs in with their own email; use a different one.";
