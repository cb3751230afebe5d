/**
 * How a login was given and where its credential stands, in words for the staff view: the method
 * (an emailed temporary password or an invitation link) and the state with its times — sent when,
 * expires or expired when, or chosen by the user. Read from the login and its Email history (each
 * credentials email records when its credential expires), so no secret is needed.
 */
import type { PortalEmail, PortalLogin } from "../db/schema";
import { isCredentialKind } from "../email/portal-mail";

type StateFields = Pick<PortalLogin, "credentialMethod" | "passwordHash" | "mustChangePassword" | "tempPasswordExpiresAt" | "lastLoginAt">;

export interface CredentialState {
  /** "Temporary password" or "Invitation link" while it is pending; what the user chose after. */
  method: string;
  /** One or two short lines, times already formatted. */
  lines: string[];
}

/** "Temporary password" or "Invitation link", as the row and window name the method. */
export const methodLabel = (method: PortalLogin["credentialMethod"]) => (method === "invitation" ? "Invitation link" : "Temporary password");

/**
 * The state of a login's credential at `now`; `emails` are the login's, newest first; `time`
 * formats an instant in the agency's zone.
 */
export function credentialState(login: StateFields, emails: PortalEmail[], now: number, time: (at: number) => string): CredentialState {
  const method = methodLabel(login.credentialMethod);
  const latest = emails.find((e) => isCredentialKind(e.kind));
  // The method is named above the lines, so the lines say only when.
  const sent = (e: PortalEmail | undefined) => (!e ? "Issued" : e.status === "sent" ? `Sent ${time(e.createdAt)}` : `Issued ${time(e.createdAt)}; email not sent`);
  const until = (expiresAt: number | null | undefined) => (!expiresAt ? [] : expiresAt > now ? [`Expires ${time(expiresAt)}`] : [`Expired ${time(expiresAt)}`]);

  // A password (or, with an emailed link, a passkey instead) the user chose: that is the credential
  // now (the issued one is history), and only a pending reset link is worth saying.
  if (!login.mustChangePassword) {
    const chosen = login.passwordHash !== null ? "Own password" : "Passkey only";
    const lines = [login.passwordHash !== null ? "Password chosen by the user" : "Passkey chosen by the user (no password)"];
    if (latest?.kind === "reset" && latest.expiresAt !== null && latest.expiresAt > now) {
      lines.push(latest.status === "sent" ? `Reset link sent ${time(latest.createdAt)}, expires ${time(latest.expiresAt)}` : `Reset link not sent ${time(latest.createdAt)}`);
    }
    return { method: chosen, lines };
  }
  if (login.credentialMethod === "invitation") {
    const invitation = emails.find((e) => e.kind === "invitation");
    if (!invitation) return { method, lines: ["Not sent yet"] };
    return { method, lines: [sent(invitation), ...until(invitation.expiresAt)] };
  }
  if (login.passwordHash === null) return { method, lines: ["No password issued"] };
  const credentials = emails.find((e) => e.kind === "welcome" || e.kind === "new-password");
  return { method, lines: [sent(credentials), ...until(login.tempPasswordExpiresAt)] };
}
