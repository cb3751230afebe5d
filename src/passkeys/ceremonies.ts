/**
 * The two WebAuthn ceremonies, through @simplewebauthn/server, with this app's rules — for staff
 * members and portal logins alike (an owner or sign-in scope says whose; owner.ts):
 * - registration asks for a discoverable credential (a passkey) with user verification, attestation
 *   "none" (we trust the passkey, not a make of authenticator), ES256/EdDSA/RS256;
 * - every response must carry a challenge this server issued for that purpose and owner, still
 *   unexpired, which it deletes on first use; the origin and RP ID must be ours;
 * - a sign-in moves the passkey's signature counter forward in a conditional UPDATE (at once, or
 *   in the caller's own batch: verifyAuthentication then completeAuthentication's parts).
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
import { challengeOf, consumeChallenge, issueChallenge, type ChallengePurpose, type RegisterPurpose } from "./challenges";
import type { PasskeyOwner, SignInScope } from "./owner";
import { findPasskey, insertPasskey, listPasskeys, recordPasskeyUse, type NewPasskeyRow, type PasskeyRow, type PasskeyUse } from "./queries";
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

/** The owner a new passkey is for, as the authenticator will show them. */
export interface PasskeyHolder extends PasskeyOwner {
  /** The account's name in the passkey picker (a staff email, a Portal Username). */
  userName: string;
  displayName: string;
  /** The site's name in the passkey picker. */
  rpName: string;
}

const scopeOf = (who: PasskeyOwner | SignInScope): SignInScope => (who.kind === "staff" ? { kind: "staff" } : { kind: "portal", agencyId: who.agencyId });
const isOwner = (who: PasskeyOwner | SignInScope): who is PasskeyOwner => "id" in who;

/** Options for navigator.credentials.create(): a new passkey for this owner. */
export async function registrationOptions(
  db: Db,
  env: Env,
  rp: RelyingParty,
  holder: PasskeyHolder,
  now: number,
  purpose: RegisterPurpose = "register",
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const owner: PasskeyOwner = { kind: holder.kind, id: holder.id, agencyId: holder.agencyId };
  const existing = await listPasskeys(db, owner);
  return generateRegistrationOptions({
    rpName: holder.rpName,
    rpID: rp.rpID,
    userName: holder.userName,
    userDisplayName: holder.displayName,
    userID: await userHandle(env.TWO_FACTOR_KEY, owner),
    challenge: await issueChallenge(db, purpose, owner, now),
    timeout: TIMEOUT_MS,
    attestationType: "none",
    excludeCredentials: existing.map((p) => ({ id: p.id, transports: transportsOf(p) })),
    authenticatorSelection: { residentKey: "required", requireResidentKey: true, userVerification: "required" },
    supportedAlgorithmIDs: ALGORITHMS,
  });
}

/** A passkey that passed registration, ready to store (insertPasskey, or insertPasskeyStatement in a batch). */
export type NewPasskey = NewPasskeyRow;

/**
 * Checks a registration response (challenge issued to this owner, single use; origin, RP ID, user
 * verification, algorithm) without storing anything but the spent challenge; returns the passkey
 * to store under `name`. `purpose` must be the one the options were issued for.
 */
export async function verifyRegistration(
  db: Db,
  rp: RelyingParty,
  owner: PasskeyOwner,
  body: unknown,
  name: string,
  now: number,
  purpose: RegisterPurpose = "register",
): Promise<CeremonyResult<NewPasskey>> {
  const parsed = registrationResponse.safeParse(body);
  if (!parsed.success) return { ok: false, message: NOT_ACCEPTED };
  const response = parsed.data as unknown as RegistrationResponseJSON;
  const challenge = challengeOf(response.response.clientDataJSON);
  if (!challenge || !(await consumeChallenge(db, challenge, purpose, owner, now))) return { ok: false, message: EXPIRED };
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
  return {
    ok: true,
    value: {
      id: credential.id,
      name,
      publicKey: encodeBase64urlNoPadding(credential.publicKey),
      counter: credential.counter,
      transports: (response.response.transports ?? []).filter((t) => TRANSPORTS.has(t)),
    },
  };
}

/** The answer when a verified passkey's credential ID is already stored. */
export const ALREADY_REGISTERED = "That passkey is already registered.";

