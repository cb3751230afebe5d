/**
 * Sending a client's portal login something again, from the Face Sheet's Client Portal section:
 *
 *   POST /face-sheet/:clientId/portal-logins/:loginId/resend                         a fresh temporary password, emailed
 *   POST /face-sheet/:clientId/portal-logins/:loginId/emails/:emailId/resend         Resend one email of the Email history
 *   POST /face-sheet/:clientId/portal-logins/:loginId/resend-invitation              a new invitation link (5-minute cool-down)
 *
 * Each refuses (409, nothing sent) for a blocked login; resend and resend-invitation also for a
 * client who refused a portal login (one email's resend: resend-email.ts decides). 404 unless the
 * agency has the portal and the client and login are the agency's and belong together
 * (route-context.ts).
 */
import { Hono } from "hono";
import type { AppEnv } from "../app";
import { resendInvitation } from "../clients/portal-login-invitations";
import { reissuePortalPassword } from "../clients/portal-login-resend";
import { formatAgencyDateTime } from "../layout/agency-time";
import { emailCredentials } from "./credentials";
import { findLoginEmail } from "./email-history";
import { outcomeMessage, withNoticeOutcome } from "./messages";
import { sendStaffChangeNotices } from "./notices";
import { resendEmail } from "./resend-email";
import { respondSaved } from "./respond-saved";
import { actorOf, emailInvitation, loadClient, loadLogin, LOGIN_ROUTE, portalUrlOf, settingsOf } from "./route-context";
import { hasTemporaryPassword } from "./status";

