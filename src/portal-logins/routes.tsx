/** @jsxImportSource hono/jsx */
/**
 * Staff give portal access from the Face Sheet: the Client Portal section's routes and the Portal
 * Login window. Every route answers 404 unless the signed-in agency is contracted for the portal
 * and the client (and login) are that agency's.
 *
 *   GET  /face-sheet/:clientId/portal-logins                    the section's body (htmx refresh)
 *   GET  /face-sheet/:clientId/portal-logins/new                the window, empty
 *   POST /face-sheet/:clientId/portal-logins                    Save (add) or Populate Email
 *   GET  /face-sheet/:clientId/portal-logins/:loginId/edit      the window with the login's values
 *   POST /face-sheet/:clientId/portal-logins/:loginId           Save (edit) or Populate Email
 *   POST /face-sheet/:clientId/portal-logins/:loginId/resend    a fresh temporary password, emailed
 *   POST /face-sheet/:clientId/portal-logins/:loginId/emails/:emailId/resend
 *                                                               Resend one email of the Email history
 *   POST /face-sheet/:clientId/portal-logins/:loginId/resend-invitation   a new invitation link (5-minute cool-down)
 *
 * htmx requests get the dialog or fragments; without JavaScript the same URLs give whole pages
 * and a Save redirects back to the Face Sheet.
 */
import { Hono, type Context } from "hono";
import type { AppEnv } from "../app";
import { createPortalLogin } from "../clients/portal-login-create";
import { loginFingerprint, updatePortalLogin } from "../clients/portal-login-update";
import { reissuePortalPassword } from "../clients/portal-login-resend";
import { effectiveSettings } from "../db/agency-settings";
import { resendInvitation } from "../clients/portal-login-invitations";
import { emailPortalLink } from "../clients/portal-link-email";
import { durationText, portalLinkSettings } from "../clients/portal-link-settings";

import type { IssuedLink } from "../clients/portal-links";
import { formatAgencyDateTime } from "../layout/agency-time";
import { hasTemporaryPassword } from "./status";
import type { PortalLogin } from "../db/schema";
import { can } from "../auth/permissions";
import { countPortalPasskeys, findLoginEmail, listClientEmails } from "./email-history";
import type { LoginHistoryData } from "./history-views";
import { sendStaffChangeNotices } from "./notices";
import { resendEmail } from "./resend-email";
import type { FieldErrors } from "../forms/parse";
import { wantsFragment } from "../layout/fragment";
import { emailCredentials } from "./credentials";
import { PortalLoginDialog, PortalLoginForm, PortalLoginPage, type PortalLoginFormProps } from "./dialog";
import { addPortalLoginForm, editPortalLoginForm, parsePortalLoginForm, usernameKeyOf, valuesFromBody, type PortalLoginValues } from "./form";
import { outcomeMessage, REFUSED_CLEARED_PARAM, withNoticeOutcome, type Outcome } from "./messages";
import { agencyPortalUrl } from "./portal-url";
import { findPortalClient, findPortalLogin, isUsernameTaken, type PortalClient } from "./queries";
import { loadSectionData } from "./section";
import { ClientPortalBody, SECTION_BODY_ID, STATUS_ID, StatusLine, type StatusMessage } from "./views";
import { errorText } from "../observability/error-text";
import { agencyToday } from "../layout/agency-time";
import { part2ActiveError } from "../part2/rule";
import { loadConsentSection } from "../part2/consent-routes";
import { checkNewLoginConsent, newLoginConsentOnOpen, withNewLoginConsent } from "../part2/new-login-consent";
import { ConsentSection } from "../part2/consent-views";
import type { PortalRepresentation } from "../db/schema";
import { ownLoginTooYoung } from "../representatives/minors";
import { findRecord, loginsAroundClient } from "../representatives/queries";
import { EMPTY_RECORD, recordValuesFromBody, recordValuesOf, type RecordValues } from "../representatives/record-form";
import { representationSave } from "../representatives/save";
import { sharedEmailAcrossLinks } from "../representatives/minor-emails";
import { linkedElsewhere } from "../clients/linked-logins";
import { blockInfoOf, blockedRefusal } from "../representatives/block";
import type { BlockInfo } from "../representatives/views";

const CLIENT = "/face-sheet/:clientId{[0-9]+}/portal-logins";
const LOGIN = `${CLIENT}/:loginId{[0-9]+}`;

const INVALID = "Nothing was saved. Correct the fields marked below.";
const STILL_LINKED_ELSEWHERE =
  "This login is also linked to other clients as their representative, so it stays a representative. End those links first (End link on each client's Face Sheet).";
const LINKED_STAYS_REPRESENTATIVE =
  "This login was created for another client and is linked to this one as a representative: it stays a representative. To stop it acting for this client, use End link.";
