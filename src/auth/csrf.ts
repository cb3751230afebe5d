/**
 * Cross-site request forgery: an unsafe request (any method but GET, HEAD, OPTIONS) runs only
 * when the browser says it comes from this very origin. hono/csrf checks form content types
 * only, so a JSON (or bodiless, or PUT/DELETE) request from another site would pass it; here the
 * content type plays no part.
 *
 * Browsers send `Origin` on every unsafe request and `Sec-Fetch-Site` on every request to a
 * secure context; neither can be set by a page. A request is accepted when:
 *   - `Sec-Fetch-Site`, if sent, is `same-origin` (so a cross-site request redirected back here,
 *     which may carry this site's Origin, is still refused), and
 *   - `Origin` equals the origin of the request URL — or, when no Origin is sent,
 *     `Sec-Fetch-Site: same-origin` vouches for it.
 * Anything else (no header at all, `Origin: null`, a look-alike host) is 403. Non-browser clients
 * must send an Origin header like a browser does.
 */
import type { MiddlewareHandler } from "hono";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Whether the request's own headers show it was made by this origin's pages. */
export function isSameOriginRequest(req: Request): boolean {
  if (SAFE_METHODS.has(req.method)) return true;
  const site = req.headers.get("Sec-Fetch-Site");
  if (site !== null && site !== "same-origin") return false;
  const origin = req.headers.get("Origin");
  if (origin === null) return site === "same-origin";
  return origin === new URL(req.url).origin;
}

/**
 * Refuses unsafe requests that did not come from this origin, whatever their content type, with
 * a plain 403 before any route (or body parsing) runs.
 *
 * @example app.use(refuseCrossSiteRequests)
 */
export const refuseCrossSiteRequests: MiddlewareHandler = async (c, next) => {
  if (!isSameOriginRequest(c.req.raw)) {
    return c.text("This request did not come from this site's own pages, so it was refused. Go back, reload the page and try again.", 403);
  }
  await next();
};
