/** @jsxImportSource hono/jsx */
/**
 * The Client Portal at /portal/<agency slug>: sign in, first password, Home, Activity, change
 * password, log out; passkeys (passkey-routes.tsx) and devices (device-routes.tsx) are mounted
 * here too, behind the same agency and session middleware, as are emailed links (invitation,
 * reset: link-routes.tsx) and Forgot password? (forgot-routes.tsx). Every URL under /portal
 * answers 404 unless the slug is an agency contracted for the portal; no URL carries a client or
 * login id (the session says whose data it is).
 */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { z } from "zod";
import { commitChange, portalEventEntry } from "../clients/log";
import { parseForm } from "../forms/parse";
import { plainText } from "../forms/text";
import { changePortalPassword } from "./password-change";
import { accessEndedText } from "../representatives/messages";
import {
  accessHasEnded,
  continuePortalSession,
  endPortalSession,
  issuePortalSessionCookie,
  loadPortalAgencyAndUser,
  newSessionDevice,
  PORTAL_ROUTE,
  portalPath,
  requireChosenPassword,
  requirePortalUser,
  safePortalNext,
  type PortalEnv,
} from "./portal-session";
import { findPortalAgency } from "./portal-agency";
import { clientActionsFromRows, clientActionsQuery, getPortalHome, listClientActions, portalHomeFromRows, portalHomeQuery, type ClientAction, type PortalHomeRows } from "./queries";
import { portalReadsWithSession, portalRowsFor } from "./portal-reads";
import { endSessionStatement, sessionState } from "./sessions";
import { portalPasskeyRoutes } from "./passkey-routes";
import { portalDeviceRoutes } from "./device-routes";
import { portalLinkRoutes } from "./link-routes";
import { portalForgotRoutes } from "./forgot-routes";
import { portalConsentRoutes } from "../part2/portal-consent";
import { portalSessionTimeoutRoutes } from "./session-timeout-routes";
import { attemptSignIn } from "./sign-in";
import { waitText } from "../auth/throttle";
import { addressBucket, clientAddress } from "../auth/throttle-keys";
import { portalDeviceCookie, readDeviceCookie, setDeviceCookie } from "../auth/device-cookie";
import { afterResponse } from "../observability/after-response";
import { sendNoticeToLogin } from "../portal-notices/send";
import { ActivityPage, PortalErrorPage, PortalHomePage, PortalNotFoundPage, PortalSignInPage } from "./views";
import { ChangePasswordPage } from "./change-password-view";
import { errorText } from "../observability/error-text";
import { scopePortalClient } from "../families/portal-scope";
import { familiesPortalRoutes } from "../families/portal-routes";
import { otherChoices, recordForOtherClients } from "../families/session-entries";

const GENERIC_FAILURE = "That Portal Username and password don't match an active login. Check both and try again.";
const tooMany = (agencyName: string, retryAfterMs: number) =>
  `Too many attempts. Wait ${waitText(retryAfterMs)} and try again, or contact ${agencyName} for help.`;
const expired = (agencyName: string) => `Your temporary password has expired. Contact ${agencyName} for a new one.`;

const signInForm = z.object({
  next: z.string().max(2048).optional(),
  username: plainText("Portal Username").trim().min(1, "Enter your Portal Username.").max(100, "That is longer than any Portal Username."),
  password: z.string().min(1, "Enter your password.").max(1024, "That is longer than any password here."),
});

const changePasswordForm = z.object({
  currentPassword: z.string().max(1024, "That is longer than any password here.").optional(),
  newPassword: z.string().min(1, "Enter a new password.").max(4096, "Use at most 128 characters."),
  confirmPassword: z.string().min(1, "Type the new password again to confirm it.").max(4096, "The two passwords don't match."),
});

const pageQuery = z.union([z.undefined(), z.string().regex(/^[1-9][0-9]{0,5}$/).transform(Number)]);

