/**
 * The composition root: middleware in the order it runs, then each feature mounted.
 *
 *   secure headers (CSP) → body size limit (64 KB) → D1 session (src/db/session.ts: replicas for
 *   reads, the primary for writes, the bookmark cookie) → operator API (bearer token, no cookies)
 *   → CSRF (every unsafe method and content type) → unreadable forms refused → no-store
 *   → public routes (sign-in and its second step, passkey sign-in, staff links, forgot password, portal)
 *   → pages' reads offered to the session check → staff session → role check (src/auth/permissions.ts) → staff features and account pages
 */
import { Hono, type Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { secureHeaders } from "hono/secure-headers";
import type { AppEnv } from "./app";
import { authRoutes } from "./auth/routes";
import { refuseCrossSiteRequests } from "./auth/csrf";
import { requireStaff } from "./auth/staff-session";
import { authorize } from "./auth/authorize";
import { database } from "./db";
import { databaseSession } from "./db/session";
import { changeLogSessionReads, documentCenterRoutes } from "./document-center/routes";
import { agencyLogRoutes } from "./agency-log/routes";
import { agencySettingsRoutes } from "./agency-settings/routes";
import { faceSheetRoutes, faceSheetSessionReads } from "./face-sheet/routes";
import { ErrorPage } from "./layout/error-page";
import { menuRoutes } from "./menu/routes";
import { portalRoutes } from "./portal/routes";
import { portalLoginRoutes } from "./portal-logins/routes";
import { part2ConsentRoutes } from "./part2/consent-routes";
import { programmesRoutes } from "./part2/programmes-routes";
import { minorConsentRoutes } from "./minor-consent/routes";
import { portalAccountsRoutes } from "./portal-accounts/routes";
import { PortalOriginError } from "./portal-logins/portal-url";
import { passkeyRoutes } from "./passkeys/routes";
import { passkeySignInRoutes } from "./passkeys/sign-in-routes";
import { twoFactorAccountRoutes } from "./two-factor/account-routes";
import { twoFactorSignInRoutes } from "./two-factor/sign-in-routes";
import { errorText } from "./observability/error-text";
import { rejectMalformedForms } from "./forms/parse";
import { limitBodySize, MAX_BODY_BYTES } from "./forms/body-limit";
import { PortalTooLargePage } from "./portal/views";
import { purgeSpentThrottles } from "./auth/throttle";
import { operatorRoutes } from "./operator/routes";
import { accountRoutes, credentialRoutes } from "./staff-credentials/routes";
import { purgeSpentLinks } from "./staff-credentials/links";
import { purgeSpentSessions } from "./auth/session-records";
import { purgeSpentSessions as purgeSpentPortalSessions } from "./portal/sessions";
import { sessionLimits } from "./auth/session";
import { staffAdminRoutes } from "./staff-admin/routes";
import { staffSessionRoutes } from "./staff-sessions/routes";
import { staffSessionTimeoutRoutes } from "./session-timeout/routes";
import { purgeSpentPortalLinks } from "./clients/portal-links";
import { familiesStaffRoutes } from "./families/routes";
import { representativeRoutes } from "./representatives/routes";
import { recordEndedRepresentations } from "./representatives/expiry";

export { ClientLog } from "./audit/client-log";
export { AgencyLog } from "./audit/agency-log";

/** The app itself (not only its fetch): the every-route test reads `app.routes`. */
export const app = new Hono<AppEnv>();

/** 413: a body over the limit, answered with a page in the look of the part of the site asked. */
function tooLarge(c: Context) {
  const limitKb = MAX_BODY_BYTES / 1024;
  if (c.req.path.startsWith("/portal/")) return c.html(PortalTooLargePage({ limitKb }), 413);
  return c.html(
    ErrorPage({ title: "Too much data", message: `What was sent is larger than this site accepts (${limitKb} KB), so nothing was saved. Go back and try again.` }),
    413,
  );
}

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
app.use(limitBodySize(tooLarge));
app.use(databaseSession);
// Authenticated by a bearer secret and never by a cookie, so there is nothing for a cross-site
// request to ride on: it answers before the CSRF check, which guards the cookie routes below.
app.route("/", operatorRoutes);
app.use(refuseCrossSiteRequests);
app.use(rejectMalformedForms);
app.use(async (c, next) => {
  await next();
  // Pages carry health data: never store them in shared or browser caches.
  if (!c.res.headers.has("Cache-Control")) c.header("Cache-Control", "no-store");
});

app.route("/", authRoutes);
app.route("/", credentialRoutes);
app.route("/", twoFactorSignInRoutes);
app.route("/", passkeySignInRoutes);
app.route("/", portalRoutes);

// Pages that offer their reads to the session check (one round trip: src/auth/session-reads.ts).
for (const [path, reads] of [...faceSheetSessionReads, ...changeLogSessionReads]) app.use(path, reads);
app.use(requireStaff);
app.use(authorize);
app.get("/", (c) => c.redirect("/menu", 302));
app.route("/", menuRoutes);
app.route("/", accountRoutes);
app.route("/", staffSessionRoutes);
app.route("/", staffSessionTimeoutRoutes);
app.route("/", faceSheetRoutes);
app.route("/", portalLoginRoutes);
app.route("/", part2ConsentRoutes);
app.route("/", familiesStaffRoutes);
app.route("/", portalAccountsRoutes);
app.route("/", representativeRoutes);
app.route("/", documentCenterRoutes);
app.route("/", minorConsentRoutes);
app.route("/", agencyLogRoutes);
app.route("/", agencySettingsRoutes);
app.route("/", programmesRoutes);
app.route("/", twoFactorAccountRoutes);
app.route("/", passkeyRoutes);
app.route("/", staffAdminRoutes);

// A signed-in staff member keeps the header, name, Sign out and Main Menu on the 404 page.
app.notFound((c) => c.html(ErrorPage({ title: "Not found", message: "There is nothing here, or you don't have access to it.", staff: c.get("staff") }), 404));
app.onError((err, c) => {
  // Middleware refusals carry their own response: answer with it, not a 500.
  if (err instanceof HTTPException) return err.getResponse();
  if (err instanceof PortalOriginError) {
    // A deployment fault, not a passing one: say which setting, to the log and to the page.
    console.error(`${c.req.method} ${new URL(c.req.url).pathname} refused: ${errorText(err)}`);
    return c.html(
      ErrorPage({
        title: "The portal address is not configured",
        message:
          "Neither this agency (Administration › Agency settings › Agency Portal URL origin) nor this deployment (PORTAL_ORIGIN) sets the Client Portal's public address, so portal links can't be made and nothing was saved or sent. Tell your administrator.",
      }),
      500,
    );
  }
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
  /** Hourly (wrangler.toml [triggers]): delete sign-in throttle rows whose window has ended, spent staff and portal links, old staff session rows and spent portal sessions; record (log + notice) representatives' ends of access. */
  async scheduled(controller, env) {
    // Deletes and end-of-access records: one session on the primary.
    const db = database(env.DB.withSession("first-primary"));
    const purged = await purgeSpentThrottles(db, controller.scheduledTime);
    console.log(`sign-in throttle: ${purged} spent rows purged`);
    const links = await purgeSpentLinks(db, Date.now());
    console.log(`staff links: ${links} spent links purged`);
    const sessions = await purgeSpentSessions(db, Date.now());
    console.log(`staff sessions: ${sessions} old session rows purged`);
    const portalSessions = await purgeSpentPortalSessions(db, sessionLimits(env), Date.now());
    console.log(`portal sessions: ${portalSessions} spent sessions purged`);
    const portalLinks = await purgeSpentPortalLinks(db, Date.now());
    console.log(`portal links: ${portalLinks} spent links purged`);
    // Access already ended on every request by itself; this logs each end once and emails the notice.
    const ended = await recordEndedRepresentations(env, db, Date.now());
    console.log(`representatives: ${ended} ends of access recorded and notified`);
  },
} satisfies ExportedHandler<Env>;
