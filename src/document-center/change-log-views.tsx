/** @jsxImportSource hono/jsx */
/**
 * The Face Sheet Change Log form: its filters, the entries with their pager and Export CSV, and
 * Verify log. The results, the Date Range and the status line are also swapped on their own.
 */
import type { Child } from "hono/jsx";
import type { CurrentStaff } from "../app";
import type { FieldErrors } from "../forms/parse";
import { Field, Layout } from "../layout/views";
import { formatAgencyDateTime } from "../layout/agency-time";
import { filterQuery, isFiltered, type ChangeLogFilter } from "./filters";
import type { ChangeLogChoices } from "./change-log-choices";
import { type ChangeLogPage, type ClientCase, type DocumentCenterClient } from "./queries";
import { ClientHeading, crumbs, fullName, paths } from "./views";

function Select(props: { name: string; label: string; value: string; anyLabel: string; options: string[] }) {
  const id = `f-${props.name}`;
  const options = props.value && !props.options.includes(props.value) ? [...props.options, props.value] : props.options;
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <select id={id} name={props.name}>
        <option value="" selected={props.value === ""}>
          {props.anyLabel}
        </option>
        {options.map((o) => (
          <option value={o} selected={o === props.value}>
            {o}
          </option>
        ))}
      </select>
    </div>
  );
}

/** The Date Range fields; swapped on their own so an error shows (and clears) beside them. */
export function DateRange(props: { values: Record<string, string>; timeZone: string; errors?: FieldErrors; oob?: boolean }) {
  const e = props.errors ?? {};
  return (
    <fieldset id="date-range" class="date-range" aria-describedby="date-range-hint" hx-swap-oob={props.oob ? "true" : undefined}>
      <legend>Date Range</legend>
      <p class="hint" id="date-range-hint">
        Whole days, both included, in the agency's time zone ({props.timeZone.replace(/_/g, " ")}).
      </p>
      <div class="date-pair">
        <Field name="start" label="Start Date" type="date" value={props.values.start ?? ""} error={e.start} />
        <Field name="end" label="End Date" type="date" value={props.values.end ?? ""} error={e.end} />
      </div>
    </fieldset>
  );
}

/**
 * A polite announcement of what the last Apply Filter did. Out of band, only its text is swapped
 * (innerHTML): the status element stays on the page, so its new text is announced.
 */
export function LogStatus(props: { text: string; oob?: boolean }) {
  return (
    <p id="log-status" class="visually-hidden" role="status" hx-swap-oob={props.oob ? "innerHTML" : undefined}>
      {props.text}
    </p>
  );
}

export interface ChangeLogContext {
  client: DocumentCenterClient;
  /** The case the log was opened from (the seed's path); absent when opened from the Face Sheet. */
  kase?: ClientCase;
  timeZone: string;
}

/** The log's address: under its case when opened from one, else the client's own. */
const logPath = (ctx: ChangeLogContext) => paths.log(ctx.client.id, ctx.kase?.id);

/** The filter form: plain GET without JavaScript; with htmx it swaps just the results. */
export function ChangeLogFilters(props: {
  ctx: ChangeLogContext;
  values: Record<string, string>;
  errors?: FieldErrors;
  choices: ChangeLogChoices;
}) {
  const base = logPath(props.ctx);
  const v = props.values;
  return (
    <form
      id="log-filters"
      class="card"
      method="get"
      action={base}
      hx-get={base}
      hx-target="#log-results"
      hx-swap="outerHTML"
      hx-push-url="true"
      novalidate
      aria-labelledby="filters-h"
    >
      <h2 id="filters-h">Filters</h2>
      {props.errors && Object.keys(props.errors).length > 0 && (
        <div class="error-summary" role="alert" tabindex={-1} autofocus>
          The filter was not applied:{" "}
          {Object.entries(props.errors).map(([field, message]) =>
            field === "start" || field === "end" ? <a href={`#f-${field}`}>{message} </a> : <span>{message} </span>,
          )}
        </div>
      )}
      <div class="filters">
        <Select name="changeType" label="Change Type" value={v.changeType ?? ""} anyLabel="All" options={props.choices.changeTypes} />
        <Select name="changedBy" label="Changes By" value={v.changedBy ?? ""} anyLabel="Anyone" options={props.choices.actors} />
      </div>
      <DateRange values={v} timeZone={props.ctx.timeZone} errors={props.errors} />
      <div class="actions">
        <button type="submit" class="primary">
          Apply Filter
        </button>
        <a class="button" href={base}>
          Clear Filters
        </a>
      </div>
    </form>
  );
}

function Entry(props: { entry: ChangeLogPage["entries"][number]; timeZone: string }) {
  const e = props.entry;
  return (
    <li class="log-entry">
      <dl class="facts entry-facts">
        <dt>User</dt>
        <dd>{e.actorName}</dd>
        <dt>Date and Time</dt>
        <dd>
          <time datetime={new Date(e.at).toISOString()}>{formatAgencyDateTime(e.at, props.timeZone)}</time>
        </dd>
      </dl>
      <p class="entry-text">{e.description}</p>
      {e.lines.length > 0 && (
        <ul class="detail">
          {e.lines.map((l) => (
            <li>{l}</li>
          ))}
        </ul>
      )}
      {e.changes.length > 0 && (
        <ul class="detail plain-changes" aria-label="Old and new values">
          {e.changes.map((l) => (
            <li>{l}</li>
          ))}
        </ul>
      )}
      <p class="meta">
        Entry #{e.seq} · {e.changeType}
      </p>
    </li>
  );
}

