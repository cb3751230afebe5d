/**
 * Portal passkeys through the Worker's JSON endpoints, driven by the software authenticator
 * (webauthn.authenticator.ts) exactly as public/passkeys.js does in a browser: options →
 * authenticator → verify. Plus a second contracted agency, and what the throttle counted.
 */
import { env } from "cloudflare:test";
import { throttleKeyOf } from "../../src/auth/throttle-keys";
import { ORIGIN } from "./fixtures";
import { PORTAL, PortalBrowser, createSettledLogin, type CreatedLogin } from "./portal.fixtures";
import { SoftwareAuthenticator, type AuthenticationOptions, type RegistrationOptions } from "./webauthn.authenticator";

/** A same-origin JSON POST from a portal tab (the PortalBrowser adds Origin, cookies and address). */
export async function postJson<T = Record<string, unknown>>(b: PortalBrowser, path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ res: Response; data: T }> {
  const res = await b.fetch(path, { method: "POST", body: JSON.stringify(body), headers: { "Content-Type": "application/json", ...headers } });
  const text = await res.text();
  return { res, data: (text.startsWith("{") ? JSON.parse(text) : {}) as T };
}

/** An authenticator for the test origin (http://localhost: RP ID "localhost"). */
export const authenticator = () => new SoftwareAuthenticator(ORIGIN);

/** Registers `auth` as a passkey of the signed-in login at `portal`; returns the verify answer. */
export async function registerPortalPasskey(b: PortalBrowser, auth: SoftwareAuthenticator, name = "My phone", portal = PORTAL) {
  const { data } = await postJson<{ options: RegistrationOptions }>(b, `${portal}/passkeys/options`, { name });
  const response = await auth.register(data.options);
  return postJson<{ redirect?: string; error?: string }>(b, `${portal}/passkeys`, { name, response });
}

/** Sign in with a passkey at `portal`: options, the authenticator's answer, the verify answer. */
export async function portalPasskeySignIn(b: PortalBrowser, auth: SoftwareAuthenticator, portal = PORTAL) {
  const { data } = await postJson<{ options: AuthenticationOptions }>(b, `${portal}/sign-in/passkey/options`, {});
  const response = await auth.authenticate(data.options);
  return { options: data.options, response, ...(await postJson<{ redirect?: string; error?: string }>(b, `${portal}/sign-in/passkey`, { response })) };
}

/** A settled login (own password chosen), signed in on a new tab. */
export async function signedInLogin(spec: Parameters<typeof createSettledLogin>[0] = {}, portal = PORTAL): Promise<{ login: CreatedLogin; b: PortalBrowser }> {
  const login = await createSettledLogin(spec);
  const b = new PortalBrowser();
  const res = await b.signIn(login.username, login.password, portal);
  if (res.status !== 303) throw new Error(`sign-in as ${login.username}: ${res.status}`);
  return { login, b };
}

/** A settled login with one registered passkey, its tab logged out again. */
export async function loginWithPasskey(spec: Parameters<typeof createSettledLogin>[0] = {}, portal = PORTAL) {
  const { login, b } = await signedInLogin(spec, portal);
  const auth = authenticator();
  const { res } = await registerPortalPasskey(b, auth, "My phone", portal);
  if (res.status !== 200) throw new Error(`register: ${res.status}`);
  await b.post(`${portal}/log-out`, {});
  return { login, auth };
}

export interface PortalPasskeyRow {
  id: string;
  login_id: number;
  agency_id: number;
  name: string;
  counter: number;
  transports: string;
  created_at: number;
  last_used_at: number | null;
}

/** A login's stored passkeys, oldest first. */
export async function portalPasskeyRows(loginId: number): Promise<PortalPasskeyRow[]> {
  return (await env.DB.prepare("SELECT * FROM portal_passkeys WHERE login_id = ? ORDER BY created_at, id").bind(loginId).all<PortalPasskeyRow>()).results;
}

/** Outstanding WebAuthn challenges (all purposes and owners). */
export async function challengeCount(): Promise<number> {
  return (await env.DB.prepare("SELECT COUNT(*) AS n FROM webauthn_challenges").first<{ n: number }>())!.n;
}

/** Failed passkey sign-ins counted for an address at the portals (the passkey counter). */
export async function passkeyFailures(ip: string): Promise<number> {
  const key = await throttleKeyOf.address(env, `portal-passkey:v4:${ip}`);
  return (await env.DB.prepare("SELECT failures FROM sign_in_throttle WHERE key = ?").bind(key).first<{ failures: number }>())?.failures ?? 0;
}

let agencies = 0;
/** Another agency contracted for the portal, with one client; its slug, id and client id. */
export async function createPortalAgency(): Promise<{ id: number; slug: string; portal: string; clientId: number }> {
  agencies += 1;
  const slug = `other-${agencies}-${crypto.randomUUID().slice(0, 6)}`;
  const agency = await env.DB.prepare("INSERT INTO agencies (name, slug, portal_enabled, timezone) VALUES (?, ?, 1, 'America/Chicago') RETURNING id")
    .bind(`Other Agency ${agencies}`, slug)
    .first<{ id: number }>();
  const client = await env.DB.prepare(
    `INSERT INTO clients (agency_id, client_number, first_name, last_name, first_name_key, last_name_key, date_of_birth)
     VALUES (?, ?, 'Ola', 'Other', 'ola', 'other', '1990-01-01') RETURNING id`,
  )
    .bind(agency!.id, `O-${agencies}`)
    .first<{ id: number }>();
  return { id: agency!.id, slug, portal: `/portal/${slug}`, clientId: client!.id };
}
