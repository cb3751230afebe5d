/**
 * The WebAuthn user handle of a staff member: stable (so an authenticator keeps one passkey per
 * member, replacing rather than piling up), yet meaningless outside this app — an HMAC of the
 * staff id under TWO_FACTOR_KEY, not the id itself. No column needed.
 */
import { constantTimeEqual } from "@oslojs/crypto/subtle";
import { decodeBase64urlIgnorePadding } from "@oslojs/encoding";

/** The 32-byte user handle for a staff member. */
export async function userHandle(secret: string | undefined, staffId: number): Promise<Uint8Array<ArrayBuffer>> {
  if (!secret || secret.length < 32) throw new Error("TWO_FACTOR_KEY must be set (32+ characters)");
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`webauthn-user-handle:${staffId}`)));
}

/** Whether a handle an authenticator returned (base64url) is this member's. */
export async function isUserHandleOf(secret: string | undefined, staffId: number, returned: string): Promise<boolean> {
  let bytes: Uint8Array;
  try {
    bytes = decodeBase64urlIgnorePadding(returned);
  } catch {
    return false;
  }
  const expected = await userHandle(secret, staffId);
  return bytes.length === expected.length && constantTimeEqual(bytes, expected);
}
