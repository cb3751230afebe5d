/**
 * Who this site is to WebAuthn: the RP ID (a domain the passkey is bound to) and the origin that
 * pages run on. The staff app and the Client Portal are each a relying party of their own.
 *
 * Staff app — production sets both (wrangler.toml [vars]):
 *   WEBAUTHN_RP_ID   e.g. "ehr.example.org" — passkeys work on that host and its subdomains;
 *                    never change it once staff have passkeys (theirs would stop working)
 *   WEBAUTHN_ORIGIN  e.g. "https://ehr.example.org" — the staff app's origin exactly
 * Left empty (as locally) both come from the request.
 *
 * Client Portal — PORTAL_ORIGIN (required when deployed, see src/portal-logins/portal-url.ts)
 * is the origin, and its host the RP ID: a portal passkey is bound to the portal's host, for every
 * agency's /portal/<slug> alike (the passkey's row names its agency). Empty (as locally) they come
 * from the request. Never change PORTAL_ORIGIN's host once clients have passkeys.
 *
 * Locally http://localhost:8787 gives RP ID "localhost". Browsers refuse IP addresses as RP IDs:
 * open the app as localhost, not 127.0.0.1.
 */
import type { Context } from "hono";
import { parsePortalOrigin } from "../portal-logins/portal-url";

export interface RelyingParty {
  rpID: string;
  origin: string;
}

/** The staff app's RP ID and expected origin for this request. */
export function relyingParty(c: Context): RelyingParty {
  const url = new URL(c.req.url);
  const env = c.env as { WEBAUTHN_RP_ID?: string; WEBAUTHN_ORIGIN?: string };
  return {
    rpID: env.WEBAUTHN_RP_ID || url.hostname,
    origin: env.WEBAUTHN_ORIGIN || url.origin,
  };
}

/** The Client Portal's RP ID and expected origin: PORTAL_ORIGIN when set, else the request's. */
export function portalRelyingParty(c: Context): RelyingParty {
  const configured = ((c.env as { PORTAL_ORIGIN?: string }).PORTAL_ORIGIN ?? "").trim();
  const origin = configured ? parsePortalOrigin(configured) : new URL(c.req.url).origin;
  return { rpID: new URL(origin).hostname, origin };
}
