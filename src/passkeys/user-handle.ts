/**
 * The WebAuthn user handle of a passkey owner: stable (so an authenticator keeps one passkey per
 * staff member or portal login, replacing rather than piling up), yet meaningless outside this
 * app — an HMAC under TWO_FACTOR_KEY of the owner, not its id. No column needed. A staff member's
 * input is the same as before portal passkeys existed, so their passkeys keep their handles.
 */
import { constantTimeEqual } from "@oslojs/crypto/subtle";
import { decodeBase64urlIgnorePadding } from "@oslojs/encoding";
import type { PasskeyOwner } from "./owner";

const handleInput = (o: PasskeyOwner) => (o.kind === "staff" ? `webauthn-user-handle:${o.id}` : `webauthn-user-handle:portal:${o.agencyId}:${o.id}`);

/** The 32-byte user handle of a staff member or portal login. */
export async function userHandle(secret: string | undefined, owner: PasskeyOwner): Promise<Uint8Array<ArrayBuffer>> {
  if (!secret || secret.length < 32) throw new Error("TWO_FACTOR_KEY must be set (32+ characters)");
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(handleInput(owner))));
}

/** Whether a handle an authenticator returned (base64url) is this owner's. */
export async function isUserHandleOf(secret: string | undefined, owner: PasskeyOwner, returned: string): Promise<boolean> {
  let bytes: Uint8Array;
  try {
    bytes = decodeBase64urlIgnorePadding(returned);
  } catch {
    return false;
  }
  const expected = await userHandle(secret, owner);
  return bytes.length === expected.length && constantTimeEqual(bytes, expected);
}
