/**
 * Password hashing: Argon2id at OWASP's minimum (m=19456 KiB, t=2, p=1) through a wasm build
 * imported statically (production Workers refuse to compile wasm at run time), stored as a PHC
 * string so the parameters travel with the hash and can be raised later.
 */
import Argon2, { Argon2Type, Argon2Version } from "@phi-ag/argon2";
import wasm from "@phi-ag/argon2/argon2.wasm";
import { constantTimeEqual } from "@oslojs/crypto/subtle";
import { decodeBase64IgnorePadding } from "@oslojs/encoding";

export const ARGON2_PARAMS = { memoryCost: 19456, timeCost: 2, parallelism: 1, hashLength: 32 } as const;

let argon2: Argon2 | undefined;
async function engine(): Promise<Argon2> {
  argon2 ??= new Argon2(await WebAssembly.instantiate(wasm as WebAssembly.Module));
  return argon2;
}

/** Hashes a password with a fresh 16-byte random salt; returns `$argon2id$v=19$m=…,t=…,p=…$salt$hash`. */
export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const { encoded } = (await engine()).hash(password, {
    ...ARGON2_PARAMS,
    salt,
    type: Argon2Type.Argon2id,
    version: Argon2Version.Version13,
  });
  return encoded;
}

/** Raw Argon2id output for given parameters; used by the RFC 9106 vector test. */
export async function argon2idRaw(
  password: Uint8Array | string,
  salt: Uint8Array,
  params: { memoryCost: number; timeCost: number; parallelism: number; hashLength: number },
): Promise<Uint8Array> {
  const text = typeof password === "string" ? password : new TextDecoder("latin1").decode(password);
  return (await engine()).hash(text, {
    ...params,
    salt,
    type: Argon2Type.Argon2id,
    version: Argon2Version.Version13,
  }).hash;
}

interface ParsedHash {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
  salt: Uint8Array;
  hash: Uint8Array;
}

function parsePhc(encoded: string): ParsedHash | null {
  const m = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/.exec(encoded);
  if (!m) return null;
  try {
    return {
      memoryCost: Number(m[1]),
      timeCost: Number(m[2]),
      parallelism: Number(m[3]),
      salt: decodeBase64IgnorePadding(m[4]!),
      hash: decodeBase64IgnorePadding(m[5]!),
    };
  } catch {
    return null;
  }
}

/**
 * Checks a password against a stored PHC string, recomputing with the stored parameters and
 * comparing in constant time. `needsRehash` says the stored parameters are below today's.
 */
export async function verifyPassword(
  encoded: string,
  password: string,
): Promise<{ ok: boolean; needsRehash: boolean }> {
  const parsed = parsePhc(encoded);
  if (!parsed) return { ok: false, needsRehash: false };
  const { hash } = (await engine()).hash(password, {
    memoryCost: parsed.memoryCost,
    timeCost: parsed.timeCost,
    parallelism: parsed.parallelism,
    hashLength: parsed.hash.length,
    salt: parsed.salt,
    type: Argon2Type.Argon2id,
    version: Argon2Version.Version13,
  });
  const ok = constantTimeEqual(hash, parsed.hash);
  const needsRehash =
    parsed.memoryCost < ARGON2_PARAMS.memoryCost ||
    parsed.timeCost < ARGON2_PARAMS.timeCost ||
    parsed.hash.length < ARGON2_PARAMS.hashLength;
  return { ok, needsRehash };
}

// A real hash of a random password, computed once per isolate, so that a sign-in for an unknown
// account costs the same one hash as a sign-in with a wrong password.
let dummy: Promise<string> | undefined;
/** Spends one verification's worth of work and always fails; for unknown accounts. */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummy ??= hashPassword(crypto.randomUUID());
  await verifyPassword(await dummy, password);
  return false;
}
