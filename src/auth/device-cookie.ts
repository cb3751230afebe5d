/**
 * The device cookie (throttle-keys.ts): given at a successful sign-in, so that this browser is
 * recognised as one the account's owner has used and is not held back by the account's wait when
 * strangers guess at the account. It holds no session and opens nothing; HttpOnly, Secure,
 * SameSite=Lax, scoped to the sign-in path that reads it.
 */
import type { Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";

/** The staff app's device cookie (read only by POST /sign-in). */
export const STAFF_DEVICE_COOKIE = { name: "staff_device", path: "/sign-in" } as const;
/** A portal's device cookie (Path = the agency's portal). */
export const portalDeviceCookie = (portalPath: string) => ({ name: "portal_device", path: portalPath }) as const;

const DEVICE_COOKIE_DAYS = 180;

/** The device cookie's value, if the browser sent one. */
export function readDeviceCookie(c: Context, cookie: { name: string }): string | undefined {
  return getCookie(c, cookie.name);
}

/** Gives the browser a device cookie. */
export function setDeviceCookie(c: Context, cookie: { name: string; path: string }, token: string) {
  setCookie(c, cookie.name, token, { httpOnly: true, secure: true, sameSite: "Lax", path: cookie.path, maxAge: DEVICE_COOKIE_DAYS * 86_400 });
}
