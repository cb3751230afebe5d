/**
 * The security notices a portal user is emailed when something about their login changes:
 * password, passkeys, a lock, the email address, the end of access. Each says what changed, on
 * which login and when (already formatted in the agency's time zone by the caller), and what to do
 * if it wasn't them. A notice carries no secret and no link at all — a notice that links to a
 * sign-in page is what phishing imitates — so the way back is always "contact the agency".
 * Text and HTML say the same thing; everything put into the HTML is escaped.
 */
import { escapeHtml } from "./html";
import type { NoticeKind } from "./portal-mail";
import type { OutgoingEmail } from "./send";

/**
 * What a notice is about: the facts stored with it (portal_emails.facts) so that the same notice
 * can be sent again. `at` is when the change happened (epoch ms). Nothing here is secret.
 */
export type NoticeFacts =
  /** The user chose a password: `first` when it replaced the temporary one. */
  | { kind: "notice:password-changed"; at: number; first?: boolean }
  /** Staff replaced a password the user had chosen with a temporary one. */
  | { kind: "notice:password-reset"; at: number }
  /** `via`: created from an emailed link's last step instead of a password (a reset's also ended the password). */
  | { kind: "notice:passkey-added"; at: number; passkeyName: string; via?: "invite" | "reset" }
  | { kind: "notice:passkey-removed"; at: number; passkeyName: string }
  /** `allDevices`: the hard lock (every device, `hours`); else new devices wait `minutes`. */
  | { kind: "notice:locked"; at: number; failures: number; allDevices: boolean; minutes?: number; hours?: number }
  /** One of the two emails of an address change: to the `old` address or the `new` one; `other` is the other address, masked. */
  | { kind: "notice:email-changed"; at: number; side: "old" | "new"; other: string }
  /** `staff`: deactivated by staff; `end-date`: a representative's recorded end date passed. */
  /** `pending`: the login was still waiting on its invitation (never used): the notice says the link no longer works. */
  | { kind: "notice:access-ended"; at: number; reason: "staff" | "end-date"; pending?: "invitation" };

export interface NoticeContext {
  to: string;
  agencyName: string;
  username: string;
  /** `facts.at`, formatted for the reader, e.g. "12/1/2026 9:30:00 AM (Eastern Time)". */
  when: string;
}

/** An address shown in a notice to someone else: its first character and its domain. */
export function maskAddress(address: string): string {
  const at = address.lastIndexOf("@");
  if (at < 1) return "•••";
  return `${address.slice(0, 1)}•••${address.slice(at)}`;
}

interface NoticeText {
  subject: string;
  what: string;
  ifYou: string;
  notYou: string;
}