const UNAVAILABLE = "The portal login could not be saved just now, so nothing was changed and no email was sent. Try Save again.";
const CONFLICT =
  "This portal login was changed by someone else (or its user) after you opened it, so nothing was saved. Cancel, then open Edit again to see the latest.";
const duplicateMessage = (username: string) =>
  `“${username}” is already in use in this agency (usernames are not case-sensitive). Choose another Portal Username.`;

/** The client of the URL, when the agency has the portal and the client is the agency's. */
async function loadClient(c: Context<AppEnv>): Promise<PortalClient | null> {
  if (!c.var.staff.agency.portalEnabled) return null;
  const id = Number(c.req.param("clientId"));
  if (!Number.isSafeInteger(id)) return null;
  return findPortalClient(c.var.db, c.var.staff.agency.id, id);
}

/** The login of the URL, when it is this client's. */
async function loadLogin(c: Context<AppEnv>, client: PortalClient): Promise<PortalLogin | null> {
  const id = Number(c.req.param("loginId"));
  if (!Number.isSafeInteger(id)) return null;
  return findPortalLogin(c.var.db, c.var.staff.agency.id, client.id, id);
}

/** The window: opened as a dialog, re-rendered in place inside it, or as a page without JS. */
function respondWindow(
  c: Context<AppEnv>,
  given: Omit<PortalLoginFormProps, "inDialog" | "tempPasswordHours" | "inviteValidFor" | "record"> & { record?: RecordState },
  status: 200 | 403 | 409 | 422 | 503,
  opening = false,
) {
  const settings = settingsOf(c);
  const today = todayOf(c);
  // A re-render keeps the record as typed; a window opened afresh starts a new record today.
  const record = { ...(given.record ?? { values: { ...EMPTY_RECORD, startDate: today }, version: 0 }), today, ageOfMajority: settings.ageOfMajority };
  const minorNote = given.client && ownLoginTooYoung(given.client, today, settings.minorOwnLoginAge);
  const props = {
    ...given,
    record,
    minorNote: minorNote ? `${minorNote.split(":")[0]}: this client can't have an own portal login yet (from age ${settings.minorOwnLoginAge}). Add a representative's login (check Representative).` : null,
    tempPasswordHours: settings.tempPasswordHours,
    inviteValidFor: durationText(linkSettingsOf(c).lifetimeMs.invite),
  };
  if (!wantsFragment(c)) return c.html(<PortalLoginPage {...props} staff={c.var.staff} />, status);
  return c.html(opening ? <PortalLoginDialog {...props} /> : <PortalLoginForm {...props} inDialog />, status);
}

/** Emails an invitation link staff just issued; the login then reads "Email sent" or "Email not sent". */
function emailInvitation(c: Context<AppEnv>, portalUrl: string, login: PortalLogin, link: IssuedLink) {
  return emailPortalLink(c.env, c.var.db, {
    purpose: "invite",
    agency: c.var.staff.agency,
    portalUrl,
    login,
    link,
    lifetimeMs: linkSettingsOf(c).lifetimeMs.invite,
  });
}

/** The agency's link settings (invitation lifetime, default credential method). */
const linkSettingsOf = (c: Context<AppEnv>) => portalLinkSettings(c.env, c.var.staff.agency);
/** The method the window offers first (the agency's Default credential method setting). */
const defaultMethod = (c: Context<AppEnv>) => linkSettingsOf(c).defaultCredentialMethod;

/**
 * After a Save or Resend: htmx gets the section's fresh body (retargeted from the dialog's form)
 * plus the outcome line out of band, and closes the dialog once swapped; a plain form post is
 * redirected to the Face Sheet, which reads the outcome from the query.
 */
async function respondSaved(
  c: Context<AppEnv>,
  client: PortalClient,
  result: { loginId: number; outcome: Outcome; message: StatusMessage; refusedCleared?: boolean; openHistory?: boolean },
  status: 200 | 409 = 200,
) {
  if (!wantsFragment(c)) {
    const cleared = result.refusedCleared ? `&${REFUSED_CLEARED_PARAM}` : "";
    return c.redirect(`/face-sheet/${client.id}?portal-login=${result.loginId}&done=${result.outcome}${cleared}#client-portal-section`, 303);
  }
  const data = { ...(await loadSectionData(c, client)), openHistory: result.openHistory ? result.loginId : undefined };
  c.header("HX-Retarget", `#${SECTION_BODY_ID}`);
  c.header("HX-Reswap", "outerHTML");
  c.header("HX-Trigger-After-Swap", "close-dialog");
  return c.html(
    <>
      <ClientPortalBody {...data} />
      <div id={STATUS_ID} hx-swap-oob="innerHTML">
        <StatusLine message={result.message} />
      </div>
    </>,
    status,
  );
}

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

