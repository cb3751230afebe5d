/**
 * Resend for any email of a login's Email history. A notice is sent again as it was — same facts,
 * same time, same address — and the resend is logged for staff. An email that carried a temporary
 * password can't be sent again as it was (the password is stored only hashed, and a lost one must
 * not stay valid), so its Resend issues fresh credentials exactly like the row's Resend: a new
 * temporary password, the earlier one stopped, sessions ended, logged as "Portal Login <username>
 * was modified. Password updated". An invitation's Resend sends a fresh invitation link (the
 * earlier ones stop working), with its 5-minute cool-down, like the row's Resend invitation. A
 * reset link's Resend sends a fresh reset link to the login's current email (older reset links
 * stop working), with the same cool-down, logged (portal-login-resets.ts). No Resend ever sends a
 * secret already sent: a link or password lives only hashed, so each is new.
 */
import type { CurrentStaff } from "../app";
import { reissuePortalPassword } from "../clients/portal-login-resend";
import { resendInvitation } from "../clients/portal-login-invitations";
import { emailPortalLink } from "../clients/portal-link-email";
import { linkSettingsFor, portalLinkSettings } from "../clients/portal-link-settings";
import { resendResetLink } from "../clients/portal-login-resets";
import { formatAgencyDateTime } from "../layout/agency-time";
import { recordStaffEvent, type Actor } from "../clients/log";
import type { Db } from "../db";
import { effectiveSettings } from "../db/agency-settings";
import type { PortalEmail, PortalLogin } from "../db/schema";
import { isNoticeKind } from "../email/portal-mail";
import { errorText } from "../observability/error-text";
import { resendPortalNotice } from "../portal-notices/send";
import { emailCredentials } from "./credentials";
import { emailLabel } from "./history-views";
import { outcomeMessage, withNoticeOutcome, type Outcome } from "./messages";
import { sendStaffChangeNotices } from "./notices";
import type { PortalClient } from "./queries";
import type { StatusMessage } from "./views";

export type ResendEmailResult =
  | { kind: "done"; outcome: Outcome; message: StatusMessage }
  /** Nothing sent, for a reason staff can act on (409). */
  | { kind: "refused"; outcome: "unchanged"; message: StatusMessage }
  | { kind: "not-found" };

const refused = (text: string): ResendEmailResult => ({ kind: "refused", outcome: "unchanged", message: { tone: "warn", text } });

/** Resends `email` of `login` (both already checked to be this agency's and client's). */
export async function resendEmail(
  env: Env,
  db: Db,
  input: { staff: CurrentStaff; actor: Actor; portalUrl: string; client: PortalClient; login: PortalLogin; email: PortalEmail },
): Promise<ResendEmailResult> {
  const { staff, login, email } = input;
  if (isNoticeKind(email.kind)) return resendNotice(env, db, input);
  if (email.kind !== "welcome" && email.kind !== "new-password" && email.kind !== "invitation" && email.kind !== "reset") {
    return refused(`This email can't be sent again from here. For ${login.username}, use Edit › Reset Password to send new credentials.`);
  }
  if (input.client.refusedPortalLogin) {
    return refused(`This client refused a portal login, so nothing was sent to ${login.username}. If they have changed their mind, use Edit and confirm it.`);
  }
  if (email.kind === "invitation") return resendInvitationEmail(env, db, { ...input, email });
  if (email.kind === "reset") return resendResetEmail(env, db, { ...input, email });
  const { tempPasswordHours } = effectiveSettings(env, staff.agency);
  const result = await reissuePortalPassword(env, db, { agencyId: staff.agency.id, clientId: input.client.id, loginId: login.id, tempPasswordHours, actor: input.actor });
  if (result.status === "not-found") return { kind: "not-found" };
  if (result.status === "inactive") return refused(`Portal login ${login.username} is inactive, so no password was sent. Use Edit, check Active and Reset Password, then Save.`);
  if (result.status === "conflict") return refused(`Portal login ${login.username} changed just now, so nothing was sent. Check the table, then try again.`);
  const sent = await emailCredentials(env, db, {
    kind: email.kind,
    agency: staff.agency,
    portalUrl: input.portalUrl,
    login: result.login,
    temporaryPassword: result.temporaryPassword,
    expiresInHours: tempPasswordHours,
    resendOf: email.resendOf ?? email.id,
  });
  const notices = await sendStaffChangeNotices(env, db, { agency: staff.agency, before: result.before, after: result.login, passwordReset: true });
  const message = outcomeMessage("resent", { ...result.login, emailStatus: sent });
  return { kind: "done", outcome: "resent", message: withNoticeOutcome(sent === "sent" ? { ...message, text: `${message.text} The earlier temporary password no longer works.` } : message, notices) };
}

