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
import { refreshAfterSeconds, secondsLeft, SESSION_LEFT_HEADER, sessionLimits, signSession, verifySession } from "../auth/session";
import { cityOf, countryOf, deviceSummary } from "./device";
import { findPortalAgencyAndLogin, findSessionLogin, type PortalUser } from "./portal-user";
import type { PortalAgency } from "./portal-agency";
import { newSessionId, type SessionMethod } from "./sessions";
import { assumedPortalAgency, rememberPortalAgency } from "./agency-cache";
import { accessNow } from "../representatives/facts";
import type { AccessDenial } from "../representatives/access";
import type { LinksInForce } from "../families/links-in-force";
import { assumedPortalScope, type PortalReads, type PortalScope } from "./portal-reads";

/** Hono's environment for portal routes. */
export interface PortalEnv {
  Bindings: Env;
  Variables: {
    db: Db;
    agency: PortalAgency;
    portalUser?: PortalUser;
    /** A cookie came with the request but no longer opens a session. */
    sessionEnded?: boolean;
    /** ...because the access rule (src/representatives/access.ts) no longer holds: why. */
    accessDenied?: AccessDenial;
    /** The login's links in force, read with the session in its one batch (src/families/portal-scope.ts uses them). */
    portalLinks?: LinksInForce;
    /** A page's reads offered to the session check, and their rows with the scope they assumed (src/portal/portal-reads.ts). */
    portalReads?: PortalReads;
    portalReadRows?: { rows: unknown[]; scope: PortalScope };
  };
}

/** The session cookie of an agency's portal (slugs are [a-z0-9-], valid in a cookie name). */
export const portalCookie = (slug: string) => `__Host-portal_session-${slug}`;
const COOKIE_OPTIONS = { httpOnly: true, secure: true, sameSite: "Lax", path: "/" } as const;

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

/** This device's part of a new session (browser and approximate place from this request), with a fresh id. */
export function newSessionDevice(c: Context<PortalEnv>, method: SessionMethod = "password") {
  return {
    id: newSessionId(),
    device: deviceSummary(c.req.header("User-Agent")),
    country: countryOf(c.req.header("CF-IPCountry")),
    city: cityOf(c.req.header("CF-IPCity")),
    method,
  };
}

/**
 * The cookie of a session whose row the sign-in's commit already wrote (sessionInsertAfterChange),
 * so a sign-in is one D1 batch: its Login entry and its session together.
 */
export async function issuePortalSessionCookie(c: Context<PortalEnv>, s: { loginId: number; sessionVersion: number; sessionId: string }) {
  await issueCookie(c, s, nowSeconds());
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
 * reads the session, if any, checking it against the database (the access rule on every request)
 * and the clients the login may act for — all in one D1 round trip. Sets `agency`, and
 * `portalUser` and `portalLinks` when the session still holds, or clears the cookie and sets
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
    const refresh = claims !== null && now - claims.iat >= refreshAfterSeconds(limits);
    const lookup =
      claims?.sid && Number.isSafeInteger(loginId) ? { agencyId: claims.agencyId, loginId, sessionId: claims.sid, seenAt: refresh ? now * 1000 : undefined } : null;
    // The links in force go in the same batch, for "today" in the agency's time zone as this
    // isolate last saw it (agency-cache.ts; UTC before that): checked against the fresh agency below.
    // A page's read, for the client this session acted for last time here (portal-reads.ts).
    const offer = c.req.method === "GET" ? c.var.portalReads : undefined;
    const scope = offer && lookup ? assumedPortalScope(lookup.sessionId) : undefined;
    const reads = offer && scope && scope.agencyId === lookup?.agencyId ? offer(c.var.db, scope) : [];
    const { agency, user: found, links, readRows } = await findPortalAgencyAndLogin(c.var.db, c.env, slug, lookup, assumedPortalAgency(slug), reads);
    rememberPortalAgency(slug, agency);
    if (!agency) return notFound(c);
    c.set("agency", agency);
    if (token) {
      const user = found && claims?.agencyId === agency.id ? found : null;
      // A temporary password that expired ends a session begun with it, too.
      const tempExpired = user?.mustChangePassword && user.tempPasswordExpiresAt != null && Date.now() > user.tempPasswordExpiresAt;
      // The access rule, on every request: an end date, a majority birthday, a block or an ended
      // link ends the session at once — no cron has to run first.
      // A representative login's standing is per client: src/families/portal-scope.ts applies the
      // rule to each of its clients right after this (from `links`), and ends the session when none is left.
      const access = user ? (user.representative ? ({ ok: true } as const) : accessNow(c.env, agency, user.access, Date.now())) : null;
      if (access && !access.ok) c.set("accessDenied", access.reason);
      if (claims && user && user.sessionVersion === claims.ver && !tempExpired && access?.ok) {
        const left = secondsLeft({ iat: refresh ? now : claims.iat, authTime: claims.authTime }, limits, now);
        c.set("portalUser", { ...user, sessionSecondsLeft: left });
        if (links) c.set("portalLinks", links);
        if (scope && reads.length > 0 && readRows) c.set("portalReadRows", { rows: readRows, scope });
        c.header(SESSION_LEFT_HEADER, String(left));
        if (refresh) setSessionCookie(c, await signSession(c.env.SESSION_SECRET, claims, limits, now));
      } else {
        // A session ended by a change that also ended the login's access (its only client's Part 2
        // consent revoked, say): the sign-in page says access has ended, not just "signed out".
        // (The login's links are read with the session even when its row has ended.)
        if (!c.var.accessDenied && claims?.agencyId === agency.id && links?.links.length === 0 && links.denied) c.set("accessDenied", links.denied);
        endPortalSession(c);
        c.set("sessionEnded", true);
      }
    }
    await next();
  };
}

