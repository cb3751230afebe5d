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
 * median of the paired differences within 3 ms or 5 % (or three standard errors, when the machine
 * is too busy to see that), and neither side the slower in more than 65 % of the pairs.
 */
export async function expectSameTiming(
  label: string,
  opts: {
    pairs: number;
    known: (i: number) => Promise<number>;
    unknown: (i: number) => Promise<number>;
    between?: () => Promise<unknown>;
    /** The least either median may be (default 5 ms: one Argon2id verification); 0 for answers that hash nothing. */
    minMs?: number;
  },
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
  // Paired differences cancel the machine's drift (several test runs may share its cores).
  const diffs = known.map((ms, i) => ms - unknown[i]!);
  const diff = median(diffs);
  // The median's standard error, from the spread of the differences (MAD, robust to outliers):
  // on a busy machine a small difference can't be told from noise, and mustn't fail the test.
  const spread = 1.4826 * median(diffs.map((d) => Math.abs(d - diff)));
  const standardError = (1.2533 * spread) / Math.sqrt(diffs.length);
  const knownSlower = known.filter((ms, i) => ms > unknown[i]!).length;
  const unknownSlower = known.filter((ms, i) => ms < unknown[i]!).length;
  console.log(
    `${label}: medians known ${k.toFixed(1)} ms, unknown ${u.toFixed(1)} ms, of the differences ${diff.toFixed(1)} ± ${standardError.toFixed(1)} ms; ` +
      `known slower in ${knownSlower}, unknown slower in ${unknownSlower} of ${opts.pairs} pairs`,
  );
  // Both sides do one Argon2id verification (≈ 25 ms): neither may be cheap enough to stand out.
  expect(Math.min(k, u)).toBeGreaterThan(opts.minMs ?? 5);
  expect(Math.abs(diff)).toBeLessThan(Math.max(3, 0.05 * Math.min(k, u), 3 * standardError));
  // A sign test: with no difference, either side is the slower in about half the pairs; 65 % of
  // 100 is 3 standard deviations off (the report that opened this found known slower in 68–69).
  const bound = Math.ceil(opts.pairs * 0.65);
  expect(knownSlower).toBeLessThanOrEqual(bound);
  expect(unknownSlower).toBeLessThanOrEqual(bound);
}
