/** @jsxImportSource hono/jsx */
/**
 * Main Menu > Administration > Agency Log: Verify log, the filters (Action Type, Date Range), the
 * entries as a table with Older/Newest and Export CSV. The filters and the table are one fragment
 * (#agency-log-view) that Apply Filter and the pager swap.
 */
import type { Child } from "hono/jsx";
import type { CurrentStaff } from "../app";
import { AGENCY_ACTIONS } from "../audit/agency-log";
import type { FieldErrors } from "../forms/parse";
import { formatAgencyDateTime } from "../layout/agency-time";
import { Field, Layout } from "../layout/views";
import { filterQuery, isFiltered, type AgencyLogFilter } from "./filters";
import type { AgencyLogPage } from "./queries";

export const AGENCY_LOG_PATH = "/admin/agency-log";

function ActionSelect(props: { value: string; error?: string }) {
  const describedBy = ["f-action-hint", props.error ? "f-action-error" : ""].filter(Boolean).join(" ");
  return (
    <div class={props.error ? "field has-error" : "field"}>
      <label for="f-action">Action Type</label>
      <p class="hint" id="f-action-hint">
        Sign-ins, sign-outs, exports, Verify log, Face Sheet views, settings changes.
      </p>
      <select id="f-action" name="action" aria-invalid={props.error ? "true" : undefined} aria-describedby={describedBy}>
        <option value="" selected={props.value === ""}>
          All
        </option>
        {AGENCY_ACTIONS.map((a) => (
          <option value={a} selected={a === props.value}>
            {a}
          </option>
        ))}
      </select>
      {props.error && (
        <p class="error" id="f-action-error">
          {props.error}
        </p>
      )}
    </div>
  );
}

function Filters(props: { values: Record<string, string>; errors?: FieldErrors; timeZone: string }) {
  const v = props.values;
  const e = props.errors ?? {};
  const problems = Object.entries(e);
  return (
    <form
      id="agency-log-filters"
      class="card"
      method="get"
      action={AGENCY_LOG_PATH}
      hx-get={AGENCY_LOG_PATH}
      hx-target="#agency-log-view"
      hx-swap="outerHTML"
      hx-push-url="true"
      novalidate
      aria-labelledby="filters-h"
    >
      <h2 id="filters-h">Filters</h2>
      {problems.length > 0 && (
        <div class="error-summary" role="alert" tabindex={-1} autofocus>
          The filter was not applied:{" "}
          {problems.map(([field, message]) =>
            field === "before" ? <span>{message} </span> : <a href={`#f-${field}`}>{message} </a>,
          )}
        </div>
      )}
      <div class="filters">
        <ActionSelect value={v.action ?? ""} error={e.action} />
      </div>
      <fieldset class="date-range" aria-describedby="date-range-hint">
        <legend>Date Range</legend>
        <p class="hint" id="date-range-hint">
          Whole days, both included, in the agency's time zone ({props.timeZone.replace(/_/g, " ")}).
        </p>
        <div class="date-pair">
          <Field name="start" label="Start Date" type="date" value={v.start ?? ""} error={e.start} />
          <Field name="end" label="End Date" type="date" value={v.end ?? ""} error={e.end} />
        </div>
      </fieldset>
      <div class="actions">
        <button type="submit" class="primary">
          Apply Filter
        </button>
        <a class="button" href={AGENCY_LOG_PATH}>
          Clear Filters
        </a>
      </div>
    </form>
  );
}

