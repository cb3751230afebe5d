/** @jsxImportSource hono/jsx */
/**
 * Representatives' own staff routes (the record itself is saved by the Portal Login window):
 *
 *   GET  /representatives/expiries                                  Reports Menu › Representative expiries (14 days)
 *   POST /face-sheet/:clientId/portal-logins/:loginId/block         Block a representative login, with a reason
 *   POST /face-sheet/:clientId/portal-logins/:loginId/unblock       Unblock (administrators)
 *
 * Block answers 404 unless the agency has the portal and the client and login are the agency's;
 * bad input (no reason) re-renders the window with the message next to the field, 422, nothing written.
 */
import { Hono, type Context } from "hono";
import { z } from "zod";
import type { AppEnv } from "../app";
import { effectiveSettings } from "../db/agency-settings";
import { parseForm } from "../forms/parse";
import { plainText } from "../forms/text";
import { agencyToday } from "../layout/agency-time";
import { ErrorPage } from "../layout/error-page";
import { findPortalClient, findPortalLogin } from "../portal-logins/queries";
import { BLOCK_REASON_MAX, blockInfoOf, blockLogin, unblockLogin } from "./block";
import { upcomingExpiries } from "./expiry";
import { ExpiriesPage, EXPIRIES_PATH } from "./expiries-view";
import { BlockSection } from "./views";
import { Layout } from "../layout/views";

const LOGIN = "/face-sheet/:clientId{[0-9]+}/portal-logins/:loginId{[0-9]+}";

const blockForm = z.object({
  reason: plainText("Reason").trim().min(1, "Enter the reason for blocking (staff see it; the person doesn't).").max(BLOCK_REASON_MAX, `Keep the reason to ${BLOCK_REASON_MAX} characters.`),
});

/** The client and login of the URL, only within the signed-in agency (and its portal). */
async function loadTarget(c: Context<AppEnv>) {
  const agency = c.var.staff.agency;
  if (!agency.portalEnabled) return null;
  const client = await findPortalClient(c.var.db, agency.id, Number(c.req.param("clientId")));
  const login = client && (await findPortalLogin(c.var.db, agency.id, client.id, Number(c.req.param("loginId"))));
  return client && login ? { client, login } : null;
}

const done = (clientId: number, loginId: number, outcome: "blocked" | "unblocked") => `/face-sheet/${clientId}?portal-login=${loginId}&done=${outcome}#client-portal-section`;
const actorOf = (c: Context<AppEnv>) => ({ type: "staff" as const, id: c.var.staff.id, name: c.var.staff.name });

export const representativeRoutes = new Hono<AppEnv>()
  .get(EXPIRIES_PATH, async (c) => {
    const staff = c.var.staff;
    const now = Date.now();
    const rows = await upcomingExpiries(c.var.db, c.env, staff.agency, now);
    return c.html(<ExpiriesPage staff={staff} rows={rows} today={agencyToday(staff.agency.timezone, now)} ageOfMajority={effectiveSettings(c.env, staff.agency).ageOfMajority} />);
  })

  .post(`${LOGIN}/block`, async (c) => {
    const target = await loadTarget(c);
    if (!target) return c.notFound();
    const { client, login } = target;
    const staff = c.var.staff;
    if (!login.representative) {
      return c.html(ErrorPage({ title: "Not a representative", message: "Only a representative's login can be blocked. To stop a client's own login, clear Active in Edit." }), 409);
    }
    const form = parseForm(blockForm, await c.req.parseBody());
    if (!form.ok) {
      const info = await blockInfoOf(c.var.db, staff, client.id, login, { error: form.errors.reason, reason: form.values.reason ?? "" });
      return c.html(
        <Layout title="Block" staff={staff} crumbs={[{ label: "Main Menu", href: "/menu" }, { label: "Face Sheet", href: `/face-sheet/${client.id}` }, { label: "Block" }]}>
          <h1>Block {login.username}</h1>
          <p class="error-summary" role="alert">
            Nothing was saved. Correct the field marked below.
          </p>
          <BlockSection {...info} />
        </Layout>,
        422,
      );
    }
    if (login.blockedAt === null) {
      await blockLogin(c.env, c.var.db, { agencyId: staff.agency.id, clientId: client.id, login, reason: form.data.reason, actor: actorOf(c), staffId: staff.id, now: Date.now() });
    }
    return c.redirect(done(client.id, login.id, "blocked"), 303);
  })

  .post(`${LOGIN}/unblock`, async (c) => {
    const target = await loadTarget(c);
    if (!target) return c.notFound();
    const { client, login } = target;
    if (login.blockedAt !== null) await unblockLogin(c.env, c.var.db, { agencyId: c.var.staff.agency.id, clientId: client.id, login, actor: actorOf(c) });
    return c.redirect(done(client.id, login.id, "unblocked"), 303);
  });
