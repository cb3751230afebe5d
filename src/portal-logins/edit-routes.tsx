/** @jsxImportSource hono/jsx */
/**
 * Editing a client's portal login from the Face Sheet's Client Portal section:
 *
 *   GET  /face-sheet/:clientId/portal-logins/:loginId/edit    the Portal Login window with the login's values
 *   POST /face-sheet/:clientId/portal-logins/:loginId         Save (edit) or Populate Email
 *
 * The window also shows the login's Email history and representative record and, for a
 * representative (or a blocked login), Block / Unblock and the 42 CFR Part 2 consent, whose own
 * routes are src/representatives/routes.tsx and src/part2/consent-routes.tsx. 404 unless the
 * agency has the portal and the client and login are the agency's and belong together
 * (route-context.ts).
 */
import { Hono, type Context } from "hono";
import type { AppEnv } from "../app";
import { can } from "../auth/permissions";
import { linkedElsewhere } from "../clients/linked-logins";
import { loginFingerprint, updatePortalLogin } from "../clients/portal-login-update";
import type { PortalLogin, PortalRepresentation } from "../db/schema";
import { agencyToday } from "../layout/agency-time";
import { wantsFragment } from "../layout/fragment";
import { errorText } from "../observability/error-text";
import { loadConsentSection } from "../part2/consent-routes";
import { ConsentSection } from "../part2/consent-views";
import { part2ActiveError } from "../part2/rule";
import { blockInfoOf, blockedRefusal } from "../representatives/block";
import { findRecord } from "../representatives/queries";
import { EMPTY_RECORD, recordValuesOf } from "../representatives/record-form";
import type { BlockInfo } from "../representatives/views";
import { emailCredentials } from "./credentials";
import { countPortalPasskeys, listClientEmails } from "./email-history";
import { editPortalLoginForm, parsePortalLoginForm, valuesFromBody } from "./form";
import type { LoginHistoryData } from "./history-views";
import { checkRepresentation, INVALID, populated, recordStateFromBody, respondWindow, UNAVAILABLE, type RecordState } from "./login-window";
import { outcomeMessage, withNoticeOutcome } from "./messages";
import { sendStaffChangeNotices } from "./notices";
import type { PortalClient } from "./queries";
import { respondSaved, withRefused } from "./respond-saved";
import { actorOf, defaultMethod, emailInvitation, loadClient, loadLogin, LOGIN_ROUTE, portalUrlOf, settingsOf, todayOf } from "./route-context";

const STILL_LINKED_ELSEWHERE =
  "This login is also linked to other clients as their representative, so it stays a representative. End those links first (End link on each client's Face Sheet).";
const LINKED_STAYS_REPRESENTATIVE =
  "This login was created for another client and is linked to this one as a representative: it stays a representative. To stop it acting for this client, use End link.";
const CONFLICT =
  "This portal login was changed by someone else (or its user) after you opened it, so nothing was saved. Cancel, then open Edit again to see the latest.";

/** The login's credential state and Email history, for the window. */
async function loadHistory(c: Context<AppEnv>, client: PortalClient, login: PortalLogin): Promise<LoginHistoryData> {
  const { agency, role } = c.var.staff;
  const [emails, passkeys] = await Promise.all([listClientEmails(c.var.db, agency.id, client.id), countPortalPasskeys(c.var.db, agency.id, [login.id])]);
  return {
    clientId: client.id,
    login,
    emails: emails.filter((e) => e.loginId === login.id),
    passkeys: passkeys.get(login.id) ?? 0,
    now: Date.now(),
    timezone: agency.timezone,
    manage: can(role, "portal-logins.manage"),
    refused: client.refusedPortalLogin,
  };
}

/** The record as stored, for Edit; a representative login without one must get one on this Save. */
function recordStateOf(login: PortalLogin, record: PortalRepresentation | null, today: string): RecordState {
  if (record && record.endedAt === null) return { values: recordValuesOf(record), version: record.version };
  return { values: { ...EMPTY_RECORD, startDate: today }, version: record?.version ?? 0, missing: login.representative };
}

/** Block / Unblock below the Edit window, for a representative login (or one already blocked). */
async function blockInfo(c: Context<AppEnv>, client: PortalClient, login: PortalLogin): Promise<BlockInfo | undefined> {
  if (!login.representative && login.blockedAt === null) return undefined;
  return blockInfoOf(c.var.db, c.var.staff, client.id, login);
}

