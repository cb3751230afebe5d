/**
 * Text as people type it, for every text field of every form: normalised to Unicode NFC (so
 * "José" typed as e + combining accent and as é are one name, in search and in storage), and
 * refused when it holds a character nobody can see:
 *   - Cc, controls: NUL, escape, newlines (these fields are single-line);
 *   - Cf, format characters: bidi overrides and isolates (`Emily\u202Egnp.exe` displays as
 *     "Emilyexe.png"), zero-width space, word joiner, BOM, soft hyphen, tag characters;
 *   - Cs, lone surrogates (not text; D1 would store U+FFFD), and the line and paragraph
 *     separators U+2028/U+2029.
 * One exception, where a name needs it: ZWNJ and ZWJ (U+200C, U+200D) are part of correct
 * spelling in Arabic-script languages (Persian, Urdu…) and in Indic scripts, so they pass
 * between a letter (or mark) of such a script and a following letter or mark; between Latin
 * letters, or anywhere else, they are refused like any other invisible character.
 *
 * Passwords don't use this: any character may be in a passphrase (NIST SP 800-63B-4), and they
 * are NFKC-normalised and hashed, never displayed.
 */
import { z } from "zod";

// Scripts whose spelling uses ZWNJ/ZWJ (Unicode's joining scripts and the Brahmic ones).
const JOINING_SCRIPTS = [
  "Arabic", "Syriac", "Nko", "Mongolian", "Devanagari", "Bengali", "Gurmukhi", "Gujarati", "Oriya",
  "Tamil", "Telugu", "Kannada", "Malayalam", "Sinhala", "Khmer", "Myanmar", "Tibetan",
].map((s) => `\\p{Script=${s}}`).join("");
const SPELLING_JOINER = new RegExp(`(?<=[${JOINING_SCRIPTS}])[\\u200C\\u200D](?=[\\p{L}\\p{M}])`, "gu");
const HIDDEN = /[\p{Cc}\p{Cf}\p{Cs}\u2028\u2029]/u;

/**
 * The first character in `value` that text fields refuse, as "U+XXXX", or null when there is
 * none. Joiners that belong to a word's spelling are not counted (see above).
 *
 * @example hiddenCharacter("Emily\u202Egnp.exe") // → "U+202E"
 */
export function hiddenCharacter(value: string): string | null {
  const found = HIDDEN.exec(value.replace(SPELLING_JOINER, ""));
  if (!found) return null;
  return `U+${found[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
}

/** What staff or a client read next to the field. */
export const hiddenCharacterMessage = (label: string, codePoint: string) =>
  `${label} contains a hidden character (${codePoint}) that can disguise what it says. Type it again rather than pasting it.`;

/**
 * A text field: a zod string, NFC-normalised, refused with a message naming `label` when it holds
 * a hidden character. Chain the field's own rules after it (they see the normalised text).
 *
 * @example plainText("First name").trim().min(1, "Enter the first name.").max(60, "…")
 */
export function plainText(label: string) {
  return z
    .string()
    .normalize("NFC")
    .superRefine((value, ctx) => {
      const codePoint = hiddenCharacter(value);
      if (codePoint) ctx.addIssue({ code: "custom", message: hiddenCharacterMessage(label, codePoint) });
    });
}
