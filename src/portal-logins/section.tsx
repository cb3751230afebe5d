/** @jsxImportSource hono/jsx */
/**
 * The Client Portal section as the Face Sheet page includes it, and the data behind it.
 */
import type { Context } from "hono";
import type { AppEnv } from "../app";
import { effectiveSettings } from "../db/agency-settings";
import { linksOfLogins } from "../clients/portal-links";
import { portalLinkSettings } from "../clients/portal-link-settings";
import { outcomeMessage, OUTCOMES, REFUSED_CLEARED_PARAM, type Outcome } from "./messages";
import { agencyPortalUrl } from "./portal-url";
import { countPortalPasskeys, listClientEmails } from "./email-history";
import { findPortalClient, findPortalLogin, listPortalLogins } from "./queries";
import { linkedLoginsOf } from "../families/queries";
import { recordsOfClient } from "../representatives/queries";
import { agencyToday } from "../layout/agency-time";
import { ClientPortalSection, type SectionData, type StatusMessage } from "./views";

/** Everything the section shows for this client of the signed-in agency. */
export async function loadSectionData(c: Context<AppEnv>, client: { id: number; refusedPortalLogin: boolean }): Promise<SectionData> {
  const agency = c.var.staff.agency;
  const [logins, emails, linked, records, found] = await Promise.all([
    listPortalLogins(c.var.db, agency.id, client.id),
    listClientEmails(c.var.db, agency.id, client.id),
    linkedLoginsOf(c.var.db, agency.id, client.id),
    recordsOfClient(c.var.db, agency.id, client.id, agencyToday(agency.timezone)),
    findPortalClient(c.var.db, agency.id, client.id),
  ]);
  const settings = effectiveSettings(c.env, agency);
  const ids = logins.map((l) => l.id);
  return {
    clientId: client.id,
    refusedPortalLogin: client.refusedPortalLogin,
    portalUrl: agencyPortalUrl(effectiveSettings(c.env, agency), c.req.url, agency.slug),
    logins,
    emails,
    passkeys: await countPortalPasskeys(c.var.db, agency.id, ids),
    links: await linksOfLogins(c.var.db, agency.id, ids),
    lockHoldMs: portalLinkSettings(c.env, agency).lockHoldMs,
    now: Date.now(),
    timezone: agency.timezone,
    role: c.var.staff.role,
    linked,
    records,
    clientDateOfBirth: found?.dateOfBirth ?? "1900-01-01",
    today: agencyToday(agency.timezone),
    minors: { minorOwnLoginAge: settings.minorOwnLoginAge, ageOfMajority: settings.ageOfMajority },
  };
}

/** The outcome named in the query after a no-JavaScript Save (`?portal-login=<id>&done=<outcome>`). */
async function messageFromQuery(c: Context<AppEnv>, clientId: number): Promise<StatusMessage | undefined> {
  const done = c.req.query("done");
  const loginId = Number(c.req.query("portal-login"));
  if (!OUTCOMES.includes(done as Outcome) || !Number.isSafeInteger(loginId)) return undefined;
  const login = await findPortalLogin(c.var.db, c.var.staff.agency.id, clientId, loginId);
  return login ? outcomeMessage(done as Outcome, login, [], c.req.query(REFUSED_CLEARED_PARAM) !== undefined) : undefined;
}

/**
 * The Client Portal section for a client's Face Sheet page, or null when the signed-in agency is
 * not contracted for the portal (the section is then absent).
 */
export async function clientPortalSection(c: Context<AppEnv>, client: { id: number; refusedPortalLogin: boolean }) {
  if (!c.var.staff.agency.portalEnabled) return null;
  const [data, message] = await Promise.all([loadSectionData(c, client), messageFromQuery(c, client.id)]);
  return <ClientPortalSection {...data} message={message} />;
}
