/**
 * The Agency Portal URL staff give to clients and every credentials email carries:
 * `<portal origin>/portal/<agency slug>`. The origin is configured per deployment
 * (`PORTAL_ORIGIN`). Only for local development — a request to a loopback host — may it be left
 * empty, and then the request's own origin is used: anywhere else the Host header is whatever the
 * client sent, and a link built from it could send a client's password to someone else's site.
 * A deployed Worker without PORTAL_ORIGIN therefore refuses (PortalOriginError) instead of
 * guessing; `npm run deploy` checks the setting first (scripts/check-deploy.ts).
 *
 * This file imports nothing, so the deploy script can use the same rules.
 */

/** PORTAL_ORIGIN is missing (on a deployed host) or is not an origin. */
export class PortalOriginError extends Error {
  override name = "PortalOriginError";
}

/** Loopback names: where an empty PORTAL_ORIGIN means "this request's origin" (local dev). */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === "localhost" || hostname.endsWith(".localhost") || hostname === "127.0.0.1" || hostname === "[::1]";
}

/**
 * PORTAL_ORIGIN as an origin (`https://host[:port]`, a trailing slash allowed), or an error saying
 * what is wrong with it. Plain http only for a loopback host.
 */
export function parsePortalOrigin(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new PortalOriginError(`PORTAL_ORIGIN "${value}" is not a URL: set it to the portal's public origin, e.g. https://portal.example.org.`);
  }
  if (url.pathname !== "/" || url.search || url.hash || url.username || url.password) {
    throw new PortalOriginError(`PORTAL_ORIGIN "${value}" must be an origin only (scheme, host, optional port), e.g. https://portal.example.org.`);
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopbackHost(url.hostname))) {
    throw new PortalOriginError(`PORTAL_ORIGIN "${value}" must use https.`);
  }
  return url.origin;
}

/**
 * The origin portal links are built on: PORTAL_ORIGIN, or the request's origin on a loopback host.
 * Throws PortalOriginError otherwise — call it before writing anything that a link would follow.
 */
export function portalOrigin(env: { PORTAL_ORIGIN?: string }, requestUrl: string): string {
  const configured = (env.PORTAL_ORIGIN ?? "").trim();
  if (configured) return parsePortalOrigin(configured);
  const request = new URL(requestUrl);
  if (isLoopbackHost(request.hostname)) return request.origin;
  throw new PortalOriginError(
    `PORTAL_ORIGIN is not set, and this request's host (${request.host}) is not a local one: portal links are never built from the Host header. Set PORTAL_ORIGIN in wrangler.toml [vars] to the portal's public origin.`,
  );
}

/**
 * The Agency Portal URL of an agency (see portalOrigin for where the origin comes from).
 *
 * @example agencyPortalUrl({ PORTAL_ORIGIN: "" }, "http://localhost:8787/face-sheet/1", "riverbend")
 *   // → "http://localhost:8787/portal/riverbend"
 */
export function agencyPortalUrl(env: { PORTAL_ORIGIN?: string }, requestUrl: string, slug: string): string {
  return `${portalOrigin(env, requestUrl)}/portal/${encodeURIComponent(slug)}`;
}