/** An invitation's Resend: a fresh link (resendInvitation), emailed and recorded as a resend of `email`. */
async function resendInvitationEmail(
  env: Env,
  db: Db,
  input: { staff: CurrentStaff; actor: Actor; portalUrl: string; client: PortalClient; login: PortalLogin; email: PortalEmail },
): Promise<ResendEmailResult> {
  const { staff, login, email } = input;
  const { inviteLinkHours } = effectiveSettings(env, staff.agency);
  const result = await resendInvitation(env, db, { agencyId: staff.agency.id, clientId: input.client.id, loginId: login.id, actor: input.actor, inviteLinkHours });
  if (result.status === "not-found") return { kind: "not-found" };
  if (result.status === "inactive") {
    return refused(`Portal login ${login.username} is inactive, so no invitation was sent. Use Edit: check Active and Reset Password, choose Invitation link, then Save.`);
  }
  if (result.status === "not-invited") {
    return refused(`Portal login ${login.username} is not waiting on an invitation link, so nothing was sent. To send new credentials, use Edit › Reset Password.`);
  }
  if (result.status === "cooldown") {
    const at = (ms: number) => formatAgencyDateTime(ms, staff.agency.timezone);
    return refused(`An invitation was sent to ${login.username} at ${at(result.sentAt)}. So as not to flood their inbox, another can be sent from ${at(result.availableAt)}.`);
  }
  const sent = await emailPortalLink(env, db, {
    purpose: "invite",
    agency: staff.agency,
    portalUrl: input.portalUrl,
    login: result.login,
    link: result.link,
    lifetimeMs: linkSettingsFor(inviteLinkHours).lifetimeMs.invite,
    resendOf: email.resendOf ?? email.id,
  });
  return { kind: "done", outcome: "invitation-resent", message: outcomeMessage("invitation-resent", { ...result.login, emailStatus: sent }) };
}

/** A reset link's Resend: a fresh reset link (resendResetLink), emailed and recorded as a resend of `email`. */
async function resendResetEmail(
  env: Env,
  db: Db,
  input: { staff: CurrentStaff; actor: Actor; portalUrl: string; client: PortalClient; login: PortalLogin; email: PortalEmail },
): Promise<ResendEmailResult> {
  const { staff, login, email } = input;
  const settings = portalLinkSettings(env, staff.agency);
  const result = await resendResetLink(env, db, { agencyId: staff.agency.id, clientId: input.client.id, loginId: login.id, actor: input.actor, settings });
  const u = login.username;
  switch (result.status) {
    case "not-found":
      return { kind: "not-found" };
    case "inactive":
      return refused(`Portal login ${u} is inactive, so no reset link was sent. To give access again, use Edit: check Active and Reset Password, then Save.`);
    case "refused":
      return refused(`This client refused a portal login, so nothing was sent to ${u}. If they have changed their mind, use Edit and confirm it.`);
    case "expired":
      return refused(`The credentials of portal login ${u} expired before they were used, so a reset link can't help and none was sent. Use Edit › Reset Password to send new credentials.`);
    case "link-locked":
      return refused(
        `A link of portal login ${u} was locked after too many wrong dates of birth, so no reset link was sent. Make sure you are talking to them; saving the login in Edit clears the lock, then Resend.`,
      );
    case "cooldown": {
      const at = (ms: number) => formatAgencyDateTime(ms, staff.agency.timezone);
      return refused(`A password reset link was sent to ${u} at ${at(result.sentAt)}. So as not to flood their inbox, another can be sent from ${at(result.availableAt)}.`);
    }
  }
  const sent = await emailPortalLink(env, db, {
    purpose: "reset",
    agency: staff.agency,
    portalUrl: input.portalUrl,
    login: result.login,
    link: result.link,
    lifetimeMs: settings.lifetimeMs.reset,
    resendOf: email.resendOf ?? email.id,
    sentByAgency: true,
  });
  return { kind: "done", outcome: "reset-link-resent", message: outcomeMessage("reset-link-resent", { ...result.login, emailStatus: sent }) };
}

async function resendNotice(env: Env, db: Db, input: { staff: CurrentStaff; actor: Actor; client: PortalClient; login: PortalLogin; email: PortalEmail }): Promise<ResendEmailResult> {
  const { login, email } = input;
  const label = emailLabel(email.kind);
  const sent = await resendPortalNotice(env, db, {
    agency: input.staff.agency,
    login: { id: login.id, clientId: login.clientId, username: login.username, email: login.email },
    email,
  });
  if (!sent) return refused(`This notice can't be sent again: what it was about wasn't recorded.`);
  try {
    await recordStaffEvent(env, {
      agencyId: input.staff.agency.id,
      clientId: input.client.id,
      actor: input.actor,
      changeType: "Portal Login",
      description: `Portal Login ${login.username}: a security notice was sent again.`,
      details: { lines: [`${label}, to ${email.toAddress}`, sent.status === "sent" ? "Sent" : "Not sent: the email could not be sent"] },
    });
  } catch (err) {
    // The notice went (or not) and its history row says so; only the log line is missing.
    console.error(`portal login ${login.id}: notice resend not logged: ${errorText(err)}`);
  }
  const text =
    sent.status === "sent"
      ? `The notice “${label}” was sent again to ${email.toAddress}.`
      : `The notice “${label}” could not be sent to ${email.toAddress}. It shows as Not sent in the Email history: check the address, then Resend.`;
  return { kind: "done", outcome: "notice-resent", message: { tone: sent.status === "sent" ? "ok" : "warn", text } };
}
