/** @jsxImportSource hono/jsx */
/**
 * Staff link an existing representative login to another client of the agency, from that client's
 * Face Sheet (issue 11 item 5), and end one such link. Every route answers 404 unless the agency
 * is contracted for the portal and the client — and the login — are the signed-in agency's.
 *
 *   GET  /face-sheet/:clientId/linked-logins/new?q=…&login=…   find a login; the record form for the chosen one
 *   POST /face-sheet/:clientId/linked-logins                   link it, with its record (logged in this client's log)
 *   POST /face-sheet/:clientId/linked-logins/:loginId/end      End link: this client only
 *
 * A blocked person can be linked only by an administrator (issue 11 item 6).
 */
import { Hono, type Context } from "hono";
import { z } from "zod";
import type { AppEnv } from "../app";
import { plainText } from "../forms/text";
import { agencyToday } from "../layout/agency-time";
import { findPortalClient, findPortalLogin, type PortalClient } from "../portal-logins/queries";
import { effectiveSettings } from "../db/agency-settings";
import { parseLinkRecord } from "./form";
import { recordValuesFromBody } from "../representatives/record-form";
import { endLink, linkLoginToClient } from "./link";
import { findLinkCandidate, findLinkCandidates, type LinkCandidate } from "./queries";
import { sharedEmailProblem } from "../representatives/minors";
import { loginsAroundClient } from "../representatives/queries";
import { LinkLoginPage, type LinkPageProps } from "./views";

const CLIENT = "/face-sheet/:clientId{[0-9]+}/linked-logins";

const INVALID = "Nothing was saved. Correct the fields marked below.";
const REFUSED = "The login changed while you were entering its record (it was linked, blocked or made not a representative), so nothing was saved. Find it again.";

const CLIENT_REFUSED =
  "Nothing was saved: this client refused a portal login (Client Refused Portal Login on the Face Sheet). If they have changed their mind, clear it there first, then link the login.";

const searchQuery = plainText("Portal Username or email").trim().min(2, "Type at least 2 characters of the Portal Username or email.").max(254, "That is longer than any username or email.");
const idParam = z.string().regex(/^[1-9][0-9]{0,15}$/).transform(Number);

/** The client of the URL, when the agency has the portal and the client is the agency's. */
async function loadClient(c: Context<AppEnv>): Promise<PortalClient | null> {
  if (!c.var.staff.agency.portalEnabled) return null;
  const id = idParam.safeParse(c.req.param("clientId"));
  return id.success ? findPortalClient(c.var.db, c.var.staff.agency.id, id.data) : null;
}

const isAdmin = (c: Context<AppEnv>) => c.var.staff.role === "admin";
const today = (c: Context<AppEnv>) => agencyToday(c.var.staff.agency.timezone);
const actorOf = (c: Context<AppEnv>) => ({ type: "staff" as const, id: c.var.staff.id, name: c.var.staff.name });

const ageOfMajority = (c: Context<AppEnv>) => effectiveSettings(c.env, c.var.staff.agency).ageOfMajority;

function page(c: Context<AppEnv>, props: Omit<LinkPageProps, "staff" | "today" | "ageOfMajority">, status: 200 | 403 | 409 | 422 = 200) {
  return c.html(<LinkLoginPage {...props} staff={c.var.staff} today={today(c)} ageOfMajority={ageOfMajority(c)} />, status);
}

export const familiesStaffRoutes = new Hono<AppEnv>()
  .get(`${CLIENT}/new`, async (c) => {
    const client = await loadClient(c);
    if (!client) return c.notFound();
    const agencyId = c.var.staff.agency.id;
    const raw = c.req.query("q");
    const q = raw === undefined ? null : searchQuery.safeParse(raw);
    const candidates = q?.success ? await findLinkCandidates(c.var.db, agencyId, client.id, q.data) : null;
    let chosen: LinkCandidate | undefined;
    const loginParam = c.req.query("login");
    if (loginParam !== undefined) {
      const id = idParam.safeParse(loginParam);
      chosen = (id.success && (await findLinkCandidate(c.var.db, agencyId, client.id, id.data))) || undefined;
      if (!chosen) return c.notFound();
    }
    const needsAdmin = chosen?.blocked && !isAdmin(c);
    const props = { client, query: raw ?? "", queryError: q && !q.success ? q.error.issues[0]!.message : undefined, candidates, chosen, needsAdmin };
    return page(c, props, q && !q.success ? 422 : 200);
  })

  .post(CLIENT, async (c) => {
    const client = await loadClient(c);
    if (!client) return c.notFound();
    const body = await c.req.parseBody();
    const loginId = idParam.safeParse(body.loginId);
    const chosen = loginId.success ? await findLinkCandidate(c.var.db, c.var.staff.agency.id, client.id, loginId.data) : null;
    if (!chosen) return c.notFound();
    const base = { client, query: "", candidates: null, chosen };
    if (chosen.blocked && !isAdmin(c)) return page(c, { ...base, needsAdmin: true }, 403);
    // As the Portal Login window asks "changed their mind" first: no portal access of any kind then.
    if (client.refusedPortalLogin) return page(c, { ...base, values: recordValuesFromBody(body), alert: CLIENT_REFUSED }, 409);
    const form = parseLinkRecord(body, { today: today(c), client, ageOfMajority: ageOfMajority(c) });
    if (!form.ok) return page(c, { ...base, values: form.values, errors: form.errors, alert: INVALID }, 422);
    // A minor's own login and a representative never share a mailbox: the Portal Login window's
    // rule (src/representatives/minors.ts) holds for a link too, or a parent could reach the minor's
    // reset links through the link.
    const around = await loginsAroundClient(c.var.db, c.var.staff.agency.id, client.id);
    const clash = sharedEmailProblem({ client, today: today(c), ageOfMajority: ageOfMajority(c), email: chosen.email, representative: true, loginId: chosen.id, around });
    if (clash) return page(c, { ...base, values: recordValuesFromBody(body), alert: `Nothing was saved. ${clash}` }, 422);
    const result = await linkLoginToClient(c.env, {
      agencyId: c.var.staff.agency.id,
      clientId: client.id,
      loginId: chosen.id,
      username: chosen.username,
      values: form.data,
      actor: actorOf(c),
      byAdmin: isAdmin(c),
      blocked: chosen.blocked,
    });
    if (result.status === "refused") return page(c, { ...base, values: recordValuesFromBody(body), alert: REFUSED }, 409);
    return c.redirect(`/face-sheet/${client.id}#client-portal-section`, 303);
  })

  .post(`${CLIENT}/:loginId{[0-9]+}/end`, async (c) => {
    const client = await loadClient(c);
    const loginId = idParam.safeParse(c.req.param("loginId"));
    const login = client && loginId.success ? await findPortalLogin(c.var.db, c.var.staff.agency.id, client.id, loginId.data) : null;
    // Only a login linked from another client: the client's own logins end by Edit › Active.
    if (!client || !login || login.clientId === client.id) return c.notFound();
    const ended = await endLink(c.env, { agencyId: c.var.staff.agency.id, clientId: client.id, loginId: login.id, username: login.username, actor: actorOf(c) });
    if (!ended) return c.notFound();
    return c.redirect(`/face-sheet/${client.id}#client-portal-section`, 303);
  });