/** The client as it is after a Save that may have cleared Client Refused Portal Login. */
const withRefused = (client: PortalClient, cleared: boolean): PortalClient => (cleared ? { ...client, refusedPortalLogin: false } : client);

/** The representative record as the window shows it: typed or stored values, and the version it was opened on. */
interface RecordState {
  values: RecordValues;
  version: number;
  missing?: boolean;
}

/** The agency's today (YYYY-MM-DD, its time zone): record dates and ages are read against it. */
const todayOf = (c: Context<AppEnv>) => agencyToday(c.var.staff.agency.timezone);

/** The record as typed in a submitted window (the version it was opened on travels with it). */
function recordStateFromBody(body: Record<string, unknown>): RecordState {
  const version = Number(body.recordVersion);
  return { values: recordValuesFromBody(body), version: Number.isSafeInteger(version) ? version : 0 };
}

/** The record as stored, for Edit; a representative login without one must get one on this Save. */
function recordStateOf(login: PortalLogin, record: PortalRepresentation | null, today: string): RecordState {
  if (record && record.endedAt === null) return { values: recordValuesOf(record), version: record.version };
  return { values: { ...EMPTY_RECORD, startDate: today }, version: record?.version ?? 0, missing: login.representative };
}

/** The minors and record rules for a Save (src/representatives/save.ts), with what they need read. */
async function checkRepresentation(
  c: Context<AppEnv>,
  client: PortalClient,
  body: Record<string, string | File | (string | File)[]>,
  form: { representative: boolean; active: boolean; email: string },
  login?: PortalLogin,
) {
  const agencyId = c.var.staff.agency.id;
  const today = todayOf(c);
  const email = form.email.trim();
  const [existing, around, elsewhere] = await Promise.all([
    login ? findRecord(c.var.db, agencyId, login.id, client.id) : Promise.resolve(null),
    loginsAroundClient(c.var.db, agencyId, client.id),
    // The same login acts for its other clients too: their minors' own logins count as well.
    login
      ? sharedEmailAcrossLinks(c.var.db, { agencyId, loginId: login.id, exceptClientId: client.id, email, representative: form.representative, today, ageOfMajority: settingsOf(c).ageOfMajority })
      : Promise.resolve(null),
  ]);
  const result = representationSave({
    agencyId,
    client,
    settings: settingsOf(c),
    today,
    now: Date.now(),
    body,
    representative: form.representative,
    active: form.active,
    email,
    loginId: login?.id,
    existing,
    around,
  });
  if (elsewhere && !result.errors.email) return { errors: { ...result.errors, email: elsewhere } };
  return result;
}

/** Block / Unblock below the Edit window, for a representative login (or one already blocked). */
async function blockInfo(c: Context<AppEnv>, client: PortalClient, login: PortalLogin): Promise<BlockInfo | undefined> {
  if (!login.representative && login.blockedAt === null) return undefined;
  return blockInfoOf(c.var.db, c.var.staff, client.id, login);
}

const actorOf = (c: Context<AppEnv>) => ({ type: "staff" as const, id: c.var.staff.id, name: c.var.staff.name });
/** The agency's settings in force (read with the session on this request: a change applies at once). */
const settingsOf = (c: Context<AppEnv>) => effectiveSettings(c.env, c.var.staff.agency);
const portalUrlOf = (c: Context<AppEnv>) => agencyPortalUrl(settingsOf(c), c.req.url, c.var.staff.agency.slug);

/** Populate Email: the window again, the email taken from the Current Residence block if it has one. Saves nothing. */
function populated(client: PortalClient, values: PortalLoginValues): Pick<PortalLoginFormProps, "values" | "populate"> {
  const email = client.residenceEmail.trim();
  return email ? { values: { ...values, email }, populate: "filled" } : { values, populate: "none" };
}

