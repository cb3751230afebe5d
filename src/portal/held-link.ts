/**
 * The emailed link this browser holds (in the link cookie, link-cookie.ts), as every step of a
 * link's pages reads it: only if the link can still be used (or is only locked), and whether this
 * browser answered its date of birth.
 */
import type { Context } from "hono";
import { findPortalLink, type PortalLink } from "../clients/portal-links";
import { hasDobProof, readLinkCookie } from "./link-cookie";
import type { PortalEnv } from "./portal-session";
import { linksInForce } from "../families/links-in-force";
import type { AccessDenial } from "../representatives/access";

export interface HeldPortalLink {
  link: PortalLink;
  /** The link's secret, from the cookie (never shown). */
  token: string;
  /** The cookie carries this link's date-of-birth proof. */
  dobAnswered: boolean;
  /** The access rule refuses the link's login (src/representatives/access.ts): why. */
  denied?: AccessDenial;
}

/**
 * The access rule for a link's login: a link is no way around an end date, a majority birthday, a
 * block or a revoked consent. It holds while the login may act for at least one client
 * (src/families/links-in-force.ts). Null when access holds.
 */
export async function accessDenied(c: Context<PortalEnv>, link: PortalLink): Promise<AccessDenial | null> {
  const { links, denied } = await linksInForce(c.var.db, c.env, c.var.agency, link.login.id);
  return links.length > 0 ? null : (denied ?? "inactive");
}

/** The link this browser holds, if it can still be used, and whether its date of birth was answered. */
export async function heldLink(c: Context<PortalEnv>): Promise<HeldPortalLink | null> {
  const held = readLinkCookie(c);
  if (!held) return null;
  const link = await findPortalLink(c.var.db, c.var.agency.id, held.token, Date.now());
  if (!link) return null;
  const denied = (await accessDenied(c, link)) ?? undefined;
  return { link, token: held.token, dobAnswered: await hasDobProof(c.env, link.tokenHash, held.proof), denied };
}
