/** @jsxImportSource hono/jsx */
/**
 * Main Menu > Reports Menu > Document Center: find the client, open a case, open the Face Sheet
 * Change Log; filter it, page it, export it as CSV, verify its hash chain. Every client and case id
 * from the URL is looked up within the signed-in staff member's agency: anything else is a 404.
 */
import { Hono, type Context } from "hono";
import { z } from "zod";
import type { BatchResponse } from "drizzle-orm/batch";
import type { AppEnv, CurrentStaff } from "../app";
import { readsWithSession } from "../auth/session-reads";
import type { Db } from "../db";
import { describeVerification } from "../audit/verify";
import { verifyClientLog } from "../clients/log";
import { recordStaffAction } from "../audit/agency-events";
import { readClientSearch } from "../face-sheet/form";
import { searchClients } from "../face-sheet/queries";
import { wantsFragment } from "../layout/fragment";
import { SearchResults } from "../face-sheet/search-views";
import { parseForm } from "../forms/parse";
import { agencyToday } from "../layout/agency-time";
import { changeLogCsv } from "./csv";
import { changeLogFilterSchema, filterQuery, NO_FILTER, utcRange, type ChangeLogFilter } from "./filters";
import { changeLogChoices, changeLogChoicesFromRows, changeLogChoicesQueries } from "./change-log-choices";
import {
  changeLogEntries,
  changeLogPage,
  changeLogPageFromRows,
  changeLogPageQueries,
  findClientCase,
  findClientWithCases,
  logContextFromRows,
  logContextQueries,
  type ChangeLogScope,
  type ClientCase,
} from "./queries";
import {
  ChangeLogFilters,
  ChangeLogPageView,
  ChangeLogResults,
  DateRange,
  LogStatus,
  VerifyLog,
  VerifyAnswer,
  type ChangeLogContext,
} from "./change-log-views";
import { CasePage, ClientCasesPage, DocumentCenterSearchPage, paths } from "./views";

/** Entries per page of the Change Log. */
export const PAGE_SIZE = 25;

const CLIENT = "/document-center/clients/:clientId{[0-9]+}";
const CASE = `${CLIENT}/cases/:caseId{[0-9]+}`;
/** The seed's path to the log: through a case. */
const LOG = `${CASE}/face-sheet-log`;
/** The same log straight from the client (the Face Sheet's Change Log link; a client with no case). */
const CLIENT_LOG = `${CLIENT}/face-sheet-log`;

const rowId = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);
/** A client or case id from the path, or null (→ 404) when it isn't one. */
const id = (v: string | undefined) => {
  const parsed = rowId.safeParse(v);
  return parsed.success ? parsed.data : null;
};

/** The client and case named in the URL, within the staff member's agency; null → 404. */
async function loadCase(c: Context<AppEnv>): Promise<(ChangeLogContext & { kase: ClientCase }) | null> {
  const [clientId, caseId] = [id(c.req.param("clientId")), id(c.req.param("caseId"))];
  if (clientId === null || caseId === null) return null;
  const found = await findClientCase(c.var.db, c.var.staff.agency.id, clientId, caseId);
  return found && { client: found.client, kase: found.kase, timeZone: c.var.staff.agency.timezone };
}

/** The log's client (and its case, when the URL goes through one), within the agency; null → 404. */
async function loadLog(c: Context<AppEnv>): Promise<ChangeLogContext | null> {
  if (c.req.param("caseId") !== undefined) return loadCase(c);
  const clientId = id(c.req.param("clientId"));
  const found = clientId === null ? null : await findClientWithCases(c.var.db, c.var.staff.agency.id, clientId);
  return found && { client: found.client, timeZone: c.var.staff.agency.timezone };
}

/**
 * The log's client id and case id (null on the client's own path) from the URL; null when either
 * is not an id (→ 404). Nothing is read: the page's batch checks they are the agency's.
 */
