/**
 * The portal's session: a jose-signed JWT (src/auth/session.ts) with audience `portal:<slug>` in
 * the cookie `__Host-portal_session-<slug>`, HttpOnly, Secure, SameSite=Lax, Path=/, no Domain.
 * `__Host-` requires Path=/, so each agency's portal has a cookie name of its own: one browser can
 * be signed in to two agencies' portals, and the portal never reads the staff cookie
 * (`__Host-staff_session`) nor another agency's. Even a token moved into the wrong cookie opens
 * nothing: the audience must match too.
 *
 * On every request the token's `ver` must equal the login's `session_version`, and the login must
 * be active, of this agency, with its client of this agency: deactivating a login, a staff
 * password reset or a password change elsewhere (each bumps the version) ends the session at once.
 */
import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { Db } from "../db";
import { sessionLimits, signSession, verifySession } from "../auth/session";
import { findSessionLogin, type PortalAgency, type PortalUser } from "./queries";

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

/** The path every URL of an agency's portal starts with. */
export const portalPath = (slug: string) => `/portal/${slug}`;

const nowSeconds = () => Math.floor(Date.now() / 1000);

function setSessionCookie(c: Context<PortalEnv>, token: string) {
  setCookie(c, portalCookie(c.var.agency.slug), token, COOKIE_OPTIONS);
}

/**
 * Issues the session cookie for a login at this agency's portal; `authTime` (epoch seconds) keeps
 * the original sign-in time when a session is re-issued after a password change.
 */
export async function startPortalSession(c: Context<PortalEnv>, login: { loginId: number; sessionVersion: number }, authTime?: number) {
  const now = nowSeconds();
  const agency = c.var.agency;
  const token = await signSession(
    c.env.SESSION_SECRET,
    { sub: String(login.loginId), aud: portalAudience(agency.slug), agencyId: agency.id, authTime: authTime ?? now, ver: login.sessionVersion },
    sessionLimits(c.env),
    now,
  );
  setSessionCookie(c, token);
}

/** Clears the session cookie. */
export function endPortalSession(c: Context<PortalEnv>) {
  deleteCookie(c, portalCookie(c.var.agency.slug), COOKIE_OPTIONS);
}

/** The signed-in user's original sign-in time, for re-issuing the cookie. */
export async function sessionAuthTime(c: Context<PortalEnv>): Promise<number | undefined> {
  const token = getCookie(c, portalCookie(c.var.agency.slug));
  if (!token) return undefined;
  const claims = await verifySession(c.env.SESSION_SECRET, token, portalAudience(c.var.agency.slug), sessionLimits(c.env), nowSeconds());
  return claims?.authTime;
}

/**
 * Reads the session, if any, and checks it against the database; sets `portalUser` when it still
 * holds, or clears the cookie and sets `sessionEnded` when it doesn't. Never refuses the request.
 */
export const loadPortalUser: MiddlewareHandler<PortalEnv> = async (c, next) => {
  const token = getCookie(c, portalCookie(c.var.agency.slug));
  if (token) {
    const agency = c.var.agency;
    const limits = sessionLimits(c.env);
    const now = nowSeconds();
    const claims = await verifySession(c.env.SESSION_SECRET, token, portalAudience(agency.slug), limits, now);
    const loginId = Number(claims?.sub);
    const user = claims && claims.agencyId === agency.id && Number.isSafeInteger(loginId) ? await findSessionLogin(c.var.db, agency.id, loginId) : null;
    // A temporary password that expired ends a session begun with it, too.
    const tempExpired = user?.mustChangePassword && user.tempPasswordExpiresAt != null && Date.now() > user.tempPasswordExpiresAt;
    if (claims && user && user.sessionVersion === claims.ver && !tempExpired) {
      c.set("portalUser", user);
      if (now - claims.iat >= REFRESH_AFTER_SECONDS) setSessionCookie(c, await signSession(c.env.SESSION_SECRET, claims, limits, now));
    } else {
      endPortalSession(c);
      c.set("sessionEnded", true);
    }
  }
  await next();
};

/** Lets a request through only with a session; otherwise back to the portal's sign-in. */
export const requirePortalUser: MiddlewareHandler<PortalEnv> = async (c, next) => {
  if (!c.var.portalUser) return c.redirect(`${portalPath(c.var.agency.slug)}${c.var.sessionEnded ? "?ended" : ""}`, 303);
  await next();
};

/** While the login still has its temporary password, every page leads to choosing one. */
export const requireChosenPassword: MiddlewareHandler<PortalEnv> = async (c, next) => {
  if (c.var.portalUser?.mustChangePassword) return c.redirect(`${portalPath(c.var.agency.slug)}/change-password`, 303);
  await next();
};
