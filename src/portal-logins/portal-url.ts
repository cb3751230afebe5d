/**
 * The Agency Portal URL staff give to clients: `<portal origin>/portal/<agency slug>`. The origin
 * is configured per deployment (`PORTAL_ORIGIN`); when empty (local dev) it is the request's.
 *
 * @example agencyPortalUrl({ PORTAL_ORIGIN: "" }, "http://localhost:8787/face-sheet/1", "riverbend")
 *   // → "http://localhost:8787/portal/riverbend"
 */
export function agencyPortalUrl(env: { PORTAL_ORIGIN?: string }, requestUrl: string, slug: string): string {
  const origin = (env.PORTAL_ORIGIN || new URL(requestUrl).origin).replace(/\/+$/, "");
  return `${origin}/portal/${encodeURIComponent(slug)}`;
}
