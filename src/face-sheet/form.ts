/**
 * The Face Sheet's editable fields and their rules. The messages are what staff read next to
 * each field, so they say what to do.
 */
import { z } from "zod";
import { checkbox } from "../forms/parse";
import { plainText } from "../forms/text";

const US_STATES = new Set(
  "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY AS GU MP PR VI".split(" "),
);

function isRealPastDate(v: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return (
    date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d && y >= 1900 && date.getTime() <= Date.now()
  );
}

const text = (label: string, max: number) => plainText(label).trim().max(max, `${label} must be ${max} characters or fewer.`);
const name = (label: string) => text(label, 60).min(1, `Enter the ${label.toLowerCase()}.`);

export const faceSheetForm = z.object({
  firstName: name("First name"),
  lastName: name("Last name"),
  dateOfBirth: plainText("Date of birth")
    .trim()
    .min(1, "Enter the date of birth.")
    .refine(isRealPastDate, "Enter a real date of birth in the past, as YYYY-MM-DD (e.g. 1987-03-14)."),
  residenceAddress: text("Address", 120),
  residenceCity: text("City", 60),
  residenceState: plainText("State")
    .trim()
    .toUpperCase()
    .refine((v) => v === "" || US_STATES.has(v), "Enter a two-letter state code, e.g. NY."),
  residenceZip: plainText("ZIP")
    .trim()
    .refine((v) => /^(\d{5}(-\d{4})?)?$/.test(v), "Enter a 5-digit ZIP code, e.g. 12207 (or ZIP+4, 12207-1234)."),
  residencePhone: plainText("Phone")
    .trim()
    .transform((v) => v.replace(/[\s().-]/g, "").replace(/^\+?1(?=\d{10}$)/, ""))
    .refine((v) => v === "" || /^\d{10}$/.test(v), "Enter a 10-digit phone number, e.g. (518) 555-0142.")
    .transform((v) => (v === "" ? "" : `(${v.slice(0, 3)}) ${v.slice(3, 6)}-${v.slice(6)}`)),
  residenceEmail: plainText("Email")
    .trim()
    .max(254, "Email must be 254 characters or fewer.")
    .refine((v) => v === "" || z.email().safeParse(v).success, "Enter an email address like name@example.com."),
  residenceHomeless: checkbox(),
  refusedPortalLogin: checkbox(),
  version: z.coerce.number({ message: "Reload the Face Sheet and try again." }).int().positive(),
});

export type FaceSheetInput = z.infer<typeof faceSheetForm>;

const SEARCH_MAX = 100;
const searchText = plainText("Search clients");

/**
 * The client search box's text (Face Sheet and Document Center): NFC, at most 100 characters
 * (anything longer is cut, as the box never sends more), or the message to show beside the box.
 */
export function readClientSearch(raw: string | undefined): { q: string; error?: string } {
  const typed = (raw ?? "").slice(0, SEARCH_MAX);
  const parsed = searchText.safeParse(typed);
  return parsed.success ? { q: parsed.data } : { q: typed, error: parsed.error.issues[0]?.message };
}
