/**
 * Rules for passwords people choose, per NIST SP 800-63B-4 (§3.1.1.2): length, not composition.
 * At least 15 characters, long passphrases allowed (up to 128), any characters including spaces,
 * no "one digit and one symbol" rules; refused when it is a commonly used or breached password,
 * a keyboard run or a repeat (separators don't hide one), or contains a word from this context (the
 * Portal Username, the agency's name or slug).
 *
 * Three lists, from cheapest to widest:
 * - `common-passwords.txt` (49,233 entries, exact), from the npm package @zxcvbn-ts/language-common
 *   4.1.3 (MIT), file `src/passwords.json`:
 *     node -e 'const p=require("@zxcvbn-ts/language-common/src/passwords.json");
 *       require("fs").writeFileSync("src/auth/common-passwords.txt",
 *         [...new Set(p.map(x=>x.normalize("NFKC").toLowerCase()))].join("\n")+"\n")'
 *   bundled as a text module (wrangler's default rule for *.txt).
 * - `breached-passwords.bin`: a binary fuse filter of ≈ 1.2 million breached passwords (13-bit
 *   fingerprints: a password on no list is taken for one with probability 1/8,192 per form looked
 *   up), made by `npm run passwords:filter` (scripts/breached-passwords.ts), bundled as a Data module
 *   (wrangler's default rule for *.bin: an ArrayBuffer, read in place).
 * - In production, the Pwned Passwords range API (./pwned-passwords.ts), when `newPasswordProblem`
 *   is given its origin; if it can't answer, the two bundled lists decide.
 */
import { BinaryFuseFilter } from "./binary-fuse-filter";
import breachedPasswordsFilter from "./breached-passwords.bin";
import commonPasswordsText from "./common-passwords.txt";
import { pwnedPasswordsLookup } from "./pwned-passwords";

export const PASSWORD_MIN_LENGTH = 15;
export const PASSWORD_MAX_LENGTH = 128;
/** Context words shorter than this are not checked ("al" would refuse half the dictionary). */
const MIN_CONTEXT_WORD = 4;

/** The rules as the page states them, one sentence each. */
export const PASSWORD_RULES = [
  `At least ${PASSWORD_MIN_LENGTH} characters, up to ${PASSWORD_MAX_LENGTH}. Spaces and any characters are allowed: a phrase of several unrelated words works well.`,
  "No rules about digits, capitals or symbols.",
  "Not a commonly used or breached password, and not containing your Portal Username or the agency's name.",
] as const;

/** What a user is told when a password is on a breached list (bundled or the range API). */
export const BREACHED_PASSWORD_MESSAGE =
  "This password appears in lists of breached passwords. Choose another — a few unrelated words work well.";
const COMMON_PASSWORD_MESSAGE = "That password is too common and easy to guess. Try a phrase of several unrelated words.";
/** The same rules as the staff app states them (the context word is the email's name part). */
export const STAFF_PASSWORD_RULES = [
  PASSWORD_RULES[0],
  PASSWORD_RULES[1],
  "Not a commonly used or breached password, and not containing your email's name or the agency's name.",
] as const;

let common: Set<string> | undefined;
/** The list as a set, built on first use (≈ 49k entries) and kept for the isolate's life. */
function commonPasswords(): Set<string> {
  common ??= new Set(commonPasswordsText.split("\n").filter(Boolean));
  return common;
}

let breached: BinaryFuseFilter | undefined;
/** The breached-password filter, read in place from the bundled bytes on first use. */
function breachedPasswords(): BinaryFuseFilter {
  breached ??= BinaryFuseFilter.fromBytes(breachedPasswordsFilter);
  return breached;
}

/** Number of entries in the shipped common-password list. */
export function commonPasswordCount(): number {
  return commonPasswords().size;
}

/** Number of entries in the shipped breached-password filter, and its false-positive rate per lookup. */
export function breachedPasswordFilterInfo(): { entries: number; falsePositiveRate: number } {
  const filter = breachedPasswords();
  return { entries: filter.size, falsePositiveRate: filter.falsePositiveRate };
}

/** Anything but a letter or a digit: spaces, punctuation, symbols. */
const SEPARATORS = /[^\p{L}\p{N}]+/gu;

/**
 * The forms a password is looked up under, lower-cased: as typed; with the digits and symbols
 * around it taken off ("Dragon12345678!!" → "dragon"); without spaces ("I love you 123456" →
 * "iloveyou"); with every separator taken out ("pass-word.pass-word" → "passwordpassword").
 */
function lookupForms(lower: string): string[] {
  const core = lower.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, "");
  const forms = [lower, core, core.replace(/\s+/g, ""), lower.replace(/\s+/g, ""), lower.replace(SEPARATORS, "")];
  return [...new Set(forms)].filter((f) => f.length > 0);
}

// Keyboard and alphabet runs ("123456789012345", "abcdefghijklmnop", "qwertyuiopasdfg…"), either way.
const RUNS = ["0123456789", "abcdefghijklmnopqrstuvwxyz", "qwertyuiopasdfghjklzxcvbnm", "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p"];
function isRun(s: string): boolean {
  return RUNS.some((r) => {
    const reversed = [...r].reverse().join("");
    return r.repeat(4).includes(s) || reversed.repeat(4).includes(s);
  });
}

/** One piece typed again and again ("abcabcabc…", "123456789123456789"). */
const isRepeat = (s: string) => /^(.+?)\1+$/su.test(s);

/** A run or a repeat, also when up to 3 other characters sit at its ends around ≥ 10 of pattern ("abcdefghijklmnop1"). */
function isPattern(s: string): boolean {
  if (s.length === 0) return false;
  if (isRun(s) || isRepeat(s)) return true;
  for (let start = 0; start <= 3; start++) {
    for (let end = 0; start + end <= 3; end++) {
      const inner = s.slice(start, s.length - end);
      if (inner.length >= 10 && (isRun(inner) || isRepeat(inner))) return true;
    }
  }
  return false;
}

