/**
 * Asks the Pwned Passwords range API whether a password appears in a known breach, without
 * sending the password: only the first 5 hex characters of its SHA-1 leave the Worker
 * (k-anonymity). The API answers every suffix it holds under that prefix ("SUFFIX:COUNT" lines),
 * and the match is made here. `Add-Padding: true` asks for extra zero-count lines so the answer's
 * size doesn't hint at the prefix; those lines are ignored.
 *
 * The call has a short timeout and never decides on its own: if the API is slow, down or answers
 * nonsense the result is "unavailable", and the caller falls back to the bundled list (fail-open),
 * so an outage never stops anyone choosing a password.
 */
import { errorText } from "../observability/error-text";

/** How long a password change waits for the API before carrying on without it. */
export const PWNED_PASSWORDS_TIMEOUT_MS = 1500;

export type PwnedPasswordsAnswer =
  | { kind: "breached"; count: number }
  | { kind: "not-found" }
  /** No usable answer: the caller relies on the bundled list alone. The reason names no password or hash. */
  | { kind: "unavailable"; reason: string };

const LINE = /^([0-9A-F]{35}):(\d+)$/i;

/** The upper-case hex SHA-1 of the password's UTF-8, as the API indexes it. */
async function sha1Hex(password: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-1", new TextEncoder().encode(password)));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("").toUpperCase();
}

/**
 * Looks the password up at `origin` (e.g. https://api.pwnedpasswords.com) with GET /range/<prefix>.
 *
 * @example
 * const answer = await pwnedPasswordsLookup("correct horse battery staple", { origin });
 * if (answer.kind === "breached") refuse();
 */
export async function pwnedPasswordsLookup(
  password: string,
  options: { origin: string; timeoutMs?: number },
): Promise<PwnedPasswordsAnswer> {
  const hash = await sha1Hex(password);
  const prefix = hash.slice(0, 5);
  const suffix = hash.slice(5);
  let body: string;
  try {
    const res = await fetch(`${options.origin.replace(/\/+$/, "")}/range/${prefix}`, {
      headers: { "Add-Padding": "true", "User-Agent": "client-portal-accounts password check" },
      signal: AbortSignal.timeout(options.timeoutMs ?? PWNED_PASSWORDS_TIMEOUT_MS),
    });
    if (!res.ok) {
      await res.body?.cancel();
      return { kind: "unavailable", reason: `status ${res.status}` };
    }
    body = await res.text();
  } catch (err) {
    return { kind: "unavailable", reason: err instanceof Error && err.name === "TimeoutError" ? "timed out" : errorText(err) };
  }
  let wellFormed = 0;
  for (const raw of body.split("\n")) {
    const m = LINE.exec(raw.trim());
    if (!m) continue;
    wellFormed++;
    if (m[1]!.toUpperCase() === suffix) {
      const count = Number(m[2]);
      // Padding lines carry a count of 0: not a breach.
      return count > 0 ? { kind: "breached", count } : { kind: "not-found" };
    }
  }
  // A real answer always has lines (padding guarantees hundreds); none at all is not an answer.
  return wellFormed > 0 ? { kind: "not-found" } : { kind: "unavailable", reason: "no range lines in the answer" };
}
