/**
 * Password hashing: Argon2id at OWASP's minimum (m=19456 KiB, t=2, p=1) through a wasm build
 * imported statically (production Workers refuse to compile wasm at run time), stored as a PHC
 * string so the parameters travel with the hash and can be raised later.
 */
import { Argon2Type, Argon2Version } from "@phi-ag/argon2";
import wasm from "@phi-ag/argon2/argon2.wasm";
import { constantTimeEqual } from "@oslojs/crypto/subtle";
import { decodeBase64IgnorePadding } from "@oslojs/encoding";

export const ARGON2_PARAMS = { memoryCost: 19456, timeCost: 2, parallelism: 1, hashLength: 32 } as const;

type Argon2Params = { memoryCost: number; timeCost: number; parallelism: number; hashLength: number };

/** The C exports of the wasm build (libargon2's `argon2_hash` and friends). */
interface Argon2Exports {
  memory: WebAssembly.Memory;
  _initialize(): void;
  malloc(size: number): number;
  free(ptr: number): void;
  argon2_hash(t: number, m: number, p: number, pwd: number, pwdLen: number, salt: number, saltLen: number, hash: number, hashLen: number, encoded: number, encodedLen: number, type: number, version: number): number;
  argon2_encodedlen(t: number, m: number, p: number, saltLen: number, hashLen: number, type: number): number;
  argon2_error_message(code: number): number;
}

// The wasm is called directly rather than through @phi-ag/argon2's `Argon2.hash(password: string)`:
// that wrapper passes the password's length in UTF-16 code units, not its UTF-8 bytes, so any
// non-ASCII password was cut short ("éééé1234" verified against "éééé5678").
let argon2: Argon2Exports | undefined;
async function engine(): Promise<Argon2Exports> {
  if (!argon2) {
    const instance = await WebAssembly.instantiate(wasm as WebAssembly.Module);
    const exports = instance.exports as unknown as Argon2Exports;
    exports._initialize();
    argon2 = exports;
  }
  return argon2;
}

/** Argon2id (v1.3) over exact bytes; the PHC string and the raw tag. */
async function argon2id(password: Uint8Array, salt: Uint8Array, params: Argon2Params): Promise<{ encoded: string; hash: Uint8Array }> {
  const a = await engine();
  const { timeCost: t, memoryCost: m, parallelism: p, hashLength } = params;
  const type = Argon2Type.Argon2id;
  const encodedLen = a.argon2_encodedlen(t, m, p, salt.length, hashLength, type);
  const ptrs: number[] = [];
  const alloc = (n: number) => {
    const ptr = a.malloc(Math.max(n, 1));
    if (!ptr) throw new Error("argon2: out of memory");
    ptrs.push(ptr);
    return ptr;
  };
  try {
    const pwd = alloc(password.length);
    const sal = alloc(salt.length);
    const out = alloc(hashLength);
    const enc = alloc(encodedLen);
    new Uint8Array(a.memory.buffer).set(password, pwd);
    new Uint8Array(a.memory.buffer).set(salt, sal);
    const code = a.argon2_hash(t, m, p, pwd, password.length, sal, salt.length, out, hashLength, enc, encodedLen, type, Argon2Version.Version13);
    const heap = new Uint8Array(a.memory.buffer);
    if (code !== 0) {
      const msg = a.argon2_error_message(code);
      throw new Error(`argon2: ${new TextDecoder().decode(heap.subarray(msg, heap.indexOf(0, msg)))}`);
    }
    return {
      hash: heap.slice(out, out + hashLength),
      encoded: new TextDecoder().decode(heap.subarray(enc, heap.indexOf(0, enc))),
    };
  } finally {
    for (const ptr of ptrs) a.free(ptr);
  }
}

const utf8 = (s: string) => new TextEncoder().encode(s);

/** Hashes a password with a fresh 16-byte random salt; returns `$argon2id$v=19$m=…,t=…,p=…$salt$hash`. */
export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  return (await argon2id(utf8(password), salt, ARGON2_PARAMS)).encoded;
}

/** Raw Argon2id output for given parameters (a string password is taken as UTF-8); used by tests. */
export async function argon2idRaw(password: Uint8Array | string, salt: Uint8Array, params: Argon2Params): Promise<Uint8Array> {
  return (await argon2id(typeof password === "string" ? utf8(password) : password, salt, params)).hash;
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
  const { hash } = await argon2id(utf8(password), parsed.salt, {
    memoryCost: parsed.memoryCost,
    timeCost: parsed.timeCost,
    parallelism: parsed.parallelism,
    hashLength: parsed.hash.length,
  });
  const ok = constantTimeEqual(hash, parsed.hash);
  const needsRehash =
    parsed.memoryCost < ARGON2_PARAMS.memoryCost ||
    parsed.timeCost < ARGON2_PARAMS.timeCost ||
    parsed.hash.length < ARGON2_PARAMS.hashLength;
  return { ok, needsRehash };
}

// A hash of a random, discarded password at today's parameters: checking an unknown account
// against it costs exactly the one hash a wrong password costs, from the first request on.
const DUMMY_HASH = "$argon2id$v=19$m=19456,t=2,p=1$JmfuGq0SXeigM5IxqdL23w$HPoGIaPWHqJA2WaIGbMcrbNNq6wxUG3gRvN2D8xlqPA";

/** Spends one verification's worth of work and always fails; for unknown accounts. */
export async function verifyAgainstDummy(password: string): Promise<false> {
  await verifyPassword(DUMMY_HASH, password);
  return false;
}
