/**
 * The emails about a staff member's own sign-in: the link to set a first password (invitation)
 * or a new one (reset), and the notice that their password changed. Text and HTML say the same
 * thing; everything put into the HTML is escaped. The notice carries no link and no secret.
 */
import { escapeHtml } from "./html";
import type { OutgoingEmail } from "./send";

export interface StaffLinkEmail {
  kind: "invite" | "reset";
  to: string;
  name: string;
  agencyName: string;
  /** The single-use link (carries the secret: only ever in this email). */
  link: string;
  /** How long the link works, e.g. "24 hours", "1 hour". */
  validFor: string;
}

const page = (subject: string, paragraphs: string[]) =>
  [
    "<!doctype html>",
    `<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>`,
    '<body style="font-family: Arial, sans-serif; color: #1b2430; line-height: 1.5;">',
    ...paragraphs.map((p) => `<p>${p}</p>`),
    "</body></html>",
    "",
  ].join("\n");

/**
 * Composes the invitation or password-reset email.
 *
 * @example
 *   staffLinkEmail({ kind: "invite", to, name: "Dana", agencyName: "Riverbend", link, validFor: "24 hours" })
 *   // → { to, subject: "Set up your Riverbend staff account", text, html }
 */
export function staffLinkEmail(m: StaffLinkEmail): OutgoingEmail {
  const invite = m.kind === "invite";
  const subject = invite ? `Set up your ${m.agencyName} staff account` : `Reset your ${m.agencyName} staff password`;
  const opening = invite
    ? `An account has been created for you in ${m.agencyName}'s records system. To start, choose your password:`
    : `Someone (we hope you) asked to reset the password of your ${m.agencyName} staff account. To choose a new password, open this link:`;
  const rule = `The link works once and for ${m.validFor}. ${invite ? "After that, ask for a new one." : "Only the newest link you asked for works."}`;
  const ignore = invite
    ? `If you did not expect this email, you can ignore it, or tell ${m.agencyName}.`
    : "If you didn't ask for this, ignore this email: your password stays as it is.";
  const text = [`Hello ${m.name},`, "", opening, "", m.link, "", rule, "", ignore, ""].join("\n");
  const e = escapeHtml;
  const html = page(subject, [`Hello ${e(m.name)},`, e(opening), `<a href="${e(m.link)}">${e(m.link)}</a>`, e(rule), e(ignore)]);
  return { to: m.to, subject, text, html };
}

export interface PasswordChangedEmail {
  to: string;
  name: string;
  agencyName: string;
  /** "set" for a first password (invitation), "changed" otherwise. */
  kind: "set" | "changed";
  /** When, already formatted for the reader (the agency's time zone). */
  when: string;
  /** Where to ask for a reset if it wasn't them. */
  forgotPasswordUrl: string;
}

/**
 * Composes the notice that a staff member's password was set or changed: no secret, and what to
 * do if it wasn't them.
 */
export function passwordChangedEmail(m: PasswordChangedEmail): OutgoingEmail {
  const subject = m.kind === "set" ? `Your ${m.agencyName} staff password was set` : `Your ${m.agencyName} staff password was changed`;
  const what = `The password of your ${m.agencyName} staff account (${m.to}) was ${m.kind} on ${m.when}. Every other session of your account has been signed out.`;
  const notYou = `If this wasn't you, reset your password now at ${m.forgotPasswordUrl} and tell your administrator.`;
  const text = [`Hello ${m.name},`, "", what, "", notYou, "", "If it was you, there is nothing more to do.", ""].join("\n");
  const e = escapeHtml;
  const html = page(subject, [
    `Hello ${e(m.name)},`,
    e(what),
    `If this wasn't you, reset your password now at <a href="${e(m.forgotPasswordUrl)}">${e(m.forgotPasswordUrl)}</a> and tell your administrator.`,
    "If it was you, there is nothing more to do.",
  ]);
  return { to: m.to, subject, text, html };
}