/**
 * A keyboard/alphabet run or a repeat, as typed, without spaces, or with its separators taken out
 * when they are few kinds of character ("1234567890123456789!", "q.w.e.r.t.y.u.i.o.p", "1 - 2 - 3 …").
 * Many different symbols are not separators but the password's strength, so they stay.
 */
function isPatterned(lower: string): boolean {
  if (isRepeat(lower) || isPattern(lower.replace(/\s+/g, ""))) return true;
  const separatorKinds = new Set((lower.match(SEPARATORS) ?? []).join(""));
  return separatorKinds.size <= 3 && isPattern(lower.replace(SEPARATORS, ""));
}

/** Whether a password is commonly used: on the common list in any of its forms, a run or a repeat. */
export function isCommonPassword(password: string): boolean {
  const lower = password.normalize("NFKC").toLowerCase();
  const list = commonPasswords();
  return lookupForms(lower).some((f) => list.has(f)) || isPatterned(lower);
}

/**
 * Whether a password is on the bundled breached-password filter in any of its forms. A password on
 * no list is reported with probability 1/8,192 per distinct form (a plain passphrase has 2, as
 * typed and without spaces; digits or symbols at its ends add up to 3 more).
 */
export function isBreachedPassword(password: string): boolean {
  const filter = breachedPasswords();
  return lookupForms(password.normalize("NFKC").toLowerCase()).some((f) => filter.has(f));
}

/** Lower case, letters and digits only: "Maria.Portal" and "maria portal" compare equal. */
const compact = (s: string) => s.normalize("NFKC").toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "");

export interface PasswordContext {
  username: string;
  /** What the page calls the username, for the message ("Portal Username" unless given). */
  usernameLabel?: string;
  agencyName: string;
  agencySlug: string;
}

export type PasswordField = "newPassword" | "confirmPassword";

/**
 * What is wrong with a new password: the first problem (`field`, `message`), and under `errors`
 * every field's message — for the new password every rule it breaks, in one message, and for the
 * confirmation a mismatch — so the page reports them all at once.
 */
type Problem = { field: PasswordField; message: string; errors: Partial<Record<PasswordField, string>> };

/** The rules that need nothing but the password and its context: length, context words, lists. Every broken rule. */
function ruleMessages(password: string, context: PasswordContext): string[] {
  const messages: string[] = [];
  // Length in characters (Unicode code points), as NIST counts it.
  const length = [...password.normalize("NFKC")].length;
  if (length < PASSWORD_MIN_LENGTH) messages.push(`Use at least ${PASSWORD_MIN_LENGTH} characters (this one has ${length}).`);
  if (length > PASSWORD_MAX_LENGTH) messages.push(`Use at most ${PASSWORD_MAX_LENGTH} characters (this one has ${length}).`);
  const flat = compact(password);
  const username = compact(context.username);
  if (username.length >= MIN_CONTEXT_WORD && flat.includes(username)) {
    messages.push(`Don't use your ${context.usernameLabel ?? "Portal Username"} in your password.`);
  }
  const agencyWords = [compact(context.agencyName), compact(context.agencySlug)];
  if (agencyWords.some((w) => w.length >= MIN_CONTEXT_WORD && flat.includes(w))) messages.push("Don't use the agency's name in your password.");
  if (isCommonPassword(password)) messages.push(COMMON_PASSWORD_MESSAGE);
  else if (isBreachedPassword(password)) messages.push(BREACHED_PASSWORD_MESSAGE);
  return messages;
}

const MISMATCH = "The two passwords don't match. Type the same password in both boxes.";

/** The problem from the rules' messages and whether the confirmation matched; null when there is none. */
function problemOf(rules: string[], matches: boolean): Problem | null {
  const errors: Problem["errors"] = {};
  if (rules.length > 0) errors.newPassword = rules.join(" ");
  if (!matches) errors.confirmPassword = MISMATCH;
  const field: PasswordField | undefined = errors.newPassword ? "newPassword" : errors.confirmPassword ? "confirmPassword" : undefined;
  return field ? { field, message: errors[field]!, errors } : null;
}

/**
 * Checks a new password and its confirmation against the bundled rules and lists; returns every
 * problem (the first as `field`/`message`), or null when the password may be used.
 */
export function passwordProblem(password: string, confirmation: string, context: PasswordContext): Problem | null {
  return problemOf(ruleMessages(password, context), password === confirmation);
}

/**
 * `passwordProblem`, and then, when `pwnedPasswords.origin` is set (production), the Pwned
 * Passwords range API, in the same place as the bundled breached list (before the confirmation).
 * If the API can't answer in time, the bundled lists have decided: the password is accepted
 * (fail-open) and a line without the password or its hash is logged.
 */
export async function newPasswordProblem(
  password: string,
  confirmation: string,
  context: PasswordContext,
  pwnedPasswords: { origin: string; timeoutMs?: number },
): Promise<Problem | null> {
  const rules = ruleMessages(password, context);
  // The range API only for a password the bundled rules accept (no lookup for one refused anyway).
  if (rules.length === 0 && pwnedPasswords.origin) {
    const answer = await pwnedPasswordsLookup(password, pwnedPasswords);
    if (answer.kind === "breached") rules.push(BREACHED_PASSWORD_MESSAGE);
    if (answer.kind === "unavailable") console.warn(`pwned passwords: no answer (${answer.reason}); the bundled lists decided`);
  }
  return problemOf(rules, password === confirmation);
}
