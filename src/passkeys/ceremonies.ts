/**
 * The two WebAuthn ceremonies, through @simplewebauthn/server, with this app's rules:
 * - registration asks for a discoverable credential (a passkey) with user verification, attestation
 *   "none" (we trust the passkey, not a make of authenticator), ES256/EdDSA/RS256;
 * - every response must carry a challenge this server issued for that purpose and member, still
 *   unexpired, which it deletes on first use; the origin and RP ID must be ours;
 * - a sign-in moves the passkey's signature counter forward in a conditional UPDATE.
 * Failures come back as a plain message for the person; the detail is never shown or logged.
 */
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransport,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from "@simplewebauthn/server";
import { decodeBase64urlIgnorePadding, encodeBase64urlNoPadding } from "@oslojs/encoding";
import { z } from "zod";
import type { Db } from "../db";
import type { StaffRef } from "../auth/second-step";
import { challengeOf, consumeChallenge, issueChallenge, type ChallengePurpose } from "./challenges";
import { findPasskey, insertPasskey, listPasskeys, recordPasskeyUse, type PasskeyRow } from "./queries";
import type { RelyingParty } from "./relying-party";
import { isUserHandleOf, userHandle } from "./user-handle";

/** EdDSA, ES256, RS256: what passkey providers use (ES256 nearly everywhere). */
const ALGORITHMS = [-8, -7, -257];
const TIMEOUT_MS = 120_000;
const TRANSPORTS = new Set(["ble", "cable", "hybrid", "internal", "nfc", "smart-card", "usb"]);

const b64url = z.string().max(16_384).regex(/^[A-Za-z0-9_-]*$/);
const credentialId = z.string().min(1).max(1_400).regex(/^[A-Za-z0-9_-]+$/);

const registrationResponse = z.looseObject({
  id: credentialId,
  rawId: credentialId,
  type: z.literal("public-key"),
  response: z.looseObject({
    clientDataJSON: b64url,
    attestationObject: b64url,
    transports: z.array(z.string().max(32)).max(16).optional(),
  }),
  clientExtensionResults: z.looseObject({}),
});

const authenticationResponse = z.looseObject({
  id: credentialId,
  rawId: credentialId,
  type: z.literal("public-key"),
  response: z.looseObject({
    clientDataJSON: b64url,
    authenticatorData: b64url,
    signature: b64url,
    userHandle: b64url.optional(),
  }),
  clientExtensionResults: z.looseObject({}),
});

export type CeremonyResult<T> = { ok: true; value: T } | { ok: false; message: string };

const NOT_ACCEPTED = "That passkey wasn't accepted. Try again.";
const EXPIRED = "That took too long or was already used. Try again.";

/** The member a passkey is for, as the authenticator will show them. */
export interface PasskeyHolder extends StaffRef {
  email: string;
  name: string;
  agencyName: string;
}

/** Options for navigator.credentials.create(): a new passkey for this member. */
export async function registrationOptions(db: Db, env: Env, rp: RelyingParty, holder: PasskeyHolder, now: number): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const existing = await listPasskeys(db, holder);
  return generateRegistrationOptions({
    rpName: holder.agencyName,
    rpID: rp.rpID,
    userName: holder.email,
    userDisplayName: holder.name,
    userID: await userHandle(env.TWO_FACTOR_KEY, holder.id),
    challenge: await issueChallenge(db, "register", holder.id, now),
    timeout: TIMEOUT_MS,
    attestationType: "none",
    excludeCredentials: existing.map((p) => ({ id: p.id, transports: transportsOf(p) })),
    authenticatorSelection: { residentKey: "required", requireResidentKey: true, userVerification: "required" },
    supportedAlgorithmIDs: ALGORITHMS,
  });
}

