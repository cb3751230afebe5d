/**
 * Where a portal link's secret waits while it is being used. Opening `/portal/<slug>/link/<token>`
 * moves the secret into this cookie and redirects to the token-less `/portal/<slug>/link`, so the
 * secret is not in the address bar, browser history's final entry, the page, screenshots or any
 * Referer, and the forms need no hidden copy of it. HttpOnly, Secure, SameSite=Lax (it must come
 * along on the redirect from the email), scoped to the agency's link path, and living at most an
 * hour (or until the link expires, if sooner).
 *
 * Once the date of birth has been answered, the cookie also carries a proof of it: an HMAC, under
 * SESSION_SECRET, of the link's hash. Only this server can make it, and only after a right answer,
 * so the password step can't be reached with the link alone — nor by another browser that holds
 * the same link.
 */
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { constantTimeEqual } from "@oslojs/crypto/subtle";
import { decodeBase64urlIgnorePadding, encodeBase64urlNoPadding } from "@oslojs/encoding";

/** `__Secure-`: a browser keeps it only from a secure page, with Secure set (no `__Host-`: that needs Path=/). */
export const LINK_COOKIE = "__Secure-portal_link";
const NAME = LINK_COOKIE;
const MAX_SECONDS = 3600;

/** The path the cookie is scoped to (and the token-less URL of the link's pages). */
export const linkPath = (slug: string) => `/portal/${slug}/link`;

const options = (slug: string) => ({ httpOnly: true, secure: true, sameSite: "Lax", path: linkPath(slug) }) as const;

/** What the browser holds: the link's secret, and the date-of-birth proof once it has one. */
export interface HeldLink {
  token: string;
  proof?: string;
}

/** The held link, if the browser sent one. */
export function readLinkCookie(c: Context): HeldLink | null {
  const value = getCookie(c, NAME);
  if (!value) return null;
  const [token, proof] = value.split(".", 2);
  return token ? { token, proof } : null;
}

/** Keeps the link's secret (and, after the date of birth, its proof) no longer than the link works. */
export function setLinkCookie(c: Context, slug: string, held: HeldLink, expiresAt: number) {
  const maxAge = Math.max(1, Math.min(MAX_SECONDS, Math.floor((expiresAt - Date.now()) / 1000)));
  setCookie(c, NAME, held.proof ? `${held.token}.${held.proof}` : held.token, { ...options(slug), maxAge });
}

/** Forgets the link (used up, or unusable). */
export function clearLinkCookie(c: Context, slug: string) {
  deleteCookie(c, NAME, options(slug));
}

const keys = new Map<string, Promise<CryptoKey>>();

function proofKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", new TextEncoder().encode(`portal-link-dob\u0000${secret}`), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    keys.set(secret, key);
  }
  return key;
}

/** The proof that this link's date of birth was answered (`tokenHash`: the link's stored hash). */
export async function dobProof(env: { SESSION_SECRET: string }, tokenHash: string): Promise<string> {
  const mac = await crypto.subtle.sign("HMAC", await proofKey(env.SESSION_SECRET), new TextEncoder().encode(tokenHash));
  return encodeBase64urlNoPadding(new Uint8Array(mac));
}

/** Whether the held proof is this link's (compared in constant time). */
export async function hasDobProof(env: { SESSION_SECRET: string }, tokenHash: string, proof: string | undefined): Promise<boolean> {
  if (!proof || !/^[A-Za-z0-9_-]{43}$/.test(proof)) return false;
  const expected = decodeBase64urlIgnorePadding(await dobProof(env, tokenHash));
  return constantTimeEqual(expected, decodeBase64urlIgnorePadding(proof));
}
