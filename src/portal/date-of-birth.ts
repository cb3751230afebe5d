/**
 * The date of birth a portal link asks for, typed as Month, Day and Year (three short number
 * fields: easier on a phone than a date picker that starts at today, and unambiguous). Anything
 * that isn't a real, past date is bad input — answered next to the field and never counted
 * against the link; only a real date is compared (and counted if wrong).
 */
import { z } from "zod";
import { plainText } from "../forms/text";

export const DOB_FIELD = "dateOfBirth";
export const DOB_EXAMPLE = "For example, 03 14 1987";

const part = (label: string) => plainText(label).trim().max(8, `Enter the ${label.toLowerCase()} as a number.`);

/** Month, Day, Year → YYYY-MM-DD; every problem is reported on the one `dateOfBirth` field. */
export const dateOfBirthForm = z
  .object({ month: part("Month").default(""), day: part("Day").default(""), year: part("Year").default("") })
  .transform((v, ctx) => {
    const fail = (message: string) => {
      ctx.addIssue({ code: "custom", path: [DOB_FIELD], message });
      return z.NEVER;
    };
    if (!v.month || !v.day || !v.year) return fail("Enter the date of birth: month, day and year.");
    if (![v.month, v.day, v.year].every((p) => /^[0-9]+$/.test(p))) return fail("Use numbers only, e.g. 03 14 1987.");
    if (v.year.length !== 4) return fail("Enter the year with four digits, e.g. 1987.");
    const [y, m, d] = [Number(v.year), Number(v.month), Number(v.day)];
    const date = new Date(Date.UTC(y, m - 1, d));
    if (m < 1 || m > 12 || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return fail("That isn't a real date. Check the month and the day.");
    if (y < 1900 || date.getTime() > Date.now()) return fail("Enter a date of birth in the past, e.g. 03 14 1987.");
    return date.toISOString().slice(0, 10);
  });

/** The three fields as typed, for re-rendering. */
export interface DobValues {
  month: string;
  day: string;
  year: string;
}