/** The Activity page's read, offered to the session check for the client the session acted for last. */
const activityReadsWithSession = portalReadsWithSession((c) => {
  const page = pageQuery.safeParse(c.req.query("page"));
  return (db, scope) => (page.success ? [clientActionsQuery(db, scope.agencyId, scope.clientId, page.data ?? 1, scope.representative)] : []);
});

/** Home's read, offered the same way. */
const homeReadsWithSession = portalReadsWithSession(() => (db, scope) => [portalHomeQuery(db, scope.agencyId, scope.clientId)]);

export const portalRoutes = new Hono<PortalEnv>()
  // Sign-in, ahead of the agency-and-session middleware: it finds the agency in its own one round
  // trip before the password hash (sign-in.ts), and a session it may replace is not read at all.
  .post(`${PORTAL_ROUTE}/sign-in`, async (c) => {
    const slug = c.req.param("slug");
    const notFound = () => c.html(<PortalNotFoundPage />, 404);
    const form = parseForm(signInForm, await c.req.parseBody());
    // Where to return after signing in (the page a timed-out session was on), checked again here.
    const back = form.values.next === undefined ? undefined : safePortalNext(slug, form.values.next);
    if (!form.ok) {
      const agency = await findPortalAgency(c.var.db, slug);
      if (!agency) return notFound();
      return c.html(
        <PortalSignInPage agency={agency} username={form.values.username} errors={form.errors} alert="Enter your Portal Username and password." next={back} />,
        422,
      );
    }
    const { username, password } = form.data;
    const deviceCookie = portalDeviceCookie(portalPath(slug));
    const { agency, outcome } = await attemptSignIn(c.env, c.var.db, {
      slug,
      username,
      password,
      bucket: addressBucket(c.req),
      ip: clientAddress(c.req),
      deviceToken: readDeviceCookie(c, deviceCookie),
      session: newSessionDevice(c),
      defer: (work) => afterResponse(c.executionCtx, work),
    });
    if (!agency || !outcome) return notFound();
    c.set("agency", agency);
    if (outcome.kind === "failed") return c.html(<PortalSignInPage agency={agency} username={username} alert={GENERIC_FAILURE} next={back} />, 401);
    if (outcome.kind === "too-many") {
      c.header("Retry-After", String(Math.ceil(outcome.retryAfterMs / 1000)));
      return c.html(<PortalSignInPage agency={agency} username={username} alert={tooMany(agency.name, outcome.retryAfterMs)} next={back} />, 429);
    }
    if (outcome.kind === "expired") return c.html(<PortalSignInPage agency={agency} username={username} alert={expired(agency.name)} next={back} />, 401);
    if (outcome.kind === "access-ended") return c.html(<PortalSignInPage agency={agency} username={username} alert={accessEndedText(agency.name, outcome.reason)} />, 403);
    const { login } = outcome;
    if (outcome.deviceToken) setDeviceCookie(c, deviceCookie, outcome.deviceToken);
    await issuePortalSessionCookie(c, { loginId: login.id, sessionVersion: login.sessionVersion, sessionId: outcome.sessionId });
    const next = login.mustChangePassword ? `${portalPath(agency.slug)}/change-password` : (back ?? portalPath(agency.slug));
    return c.redirect(next, 303);
  })

  // Home and Activity offer their reads to the session check (one round trip: portal-reads.ts).
  .use(`${PORTAL_ROUTE}`, homeReadsWithSession)
  .use(`${PORTAL_ROUTE}/activity`, activityReadsWithSession)

  // "/portal/:slug/*" also matches "/portal/:slug" itself: one registration runs it once.
  // The agency from the slug (any unknown or not-contracted slug is a 404) and the session, in one
  // round trip; then which client the request acts for (a login linked to several: the one this
  // session chose), from the links read in that same round trip.
  .use(`${PORTAL_ROUTE}/*`, loadPortalAgencyAndUser((c) => c.html(<PortalNotFoundPage />, 404)), scopePortalClient)

  // Home when signed in; otherwise the sign-in form.
  .get(`${PORTAL_ROUTE}`, async (c) => {
    const { agency, portalUser: user } = c.var;
    if (!user) {
      // A session that ended because access itself ended says so (this request's check, or the
      // redirect of an earlier one: ?ended=access).
      const denied = c.var.accessDenied;
      if (accessHasEnded(denied) || c.req.query("ended") === "access") {
        return c.html(<PortalSignInPage agency={agency} alert={accessEndedText(agency.name, denied && accessHasEnded(denied) ? denied : "end-date")} />);
      }
      const notice =
        c.req.query("logged-out") !== undefined
          ? "You have logged out."
          : c.req.query("timeout") !== undefined
            ? "You were logged out because there was no activity for a while. Sign in to go back to the page you were on."
            : c.var.sessionEnded || c.req.query("ended") !== undefined
              ? "Your session has ended. Please sign in again."
              : undefined;
      const next = c.req.query("next") === undefined ? undefined : safePortalNext(agency.slug, c.req.query("next"));
      return c.html(<PortalSignInPage agency={agency} notice={notice} next={next} />);
    }
    if (user.mustChangePassword) return c.redirect(`${portalPath(agency.slug)}/change-password`, 303);
    const pre = portalRowsFor(c, { agencyId: agency.id, clientId: user.clientId, representative: user.representative });
    const home = pre ? portalHomeFromRows(pre[0] as PortalHomeRows) : await getPortalHome(c.var.db, agency.id, user.clientId);
    if (!home) return c.html(<PortalNotFoundPage />, 404);
    const notice =
      c.req.query("password-changed") !== undefined
        ? "Your password has been changed."
        : c.req.query("password-set") !== undefined
          ? "Welcome. Your password is set: from now on, sign in with your Portal Username and this password."
          : c.req.query("passkey-set") !== undefined
            ? "Welcome. Your passkey is set: from now on, use Sign in with a passkey on the sign-in page."
            : undefined;
    return c.html(<PortalHomePage agency={agency} user={user} home={home} notice={notice} />);
  })
  .get(`${PORTAL_ROUTE}/`, (c) => c.redirect(portalPath(c.var.agency.slug), 301))
  .get(`${PORTAL_ROUTE}/sign-in`, (c) => c.redirect(portalPath(c.var.agency.slug), 303))

  .get(`${PORTAL_ROUTE}/change-password`, requirePortalUser, (c) =>
    c.html(<ChangePasswordPage agency={c.var.agency} user={c.var.portalUser!} />),
  )
  .post(`${PORTAL_ROUTE}/change-password`, requirePortalUser, async (c) => {
    const agency = c.var.agency;
    const user = c.var.portalUser!;
    const form = parseForm(changePasswordForm, await c.req.parseBody());
    // A new password the rules accepted comes back as typed (only the confirmation or the current
    // password was wrong); one they refused is cleared with the confirmation: it must change anyway.
    const keep = (errors: Record<string, string | undefined>) => (errors.newPassword ? undefined : form.values.newPassword);
    if (!form.ok) {
      return c.html(
        <ChangePasswordPage agency={agency} user={user} errors={form.errors} alert="Your password was not changed. Correct the fields marked below." newPassword={keep(form.errors)} />,
        422,
      );
    }
    const outcome = await changePortalPassword(c.env, c.var.db, {
      agency,
      user,
      current: form.data.currentPassword,
      next: form.data.newPassword,
      confirm: form.data.confirmPassword,
      bucket: addressBucket(c.req),
    });
    if (outcome.kind === "invalid") {
      const errors = outcome.errors ?? { [outcome.field]: outcome.message };
      const alert = `Your password was not changed. Correct the ${Object.keys(errors).length > 1 ? "fields" : "field"} marked below.`;
      return c.html(<ChangePasswordPage agency={agency} user={user} errors={errors} alert={alert} newPassword={keep(errors)} />, 422);
    }
    if (outcome.kind === "too-many") {
      c.header("Retry-After", String(Math.ceil(outcome.retryAfterMs / 1000)));
      return c.html(<ChangePasswordPage agency={agency} user={user} alert={tooMany(agency.name, outcome.retryAfterMs)} />, 429);
    }
    if (outcome.kind === "ended") {
      endPortalSession(c);
      return c.redirect(`${portalPath(agency.slug)}?ended`, 303);
    }
    // This session carries on with the new version; every other session has ended.
    await continuePortalSession(c, user, outcome.sessionVersion);
    // The notice goes after the answer: it must neither delay nor undo the change.
    const notice = { kind: "notice:password-changed", at: Date.now(), first: user.mustChangePassword } as const;
    afterResponse(c.executionCtx, () => sendNoticeToLogin(c.env, c.var.db, agency, user.loginId, notice));
    return c.redirect(`${portalPath(agency.slug)}?password-changed`, 303);
  })

  .get(`${PORTAL_ROUTE}/activity`, requirePortalUser, requireChosenPassword, async (c) => {
    const { agency } = c.var;
    const user = c.var.portalUser!;
    const page = pageQuery.safeParse(c.req.query("page"));
    if (!page.success) return c.html(<PortalNotFoundPage />, 404);
    const current = page.data ?? 1;
    const pre = portalRowsFor(c, { agencyId: agency.id, clientId: user.clientId, representative: user.representative });
    const { actions, hasOlder } = pre ? clientActionsFromRows(pre[0] as ClientAction[]) : await listClientActions(c.var.db, agency.id, user.clientId, current, user.representative);
    return c.html(<ActivityPage agency={agency} user={user} actions={actions} page={current} hasOlder={hasOlder} />);
  })

  // Log out: this device's session ends (its row, so even a copy of the cookie stops working),
  // with its entry, and the cookie is cleared. The login's other devices stay signed in.
  .post(`${PORTAL_ROUTE}/log-out`, async (c) => {
    const { agency, portalUser: user } = c.var;
    if (user) {
      await commitChange(c.env, {
        agencyId: agency.id,
        clientId: user.clientId,
        statements: [endSessionStatement(c.var.db, agency.id, user.loginId, user.sessionId, Date.now())],
        entry: portalEventEntry({ loginId: user.loginId, username: user.username, event: "Logout", actingAs: user.actingAs }),
      }, async () => (await sessionState(c.var.db, agency.id, user.sessionId)) === "ended");
      // Sign-out, like sign-in, goes to every client's log the session could act for.
      await recordForOtherClients(c.env, otherChoices(user), { agencyId: agency.id, loginId: user.loginId, username: user.username, event: "Logout" });
    }
    endPortalSession(c);
    c.header("Clear-Site-Data", '"cache", "storage"');
    return c.redirect(`${portalPath(agency.slug)}?logged-out`, 303);
  })

  .route("/", portalPasskeyRoutes)
  .route("/", portalDeviceRoutes)
  .route("/", portalLinkRoutes)
  .route("/", portalForgotRoutes)
  .route("/", portalConsentRoutes)
  .route("/", familiesPortalRoutes)
  .route("/", portalSessionTimeoutRoutes)

  // Nothing else lives under /portal: never fall through to the staff app's sign-in.
  .all("/portal", (c) => c.html(<PortalNotFoundPage />, 404))
  .all("/portal/*", (c) => c.html(<PortalNotFoundPage />, 404))
  .onError((err, c) => {
    if (err instanceof HTTPException) return err.getResponse();
    // The error's name and message only: never request bodies, which hold passwords.
    console.error(`${c.req.method} ${new URL(c.req.url).pathname} failed: ${errorText(err)}`);
    return c.html(<PortalErrorPage />, 500);
  });