export const portalLoginRoutes = new Hono<AppEnv>()
  .get(CLIENT, async (c) => {
    const client = await loadClient(c);
    if (!client) return c.notFound();
    if (!wantsFragment(c)) return c.redirect(`/face-sheet/${client.id}#client-portal-section`, 302);
    return c.html(<ClientPortalBody {...await loadSectionData(c, client)} />);
  })

  .get(`${CLIENT}/new`, async (c) => {
    const client = await loadClient(c);
    if (!client) return c.notFound();
    // A client too young for an own login: the window opens on a representative's login.
    const young = ownLoginTooYoung(client, todayOf(c), settingsOf(c).minorOwnLoginAge) !== null;
    const values = { username: "", resetPassword: true, credentialMethod: defaultMethod(c), representative: young, active: true, email: "", changedMind: false };
    const newLoginConsent = await newLoginConsentOnOpen(c.var.db, { agencyId: c.var.staff.agency.id, clientId: client.id, clientName: `${client.firstName} ${client.lastName}`, agencyName: c.var.staff.agency.name });
    return respondWindow(c, { client, values, newLoginConsent: newLoginConsent ?? undefined }, 200, true);
  })

  .post(CLIENT, async (c) => {
    const client = await loadClient(c);
    if (!client) return c.notFound();
    const staff = c.var.staff;
    // Before anything is written: a deployment without PORTAL_ORIGIN refuses here (portal-url.ts).
    const portalUrl = portalUrlOf(c);
    const body = await c.req.parseBody();
    const values = valuesFromBody(body, "", defaultMethod(c));
    const record = recordStateFromBody(body);
    if (body.populate !== undefined) {
      // The consent's fields as typed (nothing checked: Populate saves nothing).
      const typed = await checkNewLoginConsent(c.var.db, { agencyId: staff.agency.id, clientId: client.id, representative: false, active: false, today: todayOf(c), body });
      return respondWindow(c, { client, record, ...populated(client, values), newLoginConsent: typed.values ?? undefined }, 200);
    }

    // 1. Validate, and check the username is free (the unique index settles a race below);
    //    every message at once, so one round of corrections is enough. The representative record
    //    and the minors rules too (src/representatives/).
    const form = parsePortalLoginForm(addPortalLoginForm, body, { refused: client.refusedPortalLogin });
    const errors: FieldErrors = form.ok ? {} : { ...form.errors };
    const username = values.username.trim();
    if (!errors.username && (await isUsernameTaken(c.var.db, staff.agency.id, usernameKeyOf(username)))) errors.username = duplicateMessage(username);
    const representation = await checkRepresentation(c, client, body, values);
    Object.assign(errors, { ...representation.errors, ...errors });
    // 42 CFR Part 2 (issue 11): a new representative login of a client in a Part 2 programme is
    // active only with the consent entered in this window, recorded with it.
    const part2 = await checkNewLoginConsent(c.var.db, { agencyId: staff.agency.id, clientId: client.id, representative: values.representative, active: values.active, today: todayOf(c), body });
    Object.assign(errors, { ...part2.errors, ...errors });
    const newLoginConsent = part2.values ?? undefined;
    if (!form.ok || Object.keys(errors).length > 0) return respondWindow(c, { client, record, values, errors, alert: INVALID, newLoginConsent }, 422);
    const input = form.data;
    const duplicate = { client, record, values, errors: { username: duplicateMessage(input.username) }, alert: INVALID, newLoginConsent };
    const side =
      part2.consent && representation.side
        ? withNewLoginConsent(representation.side, part2.consent, { agencyId: staff.agency.id, clientId: client.id, username: input.username, actorId: staff.id, now: Date.now() })
        : representation.side;

    // 2. Add the login with its log entry (one batch).
    let result;
    try {
      result = await createPortalLogin(c.env, c.var.db, {
        agencyId: staff.agency.id,
        clientId: client.id,
        username: input.username,
        email: input.email,
        representative: input.representative,
        active: input.active,
        issuePassword: input.resetPassword,
        tempPasswordHours: settingsOf(c).tempPasswordHours,
        inviteLinkHours: settingsOf(c).inviteLinkHours,
        credentialMethod: input.credentialMethod ?? "password",
        actor: actorOf(c),
        clearRefused: client.refusedPortalLogin && input.changedMind,
        side,
      });
    } catch (err) {
      console.error(`portal login add failed for client ${client.id}: ${errorText(err)}`);
      return respondWindow(c, { client, record, values, alert: UNAVAILABLE, newLoginConsent }, 503);
    }
    if (result.status === "duplicate") return respondWindow(c, duplicate, 422);

    // 3. Email the temporary password; a failure leaves the login saved and marked for Resend.
    let login = result.login;
    if (result.temporaryPassword) {
      const sent = await emailCredentials(c.env, c.var.db, {
        kind: "welcome",
        agency: staff.agency,
        portalUrl,
        login,
        temporaryPassword: result.temporaryPassword,
        expiresInHours: settingsOf(c).tempPasswordHours,
      });
      login = { ...login, emailStatus: sent };
    }
    if (result.link) login = { ...login, emailStatus: await emailInvitation(c, portalUrl, login, result.link) };
    const outcome = result.link ? "invited" : "added";
    return respondSaved(c, withRefused(client, result.refusedCleared), {
      loginId: login.id,
      outcome,
      message: outcomeMessage(outcome, login, [], result.refusedCleared),
      refusedCleared: result.refusedCleared,
    });
  })

  .get(`${LOGIN}/edit`, async (c) => {
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

  .post(LOGIN, async (c) => {
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
  })

  .post(`${LOGIN}/resend`, async (c) => {
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
  .post(`${LOGIN}/emails/:emailId{[0-9]+}/resend`, async (c) => {
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
  .post(`${LOGIN}/resend-invitation`, async (c) => {
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
