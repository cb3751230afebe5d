/**
 * A binary fuse filter (Graf & Lemire, "Binary Fuse Filters: Fast and Smaller Than Xor Filters",
 * 2022): a set of strings answered with "maybe in the set" or "certainly not", in about
 * 1.125 × `bits` bits per key. A key in the set is always found; a key not in it is reported as
 * present with probability 2^-bits (13 bits: 1 in 8,192). Nothing of the keys themselves is stored,
 * only `bits`-bit fingerprints, so the list can't be read back out of it.
 *
 * Each key hashes (two seeded MurmurHash3 runs over its UTF-8) to three slots in three consecutive
 * segments; the key is present when the XOR of the three slots' fingerprints equals its own.
 * Building peels the 3-hypergraph (slots holding one key are assigned last-in, first-out); a
 * failure (a 2-core) just retries with the next seed.
 *
 * Serialized form (little-endian), read in place without copying:
 *   0  "BFF1"  4  bits (u8)  5..7  zero  8  seed (u32)  12  segment length (u32)
 *   16 segment count (u32)  20  key count (u32)  24  fingerprints, `bits` bits each, packed, + 3 bytes
 */
const MAGIC = 0x31464642; // "BFF1"
const HEADER_BYTES = 24;
const MAX_SEGMENT_LENGTH = 1 << 16; // the two in-segment offsets come from the two halves of one 32-bit word
const encoder = new TextEncoder();

interface Layout {
  segmentLength: number;
  segmentCount: number;
  arrayLength: number;
}

/** The reference implementation's sizing for three hashes: segment length and ~1.125× slots. */
function layoutFor(size: number): Layout {
  let segmentLength = size === 0 ? 4 : 2 ** Math.floor(Math.log(size) / Math.log(3.33) + 2.25);
  segmentLength = Math.min(segmentLength, MAX_SEGMENT_LENGTH);
  const sizeFactor = size <= 1 ? 0 : Math.max(1.125, 0.875 + (0.25 * Math.log(1_000_000)) / Math.log(size));
  const capacity = size <= 1 ? 0 : Math.round(size * sizeFactor);
  const initSegmentCount = Math.ceil(capacity / segmentLength) - 2;
  let segmentCount = Math.ceil(((initSegmentCount + 2) * segmentLength) / segmentLength);
  segmentCount = segmentCount <= 2 ? 1 : segmentCount - 2;
  return { segmentLength, segmentCount, arrayLength: (segmentCount + 2) * segmentLength };
}

