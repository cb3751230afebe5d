/**
 * The secrets of emailed single-use links (staff invitations and resets, portal invitations and
 * resets): 32 bytes from crypto.getRandomValues, base64url without padding (43 characters), stored
 * only as their SHA-256 — a copy of the database opens nothing, and a lookup by hash needs no
 * constant-time comparison (the hash of a guess says nothing about the stored secret).
 */
import { sha256 } from "@oslojs/crypto/sha2";
import { encodeBase64urlNoPadding, encodeHexLowerCase } from "@oslojs/encoding";

/** A link's secret as it appears in the URL. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** Whether a string could be a link's secret at all (anything else is refused without a lookup). */
export const isTokenShaped = (token: string) => TOKEN_SHAPE.test(token);

/** The stored form of a link's secret: hex SHA-256. */
export function hashLinkToken(token: string): string {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(token)));
}

/**
 * A fresh secret and its hash.
 *
 * @example const { token, tokenHash } = newLinkToken(); // token goes in the email, tokenHash in D1
 */
export function newLinkToken(): { token: string; tokenHash: string } {
  const token = encodeBase64urlNoPadding(crypto.getRandomValues(new Uint8Array(32)));
  return { token, tokenHash: hashLinkToken(token) };
}