/** POST …/resend, …/emails/:emailId/resend and …/resend-invitation. */
export const resendPortalLoginRoutes = new Hono<AppEnv>()
  .post(`${LOGIN_ROUTE}/resend`, async (c) => {
    const client = await loadClient(c);
    const current = client && (await loadLogin(c, client));
    if (!client || !current) return c.notFound();
    const staff = c.var.staff;
    const portalUrl = portalUrlOf(c);
    // A blocked person gets nothing (src/representatives/block.ts).
    if (current.blockedAt !== null) {
      const text = `Portal login ${current.username} is blocked, so nothing was sent.`;
      return respondSaved(c, client, { loginId: current.id, outcome: "unchanged", message: { tone: "warn", text } }, 409);
    }
    // A client marked refused gets no credentials until staff confirm the change of mind in Edit.
    if (client.refusedPortalLogin) {
      const text = `This client refused a portal login, so nothing was sent to ${current.username}. If they have changed their mind, use Edit and confirm it.`;
      return respondSaved(c, client, { loginId: current.id, outcome: "unchanged", message: { tone: "warn", text } }, 409);
    }
    // Resend exists for a temporary password whose email failed; anything else (e.g. a password the
    // user already chose, or a reset link they asked for) is changed only through Edit › Reset
    // Password, on purpose. An invitation link has Resend invitation.
    if (!hasTemporaryPassword(current)) {
      const text = `Portal login ${current.username} has no temporary password to resend, so nothing was sent. To send new credentials, use Edit › Reset Password.`;
      return respondSaved(c, client, { loginId: current.id, outcome: "unchanged", message: { tone: "warn", text } }, 409);
    }
    if (current.emailStatus !== "failed") {
      const text = `The last email for portal login ${current.username} was not a failed one, so nothing was sent. To issue a new password, use Edit › Reset Password.`;
      return respondSaved(c, client, { loginId: current.id, outcome: "unchanged", message: { tone: "warn", text } }, 409);
    }
    const result = await reissuePortalPassword(c.env, c.var.db, {
      agencyId: staff.agency.id,
      clientId: client.id,
      loginId: current.id,
      tempPasswordHours: settingsOf(c).tempPasswordHours,
      actor: actorOf(c),
    });
    if (result.status === "not-found") return c.notFound();
    if (result.status !== "reissued") {
      const text =
        result.status === "inactive"
          ? `Portal login ${current.username} is inactive, so no password was sent. Use Edit, check Active and Reset Password, then Save.`
          : `Portal login ${current.username} changed just now, so nothing was sent. Check the table, then try again.`;
      return respondSaved(c, client, { loginId: current.id, outcome: "unchanged", message: { tone: "warn", text } }, 409);
    }
    const sent = await emailCredentials(c.env, c.var.db, {
      kind: "new-password",
      agency: staff.agency,
      portalUrl,
      login: result.login,
      temporaryPassword: result.temporaryPassword,
      expiresInHours: settingsOf(c).tempPasswordHours,
    });
    const login = { ...result.login, emailStatus: sent };
    const notices = await sendStaffChangeNotices(c.env, c.var.db, { agency: staff.agency, before: result.before, after: result.login, passwordReset: true });
    return respondSaved(c, client, { loginId: login.id, outcome: "resent", message: withNoticeOutcome(outcomeMessage("resent", login), notices) });
  })

  // Resend one email of the Email history: a notice again as it was, or fresh credentials.
  .post(`${LOGIN_ROUTE}/emails/:emailId{[0-9]+}/resend`, async (c) => {
    const client = await loadClient(c);
    const current = client && (await loadLogin(c, client));
    const emailId = Number(c.req.param("emailId"));
    const email = current && Number.isSafeInteger(emailId) ? await findLoginEmail(c.var.db, c.var.staff.agency.id, client.id, current.id, emailId) : null;
    if (!client || !current || !email) return c.notFound();
    if (current.blockedAt !== null) {
      const text = `Portal login ${current.username} is blocked, so nothing was sent.`;
      return respondSaved(c, client, { loginId: current.id, outcome: "unchanged", message: { tone: "warn", text }, openHistory: true }, 409);
    }
    const result = await resendEmail(c.env, c.var.db, { staff: c.var.staff, actor: actorOf(c), portalUrl: portalUrlOf(c), client, login: current, email });
    if (result.kind === "not-found") return c.notFound();
    // The history stays open on the new entry, so staff see how the resend went.
    return respondSaved(c, client, { loginId: current.id, outcome: result.outcome, message: result.message, openHistory: true }, result.kind === "refused" ? 409 : 200);
  })

  // Resend invitation: a new link for a login still waiting on its invitation (the earlier ones
  // stop working), at most one per cool-down, logged. Offered on every invited login's row, not
  // only after a failed email: a link can expire, lock, or be lost.
  .post(`${LOGIN_ROUTE}/resend-invitation`, async (c) => {
    const client = await loadClient(c);
    const current = client && (await loadLogin(c, client));
    if (!client || !current) return c.notFound();
    const staff = c.var.staff;
    const portalUrl = portalUrlOf(c);
    const refuse = (text: string) => respondSaved(c, client, { loginId: current.id, outcome: "unchanged", message: { tone: "warn", text } }, 409);
    if (current.blockedAt !== null) return refuse(`Portal login ${current.username} is blocked, so no invitation was sent.`);
    if (client.refusedPortalLogin) {
      return refuse(`This client refused a portal login, so no invitation was sent to ${current.username}. If they have changed their mind, use Edit and confirm it.`);
    }
    const result = await resendInvitation(c.env, c.var.db, {
      agencyId: staff.agency.id,
      clientId: client.id,
      loginId: current.id,
      actor: actorOf(c),
      inviteLinkHours: settingsOf(c).inviteLinkHours,
    });
    if (result.status === "not-found") return c.notFound();
    if (result.status === "inactive") {
      return refuse(`Portal login ${current.username} is inactive, so no invitation was sent. Use Edit: check Active and Reset Password, choose Invitation link, then Save.`);
    }
    if (result.status === "not-invited") {
      return refuse(`Portal login ${current.username} is not waiting on an invitation link, so nothing was sent. To send new credentials, use Edit › Reset Password.`);
    }
    if (result.status === "cooldown") {
      const at = (ms: number) => formatAgencyDateTime(ms, staff.agency.timezone);
      return refuse(`An invitation was sent to ${current.username} at ${at(result.sentAt)}. So as not to flood their inbox, another can be sent from ${at(result.availableAt)}.`);
    }
    const login = { ...result.login, emailStatus: await emailInvitation(c, portalUrl, result.login, result.link) };
    return respondSaved(c, client, { loginId: login.id, outcome: "invitation-resent", message: outcomeMessage("invitation-resent", login) });
  });