function logIds(c: Context<AppEnv>): { clientId: number; caseId: number | null } | null {
  const clientId = id(c.req.param("clientId"));
  const caseParam = c.req.param("caseId");
  const caseId = caseParam === undefined ? null : id(caseParam);
  return clientId === null || (caseParam !== undefined && caseId === null) ? null : { clientId, caseId };
}

/**
 * The Change Log page's reads for its URL and filters, as one batch: the client (and case), the
 * page of entries (unless the filter is bad) and the filter choices (unless htmx asks for the
 * results only). The page reads with it, and offers it to the session check (changeLogReadsWithSession).
 */
function changeLogReads(db: Db, agency: CurrentStaff["agency"], ids: { clientId: number; caseId: number | null }, query: ReturnType<typeof parseChangeLogQuery>, fragment: boolean) {
  const where = logContextQueries(db, agency.id, ids.clientId, ids.caseId);
  const choices = fragment ? [] : changeLogChoicesQueries(db, agency.id, ids.clientId);
  if (!query.ok) return { statements: [...where, ...choices] as const, pageQueries: [] };
  const { before, after, ...filter } = query.data;
  const scope = scopeOf({ clientId: ids.clientId, timeZone: agency.timezone }, agency.id, filter);
  const pageQueries = changeLogPageQueries(db, scope, { before, after }, PAGE_SIZE);
  return { statements: [...where, ...pageQueries, ...choices] as const, pageQueries };
}

const parseChangeLogQuery = (c: Context<AppEnv>) => parseForm(changeLogFilterSchema, c.req.query());

/**
 * The Change Log's reads offered to the session check (src/auth/session-reads.ts) on both of its
 * paths: installed before requireStaff in src/index.ts.
 */
const changeLogReadsWithSession = readsWithSession((c) => {
  const ids = logIds(c);
  const query = parseChangeLogQuery(c);
  const fragment = wantsFragment(c);
  return (db, agency) => (ids ? [...changeLogReads(db, agency, ids, query, fragment).statements] : []);
});
export const changeLogSessionReads = [LOG, CLIENT_LOG].map((path) => [path, changeLogReadsWithSession] as const);

type EntryRows = Parameters<typeof changeLogPageFromRows>[2];
type ChoiceRows = Parameters<typeof changeLogChoicesFromRows>[0];

function scopeOf(ctx: { clientId: number; timeZone: string }, agencyId: number, filter: ChangeLogFilter): ChangeLogScope {
  return {
    agencyId,
    clientId: ctx.clientId,
    changeType: filter.changeType || undefined,
    changedBy: filter.changedBy || undefined,
    ...utcRange(filter, ctx.timeZone),
  };
}

const PAGER_IDS = new Set(["page-newest", "page-newer", "page-older"]);

const statusText = (count: number, filtered: boolean) =>
  count === 0 ? (filtered ? "No changes match these filters." : "No changes logged yet.") : `Showing ${count} ${count === 1 ? "change" : "changes"}, newest first.`;

const caseChoice = z.object({ case: z.coerce.number({ message: "Select a Case # to open." }).int().positive("Select a Case # to open.") });
const formChoice = z.object({ form: z.literal("face-sheet-log", { message: "Select a form to open." }) });

