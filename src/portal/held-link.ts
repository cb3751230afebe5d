/**
 * The emailed link this browser holds (in the link cookie, link-cookie.ts), as every step of a
 * link's pages reads it: only if the link can still be used (or is only locked), and whether this
 * browser answered its date of birth.
 */
import type { Context } from "hono";
import { findPortalLink, type PortalLink } from "../clients/portal-links";
import { hasDobProof, readLinkCookie } from "./link-cookie";
import type { PortalEnv } from "./portal-session";

export interface HeldPortalLink {
  link: PortalLink;
  /** The link's secret, from the cookie (never shown). */
  token: string;
  /** The cookie carries this link's date-of-birth proof. */
  dobAnswered: boolean;
}

/** The link this browser holds, if it can still be used, and whether its date of birth was answered. */
export async function heldLink(c: Context<PortalEnv>): Promise<HeldPortalLink | null> {
  const held = readLinkCookie(c);
  if (!held) return null;
  const link = await findPortalLink(c.var.db, c.var.agency.id, held.token, Date.now());
  if (!link) return null;
  return { link, token: held.token, dobAnswered: await hasDobProof(c.env, link.tokenHash, held.proof) };
}
