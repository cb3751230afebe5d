/**
 * The one way an email reaches a portal user: sent through the EMAIL binding (src/email/send.ts)
 * and recorded in `portal_emails` — kind, address, sent or not, the binding's short reason and
 * message id — so staff see every email of a login with its delivery state and can Resend it.
 * The record never holds the body, nor a temporary password or a link: only what the email was
 * about (`kind`, and for a notice its non-secret `facts`).
 */
import { and, eq, isNotNull } from "drizzle-orm";
import type { Db } from "../db";
import { portalEmails, portalLogins } from "../db/schema";
import { errorText } from "../observability/error-text";
import { sendEmail } from "./send";

/** Emails that carry a credential: Resend issues a fresh one (the earlier one stops working). */
export const CREDENTIAL_EMAIL_KINDS = ["welcome", "new-password", "invitation", "reset"] as const;
export type CredentialEmailKind = (typeof CREDENTIAL_EMAIL_KINDS)[number];

/** Security notices: no secret, no link; Resend sends the same notice again. */
export const NOTICE_KINDS = [
  "notice:password-changed",
  "notice:password-reset",
  "notice:passkey-added",
  "notice:passkey-removed",
  "notice:locked",
  "notice:email-changed",
  "notice:access-ended",
] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

export type PortalEmailKind = CredentialEmailKind | NoticeKind;

/** How staff read each kind in the Email history. */
export const PORTAL_EMAIL_LABELS: Record<PortalEmailKind, string> = {
  welcome: "Welcome (temporary password)",
  "new-password": "New temporary password",
  invitation: "Invitation link",
  reset: "Password reset link",
  "notice:password-changed": "Notice: password changed",
  "notice:password-reset": "Notice: password reset by staff",
  "notice:passkey-added": "Notice: passkey added",
  "notice:passkey-removed": "Notice: passkey removed",
  "notice:locked": "Notice: sign-in locked",
  "notice:email-changed": "Notice: email address changed",
  "notice:access-ended": "Notice: access ended",
};

export const isNoticeKind = (kind: string): kind is NoticeKind => (NOTICE_KINDS as readonly string[]).includes(kind);
export const isCredentialKind = (kind: string): kind is CredentialEmailKind => (CREDENTIAL_EMAIL_KINDS as readonly string[]).includes(kind);

/** Whether staff blocked the login (portal_logins.blocked_at); a login that can't be read is not sent to either. */
async function isBlocked(db: Db, agencyId: number, loginId: number): Promise<boolean> {
  try {
    const row = await db
      .select({ id: portalLogins.id, blocked: isNotNull(portalLogins.blockedAt) })
      .from(portalLogins)
      .where(and(eq(portalLogins.id, loginId), eq(portalLogins.agencyId, agencyId)))
      .get();
    return !row || Boolean(row.blocked);
  } catch (err) {
    console.error(`portal login ${loginId}: blocked check failed: ${errorText(err)}`);
    return true;
  }
}

/** The longest reason kept for a failed send: enough to read, never a message. */
const ERROR_MAX = 200;

export interface PortalEmailInput {
  agencyId: number;
  clientId: number;
  loginId: number;
  kind: PortalEmailKind;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** When the credential in the email stops working (temporary password, link). */
  expiresAt?: number | null;
  /** Notices: what changed and when, without secrets, to send the same notice again. */
  facts?: Record<string, unknown> | null;
  /** A Resend: the id of the email first sent. */
  resendOf?: number | null;
}

export interface PortalEmailOutcome {
  status: "sent" | "failed";
  /** The history row's id; null if D1 refused the record (the send itself still happened or not). */
  emailId: number | null;
}

/**
 * Sends a portal email and records the attempt. Never throws: a failed send is an outcome, and a
 * record that can't be written is logged (without address or body) and leaves `emailId` null.
 *
 * @example
 *   const { status } = await sendPortalEmail(env, db, { agencyId, clientId, loginId, kind: "welcome", to, subject, text, html });
 *   if (status === "failed") showEmailNotSent();
 */
export async function sendPortalEmail(env: Env, db: Db, input: PortalEmailInput): Promise<PortalEmailOutcome> {
  // A blocked person (custody conflicts) gets no email of any kind — credentials, links, notices:
  // refused here, at the one way out, so no send path can forget it. Nothing is recorded either:
  // the history shows what reached (or tried to reach) an address.
  if (await isBlocked(db, input.agencyId, input.loginId)) {
    console.log(`portal login ${input.loginId}: ${input.kind} email not sent: the login is blocked`);
    return { status: "failed", emailId: null };
  }
  const outcome = await sendEmail(env, { to: input.to, subject: input.subject, text: input.text, html: input.html });
  const status = outcome.sent ? "sent" : "failed";
  if (!outcome.sent) console.error(`portal login ${input.loginId}: ${input.kind} email not sent: ${outcome.reason}`);
  try {
    const row = await db
      .insert(portalEmails)
      .values({
        agencyId: input.agencyId,
        clientId: input.clientId,
        loginId: input.loginId,
        kind: input.kind,
        toAddress: input.to,
        status,
        error: outcome.sent ? null : outcome.reason.slice(0, ERROR_MAX),
        messageId: outcome.sent ? (outcome.messageId ?? null) : null,
        expiresAt: input.expiresAt ?? null,
        facts: input.facts ? JSON.stringify(input.facts) : null,
        resendOf: input.resendOf ?? null,
        createdAt: Date.now(),
      })
      .returning({ id: portalEmails.id })
      .get();
    return { status, emailId: row.id };
  } catch (err) {
    console.error(`portal login ${input.loginId}: ${input.kind} email outcome not recorded: ${errorText(err)}`);
    return { status, emailId: null };
  }
}
