/**
 * The Agency Log's filters (Action Type, Date Range) and page position as they travel in the query
 * string: the same URL serves the page, htmx, the Older/Newest links and the CSV export.
 */
import { z } from "zod";
import { AGENCY_ACTIONS } from "../audit/agency-log";
import { dateField } from "../forms/dates";
import { agencyDayStart, nextDay } from "../layout/agency-time";

const PICK_ACTION = "Choose an Action Type from the list.";
const BAD_LINK = "That page link is not valid.";

export const agencyLogFilterSchema = z
  .object({
    action: z.union([z.literal(""), z.enum(AGENCY_ACTIONS)], { message: PICK_ACTION }).default(""),
    start: dateField("Start Date"),
    end: dateField("End Date"),
    /** Show the entries older than this sequence number (the Older link). */
    before: z.preprocess((v) => (v === "" ? undefined : v), z.coerce.number({ message: BAD_LINK }).int(BAD_LINK).positive(BAD_LINK).optional()),
  })
  .superRefine((f, ctx) => {
    if (f.start && f.end && f.end < f.start) ctx.addIssue({ code: "custom", path: ["end"], message: "End Date must be on or after the Start Date." });
  });

export type AgencyLogQuery = z.infer<typeof agencyLogFilterSchema>;
export type AgencyLogFilter = Omit<AgencyLogQuery, "before">;

export const NO_FILTER: AgencyLogFilter = { action: "", start: "", end: "" };

/** The Date Range as UTC bounds: from the Start Date's first moment to the moment after the End Date ends. */
export function utcRange(f: AgencyLogFilter, timeZone: string): { from?: number; until?: number } {
  return {
    from: f.start ? agencyDayStart(f.start, timeZone) : undefined,
    until: f.end ? agencyDayStart(nextDay(f.end), timeZone) : undefined,
  };
}

/** The query string for these filters (empty ones left out), plus a page position if given. */
export function filterQuery(f: AgencyLogFilter, before?: number): string {
  const params = new URLSearchParams();
  for (const key of ["action", "start", "end"] as const) if (f[key]) params.set(key, f[key]);
  if (before) params.set("before", String(before));
  const s = params.toString();
  return s ? `?${s}` : "";
}

/** Whether any filter narrows the log. */
export const isFiltered = (f: AgencyLogFilter) => Boolean(f.action || f.start || f.end);
