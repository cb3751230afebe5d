/**
 * Every request's D1 session (the D1 Sessions API, read replication): the request's queries all go
 * through one `env.DB.withSession(…)`, so the reads of one request are sequentially consistent and
 * the user's reads never go back in time.
 *
 * - Reads (GET, HEAD) start `first-unconstrained` — any replica, the nearest — or, when the
 *   browser carries a bookmark cookie, at least as new as that bookmark.
 * - Everything else (sign-in, every form that writes) starts `first-primary`.
 * - After a write request, the response sets the bookmark cookie to the newest bookmark the request
 *   saw: its own session's, or one a Durable Object returned after writing for it (the client and
 *   agency logs write D1 themselves; `noteBookmark`). The same browser's next read is then served
 *   by a replica that already has the write (read-your-writes).
 *
 * The cookie holds no secret and no user data (a D1 position such as `00000000-0000000b-…`); a
 * forged one can only slow that browser's own reads. Locally there are no replicas: every query is
 * served by the primary, and the bookmark still advances with each write (README: Read replicas).
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { MiddlewareHandler } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { database, type Db } from ".";

/** `__Host-`: Secure, Path=/, no Domain — no sibling subdomain can set it. */
export const BOOKMARK_COOKIE = "__Host-d1_bookmark";
const COOKIE_OPTIONS = { httpOnly: true, secure: true, sameSite: "Lax", path: "/" } as const;
/** What a D1 bookmark looks like (hex fields separated by dashes); anything else is ignored. */
const BOOKMARK_SHAPE = /^[0-9a-f]{8}(-[0-9a-f]{1,64}){1,6}$/i;

/** Bookmarks returned by Durable Objects that wrote D1 for this request. */
const noted = new AsyncLocalStorage<{ bookmarks: string[] }>();

/**
 * Records a bookmark a Durable Object returned after writing D1 for the current request, so the
 * response's cookie covers that write too. Does nothing outside a request (tests, cron, alarms).
 */
export function noteBookmark(bookmark: string | null | undefined): void {
  if (bookmark) noted.getStore()?.bookmarks.push(bookmark);
}

/** The newer of two bookmarks (their fixed-width hex fields compare as strings). */
export function newerBookmark(a: string | null, b: string | null): string | null {
  if (!a) return b;
  if (!b) return a;
  return a >= b ? a : b;
}

const READS = new Set(["GET", "HEAD"]);

/** Where a request's session starts: the primary for writes; for reads the bookmark cookie, or any replica. */
export function sessionStart(method: string, cookie: string | undefined): D1SessionConstraint | string {
  if (!READS.has(method)) return "first-primary";
  return cookie && cookie.length <= 256 && BOOKMARK_SHAPE.test(cookie) ? cookie : "first-unconstrained";
}

/**
 * The middleware that gives every request its D1 session as `c.var.db`, and after a write the
 * bookmark cookie. Installed before every route (src/index.ts; a test checks the order).
 */
export const databaseSession: MiddlewareHandler<{ Bindings: Env; Variables: { db: Db } }> = async (c, next) => {
  const session = c.env.DB.withSession(sessionStart(c.req.method, getCookie(c, BOOKMARK_COOKIE)));
  c.set("db", database(session));
  const store = { bookmarks: [] as string[] };
  await noted.run(store, next);
  if (!READS.has(c.req.method)) {
    const newest = store.bookmarks.reduce<string | null>(newerBookmark, session.getBookmark());
    if (newest && newest !== getCookie(c, BOOKMARK_COOKIE)) setCookie(c, BOOKMARK_COOKIE, newest, COOKIE_OPTIONS);
  }
};
