/**
 * Temporary passwords for portal logins: from the platform CSPRNG, in characters nobody misreads
 * when copying from an email (no 0/O, 1/l/I), grouped in fours so they are easy to type on a phone.
 */

/** Lower-case letters without l and o, digits without 0 and 1: 32 symbols, 5 bits each. */
export const TEMPORARY_PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789";
/** 16 symbols: 80 bits of entropy, shown as xxxx-xxxx-xxxx-xxxx (19 characters). */
export const TEMPORARY_PASSWORD_SYMBOLS = 16;
// How long one works is the agency's setting (EffectiveSettings.tempPasswordHours: 1–24 h).

/**
 * A uniformly random index below `n`, by rejection sampling over random bytes (no modulo bias
 * even when 256 is not a multiple of `n`).
 */
function randomIndex(n: number): number {
  const limit = 256 - (256 % n);
  const byte = new Uint8Array(1);
  for (;;) {
    crypto.getRandomValues(byte);
    if (byte[0]! < limit) return byte[0]! % n;
  }
}

/**
 * A fresh temporary password, e.g. `k7mq-x3vd-9hpe-t2wa`. Never store it (hash it with
 * `hashPassword`), never log it, never render it to staff: it goes only into the recipient's email.
 */
export function generateTemporaryPassword(): string {
  let symbols = "";
  for (let i = 0; i < TEMPORARY_PASSWORD_SYMBOLS; i++) symbols += TEMPORARY_PASSWORD_ALPHABET[randomIndex(TEMPORARY_PASSWORD_ALPHABET.length)];
  return symbols.match(/.{4}/g)!.join("-");
}
