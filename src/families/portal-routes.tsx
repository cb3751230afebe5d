/** @jsxImportSource hono/jsx */
/**
 * "Whose information?" at /portal/<slug>/whose: the page (GET) and the choice or switch (POST),
 * which stores the client in this device's session (portal_sessions.client_id). The client id a
 * form carries is only a pick from the session's own list: one the login may not act for now
 * (tampered, another agency's, a link ended) gets 404 and nothing is written.
 */
import { Hono } from "hono";
import { z } from "zod";
import { parseForm } from "../forms/parse";
import { PORTAL_ROUTE, portalPath, requirePortalUser, requireChosenPassword, type PortalEnv } from "../portal/portal-session";
import { PortalNotFoundPage } from "../portal/views";
import { chooseSessionClient } from "./queries";
import { WHOSE_PATH } from "./portal-scope";
import { WhosePage } from "./portal-views";
import { RETURN_TO } from "./switcher";

const chooseForm = z.object({
  client: z.string().regex(/^[1-9][0-9]{0,15}$/).transform(Number),
  return: z.enum(["home", "activity", "passkeys", "devices", "password"]).optional(),
});

export const familiesPortalRoutes = new Hono<PortalEnv>()
  .get(`${PORTAL_ROUTE}${WHOSE_PATH}`, requirePortalUser, requireChosenPassword, (c) => {
    const user = c.var.portalUser!;
    // One client left is still a question when the chosen one's access just ended: the page says so.
    if (user.choices.length < 2 && !user.choiceEnded) return c.redirect(portalPath(c.var.agency.slug), 303);
    return c.html(<WhosePage agency={c.var.agency} user={user} />);
  })
  .post(`${PORTAL_ROUTE}${WHOSE_PATH}`, requirePortalUser, requireChosenPassword, async (c) => {
    const { agency, db } = c.var;
    const user = c.var.portalUser!;
    const form = parseForm(chooseForm, await c.req.parseBody());
    const choice = form.ok ? user.choices.find((ch) => ch.clientId === form.data.client) : undefined;
    if (!form.ok || !choice) return c.html(<PortalNotFoundPage />, 404);
    // Under the session's own row: a session ended a moment ago stores nothing.
    if (!(await chooseSessionClient(db, agency.id, user.loginId, user.sessionId, choice.clientId))) return c.redirect(`${portalPath(agency.slug)}?ended`, 303);
    return c.redirect(`${portalPath(agency.slug)}${RETURN_TO[form.data.return ?? "home"]}`, 303);
  });
