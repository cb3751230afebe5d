/**
 * A portal page's read in the same D1 batch as the session check (the agency, the session's login,
 * its links in force): one round trip for the page instead of two — as the staff pages do
 * (src/auth/session-reads.ts).
 *
 * Which client a request acts for is decided after that batch (src/families/portal-scope.ts: the
 * links in force and the session's choice). So the page's read is built for the client this
 * session acted for on its last request in this isolate (and whether the login was then a
 * representative's), and its rows are used only if this request turns out to act for that same
 * client, in that same agency, with that same standing; otherwise they are dropped unseen and the
 * page reads as before (two trips). It is a read: a refused request wrote nothing.
 */
import type { BatchItem } from "drizzle-orm/batch";
import type { Context, MiddlewareHandler } from "hono";
import type { Db } from "../db";
import type { PortalEnv } from "./portal-session";

/** Whom a session acted for on its last request here. */
export interface PortalScope {
  agencyId: number;
  clientId: number;
  representative: boolean;
}

/** A page's reads for a scope. */
export type PortalReads = (db: Db, scope: PortalScope) => BatchItem<"sqlite">[];

/** Each session's last scope in this isolate (bounded: cleared when full). */
const lastScope = new Map<string, PortalScope>();
const MAX_SESSIONS = 10_000;

/** Notes whom session `sessionId` acts for on this request (scopePortalClient, every portal page). */
export function rememberPortalScope(sessionId: string, scope: PortalScope): void {
  if (lastScope.size >= MAX_SESSIONS && !lastScope.has(sessionId)) lastScope.clear();
  lastScope.set(sessionId, scope);
}

/** The session's scope on its last request here; undefined when not seen yet. */
export function assumedPortalScope(sessionId: string): PortalScope | undefined {
  return lastScope.get(sessionId);
}

/** The page's rows when they came with the session check and this request acts as they assumed. */
export function portalRowsFor(c: Context<PortalEnv>, scope: PortalScope): unknown[] | undefined {
  const pre = c.var.portalReadRows;
  if (!pre) return undefined;
  const same = pre.scope.agencyId === scope.agencyId && pre.scope.clientId === scope.clientId && pre.scope.representative === scope.representative;
  return same ? pre.rows : undefined;
}

/**
 * Offers a GET portal page's reads to the session check. `reads` takes the request here (its
 * query, its path's parameters) and returns the reads for a scope; they must be the very queries
 * the page reads with.
 */
export function portalReadsWithSession(reads: (c: Context<PortalEnv>) => PortalReads): MiddlewareHandler<PortalEnv> {
  return async (c, next) => {
    if (c.req.method === "GET") c.set("portalReads", reads(c));
    await next();
  };
}
