/**
 * The Face Sheet Change Log's filters (Change Type, Changes By, Date Range) and page position, as
 * they travel in the query string: the same URL serves htmx, a plain GET form, paging links and
 * the CSV export.
 */
import { z } from "zod";
import { dateField } from "../forms/dates";
import { plainText } from "../forms/text";
import { agencyDayStart, nextDay } from "../layout/agency-time";

const choice = (label: string) => plainText(label).trim().max(200, `${label} is too long.`).default("");

/** A page position: the sequence number of the entry the page continues from. */
const cursor = z.preprocess(
  (v) => (v === "" ? undefined : v),
  z.coerce.number({ message: "That page link is not valid." }).int().positive("That page link is not valid.").optional(),
);

export const changeLogFilterSchema = z
  .object({
    changeType: choice("Change Type"),
    changedBy: choice("Changes By"),
    start: dateField("Start Date"),
    end: dateField("End Date"),
    /** Show the entries older than this sequence number (the Older link). */
    before: cursor,
    /** Show the entries newer than this sequence number (the Newer link). */
    after: cursor,
  })
  .superRefine((f, ctx) => {
    if (f.start && f.end && f.end < f.start) {
      ctx.addIssue({ code: "custom", path: ["end"], message: "End Date must be on or after the Start Date." });
    }
  });

export type ChangeLogQuery = z.infer<typeof changeLogFilterSchema>;
export type ChangeLogFilter = Omit<ChangeLogQuery, "before" | "after">;

/** The filters applied by default: everything. */
export const NO_FILTER: ChangeLogFilter = { changeType: "", changedBy: "", start: "", end: "" };

/** The filter's Date Range as UTC bounds: from the Start Date's first moment to the moment after the End Date ends. */
export function utcRange(f: ChangeLogFilter, timeZone: string): { from?: number; until?: number } {
  return {
    from: f.start ? agencyDayStart(f.start, timeZone) : undefined,
    until: f.end ? agencyDayStart(nextDay(f.end), timeZone) : undefined,
  };
}

/** The query string for these filters (empty ones left out), plus a page position if given. */
export function filterQuery(f: ChangeLogFilter, position: { before?: number; after?: number } = {}): string {
  const params = new URLSearchParams();
  for (const key of ["changeType", "changedBy", "start", "end"] as const) if (f[key]) params.set(key, f[key]);
  if (position.before) params.set("before", String(position.before));
  if (position.after) params.set("after", String(position.after));
  const s = params.toString();
  return s ? `?${s}` : "";
}

/** Whether any filter narrows the log. */
export function isFiltered(f: ChangeLogFilter): boolean {
  return Boolean(f.changeType || f.changedBy || f.start || f.end);
}
