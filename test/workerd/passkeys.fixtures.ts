/**
 * Passkey ceremonies through the Worker's JSON endpoints, driven by the software authenticator:
 * options → authenticator → verify, exactly as public/passkeys.js does in a browser.
 */
import { env } from "cloudflare:test";
import { bucketOf, throttleKeyOf } from "../../src/auth/throttle-keys";
import type { Browser } from "./fixtures";
import { ORIGIN } from "./fixtures";
import { throttleCounter } from "./throttle.fixtures";
import { SoftwareAuthenticator, type AuthenticationOptions, type RegistrationOptions } from "./webauthn.authenticator";

/** A same-origin JSON POST (the Browser adds Origin and cookies). */
export async function postJson<T = Record<string, unknown>>(b: Browser, path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ res: Response; data: T }> {
  const res = await b.fetch(path, { method: "POST", body: JSON.stringify(body), headers: { "Content-Type": "application/json", ...headers } });
  return { res, data: (await res.json()) as T };
}

/** An authenticator for this test origin (http://localhost, RP ID "localhost"). */
export const authenticator = () => new SoftwareAuthenticator(ORIGIN);

/** Registers `auth` as a passkey for the signed-in member; returns the verify answer. */
export async function registerPasskey(b: Browser, auth: SoftwareAuthenticator, name = "Work laptop", paths = { options: "/account/passkeys/options", verify: "/account/passkeys" }) {
  const { data } = await postJson<{ options: RegistrationOptions }>(b, paths.options, { name });
  const response = await auth.register(data.options);
  return postJson<{ redirect?: string; error?: string }>(b, paths.verify, { name, response });
}

/** Signs in with `auth` alone (Sign in with a passkey). */
export async function passkeySignIn(b: Browser, auth: SoftwareAuthenticator, opts: { next?: string; ip?: string } = {}) {
  const headers: Record<string, string> = opts.ip ? { "CF-Connecting-IP": opts.ip } : {};
  const { data } = await postJson<{ options: AuthenticationOptions }>(b, "/sign-in/passkey/options", {}, headers);
  const response = await auth.authenticate(data.options);
  return { options: data.options, response, ...(await postJson<{ redirect?: string; error?: string }>(b, "/sign-in/passkey", { response, next: opts.next }, headers)) };
}

/** The member's stored passkeys. */
export async function passkeyRows(staffId: number) {
  return (
    await env.DB.prepare("SELECT id, name, counter, transports, created_at, last_used_at FROM staff_passkeys WHERE staff_id = ? ORDER BY created_at")
      .bind(staffId)
      .all<{ id: string; name: string; counter: number; transports: string; created_at: number; last_used_at: number | null }>()
  ).results;
}

/** Outstanding challenges (all purposes). */
export async function challengeCount(): Promise<number> {
  return (await env.DB.prepare("SELECT COUNT(*) AS n FROM webauthn_challenges").first<{ n: number }>())!.n;
}

/** Failures counted against an address: its counter across every kind of guess, and passkey sign-in's own. */
export async function addressFailures(ip: string): Promise<{ address: number; passkeySignIn: number }> {
  const [address, passkey] = await Promise.all([throttleCounter.address(ip), throttleCounter.passkeySignIn(ip)]);
  return { address: address?.failures ?? 0, passkeySignIn: passkey?.failures ?? 0 };
}
