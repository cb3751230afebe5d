/**
 * The sign-in throttle's counters as tests observe them. Every counter's key is an HMAC under
 * THROTTLE_KEY (src/auth/throttle-keys.ts), so a test names what is counted — a staff email, an
 * address, a member's second factor — and these helpers find its row through the same key
 * functions the Worker uses, never a key spelled out by hand.
 */
import { env } from "cloudflare:test";
import { throttleSettings } from "../../src/auth/throttle";
import { bucketOf, throttleKeyOf } from "../../src/auth/throttle-keys";

/** One counter as stored (null from the helpers: no row, nothing counted). */
export interface CounterRow {
  failures: number;
  locked_until: number | null;
}

function counterRow(key: string): Promise<CounterRow | null> {
  return env.DB.prepare("SELECT failures, locked_until FROM sign_in_throttle WHERE key = ?").bind(key).first<CounterRow>();
}

/** The counter of each thing the throttle counts, by what it counts. */
export const throttleCounter = {
  /** A staff account (its email, known or not): sign-in, and Change password's current password. */
  staffAccount: async (email: string) => counterRow(await throttleKeyOf.staffAccount(env, email)),
  /** An address (as sent in CF-Connecting-IP), across accounts and every kind of guess. */
  address: async (ip: string) => counterRow(await throttleKeyOf.address(env, bucketOf(ip))),
  /** A member's second-factor guesses (codes, recovery codes, passkeys at the second step). */
  secondFactor: async (staffId: number) => counterRow(await throttleKeyOf.secondFactor(env, staffId)),
  /** Passkey sign-ins (no member known yet) from an address. */
  passkeySignIn: async (ip: string) => counterRow(await throttleKeyOf.address(env, `passkey:${bucketOf(ip)}`)),
};

/**
 * Locks a staff member's sign-in for new devices as the throttle leaves it at the limit: the
 * account row (keyed and with its subject, so Unlock finds it) at the limit of failures, the last
 * one just now, new devices waiting `forMs`.
 */
export async function lockStaffSignIn(email: string, forMs = 15 * 60_000) {
  const key = await throttleKeyOf.staffAccount(env, email);
  const s = throttleSettings(env);
  const now = Date.now();
  await env.DB.prepare(
    "INSERT INTO sign_in_throttle (key, subject, failures, window_start, locked_until, expires_at) VALUES (?1, ?1, ?2, ?3, ?4, ?5) " +
      "ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, window_start = excluded.window_start, locked_until = excluded.locked_until, expires_at = excluded.expires_at",
  )
    .bind(key, s.lockAfterFailures, now, now + forMs, now + s.accountWindowMs)
    .run();
}

/** Every throttle row (ordered), to show that a request charged nothing. */
export async function throttleRows() {
  return (await env.DB.prepare("SELECT * FROM sign_in_throttle ORDER BY key").all()).results;
}
