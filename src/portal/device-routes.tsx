/** @jsxImportSource hono/jsx */
/**
 * The signed-in login's sessions (sessions.ts):
 * - GET /portal/<slug>/devices — each active session: browser, approximate place, when it signed
 *   in, last seen; this device marked;
 * - POST /portal/<slug>/devices/<session id>/end — ends that session (its next request lands at
 *   sign-in); another login's session, or one already ended, answers 404;
 * - POST /portal/<slug>/log-out-everywhere — ends every session of the login, this one included.
 * Each ending is a Logout entry in the client's log, committed with it.
 */
import { Hono } from "hono";
import { z } from "zod";
import { sessionLimits } from "../auth/session";
import { commitChange, portalEventEntry } from "../clients/log";
import { otherChoices, recordForOtherClients } from "../families/session-entries";
import { placeText } from "./device";
import { DevicesPage } from "./device-views";
import { endPortalSession, PORTAL_ROUTE, portalPath, requireChosenPassword, requirePortalUser, type PortalEnv } from "./portal-session";
import { endAllSessionsStatements, endSessionStatement, findOpenSession, listActiveSessions } from "./sessions";
import { PortalNotFoundPage } from "./views";

const NOTICES: Record<string, string> = { ended: "That session has ended. The device will need to sign in again." };

/** Session ids are 22 base64url characters (sessions.ts newSessionId). */
const sessionId = z.string().regex(/^[A-Za-z0-9_-]{22}$/);

export const portalDeviceRoutes = new Hono<PortalEnv>()
  .get(`${PORTAL_ROUTE}/devices`, requirePortalUser, requireChosenPassword, async (c) => {
    const { agency } = c.var;
    const user = c.var.portalUser!;
    const sessions = await listActiveSessions(c.var.db, agency.id, user.loginId, sessionLimits(c.env), Date.now());
    return c.html(<DevicesPage agency={agency} user={user} sessions={sessions} notice={NOTICES[c.req.query("done") ?? ""]} />);
  })
  .post(`${PORTAL_ROUTE}/devices/:id/end`, requirePortalUser, requireChosenPassword, async (c) => {
    const { agency, db } = c.var;
    const user = c.var.portalUser!;
    const id = sessionId.safeParse(c.req.param("id"));
    const session = id.success ? await findOpenSession(db, agency.id, user.loginId, id.data) : null;
    if (!session) return c.html(<PortalNotFoundPage />, 404);
    const here = session.id === user.sessionId;
    const place = placeText(session.country, session.city);
    await commitChange(c.env, {
      agencyId: agency.id,
      clientId: user.clientId,
      statements: [endSessionStatement(db, agency.id, user.loginId, session.id, Date.now())],
      entry: portalEventEntry({
        loginId: user.loginId,
        username: user.username,
        event: "Logout",
        actingAs: user.actingAs,
        lines: [here ? "Ended from Devices on this device." : `Session on ${session.device}${place ? ` (${place})` : ""} ended from Devices on another device.`],
      }),
    });
    // This device's own session (the page offers Log out for it instead): signed out here too.
    if (here) {
      endPortalSession(c);
      return c.redirect(`${portalPath(agency.slug)}?logged-out`, 303);
    }
    return c.redirect(`${portalPath(agency.slug)}/devices?done=ended`, 303);
  })
  .post(`${PORTAL_ROUTE}/log-out-everywhere`, requirePortalUser, async (c) => {
    const { agency, db } = c.var;
    const user = c.var.portalUser!;
    await commitChange(c.env, {
      agencyId: agency.id,
      clientId: user.clientId,
      statements: endAllSessionsStatements(db, agency.id, user.loginId, user.sessionVersion, Date.now()),
      entry: portalEventEntry({ loginId: user.loginId, username: user.username, event: "Logout", lines: ["Logged out on every device."], actingAs: user.actingAs }),
    });
    const lines = ["Logged out on every device."];
    await recordForOtherClients(c.env, otherChoices(user), { agencyId: agency.id, loginId: user.loginId, username: user.username, event: "Logout", lines });
    endPortalSession(c);
    c.header("Clear-Site-Data", '"cache", "storage"');
    return c.redirect(`${portalPath(agency.slug)}?logged-out`, 303);
  });