/** verifyRegistration, then the passkey stored at once under `name`; returns its ID. */
export async function completeRegistration(db: Db, rp: RelyingParty, owner: PasskeyOwner, body: unknown, name: string, now: number): Promise<CeremonyResult<string>> {
  const verified = await verifyRegistration(db, rp, owner, body, name, now);
  if (!verified.ok) return verified;
  if (!(await insertPasskey(db, owner, verified.value, now))) return { ok: false, message: ALREADY_REGISTERED };
  return { ok: true, value: verified.value.id };
}

/**
 * Options for navigator.credentials.get(). For passkey sign-in (a scope: no owner yet) any of the
 * scope's passkeys may answer and user verification is required: the passkey is both factors.
 * As a second step after the password (an owner), only the owner's own passkeys are offered.
 */
export async function authenticationOptions(
  db: Db,
  rp: RelyingParty,
  purpose: Exclude<ChallengePurpose, RegisterPurpose>,
  who: PasskeyOwner | SignInScope,
  now: number,
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const allow = isOwner(who) ? (await listPasskeys(db, who)).map((p) => ({ id: p.id, transports: transportsOf(p) })) : undefined;
  return generateAuthenticationOptions({
    rpID: rp.rpID,
    challenge: await issueChallenge(db, purpose, who, now),
    timeout: TIMEOUT_MS,
    allowCredentials: allow,
    userVerification: purpose === "sign-in" ? "required" : "preferred",
  });
}

/**
 * Checks an authentication response without recording it: the challenge (single use, issued for
 * this purpose and owner or scope), that the passkey exists in the scope — and, given an owner,
 * is theirs — the user handle, the signature, origin, RP ID and (for passkey sign-in) user
 * verification. Returns the use to record; the caller records it (recordPasskeyUse, or
 * passkeyUseStatement in its own batch), which refuses a replayed or cloned counter.
 */
export async function verifyAuthentication(
  db: Db,
  env: Env,
  rp: RelyingParty,
  purpose: Exclude<ChallengePurpose, RegisterPurpose>,
  who: PasskeyOwner | SignInScope,
  body: unknown,
  now: number,
): Promise<CeremonyResult<PasskeyUse & { name: string }>> {
  const parsed = authenticationResponse.safeParse(body);
  if (!parsed.success) return { ok: false, message: NOT_ACCEPTED };
  const response = parsed.data as unknown as AuthenticationResponseJSON;
  const challenge = challengeOf(response.response.clientDataJSON);
  if (!challenge || !(await consumeChallenge(db, challenge, purpose, who, now))) return { ok: false, message: EXPIRED };
  const passkey = await findPasskey(db, scopeOf(who), response.id);
  if (!passkey || (isOwner(who) && (passkey.ownerId !== who.id || passkey.agencyId !== who.agencyId))) return { ok: false, message: NOT_ACCEPTED };
  const owner: PasskeyOwner = { kind: who.kind, id: passkey.ownerId, agencyId: passkey.agencyId };
  const handle = response.response.userHandle;
  if (handle && !(await isUserHandleOf(env.TWO_FACTOR_KEY, owner, handle))) return { ok: false, message: NOT_ACCEPTED };
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
  return {
    ok: true,
    value: { passkeyId: passkey.id, owner, seenCounter: passkey.counter, newCounter: verification.authenticationInfo.newCounter, name: passkey.name },
  };
}

/** verifyAuthentication, then the use recorded at once. Returns the passkey's owner. */
export async function completeAuthentication(
  db: Db,
  env: Env,
  rp: RelyingParty,
  purpose: Exclude<ChallengePurpose, RegisterPurpose>,
  who: PasskeyOwner | SignInScope,
  body: unknown,
  now: number,
): Promise<CeremonyResult<PasskeyOwner>> {
  const verified = await verifyAuthentication(db, env, rp, purpose, who, body, now);
  if (!verified.ok) return verified;
  if (!(await recordPasskeyUse(db, verified.value, now))) return { ok: false, message: NOT_ACCEPTED };
  return { ok: true, value: verified.value.owner };
}

function transportsOf(p: PasskeyRow): AuthenticatorTransport[] {
  try {
    const list = JSON.parse(p.transports) as unknown;
    return Array.isArray(list) ? (list.filter((t) => typeof t === "string" && TRANSPORTS.has(t)) as AuthenticatorTransport[]) : [];
  } catch {
    return [];
  }
}
