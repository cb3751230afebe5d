/**
 * The portal agencies this isolate has seen, by slug — only so that a sign-in can send its one
 * round trip before the password hash without first looking the agency up. Never trusted: the
 * sign-in batch reads the agency afresh and every charge in it is conditional on the agency still
 * being what was assumed (id, portal enabled, lock settings: `agencyAsAssumed`), so a stale entry
 * charges nothing and costs one more round trip, after which it is replaced. Nothing else reads it.
 */
import type { PortalAgency } from "./portal-agency";

const known = new Map<string, PortalAgency>();
/** Agencies remembered at most (a Worker serves a bounded set; this only bounds memory). */
const MAX = 10_000;

/** The agency last seen for this slug in this isolate, or null. */
export function assumedPortalAgency(slug: string): PortalAgency | null {
  return known.get(slug) ?? null;
}

/** Remembers what D1 just said about a slug (null: no portal there). */
export function rememberPortalAgency(slug: string, agency: PortalAgency | null): void {
  if (!agency) {
    known.delete(slug);
    return;
  }
  if (known.size >= MAX && !known.has(slug)) known.clear();
  known.set(slug, agency);
}