function noticeText(f: NoticeFacts, c: NoticeContext): NoticeText {
  const a = c.agencyName;
  const login = `your ${a} Client Portal login ${c.username}`;
  const contact = `contact ${a} right away — call them or reply to this email`;
  const Contact = `Contact ${a} right away — call them or reply to this email`;
  switch (f.kind) {
    case "notice:password-changed":
      return f.first
        ? {
            subject: `Your ${a} Client Portal password was set`,
            what: `A password was chosen for ${login} on ${c.when}, replacing the temporary password. Any other device signed in to it has been signed out.`,
            ifYou: "If it was you, there is nothing more to do.",
            notYou: `If you didn't do this, someone else may have used your temporary password. ${Contact}, and ask them to reset your password.`,
          }
        : {
            subject: `Your ${a} Client Portal password was changed`,
            what: `The password of ${login} was changed on ${c.when}. Every other device signed in to it has been signed out.`,
            ifYou: "If it was you, there is nothing more to do.",
            notYou: `If you didn't do this, someone else may know your password. ${Contact}, and ask them to reset your password.`,
          };
    case "notice:password-reset":
      return {
        subject: `Your ${a} Client Portal password was reset`,
        what: `${a} reset the password of ${login} on ${c.when}. The password you chose before no longer works; a new temporary password was sent to you in a separate email.`,
        ifYou: `If you asked ${a} for this, there is nothing more to do.`,
        notYou: `If you didn't ask for it, ${contact}.`,
      };
    case "notice:passkey-added":
      return {
        subject: `A passkey was added to your ${a} Client Portal login`,
        what:
          f.via === "invite"
            ? `A passkey named “${f.passkeyName}” was created for ${login} on ${c.when}, with your invitation link. From now on, use Sign in with a passkey.`
            : f.via === "reset"
              ? `A passkey named “${f.passkeyName}” was created for ${login} on ${c.when}, with a password-reset link. Your previous password no longer works, and every other device signed in to it has been signed out.`
              : `A passkey named “${f.passkeyName}” was added to ${login} on ${c.when}. It can now be used to sign in.`,
        ifYou: "If it was you, there is nothing more to do.",
        notYou: `If you didn't add it, someone else may be signed in to your login. ${Contact}, so they can end that access.`,
      };
    case "notice:passkey-removed":
      return {
        subject: `A passkey was removed from your ${a} Client Portal login`,
        what: `The passkey named “${f.passkeyName}” was removed from ${login} on ${c.when}. It can no longer be used to sign in.`,
        ifYou: "If it was you, there is nothing more to do.",
        notYou: `If you didn't remove it, someone else may be signed in to your login. ${Contact}, so they can end that access.`,
      };
    case "notice:locked":
      return {
        subject: `Sign-in to your ${a} Client Portal login was locked`,
        what: f.allDevices
          ? `After ${f.failures} failed sign-in attempts in a row, ${login} was locked on ${c.when}. No device can sign in to it for ${f.hours ?? 24} hours, unless ${a} unlocks it.`
          : `After ${f.failures} failed sign-in attempts in a row, sign-in to ${login} was paused on ${c.when}: new devices must wait ${f.minutes ?? 15} minutes before trying again. Devices you have signed in with before can still sign in.`,
        ifYou: `If it was you, wait and try again, or ask ${a} to unlock your login.`,
        notYou: `If these attempts weren't you, someone may be guessing your password. Nobody signed in with them and your password has not changed. If you are worried, ${contact}.`,
      };
    case "notice:email-changed":
      return f.side === "old"
        ? {
            subject: `The email address of your ${a} Client Portal login was changed`,
            what: `The email address of ${login} was changed on ${c.when}, from this address to ${f.other}. Emails about this login now go to the new address.`,
            ifYou: `If you asked ${a} for this, there is nothing more to do.`,
            notYou: `If you didn't ask for it, ${contact}.`,
          }
        : {
            subject: `This is now the email address of a ${a} Client Portal login`,
            what: `On ${c.when}, ${a} made this address the email address of the Client Portal login ${c.username} (it was ${f.other}). Emails about this login will come here.`,
            ifYou: "If this is your login, there is nothing more to do.",
            notYou: `If you don't know this login, ${contact}, so they can correct the address.`,
          };
    case "notice:access-ended":
      return {
        subject: `Your ${a} Client Portal access has ended`,
        what:
          f.reason === "end-date"
            ? `The access of ${login} ended on ${c.when}, the end date ${a} recorded for it. It can no longer sign in, and any device signed in to it has been signed out.`
            : f.pending === "invitation"
              ? `${a} ended the access of ${login} on ${c.when}, before it was set up. The invitation link you were sent no longer works.`
              : `${a} ended the access of ${login} on ${c.when}. It can no longer sign in, and any device signed in to it has been signed out.`,
        ifYou: `If you expected this, there is nothing more to do.`,
        notYou: `If you didn't expect it, ${contact}.`,
      };
  }
}

/**
 * Composes a notice.
 *
 * @example
 *   portalNoticeEmail({ kind: "notice:password-changed", at }, { to, agencyName: "Riverbend", username: "maria.alvarez", when: "12/1/2026 9:30:00 AM (Eastern Time)" })
 *   // → { to, subject: "Your Riverbend Client Portal password was changed", text, html }
 */
export function portalNoticeEmail(facts: NoticeFacts, c: NoticeContext): OutgoingEmail {
  const t = noticeText(facts, c);
  const footer = `This is an automatic security notice from ${c.agencyName}. It has no links, and ${c.agencyName} will never ask you for your password.`;
  const paragraphs = ["Hello,", t.what, t.ifYou, t.notYou, footer];
  const text = [...paragraphs.flatMap((p) => [p, ""])].join("\n");
  const html = [
    "<!doctype html>",
    `<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(t.subject)}</title></head>`,
    '<body style="font-family: Arial, sans-serif; color: #1b2430; line-height: 1.5;">',
    ...paragraphs.map((p, i) => (i === 3 ? `<p><strong>${escapeHtml(p)}</strong></p>` : `<p>${escapeHtml(p)}</p>`)),
    "</body></html>",
    "",
  ].join("\n");
  return { to: c.to, subject: t.subject, text, html };
}

/** The facts' kind is one of the notice kinds (a type check for records read back from D1). */
export function parseNoticeFacts(kind: NoticeKind, json: string | null): NoticeFacts | null {
  if (!json) return null;
  try {
    const facts = JSON.parse(json) as NoticeFacts;
    return facts && typeof facts === "object" && facts.kind === kind && typeof facts.at === "number" ? facts : null;
  } catch {
    return null;
  }
}
