/** @jsxImportSource hono/jsx */
/**
 * Reports Menu › Client Portal Accounts: the filter form, the list (each row opens the client's
 * Face Sheet), Previous/Next and Export CSV. Plain GET forms and links: no script needed.
 */
import type { CurrentStaff } from "../app";
import type { FieldErrors } from "../forms/parse";
import { formatAgencyDateTimeWithZone, zoneName } from "../layout/agency-time";
import { Breakable } from "../layout/breakable";
import { Layout } from "../layout/views";
import { STATUS_BADGE, statusLabel } from "../portal-logins/status-labels";
import { accountsQueryString, filterLabel, STATUS_FILTER_HELP, STATUS_FILTERS, type AccountsFilter } from "./filters";
import type { AccountsPage, PortalAccount } from "./queries";

export const ACCOUNTS_PATH = "/portal-accounts";

const crumbs = [
  { label: "Main Menu", href: "/menu" },
  { label: "Reports Menu", href: "/menu#reports-menu" },
  { label: "Client Portal Accounts" },
];

const yesNo = (v: boolean) => (v ? "Yes" : "No");

/** Last login as every staff page shows it, with the agency's zone (or Never). */
export const lastLogin = (at: number | null, timeZone: string) => (at ? formatAgencyDateTimeWithZone(at, timeZone) : "Never");

function Filters(props: { values: Record<string, string>; errors?: FieldErrors }) {
  const e = props.errors ?? {};
  const status = props.values.status ?? "";
  const problems = Object.entries(e).filter(([, m]) => m);
  return (
    <form class="card" method="get" action={ACCOUNTS_PATH} role="search" aria-labelledby="accounts-filters-h" novalidate>
      <h2 id="accounts-filters-h">Filters</h2>
      {problems.length > 0 && (
        <div class="error-summary" role="alert" id="accounts-errors" tabindex={-1}>
          <p>The filter was not applied:</p>
          <ul>
            {problems.map(([field, message]) => (
              <li>{field === "status" || field === "q" ? <a href={`#f-${field}`}>{message}</a> : message}</li>
            ))}
          </ul>
        </div>
      )}
      <div class="filters">
        <div class={e.status ? "field has-error" : "field"}>
          <label for="f-status">Status</label>
          <select id="f-status" name="status" aria-describedby={e.status ? "f-status-error" : undefined} aria-invalid={e.status ? "true" : undefined}>
            <option value="" selected={status === ""}>
              All
            </option>
            {STATUS_FILTERS.map((s) => (
              <option value={s} selected={s === status}>
                {filterLabel(s)}
              </option>
            ))}
          </select>
          {e.status && (
            <p class="error" id="f-status-error">
              {e.status}
            </p>
          )}
        </div>
        <div class={e.q ? "field has-error" : "field"}>
          <label for="f-q">Search</label>
          <p class="hint" id="f-q-hint">
            The start of a Portal Username or Portal User Email.
          </p>
          <input
            id="f-q"
            name="q"
            type="search"
            value={props.values.q ?? ""}
            maxlength={100}
            autocomplete="off"
            autocapitalize="none"
            spellcheck={false}
            aria-describedby={["f-q-hint", e.q ? "f-q-error" : ""].filter(Boolean).join(" ")}
            aria-invalid={e.q ? "true" : undefined}
          />
          {e.q && (
            <p class="error" id="f-q-error">
              {e.q}
            </p>
          )}
        </div>
      </div>
      <div class="actions">
        <button type="submit" class="primary">
          Apply Filter
        </button>
        <a class="button" href={ACCOUNTS_PATH}>
          Clear Filters
        </a>
      </div>
    </form>
  );
}