/** The entries (newest first), the pager and Export CSV: the fragment Apply Filter swaps. */
export function ChangeLogResults(props: {
  ctx: ChangeLogContext;
  filter: ChangeLogFilter;
  page: ChangeLogPage | null;
  /** The page starts at the newest entry (no position in the URL). */
  atTop?: boolean;
  focus?: boolean;
  problem?: string;
  /** Sent beside another swap (a filter error): replaces the results out of band. */
  oob?: boolean;
}) {
  const { ctx, filter, page } = props;
  const base = logPath(ctx);
  const link = (id: string, label: string, position: { before?: number; after?: number }, rel?: string) => {
    const href = base + filterQuery(filter, position);
    return (
      <a id={id} class="button small" href={href} rel={rel} hx-get={href} hx-target="#log-results" hx-swap="outerHTML" hx-push-url="true">
        {label}
      </a>
    );
  };
  // A page away from the top with no Newer link (an old link, say) still offers the way back.
  const newest = page !== null && !props.atTop && page.newerFrom === undefined;
  return (
    <section id="log-results" class="card" aria-labelledby="results-h" hx-swap-oob={props.oob ? "true" : undefined}>
      <div class="section-head">
        <h2 id="results-h" tabindex={-1} autofocus={props.focus}>
          {isFiltered(filter) ? "Filtered changes" : "All changes"}
          <span class="sub">newest first</span>
        </h2>
        {page && page.entries.length > 0 && (
          <a class="button" href={logPath(ctx) + ".csv" + filterQuery(filter)} download>
            Export CSV
          </a>
        )}
      </div>
      {page === null ? (
        <p class="empty">{props.problem ?? "Correct the Date Range above, then Apply Filter."}</p>
      ) : page.entries.length === 0 ? (
        <p class="empty">{isFiltered(filter) ? "No changes match these filters." : "No changes have been logged for this client yet."}</p>
      ) : (
        <ol class="log-list" aria-labelledby="results-h">
          {page.entries.map((e) => (
            <Entry entry={e} timeZone={ctx.timeZone} />
          ))}
        </ol>
      )}
      {page && (page.newerFrom !== undefined || page.olderFrom !== undefined || newest) && (
        <nav class="pager" aria-label="Change log pages">
          {newest && link("page-newest", "Newest", {})}
          {page.newerFrom !== undefined && link("page-newer", "‹ Newer", { after: page.newerFrom }, "prev")}
          {page.olderFrom !== undefined && link("page-older", "Older ›", { before: page.olderFrom }, "next")}
        </nav>
      )}
    </section>
  );
}

/** The Verify log action and, once run, its answer. */
export function VerifyLog(props: { ctx: ChangeLogContext; result?: { intact: boolean; message: string } }) {
  // A result here came with a whole page (no JavaScript): focus it, so the browser scrolls to it.
  const action = logPath(props.ctx) + "/verify";
  return (
    <section class="card verify" aria-labelledby="verify-h">
      <div class="verify-row">
        <div>
          <h2 id="verify-h">Verify log</h2>
          <p class="hint" id="verify-hint">
            Checks that no entry of this client's log was changed or removed since it was written.
          </p>
        </div>
        <form method="post" action={action} hx-post={action} hx-target="#verify-result" hx-swap="innerHTML">
          <button type="submit" aria-describedby="verify-hint">
            Verify log
          </button>
        </form>
      </div>
      <VerifyResult result={props.result} focus={props.result !== undefined} />
    </section>
  );
}

/**
 * The answer of Verify log (empty until it runs), in a live region that stays on the page: htmx
 * swaps only what is inside it (VerifyAnswer), so the region itself is never replaced and its
 * new text is announced.
 */
export function VerifyResult(props: { result?: { intact: boolean; message: string }; focus?: boolean }) {
  return (
    <div id="verify-result" aria-live="polite">
      <VerifyAnswer result={props.result} focus={props.focus} />
    </div>
  );
}

/** What Verify log found (the inside of the live region; an htmx Verify answers with this alone). */
export function VerifyAnswer(props: { result?: { intact: boolean; message: string }; focus?: boolean }) {
  const r = props.result;
  if (!r) return null;
  return (
    <p class={r.intact ? "notice" : "error-summary"} tabindex={props.focus ? -1 : undefined} autofocus={props.focus}>
      {r.message}
    </p>
  );
}

/** The Face Sheet Change Log form: filters, entries, Verify log. */
export function ChangeLogPageView(props: { staff: CurrentStaff; ctx: ChangeLogContext; filters: Child; results: Child; verify: Child }) {
  const { client, kase } = props.ctx;
  return (
    <Layout title={`Face Sheet Change Log: ${fullName(client)}`} staff={props.staff} crumbs={crumbs(client, kase, "Face Sheet Change Log")}>
      <ClientHeading client={client} kase={kase} title="Face Sheet Change Log" />
      <LogStatus text="" />
      {props.filters}
      {props.verify}
      {props.results}
    </Layout>
  );
}