/** MurmurHash3 (x86, 32-bit) of `bytes` under `seed`: fast, well mixed, not cryptographic. */
function murmur3(bytes: Uint8Array, seed: number): number {
  let h = seed >>> 0;
  const tail = bytes.length & ~3;
  for (let i = 0; i < tail; i += 4) {
    let k = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  let k = 0;
  switch (bytes.length & 3) {
    case 3:
      k ^= bytes[tail + 2]! << 16;
    // falls through
    case 2:
      k ^= bytes[tail + 1]! << 8;
    // falls through
    case 1:
      k ^= bytes[tail]!;
      k = Math.imul(k, 0xcc9e2d51);
      k = (k << 15) | (k >>> 17);
      h ^= Math.imul(k, 0x1b873593);
  }
  h ^= bytes.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * A key's 64-bit hash under a filter seed, as two 32-bit words from two seeded MurmurHash3 runs.
 * Not cryptographic, and it needn't be: a crafted non-member can at worst be refused.
 */
function keyHash(seed: number, key: string): [number, number] {
  const bytes = encoder.encode(key);
  return [murmur3(bytes, Math.imul(seed, 0x9e3779b1)), murmur3(bytes, Math.imul(seed, 0x85ebca77) ^ 0x5bd1e995)];
}

/** The key's three slots: one in each of three consecutive segments. */
function slots(hi: number, lo: number, layout: Layout, out: Uint32Array): void {
  const mask = layout.segmentLength - 1;
  // Exact in a double: hi < 2^32 and segments × length < 2^21 (checked when building).
  const h0 = Math.floor((hi * layout.segmentCount * layout.segmentLength) / 4294967296);
  out[0] = h0;
  out[1] = (h0 + layout.segmentLength) ^ (lo & mask);
  out[2] = (h0 + 2 * layout.segmentLength) ^ ((lo >>> 16) & mask);
}

const fingerprintOf = (hi: number, lo: number, bits: number) => ((hi ^ lo) >>> 0) & ((1 << bits) - 1);

export class BinaryFuseFilter {
  readonly bits: number;
  readonly seed: number;
  readonly size: number;
  private readonly layout: Layout;
  private readonly data: Uint8Array;
  private readonly scratch = new Uint32Array(3);

  private constructor(bits: number, seed: number, size: number, layout: Layout, data: Uint8Array) {
    this.bits = bits;
    this.seed = seed;
    this.size = size;
    this.layout = layout;
    this.data = data;
  }

  /** Probability that a key not in the set is reported present: 2^-bits. */
  get falsePositiveRate(): number {
    return 2 ** -this.bits;
  }

  /** Bytes of the serialized filter (header and fingerprints). */
  get byteLength(): number {
    return this.data.byteLength;
  }

  /**
   * Builds a filter of the distinct keys (duplicates are dropped first), with `bits`-bit
   * fingerprints (4–16). Throws if no seed out of `maxAttempts` gives a filter (vanishingly rare).
   *
   * @example BinaryFuseFilter.build(["password", "letmein"], 12).has("letmein") // true
   */
  static build(keys: Iterable<string>, bits: number, maxAttempts = 64): BinaryFuseFilter {
    if (!Number.isInteger(bits) || bits < 4 || bits > 16) throw new RangeError(`bits must be 4–16, not ${bits}`);
    const unique = [...new Set(keys)];
    const n = unique.length;
    const layout = layoutFor(n);
    if (layout.segmentCount * layout.segmentLength >= 2 ** 21) throw new RangeError(`too many keys for one filter: ${n}`);
    const m = layout.arrayLength;
    const hi = new Uint32Array(n);
    const lo = new Uint32Array(n);
    const count = new Uint32Array(m);
    const xorKey = new Uint32Array(m);
    const stackKey = new Uint32Array(n);
    const stackSlot = new Uint32Array(n);
    const queue = new Uint32Array(m + 3 * n);
    const s = new Uint32Array(3);

    for (let seed = 1; seed <= maxAttempts; seed++) {
      count.fill(0);
      xorKey.fill(0);
      // 1. Every key adds itself to its three slots.
      for (let k = 0; k < n; k++) {
        [hi[k], lo[k]] = keyHash(seed, unique[k]!);
        slots(hi[k]!, lo[k]!, layout, s);
        for (let j = 0; j < 3; j++) {
          count[s[j]!]!++;
          xorKey[s[j]!]! ^= k;
        }
      }
      // 2. Peel: a slot with one key left is that key's own; removing it may free others.
      let queued = 0;
      for (let i = 0; i < m; i++) if (count[i] === 1) queue[queued++] = i;
      let peeled = 0;
      while (queued > 0) {
        const slot = queue[--queued]!;
        if (count[slot] !== 1) continue;
        const k = xorKey[slot]!;
        stackKey[peeled] = k;
        stackSlot[peeled++] = slot;
        slots(hi[k]!, lo[k]!, layout, s);
        for (let j = 0; j < 3; j++) {
          const t = s[j]!;
          count[t]!--;
          xorKey[t]! ^= k;
          if (count[t] === 1) queue[queued++] = t;
        }
      }
      if (peeled < n) continue; // a cycle remained: try the next seed

      // 3. Assign in reverse peeling order: each key's own slot makes its three slots XOR to its fingerprint.
      const fingerprints = new Uint16Array(m);
      for (let p = n - 1; p >= 0; p--) {
        const k = stackKey[p]!;
        const own = stackSlot[p]!;
        slots(hi[k]!, lo[k]!, layout, s);
        let f = fingerprintOf(hi[k]!, lo[k]!, bits);
        for (let j = 0; j < 3; j++) if (s[j] !== own) f ^= fingerprints[s[j]!]!;
        fingerprints[own] = f;
      }
      return new BinaryFuseFilter(bits, seed, n, layout, serialize(bits, seed, n, layout, fingerprints));
    }
    throw new Error(`no binary fuse filter for ${n} keys within ${maxAttempts} seeds`);
  }

  /** Reads a serialized filter (e.g. a statically imported `.bin` module); the bytes are not copied. */
  static fromBytes(bytes: ArrayBuffer | Uint8Array): BinaryFuseFilter {
    const data = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    if (data.byteLength < HEADER_BYTES || view.getUint32(0, true) !== MAGIC) throw new Error("not a binary fuse filter");
    const bits = view.getUint8(4);
    const seed = view.getUint32(8, true);
    const segmentLength = view.getUint32(12, true);
    const segmentCount = view.getUint32(16, true);
    const size = view.getUint32(20, true);
    const layout = { segmentLength, segmentCount, arrayLength: (segmentCount + 2) * segmentLength };
    if (data.byteLength !== packedBytes(bits, layout.arrayLength)) throw new Error("binary fuse filter is truncated");
    return new BinaryFuseFilter(bits, seed, size, layout, data);
  }

  /** The serialized filter, as `fromBytes` reads it. */
  toBytes(): Uint8Array {
    return this.data;
  }

  /** True for every key the filter was built from; for any other key, true with probability 2^-bits. */
  has(key: string): boolean {
    const [hi, lo] = keyHash(this.seed, key);
    slots(hi, lo, this.layout, this.scratch);
    const f = this.fingerprintAt(this.scratch[0]!) ^ this.fingerprintAt(this.scratch[1]!) ^ this.fingerprintAt(this.scratch[2]!);
    return f === fingerprintOf(hi, lo, this.bits);
  }

  private fingerprintAt(index: number): number {
    const bit = index * this.bits;
    const at = HEADER_BYTES + (bit >>> 3);
    const d = this.data;
    return ((d[at]! | (d[at + 1]! << 8) | (d[at + 2]! << 16)) >>> (bit & 7)) & ((1 << this.bits) - 1);
  }
}

/** Header plus fingerprints packed at `bits` bits each, with 3 spare bytes so every read has 3 bytes. */
const packedBytes = (bits: number, slotCount: number) => HEADER_BYTES + Math.ceil((slotCount * bits) / 8) + 3;

function serialize(bits: number, seed: number, size: number, layout: Layout, fingerprints: Uint16Array): Uint8Array {
  const out = new Uint8Array(packedBytes(bits, layout.arrayLength));
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint8(4, bits);
  view.setUint32(8, seed, true);
  view.setUint32(12, layout.segmentLength, true);
  view.setUint32(16, layout.segmentCount, true);
  view.setUint32(20, size, true);
  for (let i = 0; i < layout.arrayLength; i++) {
    const bit = i * bits;
    const at = HEADER_BYTES + (bit >>> 3);
    const v = fingerprints[i]! << (bit & 7);
    out[at]! |= v & 0xff;
    out[at + 1]! |= (v >>> 8) & 0xff;
    out[at + 2]! |= (v >>> 16) & 0xff;
  }
  return out;
}
