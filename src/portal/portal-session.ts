/**
 * The portal's session: a jose-signed JWT (src/auth/session.ts) with audience `portal:<slug>` in
 * the cookie `__Host-portal_session-<slug>`, HttpOnly, Secure, SameSite=Lax, Path=/, no Domain.
 * `__Host-` requires Path=/, so each agency's portal has a cookie name of its own: one browser can
 * be signed in to two agencies' portals, and the portal never reads the staff cookie
 * (`__Host-staff_session`) nor another agency's. Even a token moved into the wrong cookie opens
 * nothing: the audience must match too.
 *
 * Each sign-in is a session of its own, on one device: a portal_sessions row (sessions.ts) whose
 * id the token carries as `sid`. On every request — in one D1 round trip — the token's `ver` must
 * equal the login's `session_version`, the session's row must be open and of that version, and
 * the login must be active, of this agency, with its client of this agency: Log out or Devices ›
 * End (the row ended) ends one device's session at once; deactivating a login, a staff password
 * reset, a password change elsewhere or Log out everywhere (each bumps the version) end them all.
 */
import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { Db } from "../db";
import { sessionLimits, signSession, verifySession } from "../auth/session";
import { cityOf, countryOf, deviceSummary } from "./device";
import { findPortalAgencyAndLogin, type PortalAgency, type PortalUser } from "./queries";
import { insertSession, newSessionId, type SessionMethod } from "./sessions";

/** Hono's environment for portal routes. */
export interface PortalEnv {
  Bindings: Env;
  Variables: {
    db: Db;
    agency: PortalAgency;
    portalUser?: PortalUser;
    /** A cookie came with the request but no longer opens a session. */
    sessionEnded?: boolean;
  };
}

/** The session cookie of an agency's portal (slugs are [a-z0-9-], valid in a cookie name). */
export const portalCookie = (slug: string) => `__Host-portal_session-${slug}`;
const COOKIE_OPTIONS = { httpOnly: true, secure: true, sameSite: "Lax", path: "/" } as const;
/** Refresh the cookie (slide the idle timeout) at most once a minute. */
const REFRESH_AFTER_SECONDS = 60;

/** The JWT audience of an agency's portal. */
export const portalAudience = (slug: string) => `portal:${slug}`;
/** What an agency slug looks like in a portal URL (a Hono path pattern). */
export const SLUG_PATTERN = "[a-z0-9][a-z0-9-]{0,62}";

/** The route pattern of an agency's portal (any slug; src/portal/routes.tsx checks it names one). */
export const PORTAL_ROUTE = `/portal/:slug{${SLUG_PATTERN}}`;
/** The path every URL of an agency's portal starts with. */
export const portalPath = (slug: string) => `/portal/${slug}`;

const nowSeconds = () => Math.floor(Date.now() / 1000);

function setSessionCookie(c: Context<PortalEnv>, token: string) {
  setCookie(c, portalCookie(c.var.agency.slug), token, COOKIE_OPTIONS);
}

/**
 * Starts a session for a login on this device: its portal_sessions row (browser and approximate
 * place from this request) and the cookie that names it. `method` is how the user signed in.
 */
export async function startPortalSession(c: Context<PortalEnv>, login: { loginId: number; sessionVersion: number }, method: SessionMethod = "password") {
  const now = Date.now();
  const agency = c.var.agency;
  const sessionId = newSessionId();
  await insertSession(
    c.var.db,
    {
      id: sessionId,
      loginId: login.loginId,
      agencyId: agency.id,
      sessionVersion: login.sessionVersion,
      device: deviceSummary(c.req.header("User-Agent")),
      country: countryOf(c.req.header("CF-IPCountry")),
      city: cityOf(c.req.header("CF-IPCity")),
      method,
    },
    now,
  );
  await issueCookie(c, { loginId: login.loginId, sessionVersion: login.sessionVersion, sessionId }, Math.floor(now / 1000));
}

/** A new session's row as this request describes the device (browser, approximate place), not yet stored. */
export function newPortalSessionRow(c: Context, agencyId: number, login: { loginId: number; sessionVersion: number }, method: SessionMethod) {
  return {
    id: newSessionId(),
    loginId: login.loginId,
    agencyId,
    sessionVersion: login.sessionVersion,
    device: deviceSummary(c.req.header("User-Agent")),
    country: countryOf(c.req.header("CF-IPCountry")),
    city: cityOf(c.req.header("CF-IPCity")),
    method,
  };
}

/** The cookie of a session whose row is already stored (password sign-in commits it with its Login entry). */
export async function issuePortalSessionCookie(c: Context<PortalEnv>, s: { loginId: number; sessionVersion: number; sessionId: string }, signedInAt: number) {
  await issueCookie(c, s, Math.floor(signedInAt / 1000));
}

