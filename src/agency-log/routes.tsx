/** @jsxImportSource hono/jsx */
/**
 * Main Menu > Administration > Agency Log (admins only, by the permission table): the agency's access log newest first,
 * filtered by Action Type and Date Range, paged by position, exported as CSV, verified. Every read
 * is of the signed-in admin's own agency: no URL names an agency.
 */
import { Hono } from "hono";
import type { AppEnv } from "../app";
import { agencyLogReader, recordStaffAction, verifyAgencyLog } from "../audit/agency-events";
import { describeVerification } from "../audit/verify";
import { parseForm } from "../forms/parse";
import { agencyToday } from "../layout/agency-time";
import { wantsFragment } from "../layout/fragment";
import { agencyLogCsv } from "./csv";
import { agencyLogFilterSchema, NO_FILTER, utcRange, type AgencyLogFilter } from "./filters";
import { agencyLogEntries, agencyLogPage, type AgencyLogScope } from "./queries";
import { AGENCY_LOG_PATH, AgencyLogPageView, AgencyLogView, VerifyAnswer } from "./views";

/** Entries per page. */
export const PAGE_SIZE = 50;

const scopeOf = (agencyId: number, filter: AgencyLogFilter, timeZone: string): AgencyLogScope => ({
  agencyId,
  action: filter.action || undefined,
  ...utcRange(filter, timeZone),
});

export const agencyLogRoutes = new Hono<AppEnv>()
  // 1. The log, or (htmx) just the filters and entries; filters in the query string.
  .get(AGENCY_LOG_PATH, async (c) => {
    const staff = c.var.staff;
    const timeZone = staff.agency.timezone;
    const fragment = wantsFragment(c);
    const query = parseForm(agencyLogFilterSchema, c.req.query());
    if (!query.ok) {
      // Bad input: the form comes back with the messages beside the fields; nothing is read.
      const view = <AgencyLogView values={query.values} errors={query.errors} filter={NO_FILTER} page={null} timeZone={timeZone} atTop />;
      if (fragment) {
        c.header("HX-Push-Url", "false");
        return c.html(view, 422);
      }
      return c.html(<AgencyLogPageView staff={staff} view={view} />, 422);
    }
    const { before, ...filter } = query.data;
    const page = await agencyLogPage(await agencyLogReader(c, staff.agency.id), scopeOf(staff.agency.id, filter, timeZone), before, PAGE_SIZE);
    const view = <AgencyLogView values={filter} filter={filter} page={page} timeZone={timeZone} atTop={before === undefined} />;
    return c.html(fragment ? view : <AgencyLogPageView staff={staff} view={view} />);
  })
  // 2. Export CSV: every entry the filters select.
  .get(`${AGENCY_LOG_PATH}.csv`, async (c) => {
    const staff = c.var.staff;
    const query = parseForm(agencyLogFilterSchema, c.req.query());
    if (!query.ok) return c.text(Object.values(query.errors).join(" "), 422);
    const { before: _before, ...filter } = query.data;
    recordStaffAction(c, "CSV export", "Exported the Agency Log as CSV.", { log: "agency", action: filter.action, start: filter.start, end: filter.end });
    const name = `agency-log-${staff.agency.slug}-${agencyToday(staff.agency.timezone)}.csv`.replace(/[^A-Za-z0-9._-]/g, "_");
    const db = await agencyLogReader(c, staff.agency.id);
    return c.body(agencyLogCsv(agencyLogEntries(db, scopeOf(staff.agency.id, filter, staff.agency.timezone)), staff.agency.timezone), 200, {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${name}"`,
      "X-Content-Type-Options": "nosniff",
    });
  })
  // 3. Verify log: the agency's chain from D1 against its AgencyLog's head.
  .post(`${AGENCY_LOG_PATH}/verify`, async (c) => {
    const staff = c.var.staff;
    const verification = await verifyAgencyLog(c.env, c.var.db, staff.agency.id);
    const result = { intact: verification.intact, message: describeVerification(verification) };
    recordStaffAction(c, "Verify log", `Verify log on the Agency Log: ${result.message}`, { log: "agency", ...verification });
    if (wantsFragment(c)) return c.html(<VerifyAnswer result={result} />);
    const timeZone = staff.agency.timezone;
    const page = await agencyLogPage(await agencyLogReader(c, staff.agency.id), scopeOf(staff.agency.id, NO_FILTER, timeZone), undefined, PAGE_SIZE);
    const view = <AgencyLogView values={NO_FILTER} filter={NO_FILTER} page={page} timeZone={timeZone} atTop />;
    return c.html(<AgencyLogPageView staff={staff} view={view} verified={result} />);
  });
