/**
 * Sessions as jose-signed JWTs (HS256) in `__Host-` cookies: HttpOnly, Secure, SameSite=Lax,
 * Path=/, no Domain (see staff-session.ts and portal/portal-session.ts for the names).
 *
 * `auth_time` fixes the absolute end of a session; `iat` is refreshed as the user works, and a
 * token whose `iat` is older than the idle limit is refused. `ver` lets the server end sessions
 * early (a portal login's or staff member's session version); `sid` names the session's row
 * (staff_sessions or portal_sessions), so one device's session can end on its own.
 */
import { jwtVerify, SignJWT } from "jose";

export interface SessionClaims {
  /** Subject: the staff user's or portal login's id. */
  sub: string;
  /** Audience: "staff", or "portal:<agency slug>"; a token for one never opens the other. */
  aud: string;
  agencyId: number;
  /** Epoch seconds of sign-in. */
  authTime: number;
  /** Server-side session version at sign-in. */
  ver: number;
  /** The id of the session's row (staff_sessions for staff, portal_sessions for the portal). */
  sid?: string;
}

export interface SessionLimits {
  idleSeconds: number;
  maxSeconds: number;
}

/** Reads the idle and absolute limits from the Worker's vars (minutes and hours). */
export function sessionLimits(env: { SESSION_IDLE_MINUTES?: string; SESSION_MAX_HOURS?: string }): SessionLimits {
  const idle = Number(env.SESSION_IDLE_MINUTES) || 15;
  const max = Number(env.SESSION_MAX_HOURS) || 8;
  return { idleSeconds: Math.round(idle * 60), maxSeconds: Math.round(max * 3600) };
}

/**
 * How many seconds a session (last refreshed at `iat`) has left at `now`: until the idle limit,
 * or the absolute limit if that comes first. The pages pass it to public/app.js, which warns a
 * minute before and then sends the user to sign in again (WCAG 2.2.1).
 */
export function secondsLeft(claims: { iat: number; authTime: number }, limits: SessionLimits, now: number): number {
  return Math.max(0, Math.min(claims.iat + limits.idleSeconds, claims.authTime + limits.maxSeconds) - now);
}

/**
 * How often activity slides the idle timeout: once a minute, or four times per idle period when
 * that is shorter (a short SESSION_IDLE_MINUTES, as the timeout tests use, must still slide).
 */
export const refreshAfterSeconds = (limits: SessionLimits) => Math.min(60, Math.floor(limits.idleSeconds / 4));

/** The response header that tells public/app.js how long the session has left after an htmx request. */
export const SESSION_LEFT_HEADER = "X-Session-Seconds-Left";

function key(secret: string): Uint8Array {
  if (!secret || secret.length < 32) throw new Error("SESSION_SECRET must be set (32+ characters)");
  return new TextEncoder().encode(secret);
}

/** Signs a session token; `now` (epoch seconds) is the moment of activity. */
export async function signSession(secret: string, claims: SessionClaims, limits: SessionLimits, now: number): Promise<string> {
  return new SignJWT({ agencyId: claims.agencyId, auth_time: claims.authTime, ver: claims.ver, ...(claims.sid ? { sid: claims.sid } : {}) })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(claims.sub)
    .setAudience(claims.aud)
    .setIssuedAt(now)
    .setExpirationTime(Math.min(now + limits.idleSeconds, claims.authTime + limits.maxSeconds))
    .sign(key(secret));
}

/**
 * Verifies a token for an audience: signature, algorithm, expiry, idle and absolute limits. A
 * token lacking exp, iat, sub, aud or auth_time is refused, whoever signed it.
 * Returns the claims and when it was last refreshed, or null.
 */
export async function verifySession(
  secret: string,
  token: string,
  audience: string,
  limits: SessionLimits,
  now: number,
): Promise<(SessionClaims & { iat: number }) | null> {
  try {
    const { payload } = await jwtVerify(token, key(secret), {
      algorithms: ["HS256"],
      audience,
      currentDate: new Date(now * 1000),
      // jose checks exp only when present: a token without one would never expire.
      requiredClaims: ["exp", "iat", "sub", "aud", "auth_time"],
    });
    const iat = Number(payload.iat);
    const authTime = Number(payload.auth_time);
    if (!payload.sub || !Number.isFinite(iat) || !Number.isFinite(authTime)) return null;
    if (now - iat > limits.idleSeconds) return null;
    if (now - authTime > limits.maxSeconds) return null;
    return {
      sub: payload.sub,
      aud: audience,
      agencyId: Number(payload.agencyId),
      authTime,
      ver: Number(payload.ver),
      ...(typeof payload.sid === "string" ? { sid: payload.sid } : {}),
      iat,
    };
  } catch {
    return null;
  }
}
