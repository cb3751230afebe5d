/**
 * The staff app's session: cookie handling and the middleware every staff route sits behind.
 */
import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { AppEnv } from "../app";
import { deviceSummary } from "./device";
import { endSessionStatement, findSignedInStaff, findSignedInStaffWith, newSessionId, startSessionStatements } from "./session-records";
import { assumedStaffAgency, rememberStaffAgency, sameStaffAgency } from "./session-reads";
import { refreshAfterSeconds, secondsLeft, SESSION_LEFT_HEADER, sessionLimits, signSession, verifySession } from "./session";
import { and, eq } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { staffUsers } from "../db/schema";
import { clientAddress } from "./throttle-keys";

/**
 * `__Host-`: browsers keep it only if Secure, Path=/ and without Domain, so no sibling subdomain
 * can set or overwrite it (Chromium also keeps Secure cookies on http://localhost and 127.0.0.1).
 */
export const STAFF_COOKIE = "__Host-staff_session";
const COOKIE_OPTIONS = { httpOnly: true, secure: true, sameSite: "Lax", path: "/" } as const;
const AUDIENCE = "staff";

const nowSeconds = () => Math.floor(Date.now() / 1000);

/**
 * Signs the staff member in: a new session (its row in staff_sessions: device, address) and its
 * cookie. `resume` re-issues the cookie of the session this browser already has (after a password
 * change: same session, same sign-in time so its absolute limit holds, new session version).
 */
export async function startStaffSession(
  c: Context<AppEnv>,
  staff: { id: number; agencyId: number; sessionVersion: number },
  resume?: { sid: string; authTime: number },
  /** Statements to send in the same batch as the new session's (sign-in's charge given back). */
  withStatements: BatchItem<"sqlite">[] = [],
) {
  const now = nowSeconds();
  let sid = resume?.sid;
  if (!sid) {
    sid = newSessionId();
    const record = { id: sid, staffId: staff.id, agencyId: staff.agencyId, now: Date.now(), device: deviceSummary(c.req.header("User-Agent")), address: clientAddress(c.req) };
    const [insert, touch] = startSessionStatements(c.var.db, record);
    await c.var.db.batch([insert, touch, ...withStatements]);
  } else if (withStatements.length > 0) {
    const [first, ...rest] = withStatements;
    await c.var.db.batch([first!, ...rest]);
  }
  const token = await signSession(
    c.env.SESSION_SECRET,
    { sub: String(staff.id), aud: AUDIENCE, agencyId: staff.agencyId, authTime: resume?.authTime ?? now, ver: staff.sessionVersion, sid },
    sessionLimits(c.env),
    now,
  );
  setCookie(c, STAFF_COOKIE, token, COOKIE_OPTIONS);
}

/** Removes the session cookie from this browser. */
export function endStaffSession(c: Context<AppEnv>) {
  deleteCookie(c, STAFF_COOKIE, COOKIE_OPTIONS);
}

/**
 * Signs out: this session ends on the server (a copy of its cookie stops working too), and the
 * cookie goes. Returns who signed out, or null when the browser held no valid session.
 */
export async function signOutStaff(c: Context<AppEnv>) {
  const token = getCookie(c, STAFF_COOKIE);
  const claims = token && (await verifySession(c.env.SESSION_SECRET, token, AUDIENCE, sessionLimits(c.env), nowSeconds()));
  let who: { id: number; agencyId: number; name: string } | null = null;
  if (claims && claims.sid) {
    const db = c.var.db;
    const staffId = Number(claims.sub);
    const [, rows] = await db.batch([
      endSessionStatement(db, { sessionId: claims.sid, staffId, agencyId: claims.agencyId, now: Date.now() }),
      db
        .select({ id: staffUsers.id, agencyId: staffUsers.agencyId, name: staffUsers.name })
        .from(staffUsers)
        .where(and(eq(staffUsers.id, staffId), eq(staffUsers.agencyId, claims.agencyId))),
    ]);
    who = rows[0] ?? null;
  }
  endStaffSession(c);
  return who;
}

/** The current request's session claims (sign-in time, session version); null without a valid one. */
export async function staffSessionClaims(c: Context<AppEnv>) {
  const token = getCookie(c, STAFF_COOKIE);
  return token ? verifySession(c.env.SESSION_SECRET, token, AUDIENCE, sessionLimits(c.env), nowSeconds()) : null;
}

/**
 * "Stay signed in" (the idle warning's button): slides the idle timeout now, whatever the
 * once-a-minute rule says — a new cookie and the session row's last-seen time. Returns the
 * seconds the session now has, or null when it no longer holds (requireStaff ran first).
 */
export async function refreshStaffSession(c: Context<AppEnv>): Promise<number | null> {
  const claims = await staffSessionClaims(c);
  if (!claims?.sid) return null;
  const limits = sessionLimits(c.env);
  const now = nowSeconds();
  const found = await findSignedInStaff(c.var.db, { staffId: Number(claims.sub), agencyId: claims.agencyId, sessionId: claims.sid, seenAt: Date.now() });
  if (!found || found.sessionVersion !== claims.ver) return null;
  setCookie(c, STAFF_COOKIE, await signSession(c.env.SESSION_SECRET, claims, limits, now), COOKIE_OPTIONS);
  return secondsLeft({ iat: now, authTime: claims.authTime }, limits, now);
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
 * Lets a request through only with a valid, unexpired staff session of an active staff member
 * whose session row is still open; sets `c.var.staff` and `c.var.sessionId` and slides the idle
 * timeout (cookie and last_seen_at together, at most once a minute). One D1 round trip — which
 * also carries the page's reads when the page offered them (src/auth/session-reads.ts).
 */
export const requireStaff: MiddlewareHandler<AppEnv> = async (c, next) => {
  const token = getCookie(c, STAFF_COOKIE);
  if (!token) return toSignIn(c);
  const limits = sessionLimits(c.env);
  const now = nowSeconds();
  const claims = await verifySession(c.env.SESSION_SECRET, token, AUDIENCE, limits, now);
  if (!claims?.sid) return toSignIn(c);
  const refresh = now - claims.iat >= refreshAfterSeconds(limits);
  // The page's reads, built for the token's agency as last seen here (none yet: the page reads after).
  const build = c.req.method === "GET" ? c.var.sessionReads : undefined;
  const assumed = build ? assumedStaffAgency(claims.agencyId) : undefined;
  const reads = build && assumed ? build(c.var.db, assumed) : [];
  const q = { staffId: Number(claims.sub), agencyId: claims.agencyId, sessionId: claims.sid, seenAt: refresh ? Date.now() : null };
  const { found, rows } = await findSignedInStaffWith(c.var.db, q, reads);
  if (!found || found.sessionVersion !== claims.ver) return toSignIn(c);
  rememberStaffAgency(found.agency);
  if (assumed && reads.length > 0 && sameStaffAgency(found.agency, assumed)) c.set("sessionRows", rows);
  const { sessionVersion: _, ...staff } = found;
  const left = secondsLeft({ iat: refresh ? now : claims.iat, authTime: claims.authTime }, limits, now);
  c.set("staff", { ...staff, sessionSecondsLeft: left });
  c.header(SESSION_LEFT_HEADER, String(left));
  c.set("sessionId", claims.sid);
  if (refresh) {
    const fresh = await signSession(c.env.SESSION_SECRET, claims, limits, now);
    setCookie(c, STAFF_COOKIE, fresh, COOKIE_OPTIONS);
  }
  await next();
};
