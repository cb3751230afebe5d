/**
 * The staff app's session: cookie handling and the middleware every staff route sits behind.
 */
import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { AppEnv } from "../app";
import { endAllStaffSessions, findActiveStaff } from "./queries";
import { sessionLimits, signSession, verifySession } from "./session";

export const STAFF_COOKIE = "staff_session";
const AUDIENCE = "staff";
/** Refresh the cookie at most once a minute, not on every request. */
const REFRESH_AFTER_SECONDS = 60;

const nowSeconds = () => Math.floor(Date.now() / 1000);

/**
 * Signs the staff member in: a fresh session cookie. `authTime` (epoch seconds) keeps the original
 * sign-in time when the session is re-issued after a password change, so its absolute limit holds.
 */
export async function startStaffSession(c: Context<AppEnv>, staff: { id: number; agencyId: number; sessionVersion: number }, authTime?: number) {
  const now = nowSeconds();
  const token = await signSession(
    c.env.SESSION_SECRET,
    { sub: String(staff.id), aud: AUDIENCE, agencyId: staff.agencyId, authTime: authTime ?? now, ver: staff.sessionVersion },
    sessionLimits(c.env),
    now,
  );
  setCookie(c, STAFF_COOKIE, token, { httpOnly: true, secure: true, sameSite: "Lax", path: "/" });
}

/** Removes the session cookie from this browser. */
export function endStaffSession(c: Context<AppEnv>) {
  deleteCookie(c, STAFF_COOKIE, { path: "/", secure: true });
}

/** Signs out: the token stops working everywhere (even a copy), and the cookie goes. */
export async function signOutStaff(c: Context<AppEnv>) {
  const token = getCookie(c, STAFF_COOKIE);
  const claims = token && (await verifySession(c.env.SESSION_SECRET, token, AUDIENCE, sessionLimits(c.env), nowSeconds()));
  if (claims) await endAllStaffSessions(c.var.db, Number(claims.sub), claims.agencyId);
  endStaffSession(c);
}

/** The current request's session claims (sign-in time, session version); null without a valid one. */
export async function staffSessionClaims(c: Context<AppEnv>) {
  const token = getCookie(c, STAFF_COOKIE);
  return token ? verifySession(c.env.SESSION_SECRET, token, AUDIENCE, sessionLimits(c.env), nowSeconds()) : null;
}

/** Sends the browser to sign-in: a redirect, or HX-Redirect for htmx requests. */
export function toSignIn(c: Context<AppEnv>) {
  endStaffSession(c);
  const url = new URL(c.req.url);
  const next = c.req.method === "GET" ? url.pathname + url.search : "/menu";
  const location = `/sign-in?next=${encodeURIComponent(next)}`;
  if (c.req.header("HX-Request")) {
    c.header("HX-Redirect", location);
    return c.body(null, 204);
  }
  return c.redirect(location, 302);
}

/**
 * Lets a request through only with a valid, unexpired staff session of an active staff member;
 * sets `c.var.staff` and slides the idle timeout.
 */
export const requireStaff: MiddlewareHandler<AppEnv> = async (c, next) => {
  const token = getCookie(c, STAFF_COOKIE);
  if (!token) return toSignIn(c);
  const limits = sessionLimits(c.env);
  const now = nowSeconds();
  const claims = await verifySession(c.env.SESSION_SECRET, token, AUDIENCE, limits, now);
  if (!claims) return toSignIn(c);
  const found = await findActiveStaff(c.var.db, Number(claims.sub), claims.agencyId);
  if (!found || found.sessionVersion !== claims.ver) return toSignIn(c);
  const { sessionVersion: _, ...staff } = found;
  c.set("staff", staff);
  if (now - claims.iat >= REFRESH_AFTER_SECONDS) {
    const fresh = await signSession(c.env.SESSION_SECRET, claims, limits, now);
    setCookie(c, STAFF_COOKIE, fresh, { httpOnly: true, secure: true, sameSite: "Lax", path: "/" });
  }
  await next();
};
