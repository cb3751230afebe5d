/**
 * The "breaches" the local Pwned Passwords range server (test/fixture-servers/pwned-range.ts)
 * knows. Each passes every bundled rule and list, so only the range API can refuse it.
 */
export const PWNED_FIXTURE = {
  /** Answered with a count: a breach. */
  breached: { password: "velvet harbor lantern morning", count: 312 },
  /** Answered only as a padding line (count 0): not a breach. */
  paddingOnly: { password: "quiet meadow copper kettle", count: 0 },
  /** On no list at all. */
  clean: "amber quill ferry sunrise",
} as const;
