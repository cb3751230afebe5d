/** @jsxImportSource hono/jsx */
/**
 * Adding a portal login from the Face Sheet's Client Portal section:
 *
 *   GET  /face-sheet/:clientId/portal-logins/new    the Portal Login window, empty
 *   POST /face-sheet/:clientId/portal-logins        Save (add) or Populate Email
 *
 * 404 unless the agency has the portal and the client is the agency's (route-context.ts).
 */
import { Hono } from "hono";
import type { AppEnv } from "../app";
import { createPortalLogin } from "../clients/portal-login-create";
import type { FieldErrors } from "../forms/parse";
import { errorText } from "../observability/error-text";
import { checkNewLoginConsent, newLoginConsentOnOpen, withNewLoginConsent } from "../part2/new-login-consent";
import { ownLoginTooYoung } from "../representatives/minors";
import { emailCredentials } from "./credentials";
import { addPortalLoginForm, parsePortalLoginForm, usernameKeyOf, valuesFromBody } from "./form";
import { checkRepresentation, INVALID, populated, recordStateFromBody, respondWindow, UNAVAILABLE } from "./login-window";
import { outcomeMessage } from "./messages";
import { isUsernameTaken } from "./queries";
import { respondSaved, withRefused } from "./respond-saved";
import { actorOf, CLIENT_ROUTE, defaultMethod, emailInvitation, loadClient, portalUrlOf, settingsOf, todayOf } from "./route-context";

const duplicateMessage = (username: string) =>
  `“${username}” is already in use in this agency (usernames are not case-sensitive). Choose another Portal Username.`;

/** GET …/new and POST …/portal-logins: the window for a new login, and its Save. */
export const addPortalLoginRoutes = new Hono<AppEnv>()
  .get(`${CLIENT_ROUTE}/new`, async (c) => {
    const client = await loadClient(c);
    if (!client) return c.notFound();
    // A client too young for an own login: the window opens on a representative's login.
    const young = ownLoginTooYoung(client, todayOf(c), settingsOf(c).minorOwnLoginAge) !== null;
    const values = { username: "", resetPassword: true, credentialMethod: defaultMethod(c), representative: young, active: true, email: "", changedMind: false };
    const newLoginConsent = await newLoginConsentOnOpen(c.var.db, { agencyId: c.var.staff.agency.id, clientId: client.id, clientName: `${client.firstName} ${client.lastName}`, agencyName: c.var.staff.agency.name });
    return respondWindow(c, { client, values, newLoginConsent: newLoginConsent ?? undefined }, 200, true);
  })

  .post(CLIENT_ROUTE, async (c) => {
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
  });
