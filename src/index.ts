/**
 * The composition root: middleware in the order it runs, then each feature mounted.
 *
 *   secure headers (CSP) → operator API (bearer token, no cookies) → CSRF → unreadable forms refused
 *   → database handle → public routes (sign-in, staff links, forgot password, portal)
 *   → staff session → role check (src/auth/permissions.ts) → staff features
 */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { csrf } from "hono/csrf";
import { secureHeaders } from "hono/secure-headers";
import type { AppEnv } from "./app";
import { authRoutes } from "./auth/routes";
import { requireStaff } from "./auth/staff-session";
import { authorize } from "./auth/authorize";
import { database } from "./db";
import { documentCenterRoutes } from "./document-center/routes";
import { faceSheetRoutes } from "./face-sheet/routes";
import { ErrorPage } from "./layout/error-page";
import { menuRoutes } from "./menu/routes";
import { portalRoutes } from "./portal/routes";
import { portalLoginRoutes } from "./portal-logins/routes";
import { errorText } from "./observability/error-text";
import { rejectMalformedForms } from "./forms/parse";
import { purgeSpentThrottles, throttleSettings } from "./auth/throttle";
import { operatorRoutes } from "./operator/routes";
import { accountRoutes, credentialRoutes } from "./staff-credentials/routes";
import { purgeSpentLinks } from "./staff-credentials/links";
import { purgeSpentSessions } from "./auth/session-records";
import { staffAdminRoutes } from "./staff-admin/routes";
import { staffSessionRoutes } from "./staff-sessions/routes";

export { ClientLog } from "./audit/client-log";

/** The app itself (not only its fetch): the every-route test reads `app.routes`. */
export const app = new Hono<AppEnv>();

app.use(
  secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", "data:"],
      connectSrc: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
      objectSrc: ["'none'"],
    },
    referrerPolicy: "same-origin",
    permissionsPolicy: { camera: [], microphone: [], geolocation: [] },
  }),
);
// Authenticated by a bearer secret and never by a cookie, so there is nothing for a cross-site
// request to ride on: it answers before the CSRF check, which guards the cookie routes below.
app.route("/", operatorRoutes);
app.use(csrf());
app.use(rejectMalformedForms);
app.use(async (c, next) => {
  c.set("db", database(c.env.DB));
  await next();
  // Pages carry health data: never store them in shared or browser caches.
  if (!c.res.headers.has("Cache-Control")) c.header("Cache-Control", "no-store");
});

app.route("/", authRoutes);
app.route("/", credentialRoutes);
app.route("/", portalRoutes);

app.use(requireStaff);
app.use(authorize);
app.get("/", (c) => c.redirect("/menu", 302));
app.route("/", menuRoutes);
app.route("/", accountRoutes);
app.route("/", staffSessionRoutes);
app.route("/", faceSheetRoutes);
app.route("/", portalLoginRoutes);
app.route("/", documentCenterRoutes);
app.route("/", staffAdminRoutes);

app.notFound((c) => c.html(ErrorPage({ title: "Not found", message: "There is nothing here, or you don't have access to it." }), 404));
app.onError((err, c) => {
  // Middleware refusals (csrf's 403) carry their own response: answer with it, not a 500.
  if (err instanceof HTTPException) return err.getResponse();
  // Log the error's name and message only: never request bodies, which can hold passwords.
  console.error(`${c.req.method} ${new URL(c.req.url).pathname} failed: ${errorText(err)}`);
  // Not "nothing was saved": the failure may come after a change was committed.
  return c.html(
    ErrorPage({ title: "Something went wrong", message: "If you were saving something, open the page again to see whether it was kept before you retry." }),
    500,
  );
});

export default {
  fetch: app.fetch,
  /** Hourly (wrangler.toml [triggers]): forget sign-in throttle rows, staff links and session rows that no longer matter. */
  async scheduled(_controller, env) {
    const purged = await purgeSpentThrottles(database(env.DB), throttleSettings(env), Date.now());
    console.log(`sign-in throttle: ${purged} spent rows purged`);
    const links = await purgeSpentLinks(database(env.DB), Date.now());
    console.log(`staff links: ${links} spent links purged`);
    const sessions = await purgeSpentSessions(database(env.DB), Date.now());
    console.log(`staff sessions: ${sessions} old session rows purged`);
  },
} satisfies ExportedHandler<Env>;