/** Checks a registration response and stores the new passkey under `name`; returns its ID. */
export async function completeRegistration(db: Db, rp: RelyingParty, holder: StaffRef, body: unknown, name: string, now: number): Promise<CeremonyResult<string>> {
  const parsed = registrationResponse.safeParse(body);
  if (!parsed.success) return { ok: false, message: NOT_ACCEPTED };
  const response = parsed.data as unknown as RegistrationResponseJSON;
  const challenge = challengeOf(response.response.clientDataJSON);
  if (!challenge || !(await consumeChallenge(db, challenge, "register", holder.id, now))) return { ok: false, message: EXPIRED };
  let verification;
  try {
    verification = await verifyRegistrationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.rpID,
      requireUserVerification: true,
      supportedAlgorithmIDs: ALGORITHMS,
    });
  } catch {
    return { ok: false, message: NOT_ACCEPTED };
  }
  if (!verification.verified) return { ok: false, message: NOT_ACCEPTED };
  const { credential } = verification.registrationInfo;
  const stored = await insertPasskey(
    db,
    holder,
    {
      id: credential.id,
      name,
      publicKey: encodeBase64urlNoPadding(credential.publicKey),
      counter: credential.counter,
      transports: (response.response.transports ?? []).filter((t) => TRANSPORTS.has(t)),
    },
    now,
  );
  if (!stored) return { ok: false, message: "That passkey is already registered." };
  return { ok: true, value: credential.id };
}

/**
 * Options for navigator.credentials.get(). For passkey sign-in (no member yet) any of this
 * site's passkeys may answer and user verification is required: the passkey is both factors.
 * As a second step after the password, only the member's own passkeys are offered.
 */
export async function authenticationOptions(db: Db, rp: RelyingParty, purpose: Exclude<ChallengePurpose, "register">, staff: StaffRef | null, now: number): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const allow = staff ? (await listPasskeys(db, staff)).map((p) => ({ id: p.id, transports: transportsOf(p) })) : undefined;
  return generateAuthenticationOptions({
    rpID: rp.rpID,
    challenge: await issueChallenge(db, purpose, staff?.id ?? null, now),
    timeout: TIMEOUT_MS,
    allowCredentials: allow,
    userVerification: purpose === "sign-in" ? "required" : "preferred",
  });
}

/**
 * Checks an authentication response: the challenge (single use), that the passkey exists — and,
 * as a second step, is this member's — the signature, origin, RP ID and (for passkey sign-in)
 * user verification; then moves the counter on. Returns the passkey's owner.
 */
export async function completeAuthentication(
  db: Db,
  env: Env,
  rp: RelyingParty,
  purpose: Exclude<ChallengePurpose, "register">,
  staff: StaffRef | null,
  body: unknown,
  now: number,
): Promise<CeremonyResult<StaffRef>> {
  const parsed = authenticationResponse.safeParse(body);
  if (!parsed.success) return { ok: false, message: NOT_ACCEPTED };
  const response = parsed.data as unknown as AuthenticationResponseJSON;
  const challenge = challengeOf(response.response.clientDataJSON);
  if (!challenge || !(await consumeChallenge(db, challenge, purpose, staff?.id ?? null, now))) return { ok: false, message: EXPIRED };
  const passkey = await findPasskey(db, response.id);
  if (!passkey || (staff && (passkey.staffId !== staff.id || passkey.agencyId !== staff.agencyId))) return { ok: false, message: NOT_ACCEPTED };
  const handle = response.response.userHandle;
  if (handle && !(await isUserHandleOf(env.TWO_FACTOR_KEY, passkey.staffId, handle))) return { ok: false, message: NOT_ACCEPTED };
  let verification;
  try {
    verification = await verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.rpID,
      credential: { id: passkey.id, publicKey: new Uint8Array(decodeBase64urlIgnorePadding(passkey.publicKey)), counter: passkey.counter, transports: transportsOf(passkey) },
      requireUserVerification: purpose === "sign-in",
    });
  } catch {
    return { ok: false, message: NOT_ACCEPTED };
  }
  if (!verification.verified) return { ok: false, message: NOT_ACCEPTED };
  const recorded = await recordPasskeyUse(db, passkey.id, passkey.staffId, passkey.counter, verification.authenticationInfo.newCounter, now);
  if (!recorded) return { ok: false, message: NOT_ACCEPTED };
  return { ok: true, value: { id: passkey.staffId, agencyId: passkey.agencyId } };
}

function transportsOf(p: PasskeyRow): AuthenticatorTransport[] {
  try {
    const list = JSON.parse(p.transports) as unknown;
    return Array.isArray(list) ? (list.filter((t) => typeof t === "string" && TRANSPORTS.has(t)) as AuthenticatorTransport[]) : [];
  } catch {
    return [];
  }
}
