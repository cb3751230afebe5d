/**
 * The emails that carry a portal link: the invitation (the agency's alternative to a temporary
 * password) and the password reset asked for with "Forgot password?". Text and HTML say the same
 * thing; everything put into the HTML is escaped. The link is the only secret, and only here.
 */
import { escapeHtml } from "./html";
import type { OutgoingEmail } from "./send";

export interface PortalLinkEmail {
  kind: "invite" | "reset";
  to: string;
  agencyName: string;
  /** The Agency Portal URL (where to sign in afterwards). */
  portalUrl: string;
  username: string;
  /** The single-use link (carries the secret). */
  link: string;
  /** How long the link works, e.g. "24 hours", "1 hour". */
  validFor: string;
  /** When it stops working, already formatted for the reader (the agency's time and zone). */
  expiresAt: string;
  /** A representative's login: the date of birth asked is the client's, not theirs. */
  representative: boolean;
  /** A reset link staff sent again from the Email history, rather than one the user just asked for. */
  sentByAgency?: boolean;
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
 * Composes the invitation or password-reset email of a portal login.
 *
 * @example
 *   portalLinkEmail({ kind: "invite", to, agencyName: "Riverbend", portalUrl, username, link, validFor: "24 hours", expiresAt, representative: false })
 *   // → { to, subject: "Your Riverbend Client Portal invitation", text, html }
 */
export function portalLinkEmail(m: PortalLinkEmail): OutgoingEmail {
  const invite = m.kind === "invite";
  const subject = invite ? `Your ${m.agencyName} Client Portal invitation` : `Reset your ${m.agencyName} Client Portal password`;
  const opening = invite
    ? `${m.agencyName} has set up a Client Portal login for you. To start, open this link and choose your password:`
    : m.sentByAgency
      ? `${m.agencyName} sent you a new link to reset the password of your ${m.agencyName} Client Portal login (any earlier reset link no longer works). To choose a new password, open this link:`
      : `Someone (we hope you) asked to reset the password of your ${m.agencyName} Client Portal login. To choose a new password, open this link:`;
  const whose = m.representative ? "the date of birth of the client whose information you will see" : "your date of birth";
  const check = `To make sure it is you, the page first asks for ${whose}.`;
  const rule = `The link works once, for ${m.validFor} (until ${m.expiresAt}). ${invite ? `After that, ask ${m.agencyName} for a new one.` : "Only the newest link you asked for works."}`;
  const ignore = invite
    ? `If you did not expect this email, you can ignore it, or contact ${m.agencyName}.`
    : m.sentByAgency
      ? `If you didn't expect this email, ignore it — your password stays as it is — or contact ${m.agencyName}.`
      : "If you didn't ask for this, ignore this email: your password stays as it is.";
  const text = [
    "Hello,",
    "",
    opening,
    "",
    m.link,
    "",
    `Username: ${m.username}`,
    "",
    check,
    rule,
    "",
    `Afterwards, sign in at the Agency Portal URL: ${m.portalUrl}`,
    "",
    ignore,
    "",
  ].join("\n");
  const e = escapeHtml;
  const html = page(subject, [
    "Hello,",
    e(opening),
    `<a href="${e(m.link)}">${e(m.link)}</a>`,
    `Username: <strong>${e(m.username)}</strong>`,
    `${e(check)} ${e(rule)}`,
    `Afterwards, sign in at the Agency Portal URL: <a href="${e(m.portalUrl)}">${e(m.portalUrl)}</a>`,
    e(ignore),
  ]);
  return { to: m.to, subject, text, html };
}