/**
 * Re-issues this device's cookie under the login's new session version (after a password change,
 * which carried this session's row over): same session, same original sign-in time.
 */
export async function continuePortalSession(c: Context<PortalEnv>, user: PortalUser, sessionVersion: number) {
  await issueCookie(c, { loginId: user.loginId, sessionVersion, sessionId: user.sessionId }, Math.floor(user.signedInAt / 1000));
}

async function issueCookie(c: Context<PortalEnv>, s: { loginId: number; sessionVersion: number; sessionId: string }, authTime: number) {
  const agency = c.var.agency;
  const token = await signSession(
    c.env.SESSION_SECRET,
    { sub: String(s.loginId), aud: portalAudience(agency.slug), agencyId: agency.id, authTime, ver: s.sessionVersion, sid: s.sessionId },
    sessionLimits(c.env),
    nowSeconds(),
  );
  setSessionCookie(c, token);
}

/** Clears the session cookie. */
export function endPortalSession(c: Context<PortalEnv>) {
  deleteCookie(c, portalCookie(c.var.agency.slug), COOKIE_OPTIONS);
}

/**
 * Finds the agency of the URL's slug (any unknown or not-contracted slug answers `notFound`) and
 * reads the session, if any, checking it against the database — both in one D1 round trip. Sets
 * `agency`, and `portalUser` when the session still holds, or clears the cookie and sets
 * `sessionEnded` when it doesn't. Never refuses a request of a real agency's portal.
 */
export function loadPortalAgencyAndUser(notFound: (c: Context<PortalEnv>) => Response | Promise<Response>): MiddlewareHandler<PortalEnv> {
  return async (c, next) => {
    const slug = c.req.param("slug") ?? "";
    const token = getCookie(c, portalCookie(slug));
    const limits = sessionLimits(c.env);
    const now = nowSeconds();
    const claims = token ? await verifySession(c.env.SESSION_SECRET, token, portalAudience(slug), limits, now) : null;
    const loginId = Number(claims?.sub);
    // The cookie is refreshed (sliding the idle timeout) at most once a minute, and the session's
    // last-seen time with it, in the same round trip as the check.
    const refresh = claims !== null && now - claims.iat >= REFRESH_AFTER_SECONDS;
    const lookup =
      claims?.sid && Number.isSafeInteger(loginId) ? { agencyId: claims.agencyId, loginId, sessionId: claims.sid, seenAt: refresh ? now * 1000 : undefined } : null;
    const { agency, user: found } = await findPortalAgencyAndLogin(c.var.db, slug, lookup);
    if (!agency) return notFound(c);
    c.set("agency", agency);
    if (token) {
      const user = found && claims?.agencyId === agency.id ? found : null;
      // A temporary password that expired ends a session begun with it, too.
      const tempExpired = user?.mustChangePassword && user.tempPasswordExpiresAt != null && Date.now() > user.tempPasswordExpiresAt;
      if (claims && user && user.sessionVersion === claims.ver && !tempExpired) {
        c.set("portalUser", user);
        if (refresh) setSessionCookie(c, await signSession(c.env.SESSION_SECRET, claims, limits, now));
      } else {
        endPortalSession(c);
        c.set("sessionEnded", true);
      }
    }
    await next();
  };
}

/** Lets a request through only with a session; otherwise back to the portal's sign-in. */
export const requirePortalUser: MiddlewareHandler<PortalEnv> = async (c, next) => {
  if (!c.var.portalUser) return c.redirect(`${portalPath(c.var.agency.slug)}${c.var.sessionEnded ? "?ended" : ""}`, 303);
  await next();
};

/**
 * For the portal's JSON endpoints (public/passkeys.js): no session → 401 with where to go, and a
 * temporary password still to replace → 403 with the way there, instead of redirects a script
 * would follow blindly.
 */
export const requirePortalUserJson: MiddlewareHandler<PortalEnv> = async (c, next) => {
  const path = portalPath(c.var.agency.slug);
  if (!c.var.portalUser) return c.json({ error: "Your session has ended. Sign in again.", redirect: `${path}?ended` }, 401);
  if (c.var.portalUser.mustChangePassword) return c.json({ error: "Choose your password first.", redirect: `${path}/change-password` }, 403);
  await next();
};

/** While the login still has its temporary password, every page leads to choosing one. */
export const requireChosenPassword: MiddlewareHandler<PortalEnv> = async (c, next) => {
  if (c.var.portalUser?.mustChangePassword) return c.redirect(`${portalPath(c.var.agency.slug)}/change-password`, 303);
  await next();
};
