/**
 * A staff page's reads in the same D1 batch as the session check: one round trip for the page
 * instead of two (issue 13: "the session's version check joined into the page's own batch").
 *
 * A GET page offers its reads with `readsWithSession(build)`, installed before requireStaff on its
 * path (src/index.ts). requireStaff builds them for the agency named by the signed token, with that
 * agency's settings as this isolate last saw them, and sends them beside the session check. They
 * are used only if the check passes and the agency read with it is exactly the one they were built
 * for; otherwise they are dropped unread and the page reads as before (the first request of an
 * isolate, or one after the agency's settings changed, takes two round trips). Nothing else
 * changes: the role check (authorize) still runs before the page, and a page refused there never
 * sees the rows. The reads are reads: a refused request wrote nothing.
 */
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv, CurrentStaff } from "../app";

type StaffAgency = CurrentStaff["agency"];

/** Each agency as the last session check in this isolate read it (a few hundred agencies at most). */
const lastSeen = new Map<number, string>();
const MAX_AGENCIES = 1000;

/** Notes the agency a session check has just read. */
export function rememberStaffAgency(agency: StaffAgency): void {
  if (lastSeen.size >= MAX_AGENCIES && !lastSeen.has(agency.id)) lastSeen.clear();
  lastSeen.set(agency.id, JSON.stringify(agency));
}

/** The agency as last seen here, to build a page's reads with; undefined when not seen yet. */
export function assumedStaffAgency(agencyId: number): StaffAgency | undefined {
  const seen = lastSeen.get(agencyId);
  return seen === undefined ? undefined : (JSON.parse(seen) as StaffAgency);
}

/** Whether the agency just read is the one the reads were built for (every field, settings included). */
export function sameStaffAgency(fresh: StaffAgency, assumed: StaffAgency): boolean {
  return JSON.stringify(fresh) === JSON.stringify(assumed);
}

/** Every offer made by readsWithSession (see isReadsOffer). */
const offers = new WeakSet<object>();

/**
 * Offers a GET page's reads to the session check (see above). `reads` takes the request here —
 * where its path's parameters are this middleware's — and returns the reads for an agency; they
 * must be the very queries the page reads with, so that the rows are what it would have read.
 *
 * @example app.use("/face-sheet/:clientId{[0-9]+}", readsWithSession((c) => { const id = Number(c.req.param("clientId")); return (db, agency) => [...sheetPageQueries(db, agency, id)]; }))
 */
export function readsWithSession(reads: (c: Context<AppEnv>) => NonNullable<AppEnv["Variables"]["sessionReads"]>): MiddlewareHandler<AppEnv> {
  const offer: MiddlewareHandler<AppEnv> = async (c, next) => {
    if (c.req.method === "GET") c.set("sessionReads", reads(c));
    await next();
  };
  offers.add(offer);
  return offer;
}


/**
 * Whether a handler is one of these offers: middleware that only sets a variable and never
 * answers, so the route table's check that nothing but public routes comes before the session
 * (test/workerd/roles.every-route.test.ts) can tell it from a route.
 */
export const isReadsOffer = (handler: unknown): boolean => typeof handler === "function" && offers.has(handler);
