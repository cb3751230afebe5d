/**
 * The Agency Portal URL staff give to clients and every credentials email carries:
 * `<portal origin>/portal/<agency slug>`. The origin is the agency's own setting (Administration ›
 * Agency settings) or, where it has none, the deployment's `PORTAL_ORIGIN` — `effectiveSettings`
 * (src/db/agency-settings.ts) resolves which. Only for local development — a request to a loopback
 * host — may both be empty, and then the request's own origin is used: anywhere else the Host
 * header is whatever the client sent, and a link built from it could send a client's password to
 * someone else's site. A deployed Worker with neither therefore refuses (PortalOriginError)
 * instead of guessing; `npm run deploy` checks PORTAL_ORIGIN first (scripts/check-deploy.ts).
 *
 * This file imports nothing, so the deploy script can use the same rules.
 */

/** Why a portal origin can't be used: none set (on a deployed host), not a URL, more than an origin, not https. */
export type PortalOriginProblem = "unset" | "not-url" | "not-origin" | "not-https";

/** No portal origin is set (on a deployed host), or the one set is not an origin. */
export class PortalOriginError extends Error {
  override name = "PortalOriginError";
  // A plain field, not a parameter property: scripts/check-deploy.ts runs this file in Node's
  // type-stripping mode, which refuses parameter properties.
  readonly problem: PortalOriginProblem;
  constructor(message: string, problem: PortalOriginProblem) {
    super(message);
    this.problem = problem;
  }
}

/** Loopback names: where an empty PORTAL_ORIGIN means "this request's origin" (local dev). */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === "localhost" || hostname.endsWith(".localhost") || hostname === "127.0.0.1" || hostname === "[::1]";
}

/**
 * A configured portal origin as an origin (`https://host[:port]`, a trailing slash allowed), or an
 * error saying what is wrong with it (naming `setting`). Plain http only for a loopback host.
 *
 * @example parsePortalOrigin("https://portal.example.org/") // "https://portal.example.org"
 */
export function parsePortalOrigin(value: string, setting = "PORTAL_ORIGIN"): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new PortalOriginError(`${setting} "${value}" is not a URL: set it to the portal's public origin, e.g. https://portal.example.org.`, "not-url");
  }
  if (url.pathname !== "/" || url.search || url.hash || url.username || url.password) {
    throw new PortalOriginError(`${setting} "${value}" must be an origin only (scheme, host, optional port), e.g. https://portal.example.org.`, "not-origin");
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopbackHost(url.hostname))) {
    throw new PortalOriginError(`${setting} "${value}" must use https.`, "not-https");
  }
  return url.origin;
}

/** The agency's portal origin in force (EffectiveSettings.portalOrigin): its own, else PORTAL_ORIGIN; null for neither. */
export interface PortalOriginSetting {
  portalOrigin: string | null;
}

/**
 * The origin portal links are built on: the configured one (the agency's, else PORTAL_ORIGIN), or
 * the request's origin on a loopback host. Throws PortalOriginError otherwise — call it before
 * writing anything that a link would follow.
 */
export function portalOrigin(settings: PortalOriginSetting, requestUrl: string): string {
  const configured = (settings.portalOrigin ?? "").trim();
  if (configured) return parsePortalOrigin(configured, "The portal origin");
  const request = new URL(requestUrl);
  if (isLoopbackHost(request.hostname)) return request.origin;
  throw new PortalOriginError(
    `PORTAL_ORIGIN is not set (nor the agency's Agency Portal URL origin), and this request's host (${request.host}) is not a local one: portal links are never built from the Host header. Set PORTAL_ORIGIN in wrangler.toml [vars] to the portal's public origin, or the agency's in Administration › Agency settings.`,
    "unset",
  );
}

/**
 * The Agency Portal URL of an agency (see portalOrigin for where the origin comes from).
 *
 * @example agencyPortalUrl(effectiveSettings(c.env, c.var.staff.agency), "http://localhost:8787/face-sheet/1", "riverbend")
 *   // → "http://localhost:8787/portal/riverbend" when neither the agency nor PORTAL_ORIGIN sets an origin
 */
export function agencyPortalUrl(settings: PortalOriginSetting, requestUrl: string, slug: string): string {
  return `${portalOrigin(settings, requestUrl)}/portal/${encodeURIComponent(slug)}`;
}