function AccountRow(props: { a: PortalAccount; timeZone: string }) {
  const { a } = props;
  const name = `${a.client.lastName}, ${a.client.firstName}`;
  return (
    <tr>
      <td data-label="Client">
        <div class="client-cell">
          <a href={`/face-sheet/${a.client.id}`}>{name}</a>
          <span class="meta">Client # {a.client.clientNumber}</span>
          {a.client.refusedPortalLogin && <span class="badge warn">Client refused portal login</span>}
        </div>
      </td>
      <td data-label="Portal Username" class="username">
        <Breakable text={a.username} />
      </td>
      <td data-label="Representative">{yesNo(a.representative)}</td>
      <td data-label="Status">
        <span class={STATUS_BADGE[a.status]}>{statusLabel(a.status)}</span>
      </td>
      <td data-label="Portal User Email">
        <div class="email-cell">
          <Breakable text={a.email} class="email" />
          {a.delivery === "sent" && <span class="meta">Email sent</span>}
          {a.delivery === "failed" && <span class="badge bad">Email not sent</span>}
        </div>
      </td>
      <td data-label="Last login">{lastLogin(a.lastLoginAt, props.timeZone)}</td>
    </tr>
  );
}

function Results(props: { filter: AccountsFilter; page: AccountsPage | null; timeZone: string; problem?: string }) {
  const { page, filter } = props;
  const filtered = Boolean(filter.status || filter.q);
  const link = (label: string, at: { after?: string; before?: string }, rel: string) => (
    <a class="button small" rel={rel} href={ACCOUNTS_PATH + accountsQueryString(filter, at)}>
      {label}
    </a>
  );
  return (
    <section class="card" aria-labelledby="accounts-h">
      <div class="section-head">
        <h2 id="accounts-h">{filtered ? "Matching portal logins" : "All portal logins"}</h2>
        {page && page.accounts.length > 0 && (
          <a class="button" href={`${ACCOUNTS_PATH}.csv${accountsQueryString(filter)}`} download>
            Export CSV
          </a>
        )}
      </div>
      {page === null ? (
        <p class="empty">{props.problem ?? "Correct the filter above, then Apply Filter."}</p>
      ) : page.accounts.length === 0 ? (
        <p class="empty">{filtered ? "No portal logins match these filters." : "No data — no portal logins yet. Add one from a client's Face Sheet."}</p>
      ) : (
        <>
          <p class="meta" role="status">
            {`Showing ${page.accounts.length} ${page.accounts.length === 1 ? "portal login" : "portal logins"}, by username. Last login in ${zoneName(props.timeZone)}.`}
          </p>
          <div class="table-wrap">
            <table class="stack portal-accounts">
              <thead>
                <tr>
                  <th scope="col">Client</th>
                  <th scope="col">Portal Username</th>
                  <th scope="col">Representative</th>
                  <th scope="col">Status</th>
                  <th scope="col">Portal User Email</th>
                  <th scope="col">Last login</th>
                </tr>
              </thead>
              <tbody>
                {page.accounts.map((a) => (
                  <AccountRow a={a} timeZone={props.timeZone} />
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      {page && (page.before || page.after) && (
        <nav class="pager" aria-label="Portal login pages">
          {page.before && link("‹ Previous", { before: page.before }, "prev")}
          {page.after && link("Next ›", { after: page.after }, "next")}
        </nav>
      )}
    </section>
  );
}

/** The whole page: filters (with their messages), then the list or what went wrong. */
export function PortalAccountsPage(props: {
  staff: CurrentStaff;
  values: Record<string, string>;
  filter: AccountsFilter;
  page: AccountsPage | null;
  errors?: FieldErrors;
  problem?: string;
}) {
  const failed = props.errors && Object.keys(props.errors).length > 0;
  return (
    <Layout title={failed ? "Error: Client Portal Accounts" : "Client Portal Accounts"} staff={props.staff} crumbs={crumbs}>
      <h1>Client Portal Accounts</h1>
      <p class="hint">Every Client Portal login of {props.staff.agency.name}. Open a client to change a login from their Face Sheet.</p>
      <details class="status-help">
        <summary>What the statuses mean</summary>
        <dl class="facts">
          {STATUS_FILTERS.map((s) => (
            <>
              <dt>{filterLabel(s)}</dt>
              <dd>{STATUS_FILTER_HELP[s]}</dd>
            </>
          ))}
        </dl>
      </details>
      <Filters values={props.values} errors={props.errors} />
      <Results filter={props.filter} page={props.page} timeZone={props.staff.agency.timezone} problem={props.problem} />
    </Layout>
  );
}
