/**
 * Rules for passwords people choose, per NIST SP 800-63B-4 (§3.1.1.2): length, not composition.
 * At least 15 characters, long passphrases allowed (up to 128), any characters including spaces,
 * no "one digit and one symbol" rules; refused when it is a commonly used password or contains a
 * word from this context (the Portal Username, the agency's name or slug).
 *
 * The common-password list (49,233 entries) is `src/auth/common-passwords.txt`, generated from the
 * npm package @zxcvbn-ts/language-common 4.1.3 (MIT), file `src/passwords.json`:
 *   node -e 'const p=require("@zxcvbn-ts/language-common/src/passwords.json");
 *     require("fs").writeFileSync("src/auth/common-passwords.txt",
 *       [...new Set(p.map(x=>x.normalize("NFKC").toLowerCase()))].join("\n")+"\n")'
 * It is bundled as a text module (wrangler's default rule for *.txt), so nothing is fetched.
 */
import commonPasswordsText from "./common-passwords.txt";

export const PASSWORD_MIN_LENGTH = 15;
export const PASSWORD_MAX_LENGTH = 128;
/** Context words shorter than this are not checked ("al" would refuse half the dictionary). */
const MIN_CONTEXT_WORD = 4;

/** The rules as the page states them, one sentence each. */
export const PASSWORD_RULES = [
  `At least ${PASSWORD_MIN_LENGTH} characters, up to ${PASSWORD_MAX_LENGTH}. Spaces and any characters are allowed: a phrase of several unrelated words works well.`,
  "No rules about digits, capitals or symbols.",
  "Not a commonly used password, and not containing your Portal Username or the agency's name.",
] as const;

/** The same rules as the staff app states them (the context word is the email's name part). */
export const STAFF_PASSWORD_RULES = [
  PASSWORD_RULES[0],
  PASSWORD_RULES[1],
  "Not a commonly used password, and not containing your email's name or the agency's name.",
] as const;

let common: Set<string> | undefined;
/** The list as a set, built on first use (≈ 49k entries) and kept for the isolate's life. */
function commonPasswords(): Set<string> {
  common ??= new Set(commonPasswordsText.split("\n").filter(Boolean));
  return common;
}

/** Number of entries in the shipped common-password list. */
export function commonPasswordCount(): number {
  return commonPasswords().size;
}

// Keyboard and alphabet runs ("123456789012345", "abcdefghijklmnop", "qwertyuiopasdfg…"), either way.
const RUNS = ["0123456789", "abcdefghijklmnopqrstuvwxyz", "qwertyuiopasdfghjklzxcvbnm", "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p"];
function isRun(s: string): boolean {
  return RUNS.some((r) => {
    const reversed = [...r].reverse().join("");
    return r.repeat(4).includes(s) || reversed.repeat(4).includes(s);
  });
}

/**
 * Whether a password is commonly used: on the list as typed (any case), on the list once the
 * digits and symbols around it are taken off ("Dragon12345678!!" → "dragon") or its spaces
 * removed ("I love you 123456" → "iloveyou"), one short piece repeated ("abcabcabcabcabc"), or a
 * keyboard/alphabet run.
 */
export function isCommonPassword(password: string): boolean {
  const list = commonPasswords();
  const lower = password.normalize("NFKC").toLowerCase();
  const core = lower.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, "");
  const candidates = [lower, core, core.replace(/\s+/g, ""), lower.replace(/\s+/g, "")];
  if (candidates.some((c) => c.length > 0 && list.has(c))) return true;
  if (/^(.{1,8}?)\1+$/su.test(lower)) return true;
  return isRun(lower.replace(/\s+/g, ""));
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
 * Checks a new password and its confirmation against the rules; returns the first problem and the
 * field it belongs to, or null when the password may be used.
 */
export function passwordProblem(
  password: string,
  confirmation: string,
  context: PasswordContext,
): { field: PasswordField; message: string } | null {
  // Length in characters (Unicode code points), as NIST counts it.
  const length = [...password.normalize("NFKC")].length;
  if (length < PASSWORD_MIN_LENGTH) {
    return { field: "newPassword", message: `Use at least ${PASSWORD_MIN_LENGTH} characters (this one has ${length}).` };
  }
  if (length > PASSWORD_MAX_LENGTH) {
    return { field: "newPassword", message: `Use at most ${PASSWORD_MAX_LENGTH} characters (this one has ${length}).` };
  }
  const flat = compact(password);
  const username = compact(context.username);
  if (username.length >= MIN_CONTEXT_WORD && flat.includes(username)) {
    return { field: "newPassword", message: `Don't use your ${context.usernameLabel ?? "Portal Username"} in your password.` };
  }
  const agencyWords = [compact(context.agencyName), compact(context.agencySlug)];
  if (agencyWords.some((w) => w.length >= MIN_CONTEXT_WORD && flat.includes(w))) {
    return { field: "newPassword", message: "Don't use the agency's name in your password." };
  }
  if (isCommonPassword(password)) {
    return { field: "newPassword", message: "That password is too common and easy to guess. Try a phrase of several unrelated words." };
  }
  if (password !== confirmation) {
    return { field: "confirmPassword", message: "The two passwords don't match. Type the same password in both boxes." };
  }
  return null;
}
