/**
 * Who this site is to WebAuthn: the RP ID (a domain the passkey is bound to) and the origin that
 * pages run on. Production sets them (wrangler.toml [vars]):
 *
 *   WEBAUTHN_RP_ID   e.g. "ehr.example.org" — passkeys work on that host and its subdomains;
 *                    never change it once staff have passkeys (theirs would stop working)
 *   WEBAUTHN_ORIGIN  e.g. "https://ehr.example.org" — the staff app's origin exactly
 *
 * Left empty (as locally) both come from the request: http://localhost:8787 gives RP ID
 * "localhost". Browsers refuse IP addresses as RP IDs: open the app as localhost, not 127.0.0.1.
 */
import type { Context } from "hono";

export interface RelyingParty {
  rpID: string;
  origin: string;
}

/** The RP ID and expected origin for this request. */
export function relyingParty(c: Context): RelyingParty {
  const url = new URL(c.req.url);
  const env = c.env as { WEBAUTHN_RP_ID?: string; WEBAUTHN_ORIGIN?: string };
  return {
    rpID: env.WEBAUTHN_RP_ID || url.hostname,
    origin: env.WEBAUTHN_ORIGIN || url.origin,
  };
}