/**
 * Lets a request through only with a session; otherwise back to the portal's sign-in, which
 * returns to this page afterwards (a GET's own path; see safePortalNext).
 */
export const requirePortalUser: MiddlewareHandler<PortalEnv> = async (c, next) => {
  if (!c.var.portalUser) {
    const url = new URL(c.req.url);
    const query = [endedParam(c), c.req.method === "GET" ? `next=${encodeURIComponent(url.pathname + url.search)}` : ""];
    const qs = query.filter(Boolean).join("&");
    return c.redirect(`${portalPath(c.var.agency.slug)}${qs ? `?${qs}` : ""}`, 303);
  }
  await next();
};

/** Where the sign-in page is told why a session ended: `ended=access` when access itself has ended. */
function endedParam(c: Context<PortalEnv>): string {
  if (!c.var.sessionEnded) return "";
  return accessHasEnded(c.var.accessDenied) ? "ended=access" : "ended";
}

/**
 * Whether a denial is one the user is told as "your access has ended": an end by time, an ended
 * link, a missing record, a consent that no longer holds. A block or a deactivation reads like any ended session (nothing to
 * tell a blocked person that might escalate a custody conflict).
 */
export function accessHasEnded(reason: AccessDenial | undefined): boolean {
  return reason !== undefined && reason !== "blocked" && reason !== "inactive";
}

/**
 * "Stay signed in" in the portal: slides the idle timeout now (a new cookie and the session's
 * last-seen time). Returns the seconds the session now has, or null without a session.
 */
export async function refreshPortalSession(c: Context<PortalEnv>): Promise<number | null> {
  const user = c.var.portalUser;
  const token = getCookie(c, portalCookie(c.var.agency.slug));
  if (!user || !token) return null;
  const limits = sessionLimits(c.env);
  const now = nowSeconds();
  const claims = await verifySession(c.env.SESSION_SECRET, token, portalAudience(c.var.agency.slug), limits, now);
  if (!claims?.sid) return null;
  const seen = await findSessionLogin(c.var.db, c.var.agency.id, user.loginId, claims.sid, now * 1000);
  if (!seen || seen.sessionVersion !== claims.ver) return null;
  setSessionCookie(c, await signSession(c.env.SESSION_SECRET, claims, limits, now));
  return secondsLeft({ iat: now, authTime: claims.authTime }, limits, now);
}

/**
 * Where the portal's sign-in returns to: a path inside this agency's portal (validated as the
 * staff sign-in's `next` is — no other site, no control or hidden characters), else its Home.
 */
export function safePortalNext(slug: string, next: string | undefined): string {
  const home = portalPath(slug);
  // Printable ASCII only (no spaces, controls, backslashes or hidden characters), and no dot
  // segments, plain or encoded, that a browser would resolve out of the portal.
  if (!next || /[^\x21-\x7e]|\\/.test(next) || /(^|\/)(\.|%2e){1,2}(\/|\?|#|$)/i.test(next)) return home;
  return next === home || next.startsWith(`${home}/`) || next.startsWith(`${home}?`) ? next : home;
}

/**
 * For the portal's JSON endpoints (public/passkeys.js): no session → 401 with where to go, and a
 * temporary password still to replace → 403 with the way there, instead of redirects a script
 * would follow blindly.
 */
export const requirePortalUserJson: MiddlewareHandler<PortalEnv> = async (c, next) => {
  const path = portalPath(c.var.agency.slug);
  if (!c.var.portalUser) return c.json({ error: "Your session has ended. Sign in again.", redirect: `${path}?${endedParam(c) || "ended"}` }, 401);
  if (c.var.portalUser.mustChangePassword) return c.json({ error: "Choose your password first.", redirect: `${path}/change-password` }, 403);
  await next();
};

/** While the login still has its temporary password, every page leads to choosing one. */
export const requireChosenPassword: MiddlewareHandler<PortalEnv> = async (c, next) => {
  if (c.var.portalUser?.mustChangePassword) return c.redirect(`${portalPath(c.var.agency.slug)}/change-password`, 303);
  await next();
};
