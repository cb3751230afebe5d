/**
 * Encryption at rest for TOTP secrets: AES-256-GCM under a key derived (HKDF-SHA-256) from the
 * Worker secret TWO_FACTOR_KEY, so a copy of the database alone can't mint codes. Each box is
 * bound to its owner (additional data), so a box copied onto another staff row won't open.
 *
 * Format: `v1.<iv base64url>.<ciphertext+tag base64url>`.
 */
import { decodeBase64urlIgnorePadding, encodeBase64urlNoPadding } from "@oslojs/encoding";

const encoder = new TextEncoder();

/** The AES-GCM key for TOTP secrets, from TWO_FACTOR_KEY (at least 32 characters). */
async function boxKey(secret: string | undefined): Promise<CryptoKey> {
  if (!secret || secret.length < 32) throw new Error("TWO_FACTOR_KEY must be set (32+ characters)");
  const material = await crypto.subtle.importKey("raw", encoder.encode(secret), "HKDF", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: encoder.encode("staff-totp-secret-v1") },
    material,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"],
  );
}

/** Seals `plain` for `owner` (e.g. `staff:12`). */
export async function sealSecret(secret: string | undefined, owner: string, plain: Uint8Array): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: encoder.encode(owner) }, await boxKey(secret), plain);
  return `v1.${encodeBase64urlNoPadding(iv)}.${encodeBase64urlNoPadding(new Uint8Array(sealed))}`;
}

/** Opens a box sealed for `owner`; throws if it was altered, sealed for someone else or under another key. */
export async function openSecret(secret: string | undefined, owner: string, box: string): Promise<Uint8Array> {
  const [version, iv, sealed] = box.split(".");
  if (version !== "v1" || !iv || !sealed) throw new Error("unreadable TOTP secret box");
  const plain = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: decodeBase64urlIgnorePadding(iv), additionalData: encoder.encode(owner) },
    await boxKey(secret),
    decodeBase64urlIgnorePadding(sealed),
  );
  return new Uint8Array(plain);
}
