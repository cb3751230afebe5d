/**
 * The consent form of the Portal Login window: one field per element of 42 CFR §2.31(a). Every
 * element is required; "signed on paper" is an attestation that the signed form is kept on file,
 * and the elements are still entered from it (so the record always says what was consented to).
 * Dates are YYYY-MM-DD in the agency's time zone: the signature can't be in the future, the expiry
 * can't be before the signature nor already past.
 */
import { z } from "zod";
import { checkbox, parseForm, type FieldErrors, type FormResult } from "../forms/parse";
import { dateField } from "../forms/dates";
import { plainText } from "../forms/text";

const text = (label: string, max: number, missing: string) =>
  plainText(label).trim().min(1, missing).max(max, `${label}: use at most ${max} characters.`);

export const SIGNED_BY = ["client", "other"] as const;

export const RIGHT_TO_REVOKE_REQUIRED =
  "A consent must state the client's right to revoke it (42 CFR §2.31(a)(4)). Check this only if the signed form says so.";

const consentSchema = z.object({
  clientName: text("Client's name", 200, "Enter the client's name as on the signed form."),
  discloser: text("Who may disclose", 200, "Enter who may disclose the information (the agency)."),
  recipient: text("Recipient", 200, "Enter the recipient: the representative, by name."),
  purpose: text("Purpose", 1000, "Enter the purpose of the disclosure, as on the form."),
  information: text("Information", 1000, "Enter how much and what kind of information may be disclosed."),
  expiresOn: dateField("Expiry date"),
  expiryEvent: plainText("Expiry event").trim().max(300, "Expiry event: use at most 300 characters.").default(""),
  signedOn: dateField("Signature date"),
  signedBy: z.enum(SIGNED_BY, { message: "Choose who signed the form." }),
  signerAuthority: plainText("Signer's authority").trim().max(300, "Signer's authority: use at most 300 characters.").default(""),
  rightToRevoke: checkbox(),
  signedOnPaper: checkbox(),
});

export type ConsentInput = Omit<z.infer<typeof consentSchema>, "rightToRevoke" | "signedBy"> & { signedBy: (typeof SIGNED_BY)[number] };

/** Validates the consent form; `today` is YYYY-MM-DD in the agency's time zone. Every message at once. */
export function parseConsentForm(body: Record<string, string | File | (string | File)[]>, today: string): FormResult<ConsentInput> {
  const form = parseForm(consentSchema, body);
  const errors: FieldErrors = form.ok ? {} : { ...form.errors };
  const d = form.ok ? form.data : null;
  const v = form.values;
  const on = (name: string) => v[name] === "on";
  const given = (name: string) => (v[name] ?? "").trim() !== "";
  if (!errors.signedOn && !given("signedOn")) errors.signedOn = "Enter the date the form was signed.";
  if (!errors.expiresOn && !errors.expiryEvent && !given("expiresOn") && !given("expiryEvent")) {
    errors.expiresOn = "Enter the date the consent expires, or the event that ends it (or both: whichever comes first).";
  }
  if (!on("rightToRevoke")) errors.rightToRevoke = RIGHT_TO_REVOKE_REQUIRED;
  if (v.signedBy === "other" && !given("signerAuthority") && !errors.signerAuthority) {
    errors.signerAuthority = "Enter the signer's authority to sign for the client (e.g. court-appointed guardian).";
  }
  if (d) {
    if (d.signedOn && d.signedOn > today) errors.signedOn = "The signature date is in the future. Enter the date the form was signed.";
    // The expiry date is the first day without access, like a representative's end date.
    if (d.expiresOn && d.signedOn && d.expiresOn <= d.signedOn) errors.expiresOn = "The expiry date must be after the signature date.";
    else if (d.expiresOn && d.expiresOn <= today) errors.expiresOn = "The expiry date must be after today: access ends on the expiry date, so this consent would already have ended.";
  }
  if (Object.keys(errors).length > 0 || !d) return { ok: false, errors, values: v };
  const { rightToRevoke: _stated, ...rest } = d;
  return { ok: true, data: { ...rest, signerAuthority: d.signedBy === "other" ? d.signerAuthority : "" }, values: v };
}

/** The form's fields as text: prefilled for a new consent, or what was typed. */
export type ConsentValues = Record<string, string>;

/** A new consent's starting values: the client, the agency and the representative filled in. */
export function prefilledConsent(p: { clientName: string; agencyName: string; representativeName: string }): ConsentValues {
  return { clientName: p.clientName, discloser: p.agencyName, recipient: p.representativeName, signedBy: "client" };
}