function Results(props: { filter: AgencyLogFilter; page: AgencyLogPage | null; timeZone: string; atTop: boolean }) {
  const { filter, page } = props;
  const pagerLink = (id: string, label: string, before?: number) => {
    const href = AGENCY_LOG_PATH + filterQuery(filter, before);
    return (
      <a id={id} class="button small" href={href} hx-get={href} hx-target="#agency-log-view" hx-swap="outerHTML" hx-push-url="true">
        {label}
      </a>
    );
  };
  return (
    <section id="agency-log-results" class="card" aria-labelledby="results-h">
      <div class="section-head">
        <h2 id="results-h">{isFiltered(filter) ? "Filtered entries" : "All entries"}</h2>
        {page && page.entries.length > 0 && (
          <a class="button" href={`${AGENCY_LOG_PATH}.csv${filterQuery(filter)}`} download>
            Export CSV
          </a>
        )}
      </div>
      {page === null ? (
        <p class="empty">Correct the filters above, then Apply Filter.</p>
      ) : page.entries.length === 0 ? (
        <p class="empty">{isFiltered(filter) ? "No entries match these filters." : "Nothing has been logged for this agency yet."}</p>
      ) : (
        <div class="table-wrap">
          <table class="agency-log">
            <caption class="visually-hidden">Agency Log entries, newest first</caption>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Date and Time</th>
                <th scope="col">User</th>
                <th scope="col">Action</th>
                <th scope="col">Description</th>
                <th scope="col">From</th>
              </tr>
            </thead>
            <tbody>
              {page.entries.map((e) => (
                <tr>
                  <td>{e.seq}</td>
                  <td>
                    <time datetime={new Date(e.at).toISOString()}>{formatAgencyDateTime(e.at, props.timeZone)}</time>
                  </td>
                  <td>{e.actorName}</td>
                  <td>{e.action}</td>
                  <td class="description">
                    {e.description}
                    {e.lines.length > 0 && (
                      <ul class="detail">
                        {e.lines.map((l) => (
                          <li>{l}</li>
                        ))}
                      </ul>
                    )}
                  </td>
                  <td class="origin">
                    {e.ipAddress ?? "—"}
                    {e.userAgent && <span class="meta">{e.userAgent}</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {page && (page.olderFrom !== undefined || !props.atTop) && (
        <nav class="pager" aria-label="Agency Log pages">
          {!props.atTop && pagerLink("page-newest", "Newest")}
          {page.olderFrom !== undefined && pagerLink("page-older", "Older ›", page.olderFrom)}
        </nav>
      )}
    </section>
  );
}

/** The filters and the entries: the fragment Apply Filter and the pager swap. */
export function AgencyLogView(props: {
  values: Record<string, string>;
  errors?: FieldErrors;
  filter: AgencyLogFilter;
  page: AgencyLogPage | null;
  timeZone: string;
  atTop: boolean;
}) {
  return (
    <div id="agency-log-view">
      <Filters values={props.values} errors={props.errors} timeZone={props.timeZone} />
      <Results filter={props.filter} page={props.page} timeZone={props.timeZone} atTop={props.atTop} />
    </div>
  );
}

export interface VerifyOutcome {
  intact: boolean;
  message: string;
}

/**
 * The answer of Verify log (empty until it runs), in a live region that stays on the page: htmx
 * swaps only what is inside it (VerifyAnswer), so the region itself is never replaced and its
 * new text is announced.
 */
export function VerifyResult(props: { result?: VerifyOutcome; focus?: boolean }) {
  return (
    <div id="verify-result" aria-live="polite">
      <VerifyAnswer result={props.result} focus={props.focus} />
    </div>
  );
}

/** What Verify log found (the inside of the live region; an htmx Verify answers with this alone). */
export function VerifyAnswer(props: { result?: VerifyOutcome; focus?: boolean }) {
  const r = props.result;
  if (!r) return null;
  return (
    <p class={r.intact ? "notice" : "error-summary"} tabindex={props.focus ? -1 : undefined} autofocus={props.focus}>
      {r.message}
    </p>
  );
}

function VerifyLog(props: { result?: VerifyOutcome }) {
  const action = `${AGENCY_LOG_PATH}/verify`;
  return (
    <section class="card verify" aria-labelledby="verify-h">
      <div class="verify-row">
        <div>
          <h2 id="verify-h">Verify log</h2>
          <p class="hint" id="verify-hint">
            Checks that no entry of this agency's log was changed or removed since it was written.
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

/** The whole Agency Log page. */
export function AgencyLogPageView(props: { staff: CurrentStaff; view: Child; verified?: VerifyOutcome }) {
  return (
    <Layout title="Agency Log" staff={props.staff} crumbs={[{ label: "Main Menu", href: "/menu" }, { label: "Administration", href: "/menu" }, { label: "Agency Log" }]}>
      <h1>Agency Log</h1>
      <p class="hint">
        Who signed in or out (and who failed to), who exported or verified a log, who viewed a client's Face Sheet, and who changed the
        agency's settings: newest first, with the address and browser each came from.
      </p>
      <VerifyLog result={props.verified} />
      {props.view}
    </Layout>
  );
}