/** GET …/:loginId/edit and POST …/:loginId: the window for an existing login, and its Save. */
export const editPortalLoginRoutes = new Hono<AppEnv>()
  .get(`${LOGIN_ROUTE}/edit`, async (c) => {
    const client = await loadClient(c);
    const login = client && (await loadLogin(c, client));
    if (!client || !login) return c.notFound();
    const values = {
      username: login.username,
      resetPassword: false,
      credentialMethod: defaultMethod(c),
      representative: login.representative,
      active: login.active,
      email: login.email,
      changedMind: false,
    };
    const [history, stored, block] = await Promise.all([loadHistory(c, client, login), findRecord(c.var.db, c.var.staff.agency.id, login.id, client.id), blockInfo(c, client, login)]);
    const record = recordStateOf(login, stored, todayOf(c));
    // A representative's 42 CFR Part 2 consent section (issue 11), after the form.
    const consent = await loadConsentSection(c, client, login);
    const afterForm = consent ? <ConsentSection {...consent} /> : undefined;
    return respondWindow(c, { client, login: { id: login.id, username: login.username, seen: loginFingerprint(login), linked: login.clientId !== client.id }, values, history, record, block, afterForm }, 200, true);
  })

  .post(LOGIN_ROUTE, async (c) => {
    const client = await loadClient(c);
    const current = client && (await loadLogin(c, client));
    if (!client || !current) return c.notFound();
    const staff = c.var.staff;
    const portalUrl = portalUrlOf(c);
    const body = await c.req.parseBody();
    const values = valuesFromBody(body, current.username, defaultMethod(c));
    // Re-renders keep the state the window was opened on, so a later Save still detects a conflict.
    const seen = typeof body.seen === "string" ? body.seen.slice(0, 400) : loginFingerprint(current);
    const login = { id: current.id, username: current.username, seen, linked: current.clientId !== client.id };
    // A page without JavaScript is the whole window again; in the dialog only the form is swapped.
    const history = wantsFragment(c) ? undefined : await loadHistory(c, client, current);
    const record = recordStateFromBody(body);
    if (body.populate !== undefined) return respondWindow(c, { client, login, history, record, ...populated(client, values) }, 200);
    // A blocked login changes only through an administrator (custody conflicts: no quiet re-link).
    const blocked = blockedRefusal(current, staff.role);
    if (blocked) return respondWindow(c, { client, login, history, record, values, alert: blocked }, 403);

    const form = parsePortalLoginForm(editPortalLoginForm, body, { refused: client.refusedPortalLogin });
    const representation = await checkRepresentation(c, client, body, values, current);
    const errors: Record<string, string | undefined> = { ...representation.errors, ...(form.ok ? {} : form.errors) };
    // 42 CFR Part 2 (issue 11): a representative can't be saved active without a current consent.
    if (form.ok) {
      const part2 = await part2ActiveError(c.var.db, {
        agencyId: staff.agency.id,
        clientId: client.id,
        loginId: current.id,
        representative: form.data.representative,
        active: form.data.active,
        today: agencyToday(staff.agency.timezone),
      });
      if (part2) errors.active = part2;
      // A login linked from another client stays a representative here: unticking it would make the
      // person the other client's own login (one flag for every client). End link stops this one.
      if (current.clientId !== client.id && !form.data.representative) errors.representative = LINKED_STAYS_REPRESENTATIVE;
      // Its own client's Edit either: the login still acts for other clients as their representative.
      else if (current.representative && !form.data.representative && (await linkedElsewhere(c.var.db, staff.agency.id, current.id, client.id))) {
        errors.representative = STILL_LINKED_ELSEWHERE;
      }
    }
    if (!form.ok || Object.keys(errors).length > 0) return respondWindow(c, { client, login, history, record, values, errors, alert: INVALID }, 422);

    let result;
    try {
      result = await updatePortalLogin(c.env, c.var.db, {
        agencyId: staff.agency.id,
        clientId: client.id,
        loginId: current.id,
        email: form.data.email,
        representative: form.data.representative,
        active: form.data.active,
        resetPassword: form.data.resetPassword,
        tempPasswordHours: settingsOf(c).tempPasswordHours,
        inviteLinkHours: settingsOf(c).inviteLinkHours,
        credentialMethod: form.data.credentialMethod ?? "password",
        actor: actorOf(c),
        expected: form.data.seen ?? loginFingerprint(current),
        clearRefused: client.refusedPortalLogin && form.data.changedMind,
        side: representation.side,
      });
    } catch (err) {
      console.error(`portal login ${current.id} update failed: ${errorText(err)}`);
      return respondWindow(c, { client, login, history, record, values, alert: UNAVAILABLE }, 503);
    }
    if (result.status === "not-found") return c.notFound();
    if (result.status === "conflict") return respondWindow(c, { client, login, history, record, values, alert: CONFLICT }, 409);
    if (result.status === "unchanged") {
      return respondSaved(c, client, { loginId: current.id, outcome: "unchanged", message: outcomeMessage("unchanged", current) });
    }

    let saved = result.login;
    if (result.temporaryPassword) {
      const sent = await emailCredentials(c.env, c.var.db, {
        kind: "new-password",
        agency: staff.agency,
        portalUrl,
        login: saved,
        temporaryPassword: result.temporaryPassword,
        expiresInHours: settingsOf(c).tempPasswordHours,
      });
      saved = { ...saved, emailStatus: sent };
    }
    if (result.link) saved = { ...saved, emailStatus: await emailInvitation(c, portalUrl, saved, result.link) };
    // 4. The security notices the change calls for (address changed, own password reset, access ended).
    const notices = await sendStaffChangeNotices(c.env, c.var.db, {
      agency: staff.agency,
      before: result.before,
      after: saved,
      passwordReset: result.temporaryPassword !== null || result.link !== null,
    });
    const outcome = result.temporaryPassword ? "reset" : result.link ? "reinvited" : "saved";
    return respondSaved(c, withRefused(client, result.refusedCleared), {
      loginId: saved.id,
      outcome,
      message: withNoticeOutcome(outcomeMessage(outcome, saved, result.changes, result.refusedCleared), notices),
      refusedCleared: result.refusedCleared,
    });
  });