export const documentCenterRoutes = new Hono<AppEnv>()
  // 1. Search for and select the client.
  .get("/document-center", async (c) => {
    const { q, error } = readClientSearch(c.req.query("q"));
    const hits = !error && q.trim() ? await searchClients(c.var.db, c.var.staff.agency.id, q) : null;
    const status = error ? 422 : 200;
    if (wantsFragment(c)) return c.html(<SearchResults q={q} hits={hits} error={error} hrefFor={paths.client} oob />, status);
    return c.html(<DocumentCenterSearchPage staff={c.var.staff} q={q} hits={hits} error={error} />, status);
  })
  // 2. The client's cases: select the Case # radio button, Open Case.
  .get(CLIENT, async (c) => {
    const clientId = id(c.req.param("clientId"));
    const found = clientId === null ? null : await findClientWithCases(c.var.db, c.var.staff.agency.id, clientId);
    if (!found) return c.notFound();
    if (c.req.query("open") === "case") {
      const choice = parseForm(caseChoice, c.req.query());
      const kase = choice.ok ? found.cases.find((k) => k.id === choice.data.case) : undefined;
      if (kase) return c.redirect(paths.kase(found.client.id, kase.id), 303);
      return c.html(<ClientCasesPage staff={c.var.staff} client={found.client} cases={found.cases} error="Select a Case # to open." />, 422);
    }
    return c.html(<ClientCasesPage staff={c.var.staff} client={found.client} cases={found.cases} />);
  })
  // 3. The opened case: select "Changes to this Client's face sheet", Open Form.
  .get(CASE, async (c) => {
    const ctx = await loadCase(c);
    if (!ctx) return c.notFound();
    if (c.req.query("open") === "form") {
      const choice = parseForm(formChoice, c.req.query());
      if (choice.ok) return c.redirect(paths.log(ctx.client.id, ctx.kase.id), 303);
      return c.html(<CasePage staff={c.var.staff} client={ctx.client} kase={ctx.kase} error="Select a form to open." />, 422);
    }
    return c.html(<CasePage staff={c.var.staff} client={ctx.client} kase={ctx.kase} />);
  })
  // 4. The Face Sheet Change Log: filters in the query string, the results swapped by htmx. Every
  //    read of the page — client (and case), the entries, the filters' choices — goes in one D1
  //    batch (with the session check, two round trips); all are scoped by the agency, and nothing
  //    is shown unless the client (and case) are the agency's and belong together.
  .on("GET", [LOG, CLIENT_LOG], async (c) => {
    const ids = logIds(c);
    if (!ids) return c.notFound();
    const { clientId, caseId } = ids;
    const staff = c.var.staff;
    const db = c.var.db;
    const timeZone = staff.agency.timezone;
    const fragment = wantsFragment(c);
    const query = parseChangeLogQuery(c);
    // The page's one batch: sent already beside the session check, or now.
    const reads = changeLogReads(db, staff.agency, { clientId, caseId }, query, fragment);
    const [client, kase, ...rest] = (c.var.sessionRows as BatchResponse<typeof reads.statements> | undefined) ?? (await db.batch(reads.statements));

    if (!query.ok) {
      // Bad input changes nothing else on the page: htmx puts the messages beside the dates only.
      const found = logContextFromRows([client, kase], caseId);
      if (!found) return c.notFound();
      const ctx: ChangeLogContext = { ...found, timeZone };
      const values = { ...NO_FILTER, ...query.values };
      const problem = Object.entries(query.errors).find(([k]) => k !== "start" && k !== "end")?.[1];
      const status = problem ?? "The filter was not applied: correct the Date Range.";
      if (fragment) {
        c.header("HX-Retarget", "#date-range");
        c.header("HX-Reswap", "outerHTML");
        c.header("HX-Push-Url", "false");
        return c.html(
          <>
            <DateRange values={values} timeZone={ctx.timeZone} errors={query.errors} />
            <LogStatus text={status} oob />
            {/* The entries on screen answer the last filter, not this one: take them away. */}
            <ChangeLogResults ctx={ctx} filter={NO_FILTER} page={null} problem={problem} oob />
          </>,
          422,
        );
      }
      return c.html(
        <ChangeLogPageView
          staff={staff}
          ctx={ctx}
          filters={<ChangeLogFilters ctx={ctx} values={values} errors={query.errors} choices={changeLogChoicesFromRows(rest as unknown as ChoiceRows)} />}
          results={<ChangeLogResults ctx={ctx} filter={NO_FILTER} page={null} problem={problem} />}
          verify={<VerifyLog ctx={ctx} />}
        />,
        422,
      );
    }

    const { before, after, ...filter } = query.data;
    const filtered = Boolean(filter.changeType || filter.changedBy || filter.start || filter.end);
    const { pageQueries } = reads;
    const found = logContextFromRows([client, kase], caseId);
    if (!found) return c.notFound();
    const ctx: ChangeLogContext = { ...found, timeZone };
    const page = changeLogPageFromRows({ before, after }, PAGE_SIZE, rest.slice(0, pageQueries.length) as unknown as EntryRows);
    if (fragment) {
      const focus = PAGER_IDS.has(c.req.header("HX-Trigger") ?? "");
      // The address bar gets the tidy URL (no empty fields), the one a link or bookmark would use.
      c.header("HX-Push-Url", paths.log(ctx.client.id, ctx.kase?.id) + filterQuery(filter, { before, after }));
      return c.html(
        <>
          <ChangeLogResults ctx={ctx} filter={filter} page={page} atTop={before === undefined && after === undefined} focus={focus} />
          <DateRange values={filter} timeZone={ctx.timeZone} oob />
          <LogStatus text={statusText(page.entries.length, filtered)} oob />
        </>,
      );
    }
    return c.html(
      <ChangeLogPageView
        staff={staff}
        ctx={ctx}
        filters={<ChangeLogFilters ctx={ctx} values={filter} choices={changeLogChoicesFromRows(rest.slice(pageQueries.length) as unknown as ChoiceRows)} />}
        results={<ChangeLogResults ctx={ctx} filter={filter} page={page} atTop={before === undefined && after === undefined} />}
        verify={<VerifyLog ctx={ctx} />}
      />,
    );
  })
  // 5. Export CSV: every entry the filters select, not just the page on screen.
  .on("GET", [`${LOG}.csv`, `${CLIENT_LOG}.csv`], async (c) => {
    const ctx = await loadLog(c);
    if (!ctx) return c.notFound();
    const query = parseForm(changeLogFilterSchema, c.req.query());
    if (!query.ok) return c.text(Object.values(query.errors).join(" "), 422);
    const { before: _b, after: _a, ...filter } = query.data;
    const scope = scopeOf({ clientId: ctx.client.id, timeZone: ctx.timeZone }, c.var.staff.agency.id, filter);
    recordStaffAction(c, "CSV export", `Exported the Face Sheet Change Log of client ${ctx.client.clientNumber} as CSV.`, {
      log: "client",
      clientId: ctx.client.id,
      clientNumber: ctx.client.clientNumber,
      ...filter,
    });
    const name = `face-sheet-change-log-${ctx.client.clientNumber}-${agencyToday(ctx.timeZone)}.csv`.replace(/[^A-Za-z0-9._-]/g, "_");
    return c.body(changeLogCsv(changeLogEntries(c.var.db, scope), ctx.timeZone), 200, {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${name}"`,
      "X-Content-Type-Options": "nosniff",
    });
  })
  // 6. Verify log: recompute the client's hash chain from D1.
  .on("POST", [`${LOG}/verify`, `${CLIENT_LOG}/verify`], async (c) => {
    const ctx = await loadLog(c);
    if (!ctx) return c.notFound();
    const staff = c.var.staff;
    const verification = await verifyClientLog(c.env, c.var.db, staff.agency.id, ctx.client.id);
    const result = { intact: verification.intact, message: describeVerification(verification) };
    recordStaffAction(c, "Verify log", `Verify log on the Face Sheet Change Log of client ${ctx.client.clientNumber}: ${result.message}`, {
      log: "client",
      clientId: ctx.client.id,
      clientNumber: ctx.client.clientNumber,
      ...verification,
    });
    if (wantsFragment(c)) return c.html(<VerifyAnswer result={result} />);
    const [page, choices] = await Promise.all([
      changeLogPage(c.var.db, scopeOf({ clientId: ctx.client.id, timeZone: ctx.timeZone }, staff.agency.id, NO_FILTER), {}, PAGE_SIZE),
      changeLogChoices(c.var.db, staff.agency.id, ctx.client.id),
    ]);
    return c.html(
      <ChangeLogPageView
        staff={staff}
        ctx={ctx}
        filters={<ChangeLogFilters ctx={ctx} values={NO_FILTER} choices={choices} />}
        results={<ChangeLogResults ctx={ctx} filter={NO_FILTER} page={page} atTop />}
        verify={<VerifyLog ctx={ctx} result={result} />}
      />,
    );
  });
