/**
 * Date fields of filter forms (a Date Range's Start Date and End Date): what a date input sends
 * and what a person types, checked and turned into YYYY-MM-DD.
 */
import { z } from "zod";
import { plainText } from "./text";

/** Accepts what a date input sends (YYYY-MM-DD) and what a person types (M/D/YYYY). */
function toIsoDate(v: string): string | null {
  let y: number, m: number, d: number;
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(v);
  const us = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(v);
  if (iso) [y, m, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  else if (us) [y, m, d] = [Number(us[3]), Number(us[1]), Number(us[2])];
  else return null;
  const date = new Date(Date.UTC(y, m - 1, d));
  if (y < 1900 || y > 2999 || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  return date.toISOString().slice(0, 10);
}

/**
 * An optional date field: "" when empty, YYYY-MM-DD when valid, otherwise a message naming the
 * field, e.g. "Enter the Start Date as a date, e.g. 06/16/2022."
 */
export const dateField = (label: string) =>
  plainText(label)
    .trim()
    .default("")
    .transform((v, ctx) => {
      if (v === "") return "";
      const iso = toIsoDate(v);
      if (iso === null) {
        ctx.addIssue({ code: "custom", message: `Enter the ${label} as a date, e.g. 06/16/2022.` });
        return z.NEVER;
      }
      return iso;
    });
