/**
 * The email that carries a portal login's credentials: the welcome email when a login is added,
 * and the same details when staff reset the password or resend. Text and HTML say the same
 * thing; everything put into the HTML is escaped.
 */
import { escapeHtml } from "./html";
import type { OutgoingEmail } from "./send";

export interface PortalCredentials {
  kind: "welcome" | "new-password";
  to: string;
  agencyName: string;
  portalUrl: string;
  username: string;
  temporaryPassword: string;
  /** Hours until the temporary password stops working. */
  expiresInHours: number;
}

/**
 * Composes the credentials email.
 *
 * @example
 *   portalCredentialsEmail({ kind: "welcome", to, agencyName, portalUrl, username, temporaryPassword, expiresInHours: 24 })
 *   // → { to, subject: "Your Riverbend Behavioral Health Client Portal login", text, html }
 */
export function portalCredentialsEmail(c: PortalCredentials): OutgoingEmail {
  const subject =
    c.kind === "welcome" ? `Your ${c.agencyName} Client Portal login` : `Your new temporary password for the ${c.agencyName} Client Portal`;
  const opening =
    c.kind === "welcome"
      ? `${c.agencyName} has set up a Client Portal login for you.`
      : `${c.agencyName} has issued a new temporary password for your Client Portal login. Any earlier password no longer works.`;
  const rule = `This is a temporary password: you must change it at first sign-in, when you will choose your own password. It expires in ${c.expiresInHours} ${c.expiresInHours === 1 ? "hour" : "hours"}.`;
  const ignore = `If you did not expect this email, you can ignore it, or contact ${c.agencyName}.`;

  const text = [
    "Hello,",
    "",
    opening,
    "",
    `Agency Portal URL: ${c.portalUrl}`,
    `Username: ${c.username}`,
    `Temporary password: ${c.temporaryPassword}`,
    "",
    rule,
    "",
    ignore,
    "",
  ].join("\n");

  const e = escapeHtml;
  const html = [
    "<!doctype html>",
    '<html lang="en"><head><meta charset="utf-8"><title>' + e(subject) + "</title></head>",
    '<body style="font-family: Arial, sans-serif; color: #1b2430; line-height: 1.5;">',
    "<p>Hello,</p>",
    `<p>${e(opening)}</p>`,
    `<p>Agency Portal URL: <a href="${e(c.portalUrl)}">${e(c.portalUrl)}</a></p>`,
    `<p>Username: <strong>${e(c.username)}</strong><br>`,
    `Temporary password: <strong style="font-family: monospace; font-size: 1.1em;">${e(c.temporaryPassword)}</strong></p>`,
    `<p>${e(rule)}</p>`,
    `<p>${e(ignore)}</p>`,
    "</body></html>",
    "",
  ].join("\n");

  return { to: c.to, subject, text, html };
}
