/**
 * The portal's "Stay signed in" (public/app.js's idle warning, WCAG 2.2.1): slides this device's
 * session now and answers `{ "secondsLeft": n }`; without a session, 401 JSON with where to go.
 * The staff app's twin is src/session-timeout/routes.ts.
 */
import { Hono } from "hono";
import { SESSION_LEFT_HEADER } from "../auth/session";
import { PORTAL_ROUTE, portalPath, refreshPortalSession, type PortalEnv } from "./portal-session";

/** Mounted inside the portal's routes (after its agency and session middleware). */
export const portalSessionTimeoutRoutes = new Hono<PortalEnv>().post(`${PORTAL_ROUTE}/session/refresh`, async (c) => {
  const left = await refreshPortalSession(c);
  if (left === null) return c.json({ error: "Your session has ended. Sign in again.", redirect: `${portalPath(c.var.agency.slug)}?ended` }, 401);
  c.header(SESSION_LEFT_HEADER, String(left));
  return c.json({ secondsLeft: left });
});
