/** @jsxImportSource hono/jsx */
/**
 * The client search (Face Sheet and Document Center): the box, its results as you type (htmx) or on
 * Enter, and the live count of matches.
 */
import { usDate } from "../layout/agency-time";
import type { ClientSearchHit } from "./queries";

/** "Alvarez, Maria": how lists name a client. */
export const fullName = (c: { firstName: string; lastName: string }) => `${c.lastName}, ${c.firstName}`;

/** The client search box; results as you type (htmx) and on Enter (plain GET). */
export function ClientSearch(props: { q: string; action: string; hits: ClientSearchHit[] | null; error?: string; hrefFor: (id: number) => string }) {
  return (
    <div class="search">
      <form method="get" action={props.action} role="search">
        <label for="client-search">Search clients</label>
        <p class="hint" id="client-search-hint">Type a name (last, first or both) or a client number.</p>
        <div class="search-row">
          <input
            id="client-search"
            type="search"
            name="q"
            value={props.q}
            autocomplete="off"
            aria-describedby={props.error ? `client-search-hint ${SEARCH_ERROR_ID}` : "client-search-hint"}
            aria-invalid={props.error ? "true" : undefined}
            aria-controls="search-results"
            hx-get={props.action}
            hx-trigger="input changed delay:250ms, search"
            hx-target="#search-results"
            hx-swap="outerHTML"
            hx-push-url="true"
          />
          <button type="submit">Search</button>
        </div>
      </form>
      {/* One status element for the whole visit: each search changes only its text (out of band). */}
      <p id={SEARCH_COUNT_ID} class="meta" role="status">
        {countText(props.q, props.hits)}
      </p>
      <SearchResults q={props.q} hits={props.hits} error={props.error} hrefFor={props.hrefFor} />
    </div>
  );
}

const SEARCH_ERROR_ID = "f-client-search-error";
const SEARCH_COUNT_ID = "search-count";

/** What the search found, said once: "3 clients match", "1 client matches", "No clients match “x”". */
function countText(q: string, hits: ClientSearchHit[] | null): string {
  if (hits === null) return "";
  if (hits.length === 0) return `No clients match “${q}”.`;
  return hits.length === 1 ? "1 client matches." : `${hits.length} clients match.`;
}

/**
 * The list of matching clients (the fragment the search box swaps). `oob` (an htmx answer) adds
 * the new count for the status line above, swapped into it out of band so the status element
 * itself stays and its new text is announced; the list isn't a live region (it would read every
 * name on each keystroke).
 */
export function SearchResults(props: { q: string; hits: ClientSearchHit[] | null; error?: string; hrefFor: (id: number) => string; oob?: boolean }) {
  return (
    <>
      <div id="search-results">
        <SearchList {...props} />
      </div>
      {props.oob && (
        <p id={SEARCH_COUNT_ID} hx-swap-oob="innerHTML">
          {props.error ?? countText(props.q, props.hits)}
        </p>
      )}
    </>
  );
}

function SearchList(props: { q: string; hits: ClientSearchHit[] | null; error?: string; hrefFor: (id: number) => string }) {
  return (
    <>
      {props.error ? (
        <p class="error" id={SEARCH_ERROR_ID}>
          {props.error}
        </p>
      ) : props.hits === null || props.hits.length === 0 ? null /* the status line says "No clients match" */ : (
        <ul class="results" aria-label="Matching clients">
          {props.hits.map((h) => (
            <li>
              <a href={props.hrefFor(h.id)}>{fullName(h)}</a>
              <span class="meta">
                Client # {h.clientNumber} · DOB {usDate(h.dateOfBirth)}
              </span>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
