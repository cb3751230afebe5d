/** @jsxImportSource hono/jsx */
/**
 * The Client Portal section as the Face Sheet page includes it, and the data behind it. Its reads
 * are plain queries (`sectionQueries`) so the Face Sheet can send them in its own one batch: the
 * page, section included, costs one D1 round trip after the session check.
 */
import type { Context } from "hono";
import type { AppEnv } from "../app";
import type { Db } from "../db";
import type { PortalEmail, PortalLogin } from "../db/schema";
import { effectiveSettings } from "../db/agency-settings";
import { clientLinksQuery, linksFromRows, type LinkState } from "../clients/portal-links";
import { portalLinkSettings } from "../clients/portal-link-settings";
import { outcomeMessage, OUTCOMES, REFUSED_CLEARED_PARAM, type Outcome } from "./messages";
import { agencyPortalUrl } from "./portal-url";
import { clientEmailsQuery, clientPasskeyCountsQuery, passkeyCounts } from "./email-history";
import { portalLoginsQuery } from "./queries";
import { linkedLoginsFromRows, linkedLoginsQuery, type LinkedLoginRow } from "../families/queries";
import { recordsFromRows, recordsOfClientQuery, type ClientRecord } from "../representatives/queries";
import { agencyToday } from "../layout/agency-time";
import { ClientPortalSection, type SectionData, type StatusMessage } from "./views";

/** The section's reads for one client of the agency, to send in one batch (see sectionFromRows). */
export function sectionQueries(db: Db, agency: { id: number; timezone: string }, clientId: number) {
  const agencyId = agency.id;
  return [
    portalLoginsQuery(db, agencyId, clientId),
    clientEmailsQuery(db, agencyId, clientId),
    clientPasskeyCountsQuery(db, agencyId, clientId),
    clientLinksQuery(db, agencyId, clientId),
    linkedLoginsQuery(db, agencyId, clientId),
    // Whether 42 CFR Part 2 lets each representative in today (the agency's date).
    recordsOfClientQuery(db, agencyId, clientId, agencyToday(agency.timezone)),
  ] as const;
}

/** What sectionQueries' batch returns, in order. */
export type SectionRows = [
  PortalLogin[],
  PortalEmail[],
  { loginId: number; n: number }[],
  ({ loginId: number } & LinkState)[],
  LinkedLoginRow[],
  ClientRecord[],
];

/** The client as the section needs it (its date of birth: the minors rules). */
export type SectionClient = { id: number; refusedPortalLogin: boolean; dateOfBirth: string };

/** The section's data from its batch's rows. */
export function sectionFromRows(c: Context<AppEnv>, client: SectionClient, rows: SectionRows): SectionData {
  const agency = c.var.staff.agency;
  const [logins, emails, passkeys, links, linked, records] = rows;
  const settings = effectiveSettings(c.env, agency);
  return {
    clientId: client.id,
    refusedPortalLogin: client.refusedPortalLogin,
    portalUrl: agencyPortalUrl(effectiveSettings(c.env, agency), c.req.url, agency.slug),
    logins,
    emails,
    passkeys: passkeyCounts(
      logins.map((l) => l.id),
      passkeys,
    ),
    links: linksFromRows(links),
    lockHoldMs: portalLinkSettings(c.env, agency).lockHoldMs,
    now: Date.now(),
    timezone: agency.timezone,
    role: c.var.staff.role,
    linked: linkedLoginsFromRows(linked),
    records: recordsFromRows(records),
    clientDateOfBirth: client.dateOfBirth,
    today: agencyToday(agency.timezone),
    minors: { minorOwnLoginAge: settings.minorOwnLoginAge, ageOfMajority: settings.ageOfMajority },
  };
}

/** Everything the section shows for this client of the signed-in agency (one D1 round trip). */
export async function loadSectionData(c: Context<AppEnv>, client: SectionClient): Promise<SectionData> {
  const db = c.var.db;
  const rows = await db.batch(sectionQueries(db, c.var.staff.agency, client.id));
  return sectionFromRows(c, client, rows as unknown as SectionRows);
}

/** The outcome named in the query after a no-JavaScript Save (`?portal-login=<id>&done=<outcome>`), from the client's logins. */
function messageFromQuery(c: Context<AppEnv>, logins: PortalLogin[]): StatusMessage | undefined {
  const done = c.req.query("done");
  const loginId = Number(c.req.query("portal-login"));
  if (!OUTCOMES.includes(done as Outcome) || !Number.isSafeInteger(loginId)) return undefined;
  const login = logins.find((l) => l.id === loginId);
  return login ? outcomeMessage(done as Outcome, login, [], c.req.query(REFUSED_CLEARED_PARAM) !== undefined) : undefined;
}

/** The section from data already read (the Face Sheet's batch). */
export function clientPortalSectionOf(c: Context<AppEnv>, data: SectionData) {
  return <ClientPortalSection {...data} message={messageFromQuery(c, data.logins)} />;
}

/**
 * The Client Portal section for a client's Face Sheet page, or null when the signed-in agency is
 * not contracted for the portal (the section is then absent).
 */
export async function clientPortalSection(c: Context<AppEnv>, client: SectionClient) {
  if (!c.var.staff.agency.portalEnabled) return null;
  return clientPortalSectionOf(c, await loadSectionData(c, client));
}
