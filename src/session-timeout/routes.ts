/**
 * "Stay signed in": the idle warning's button (public/app.js, WCAG 2.2.1). Posting here is
 * activity: it slides the session's idle timeout now and answers how long the session has left,
 * `{ "secondsLeft": n }` (less than the idle limit only when the absolute limit is nearer). The
 * route sits behind requireStaff (no session: the usual way to sign-in). The portal's twin is
 * src/portal/session-timeout-routes.ts. CSRF is checked like every POST.
 */
import { Hono } from "hono";
import type { AppEnv } from "../app";
import { refreshStaffSession } from "../auth/staff-session";
import { SESSION_LEFT_HEADER } from "../auth/session";

export const staffSessionTimeoutRoutes = new Hono<AppEnv>().post("/session/refresh", async (c) => {
  const left = await refreshStaffSession(c);
  if (left === null) return c.json({ error: "Your session has ended. Sign in again.", redirect: "/sign-in" }, 401);
  c.header(SESSION_LEFT_HEADER, String(left));
  return c.json({ secondsLeft: left });
});
