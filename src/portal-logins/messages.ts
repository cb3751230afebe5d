/**
 * The outcome line after Save or Resend, read from the login as saved (so a page reached by a
 * redirect says the same as the htmx answer did).
 */
import type { PortalLogin } from "../db/schema";
import type { StatusMessage } from "./views";

export const OUTCOMES = ["added", "saved", "reset", "resent", "notice-resent", "unchanged", "invited", "reinvited", "invitation-resent", "reset-link-resent", "blocked", "unblocked"] as const;
export type Outcome = (typeof OUTCOMES)[number];

const NOT_SENT = "but the email could not be sent. Use Resend.";
const INVITATION_NOT_SENT = "but the invitation email could not be sent. Use Resend invitation.";
/** The query flag a no-JavaScript Save adds when it also cleared Client Refused Portal Login. */
export const REFUSED_CLEARED_PARAM = "refused-cleared";
const REFUSED_CLEARED = "Client Refused Portal Login cleared.";

/**
 * What staff read after `outcome` on this login; `changes` lists what a Save changed, and
 * `refusedCleared` says the Save also cleared Client Refused Portal Login.
 */
export function outcomeMessage(
  outcome: Outcome,
  login: Pick<PortalLogin, "username" | "email" | "emailStatus" | "passwordHash">,
  changes: string[] = [],
  refusedCleared = false,
): StatusMessage {
  const message = loginMessage(outcome, login, changes);
  return refusedCleared ? { ...message, text: `${message.text} ${REFUSED_CLEARED}` } : message;
}

function loginMessage(outcome: Outcome, login: Pick<PortalLogin, "username" | "email" | "emailStatus" | "passwordHash">, changes: string[]): StatusMessage {
  const u = login.username;
  const sent = login.emailStatus === "sent";
  switch (outcome) {
    case "added":
      if (login.passwordHash === null) return { tone: "ok", text: `Portal login ${u} added without a password. To send one, use Edit and check Reset Password.` };
      return sent
        ? { tone: "ok", text: `Portal login ${u} added. Welcome email sent to ${login.email}.` }
        : { tone: "warn", text: `Portal login ${u} saved, ${NOT_SENT}` };
    case "reset":
      return sent
        ? { tone: "ok", text: `Portal login ${u} saved. A new temporary password was emailed to ${login.email}.` }
        : { tone: "warn", text: `Portal login ${u} saved, ${NOT_SENT}` };
    case "resent":
      return sent
        ? { tone: "ok", text: `A new temporary password for ${u} was emailed to ${login.email}.` }
        : { tone: "warn", text: `The email to ${login.email} could not be sent. Check the Portal User Email (Edit), then Resend.` };
    case "saved":
      return { tone: "ok", text: changes.length ? `Portal login ${u} saved. Changes: ${changes.join(", ")}.` : `Portal login ${u} saved.` };
    case "notice-resent":
      return { tone: "ok", text: `Notice sent again for portal login ${u}. Its Email history shows whether it went out.` };
    case "unchanged":
      return { tone: "ok", text: `No changes to save for portal login ${u}.` };
    case "invited":
      return sent
        ? { tone: "ok", text: `Portal login ${u} added. Invitation link emailed to ${login.email}.` }
        : { tone: "warn", text: `Portal login ${u} saved, ${INVITATION_NOT_SENT}` };
    case "reinvited":
      return sent
        ? { tone: "ok", text: `Portal login ${u} saved. An invitation link was emailed to ${login.email}; the old password no longer works.` }
        : { tone: "warn", text: `Portal login ${u} saved, ${INVITATION_NOT_SENT}` };
    case "blocked":
      return { tone: "ok", text: `Portal login ${u} blocked: it can't sign in, its sessions have ended, and it is sent no email. Only an administrator can unblock it.` };
    case "unblocked":
      return { tone: "ok", text: `Portal login ${u} unblocked. It can sign in again if it is active and its record is in force.` };
    case "invitation-resent":
      return sent
        ? { tone: "ok", text: `A new invitation link for ${u} was emailed to ${login.email}. Earlier links no longer work.` }
        : { tone: "warn", text: `The invitation email to ${login.email} could not be sent. Check the Portal User Email (Edit), then Resend invitation.` };
    case "reset-link-resent":
      return sent
        ? { tone: "ok", text: `A new password reset link for ${u} was emailed to ${login.email}. Earlier reset links no longer work; the password stays as it is until the link is used.` }
        : { tone: "warn", text: `The password reset email to ${login.email} could not be sent. Check the Portal User Email (Edit), then Resend.` };
  }
}

/** The outcome line, told when a security notice the change called for could not be sent. */
export function withNoticeOutcome(message: StatusMessage, notices: "none" | "sent" | "failed"): StatusMessage {
  if (notices !== "failed") return message;
  return { tone: "warn", text: `${message.text} A security notice to the user could not be sent: open Email history under the login and Resend it.` };
}
