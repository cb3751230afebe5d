/**
 * Scopes every portal request to one client. Runs right after the session is loaded
 * (src/portal/portal-session.ts `loadPortalAgencyAndUser`), on every request, so a link that ended or
 * expired a moment ago counts at once:
 *
 * 1. The clients the login may act for today are read, with the client this session chose
 *    (portal_sessions.client_id), in the session check's own batch (links-in-force.ts), not a round trip of their own.
 * 2. None: the session has ended (as a deactivated login's does).
 * 3. The chosen client still in force, or — nothing chosen yet — exactly one client: the request
 *    acts for it — `portalUser.clientId` is that client, and every page, query and entry takes it
 *    from there.
 * 4. No valid choice: never chosen with two or more clients, or the chosen client is no longer in
 *    force (its link ended, its consent was revoked) while others are. The request is sent to
 *    "Whose information?" unless it is one that needs no client (choosing, logging out, the first
 *    password). A chosen client that is no longer in force is never swapped silently for another:
 *    the page says whose access ended (`choiceEnded`) and the person picks, even from one.
 */
import type { MiddlewareHandler } from "hono";
import { agencyToday } from "../layout/agency-time";
import { endPortalSession, portalPath, type PortalEnv } from "../portal/portal-session";
import { rememberPortalScope } from "../portal/portal-reads";
import { actingAsText, linksInForce, shortName } from "./links-in-force";

/** The page that asks "Whose information?", under the portal's path. */
export const WHOSE_PATH = "/whose";

/**
 * Paths (after the portal's own) a session may use before choosing a client. A temporary password
 * is replaced first, before any choice (its entry goes to the login's own client's log).
 */
const WITHOUT_CHOICE = new Set([WHOSE_PATH, "/log-out", "/log-out-everywhere", "/sign-in"]);

/** The session middleware's second half: which client this request acts for (see the file's comment). */
export const scopePortalClient: MiddlewareHandler<PortalEnv> = async (c, next) => {
  const user = c.var.portalUser;
  if (!user) return next();
  const { agency, db } = c.var;
  // 1.
  //    Read with the session in its one batch (portal-session.ts); read here only when that batch
  //    judged them on another day than the agency's today (its time zone was not yet known).
  const { links, chosen, chosenEnded, denied } = c.var.portalLinks ?? (await linksInForce(db, c.env, agency, user.loginId, user.sessionId));
  // 2.
  if (links.length === 0) {
    if (denied) c.set("accessDenied", denied);
    endPortalSession(c);
    c.set("portalUser", undefined);
    c.set("sessionEnded", true);
    return next();
  }
  // 3.
  const pick = links.find((l) => l.clientId === chosen) ?? (chosenEnded === null && links.length === 1 ? links[0] : undefined);
  const acting = pick ?? links.find((l) => l.clientId === user.homeClientId) ?? links[0]!;
  c.set("portalUser", {
    ...user,
    clientId: acting.clientId,
    clientName: `${acting.firstName} ${acting.lastName}`,
    actingAs: actingAsText(acting),
    choices: links.map((l) => ({ clientId: l.clientId, name: shortName(l), actingAs: actingAsText(l) })),
    mustChoose: pick === undefined,
    choiceEnded: pick === undefined ? chosenEnded : null,
  });
  // Whom this session acts for, so its next page's read can go with its session check (portal-reads.ts).
  rememberPortalScope(user.sessionId, { agencyId: agency.id, clientId: acting.clientId, representative: user.representative });
  // 4.
  const base = portalPath(agency.slug);
  const rest = c.req.path.slice(base.length);
  if (pick === undefined && !user.mustChangePassword && !WITHOUT_CHOICE.has(rest)) return c.redirect(`${base}${WHOSE_PATH}`, 303);
  await next();
};
