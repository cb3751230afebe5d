/**
 * Recovery codes: ten single-use codes shown once when two-factor is turned on (or the codes are
 * regenerated), for when the authenticator is lost. Each is 12 symbols from a 32-symbol alphabet
 * without look-alikes (60 bits from the CSPRNG), shown as `xxxx-xxxx-xxxx`. Random codes of that
 * strength need no slow hash: SHA-256 of the normalized code is stored, never the code.
 */
import { sha256 } from "@oslojs/crypto/sha2";
import { encodeHexLowerCase } from "@oslojs/encoding";

export const RECOVERY_CODE_COUNT = 10;
const ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789";
const SYMBOLS = 12;

/** Ten fresh codes, e.g. `k7mq-x3vd-9hpe`. */
export function generateRecoveryCodes(): string[] {
  const codes: string[] = [];
  for (let i = 0; i < RECOVERY_CODE_COUNT; i++) {
    // 32 divides 256: a byte's low five bits are uniform.
    const bytes = crypto.getRandomValues(new Uint8Array(SYMBOLS));
    const symbols = Array.from(bytes, (b) => ALPHABET[b & 31]).join("");
    codes.push(symbols.match(/.{4}/g)!.join("-"));
  }
  return codes;
}

/** A code as typed (any case, spaces or dashes) in its stored form; null if it can't be one. */
export function normalizeRecoveryCode(typed: string): string | null {
  const symbols = typed.toLowerCase().replace(/[\s-]/g, "");
  return symbols.length === SYMBOLS && [...symbols].every((s) => ALPHABET.includes(s)) ? symbols : null;
}

/** What is stored for a code: SHA-256 (hex) of its normalized form. */
export function hashRecoveryCode(code: string): string {
  const normalized = normalizeRecoveryCode(code) ?? code;
  return encodeHexLowerCase(sha256(new TextEncoder().encode(normalized)));
}
