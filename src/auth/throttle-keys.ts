/**
 * What sign-in throttling counts, named so that nothing typed at sign-in is ever stored: each
 * counter's key is an HMAC-SHA-256, under the Worker secret THROTTLE_KEY, of what it counts (an
 * address, an account, an account on one device). A mistyped password in the username field
 * becomes an opaque key; without the secret the keys can't be tested against guesses.
 *
 * Addresses are counted by network, as Cloudflare reports them in CF-Connecting-IP: an IPv4
 * address as is, an IPv6 address by its /64 (one subscriber's allocation: an attacker gets a
 * whole /64 and could otherwise rotate through it freely). A request without a usable address
 * shares one strict bucket ("none") with every other such request.
 *
 * A device cookie marks a browser that has signed in to an account before: `<id>.<mac>`, where the
 * MAC binds the random id to the account. Throttling trusts it to tell the account's owner from a
 * stranger (see throttle.ts).
 */
import { constantTimeEqual } from "@oslojs/crypto/subtle";
import { decodeBase64urlIgnorePadding, encodeBase64urlNoPadding } from "@oslojs/encoding";

/** The address bucket of a request: `v4:…`, `v6:…/64`, or `none`. */
export type AddressBucket = string;

export const NO_ADDRESS: AddressBucket = "none";

/** The caller's address as Cloudflare reports it, for staff-visible log lines ("unknown" when there is none). */
export function clientAddress(headers: { header(name: string): string | undefined }): string {
  return (headers.header("CF-Connecting-IP") ?? "unknown").slice(0, 64);
}

/** The request's address bucket from CF-Connecting-IP (IPv6 by /64; missing or unreadable: "none"). */
export function addressBucket(headers: { header(name: string): string | undefined }): AddressBucket {
  return bucketOf(headers.header("CF-Connecting-IP"));
}

/** The bucket of one address string (exported for tests). */
export function bucketOf(raw: string | undefined): AddressBucket {
  const ip = raw?.trim() ?? "";
  if (isIPv4(ip)) return `v4:${ip}`;
  const groups = ipv6Groups(ip);
  if (!groups) return NO_ADDRESS;
  // An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is that IPv4 address.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `v4:${groups[6]! >> 8}.${groups[6]! & 255}.${groups[7]! >> 8}.${groups[7]! & 255}`;
  }
  return `v6:${groups.slice(0, 4).map((g) => g.toString(16)).join(":")}::/64`;
}

function isIPv4(s: string): boolean {
  const parts = s.split(".");
  return parts.length === 4 && parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255);
}

/** The eight 16-bit groups of an IPv6 address, or null if it isn't one. */
function ipv6Groups(s: string): number[] | null {
  if (!s.includes(":") || s.length > 64) return null;
  let text = s.split("%")[0]!; // a zone id names a local interface: not part of the address
  // A dotted IPv4 ending (::ffff:192.0.2.1) stands for the last two groups.
  const tail: number[] = [];
  const lastColon = text.lastIndexOf(":");
  const ending = text.slice(lastColon + 1);
  if (ending.includes(".")) {
    if (!isIPv4(ending)) return null;
    const [a, b, c, d] = ending.split(".").map(Number) as [number, number, number, number];
    tail.push((a << 8) | b, (c << 8) | d);
    text = text[lastColon - 1] === ":" ? text.slice(0, lastColon + 1) : text.slice(0, lastColon);
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const groups = (h: string) => (h === "" ? [] : h.split(":"));
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  if (![...head, ...rest].every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return null;
  const missing = 8 - tail.length - head.length - rest.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const hex = (g: string) => parseInt(g, 16);
  return [...head.map(hex), ...Array<number>(missing).fill(0), ...rest.map(hex), ...tail];
}

const keys = new Map<string, Promise<CryptoKey>>();

function hmacKey(env: { THROTTLE_KEY?: string }): Promise<CryptoKey> {
  const secret = env.THROTTLE_KEY;
  // Fail closed: without the secret, keys would be guessable (and a default would be public).
  if (!secret || secret.length < 16) throw new Error("THROTTLE_KEY is not set (wrangler secret put THROTTLE_KEY)");
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    keys.set(secret, key);
  }
  return key;
}

async function mac(env: { THROTTLE_KEY?: string }, ...parts: string[]): Promise<string> {
  // NUL separates the parts: none of them can contain one that changes the meaning.
  const data = new TextEncoder().encode(parts.join("\u0000"));
  return encodeBase64urlNoPadding(new Uint8Array(await crypto.subtle.sign("HMAC", await hmacKey(env), data)));
}

/** Keys of an account's counters (`subject`), of an address's, and of an account on one device. */
export const throttleKeyOf = {
  /** A staff account: its email as typed, trimmed and lower-cased (known or not). */
  staffAccount: (env: { THROTTLE_KEY?: string }, email: string) => mac(env, "staff-account", email.trim().toLowerCase()),
  /** A portal account: the agency and the username key (known or not). */
  portalAccount: (env: { THROTTLE_KEY?: string }, agencyId: number, usernameKey: string) => mac(env, "portal-account", String(agencyId), usernameKey),
  address: (env: { THROTTLE_KEY?: string }, bucket: AddressBucket) => mac(env, "address", bucket),
  /** A staff member's second-factor codes: not the email's counter, which a right password clears. */
  secondFactor: (env: { THROTTLE_KEY?: string }, staffId: number) => mac(env, "staff-2fa", String(staffId)),
  /** Forgot-password requests from one address (they name accounts, so no account's counter). */
  forgotPassword: (env: { THROTTLE_KEY?: string }, bucket: AddressBucket) => mac(env, "forgot-password", bucket),
  /**
   * The portal's Forgot password? requests naming one username or email (as typed, trimmed and
   * lower-cased; known or not) at one agency: not the sign-in account's counter, so asking for a
   * link never locks anyone out of signing in.
   */
  portalForgot: (env: { THROTTLE_KEY?: string }, agencyId: number, identifierKey: string) => mac(env, "portal-forgot", String(agencyId), identifierKey),
  device: (env: { THROTTLE_KEY?: string }, subject: string, deviceId: string) => mac(env, "device", subject, deviceId),
};

/** A new device cookie value for an account (`subject` from throttleKeyOf). */
export async function newDeviceToken(env: { THROTTLE_KEY?: string }, subject: string): Promise<string> {
  const id = encodeBase64urlNoPadding(crypto.getRandomValues(new Uint8Array(16)));
  return `${id}.${await mac(env, "device-token", subject, id)}`;
}

/** The device id in a cookie value if it was issued for this account; else null. */
export async function trustedDeviceId(env: { THROTTLE_KEY?: string }, subject: string, token: string | undefined): Promise<string | null> {
  const m = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/.exec(token ?? "");
  if (!m) return null;
  const expected = await mac(env, "device-token", subject, m[1]!);
  const ok = constantTimeEqual(decodeBase64urlIgnorePadding(expected), decodeBase64urlIgnorePadding(m[2]!));
  return ok ? m[1]! : null;
}
