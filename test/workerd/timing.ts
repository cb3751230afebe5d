/**
 * Timing parity, measured the way an outsider would: interleaved pairs (which side goes first
 * alternates, so drift in the machine's load falls on both), compared by medians and by how often
 * one side was the slower.
 */
import { expect } from "vitest";

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/**
 * Runs `pairs` interleaved pairs of `known` and `unknown` (each resolves to the milliseconds its
 * answer took; `between` runs outside the measurement) and asserts they can't be told apart: the
 * medians within 2 ms or 6 % of each other, and neither side the slower in more than 3/4 of pairs.
 */
export async function expectSameTiming(
  label: string,
  opts: { pairs: number; known: (i: number) => Promise<number>; unknown: (i: number) => Promise<number>; between?: () => Promise<unknown> },
) {
  const known: number[] = [];
  const unknown: number[] = [];
  for (let i = 0; i < opts.pairs; i++) {
    if (i % 2) {
      known.push(await opts.known(i));
      unknown.push(await opts.unknown(i));
    } else {
      unknown.push(await opts.unknown(i));
      known.push(await opts.known(i));
    }
    await opts.between?.();
  }
  const [k, u] = [median(known), median(unknown)];
  const knownSlower = known.filter((ms, i) => ms > unknown[i]!).length;
  console.log(`${label}: medians known ${k.toFixed(1)} ms, unknown ${u.toFixed(1)} ms; known slower in ${knownSlower} of ${opts.pairs} pairs`);
  // Both sides do one Argon2id verification (≈ 25 ms): neither may be cheap enough to stand out.
  expect(Math.min(k, u)).toBeGreaterThan(5);
  expect(Math.abs(k - u)).toBeLessThan(Math.max(2, 0.06 * Math.min(k, u)));
  expect(knownSlower).toBeLessThanOrEqual(Math.ceil(opts.pairs * 0.75));
  expect(knownSlower).toBeGreaterThanOrEqual(Math.floor(opts.pairs * 0.25));
}
