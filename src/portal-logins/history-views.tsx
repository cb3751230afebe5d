/** @jsxImportSource hono/jsx */
/**
 * The staff view of one login's credential and emails, shown under its row in the Client Portal
 * section and in the Portal Login window: how the login was given, where its credential stands
 * (with times), its passkeys, and the Email history — every email with its delivery state and,
 * for a role that may manage logins, Resend.
 */
import type { PortalEmail, PortalLogin } from "../db/schema";
import { isCredentialKind, isNoticeKind, PORTAL_EMAIL_LABELS, type PortalEmailKind } from "../email/portal-mail";
import { formatAgencyDateTime } from "../layout/agency-time";
import { credentialState } from "./credential-state";

/** What the overview and the history need about one login. */
export interface LoginHistoryData {
  clientId: number;
  login: PortalLogin;
  /** The login's emails, newest first. */
  emails: PortalEmail[];
  passkeys: number;
  now: number;
  timezone: string;
  /** The role may Resend (portal-logins.manage). */
  manage: boolean;
  /** Client Refused Portal Login: no credentials are resent until staff confirm in Edit. */
  refused: boolean;
}

export const emailLabel = (kind: string) => PORTAL_EMAIL_LABELS[kind as PortalEmailKind] ?? kind;

export const emailResendPath = (clientId: number, loginId: number, emailId: number) =>
  `/face-sheet/${clientId}/portal-logins/${loginId}/emails/${emailId}/resend`;

/**
 * Whether Resend is offered for this email: a notice always (the same notice again); any email that
 * carried a credential — temporary password, invitation link, reset link — while the login is
 * active and the client hasn't refused (never the same secret: a fresh one; resend-email.ts).
 * A login whose credentials can't be resent for another reason (expired unused, a link locked, the
 * cool-down) still shows Resend, and its answer says why.
 */
export function canResend(kind: string, login: Pick<PortalLogin, "active">, refused: boolean): boolean {
  if (isNoticeKind(kind)) return true;
  return isCredentialKind(kind) && login.active && !refused;
}

/** The login's method, credential state and passkeys, as short lines. */
export function LoginOverview(props: Pick<LoginHistoryData, "login" | "emails" | "passkeys" | "now" | "timezone">) {
  const state = credentialState(props.login, props.emails, props.now, (at) => formatAgencyDateTime(at, props.timezone));
  return (
    <div class="credential-state">
      <span class="method">{state.method}</span>
      {state.lines.map((line) => (
        <span class="meta">{line}</span>
      ))}
      <span class="meta">Passkeys: {props.passkeys}</span>
    </div>
  );
}

/** The Email history list, newest first, with Resend where it applies. */
export function EmailHistory(props: LoginHistoryData & { idPrefix: string }) {
  const { login, clientId } = props;
  const hintId = `${props.idPrefix}-resend-hint-${login.id}`;
  if (props.emails.length === 0) return <p class="empty">No emails sent yet.</p>;
  const showHint = props.manage && props.emails.some((e) => canResend(e.kind, login, props.refused));
  const replacesChosenPassword = login.passwordHash !== null && !login.mustChangePassword;
  const confirmText = `${login.username} has chosen their own password. Replace it with a new temporary password, sent to ${login.email}?`;
  return (
    <>
      {showHint && (
        <p class="hint" id={hintId}>
          Resend never sends the same password or link again. Of a temporary-password email, it sends a new password to {login.email}: the
          earlier one stops working (so does a password the user chose) and the user is signed out. Of an invitation or reset link, it sends a
          new link to {login.email} (earlier ones stop working; at most one every 5 minutes). Of a notice, it sends the notice again as it was.
        </p>
      )}
      <ol class="email-history-list">
        {props.emails.map((e) => (
          <li>
            <span class="when">{formatAgencyDateTime(e.createdAt, props.timezone)}</span>
            <span class="kind">
              {emailLabel(e.kind)}
              {e.resendOf !== null && <span class="meta"> (sent again)</span>}
            </span>
            <span class="to">to {e.toAddress}</span>
            <span class="delivery">
              {e.status === "sent" ? <span class="badge ok">Sent</span> : <span class="badge bad">Not sent</span>}
              {e.status === "failed" && e.error && <span class="meta"> {e.error}</span>}
            </span>
            {props.manage && canResend(e.kind, login, props.refused) && (
              <form
                method="post"
                action={emailResendPath(clientId, login.id, e.id)}
                hx-post={emailResendPath(clientId, login.id, e.id)}
                hx-target="#client-portal"
                hx-swap="outerHTML"
                // Replacing a password the user chose is the one Resend that takes something away: ask first.
                hx-confirm={(e.kind === "welcome" || e.kind === "new-password") && replacesChosenPassword ? confirmText : undefined}
              >
                <button
                  type="submit"
                  class="small"
                  id={`${props.idPrefix}-resend-email-${e.id}`}
                  aria-label={`Resend ${emailLabel(e.kind)} to ${e.toAddress}`}
                  aria-describedby={isCredentialKind(e.kind) ? hintId : undefined}
                >
                  Resend
                </button>
              </form>
            )}
          </li>
        ))}
      </ol>
    </>
  );
}

/** The history as a disclosure (closed by default), with its count in the summary. */
export function EmailHistoryDisclosure(props: LoginHistoryData & { idPrefix: string; open?: boolean }) {
  return (
    <details class="email-history" open={props.open || undefined}>
      {/* The username only in the accessible name: the row's text stays the emails' own. */}
      <summary aria-label={`Email history of ${props.login.username} (${props.emails.length})`}>
        <span>Email history ({props.emails.length})</span>
      </summary>
      <EmailHistory {...props} />
    </details>
  );
}
