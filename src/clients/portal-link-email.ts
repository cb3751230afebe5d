/**
 * Emailing a portal link just issued, and recording whether it went out: in the login's Email
 * history (sendPortalEmail: kind 'invitation' or 'reset', address and expiry, never the link) and
 * on the login itself. A failed send leaves the login marked "Email not sent" for staff, never
 * silently lost.
 */
import { portalLinkEmail } from "../email/portal-links";
import { sendPortalEmail } from "../email/portal-mail";
import type { Db } from "../db";
import { formatAgencyDateTime, zoneName } from "../layout/agency-time";
import { errorText } from "../observability/error-text";
import { durationText, type PortalLinkPurpose } from "./portal-link-settings";
import { recordLinkEmailDelivery, type IssuedLink } from "./portal-links";

/** A link's URL: `<Agency Portal URL>/link/<secret>`. */
export const portalLinkUrl = (portalUrl: string, token: string) => `${portalUrl}/link/${token}`;

/**
 * Sends the link to the login's Portal User Email and records the outcome on the login (only
 * while this link is the live one). Never throws; a failure is logged without address or link.
 */
export async function emailPortalLink(
  env: Env,
  db: Db,
  req: {
    purpose: PortalLinkPurpose;
    agency: { id: number; name: string; timezone: string };
    portalUrl: string;
    login: { id: number; clientId: number; username: string; email: string; representative: boolean };
    link: IssuedLink;
    lifetimeMs: number;
    /** A Resend from the Email history: the email first sent. */
    resendOf?: number | null;
    /** A reset link staff sent again (not one the user just asked for): the email says so. */
    sentByAgency?: boolean;
  },
): Promise<"sent" | "failed"> {
  const { agency, login, link } = req;
  const message = portalLinkEmail({
    kind: req.purpose,
    to: login.email,
    agencyName: agency.name,
    portalUrl: req.portalUrl,
    username: login.username,
    link: portalLinkUrl(req.portalUrl, link.token),
    validFor: durationText(req.lifetimeMs),
    expiresAt: `${formatAgencyDateTime(link.expiresAt, agency.timezone)} (${zoneName(agency.timezone)})`,
    representative: login.representative,
    sentByAgency: req.sentByAgency,
  });
  const { status } = await sendPortalEmail(env, db, {
    agencyId: agency.id,
    clientId: login.clientId,
    loginId: login.id,
    kind: req.purpose === "invite" ? "invitation" : "reset",
    ...message,
    expiresAt: link.expiresAt,
    resendOf: req.resendOf ?? null,
  });
  try {
    await recordLinkEmailDelivery(db, { agencyId: agency.id, loginId: login.id, tokenHash: link.tokenHash, status });
  } catch (err) {
    console.error(`portal login ${login.id}: email outcome not recorded: ${errorText(err)}`);
  }
  return status;
}
