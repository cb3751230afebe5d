/**
 * The binary fuse filter on its own (src/auth/binary-fuse-filter.ts): every member is found, the
 * measured false-positive rate on non-members matches 2^-bits, and the serialized form round-trips.
 * Keys and non-members are fixed strings, so the counts below are the same on every run.
 */
import { describe, expect, it } from "vitest";
import { BinaryFuseFilter } from "../../src/auth/binary-fuse-filter";

const members = Array.from({ length: 20_000 }, (_, i) => `member-${i}-${(i * 2654435761) % 1_000_003}`);
const NON_MEMBERS = 200_000;

/** How many of `count` strings that are not members the filter reports present. */
function falsePositives(filter: BinaryFuseFilter, count: number): number {
  let hits = 0;
  for (let i = 0; i < count; i++) if (filter.has(`not-a-member-${i}`)) hits++;
  return hits;
}

describe("binary fuse filter", () => {
  it("finds every member and about 1 in 4,096 non-members with 12-bit fingerprints", () => {
    const filter = BinaryFuseFilter.build(members, 12);
    expect(members.every((k) => filter.has(k))).toBe(true);
    expect(filter.falsePositiveRate).toBe(1 / 4096);
    // Expected 200,000 / 4,096 ≈ 49; a binomial standard deviation is ≈ 7.
    const fp = falsePositives(filter, NON_MEMBERS);
    expect(fp).toBeGreaterThan(20);
    expect(fp).toBeLessThan(85);
    // About 1.125 × 12 bits a key, plus the 24-byte header.
    expect(filter.byteLength / members.length).toBeLessThan(1.25 * 12 / 8 + 0.01);
  });

  it("trades size for false positives: 8-bit fingerprints give about 1 in 256", () => {
    const filter = BinaryFuseFilter.build(members, 8);
    expect(members.every((k) => filter.has(k))).toBe(true);
    const fp = falsePositives(filter, NON_MEMBERS); // expected ≈ 781, deviation ≈ 28
    expect(fp).toBeGreaterThan(650);
    expect(fp).toBeLessThan(920);
  });

  it("reads back its serialized form without copying and answers the same", () => {
    const built = BinaryFuseFilter.build(members.slice(0, 5_000), 14);
    const bytes = built.toBytes().slice(); // a fresh copy, as a statically imported module would be
    const read = BinaryFuseFilter.fromBytes(bytes.buffer);
    expect(read.bits).toBe(14);
    expect(read.size).toBe(5_000);
    expect(members.slice(0, 5_000).every((k) => read.has(k))).toBe(true);
    for (let i = 0; i < 2_000; i++) expect(read.has(`other-${i}`)).toBe(built.has(`other-${i}`));
  });

  it("refuses bytes that are not a whole filter", () => {
    const bytes = BinaryFuseFilter.build(["a", "b", "c"], 12).toBytes();
    expect(() => BinaryFuseFilter.fromBytes(bytes.slice(0, bytes.length - 1))).toThrow(/truncated/);
    expect(() => BinaryFuseFilter.fromBytes(new Uint8Array(64))).toThrow(/not a binary fuse filter/);
  });

  it("handles tiny sets and duplicate keys", () => {
    for (const keys of [[], ["only"], ["x", "y"], ["dup", "dup", "dup", "other"]]) {
      const filter = BinaryFuseFilter.build(keys, 12);
      expect(filter.size).toBe(new Set(keys).size);
      expect(keys.every((k) => filter.has(k)), keys.join()).toBe(true);
    }
    expect(() => BinaryFuseFilter.build(["a"], 17)).toThrow(RangeError);
  });

  it("treats keys as exact strings: case and Unicode form are the caller's business", () => {
    const filter = BinaryFuseFilter.build(["café", "Password"], 16);
    expect(filter.has("café")).toBe(true);
    expect(filter.has("cafe\u0301")).toBe(false); // the same word, decomposed: a different key
    expect(filter.has("password")).toBe(false);
  });
});
