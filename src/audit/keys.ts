/**
 * The secret keys that seal log entries (HMAC-SHA256). Without one, nobody can write an entry
 * Verify accepts — not even someone who can write to D1.
 *
 * The Worker secret LOG_HMAC_KEYS lists them newest first: `k2:<base64>,k1:<base64>`. New entries
 * are sealed with the first; every entry stores the id of its key, so entries sealed with an older
 * key still verify while that key stays in the list (README, "Rotating the log key").
 */
import { decodeBase64 } from "@oslojs/encoding";

export interface LogKeys {
  /** The key new entries are sealed with (the first listed). */
  signing: { id: string; key: Uint8Array };
  /** Every listed key by id, for verifying entries sealed with an older one. */
  byId: ReadonlyMap<string, Uint8Array>;
}

/** Fewer bytes than SHA-256's output would weaken the HMAC. */
const MIN_KEY_BYTES = 32;
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * Reads LOG_HMAC_KEYS. Throws on anything malformed — a missing secret, a short key, a repeated
 * id — so that no entry is ever written unkeyed or with a key nobody meant.
 *
 * @example parseLogKeys("k2:" + newKeyBase64 + ",k1:" + oldKeyBase64).signing.id // "k2"
 */
export function parseLogKeys(value: string | undefined): LogKeys {
  const items = (value ?? "").split(/[\s,]+/).filter(Boolean);
  if (items.length === 0) throw new Error("LOG_HMAC_KEYS is not set: log entries can't be sealed");
  const byId = new Map<string, Uint8Array>();
  for (const item of items) {
    const colon = item.indexOf(":");
    const id = item.slice(0, colon);
    if (colon < 1 || !KEY_ID.test(id)) throw new Error("LOG_HMAC_KEYS: each key is <id>:<base64>, the id letters, digits, - or _");
    if (byId.has(id)) throw new Error(`LOG_HMAC_KEYS: key id ${id} is listed twice`);
    let key: Uint8Array;
    try {
      key = decodeBase64(item.slice(colon + 1));
    } catch {
      throw new Error(`LOG_HMAC_KEYS: key ${id} is not base64`);
    }
    if (key.length < MIN_KEY_BYTES) throw new Error(`LOG_HMAC_KEYS: key ${id} has ${key.length} bytes; at least ${MIN_KEY_BYTES} are needed`);
    byId.set(id, key);
  }
  const [id, key] = [...byId][0]!;
  return { signing: { id, key }, byId };
}

let cached: { value: string | undefined; keys: LogKeys } | undefined;

/** The Worker's log keys, parsed once per isolate (again only if the secret changes). */
export function logKeys(env: { LOG_HMAC_KEYS?: string }): LogKeys {
  if (cached && cached.value === env.LOG_HMAC_KEYS) return cached.keys;
  const keys = parseLogKeys(env.LOG_HMAC_KEYS);
  cached = { value: env.LOG_HMAC_KEYS, keys };
  return keys;
}
