/**
 * What every Portal Login route reads from its request: the client and login of the URL (null
 * when the agency has no portal or they are not its own, so the route answers 404), the agency's
 * settings in force, the portal's address, and who is acting. Also emailing an invitation link,
 * which the add, edit and Resend invitation routes all do.
 */
import type { Context } from "hono";
import type { AppEnv } from "../app";
import { effectiveSettings } from "../db/agency-settings";
import { emailPortalLink } from "../clients/portal-link-email";
import { portalLinkSettings } from "../clients/portal-link-settings";
import type { IssuedLink } from "../clients/portal-links";
import type { PortalLogin } from "../db/schema";
import { agencyToday } from "../layout/agency-time";
import { agencyPortalUrl } from "./portal-url";
import { findPortalClient, findPortalLogin, type PortalClient } from "./queries";

/** A client's portal logins: the section, and a new login (add-routes.tsx). */
export const CLIENT_ROUTE = "/face-sheet/:clientId{[0-9]+}/portal-logins";
/** One login of the client: Edit (edit-routes.tsx) and the resends (resend-routes.tsx). */
export const LOGIN_ROUTE = `${CLIENT_ROUTE}/:loginId{[0-9]+}`;

/** The client of the URL, when the agency has the portal and the client is the agency's. */
export async function loadClient(c: Context<AppEnv>): Promise<PortalClient | null> {
  if (!c.var.staff.agency.portalEnabled) return null;
  const id = Number(c.req.param("clientId"));
  if (!Number.isSafeInteger(id)) return null;
  return findPortalClient(c.var.db, c.var.staff.agency.id, id);
}

/** The login of the URL, when it is this client's. */
export async function loadLogin(c: Context<AppEnv>, client: PortalClient): Promise<PortalLogin | null> {
  const id = Number(c.req.param("loginId"));
  if (!Number.isSafeInteger(id)) return null;
  return findPortalLogin(c.var.db, c.var.staff.agency.id, client.id, id);
}

/** Emails an invitation link staff just issued; the login then reads "Email sent" or "Email not sent". */
export function emailInvitation(c: Context<AppEnv>, portalUrl: string, login: PortalLogin, link: IssuedLink) {
  return emailPortalLink(c.env, c.var.db, {
    purpose: "invite",
    agency: c.var.staff.agency,
    portalUrl,
    login,
    link,
    lifetimeMs: linkSettingsOf(c).lifetimeMs.invite,
  });
}

/** The agency's link settings (invitation lifetime, default credential method). */
export const linkSettingsOf = (c: Context<AppEnv>) => portalLinkSettings(c.env, c.var.staff.agency);
/** The method the window offers first (the agency's Default credential method setting). */
export const defaultMethod = (c: Context<AppEnv>) => linkSettingsOf(c).defaultCredentialMethod;

/** The agency's today (YYYY-MM-DD, its time zone): record dates and ages are read against it. */
export const todayOf = (c: Context<AppEnv>) => agencyToday(c.var.staff.agency.timezone);

/** The signed-in staff member, as the log records who made a change. */
export const actorOf = (c: Context<AppEnv>) => ({ type: "staff" as const, id: c.var.staff.id, name: c.var.staff.name });
/** The agency's settings in force (read with the session on this request: a change applies at once). */
export const settingsOf = (c: Context<AppEnv>) => effectiveSettings(c.env, c.var.staff.agency);
/** The portal's address for this agency, as emails give it (a deployment without a portal origin refuses: portal-url.ts). */
export const portalUrlOf = (c: Context<AppEnv>) => agencyPortalUrl(settingsOf(c), c.req.url, c.var.staff.agency.slug);
