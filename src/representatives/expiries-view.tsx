/** @jsxImportSource hono/jsx */
/** Reports Menu › Representative expiries: representatives whose access ends in the next 14 days, agency-wide. */
import type { CurrentStaff } from "../app";
import { Layout } from "../layout/views";
import { EXPIRY_WINDOW_DAYS, type UpcomingExpiry } from "./expiry";
import { LEGAL_BASIS_LABELS, ordinal, relationshipText, showDate } from "./labels";

export const EXPIRIES_PATH = "/representatives/expiries";

const daysText = (n: number) => (n === 0 ? "today" : n === 1 ? "tomorrow" : `in ${n} days`);

export function ExpiriesPage(props: { staff: CurrentStaff; rows: UpcomingExpiry[]; today: string; ageOfMajority: number }) {
  return (
    <Layout
      title="Representative expiries"
      staff={props.staff}
      crumbs={[{ label: "Main Menu", href: "/menu" }, { label: "Reports Menu", href: "/menu#reports-menu" }, { label: "Representative expiries" }]}
    >
      <h1>
        Representative expiries <span class="sub">access ending from today ({showDate(props.today)}) through the next {EXPIRY_WINDOW_DAYS} days</span>
      </h1>
      <section class="card" aria-label="Representative expiries">
        <p class="hint">
          Access ends by itself on the date shown (agency time zone). To extend it, open the client's Face Sheet and Edit the login's representative record.
        </p>
        {props.rows.length === 0 ? (
          <p class="empty">No representative's access ends in the next {EXPIRY_WINDOW_DAYS} days.</p>
        ) : (
          <div class="table-wrap">
            <table class="stack representative-expiries">
              <thead>
                <tr>
                  <th scope="col">Ends</th>
                  <th scope="col">Client</th>
                  <th scope="col">Representative</th>
                  <th scope="col">Portal Username</th>
                  <th scope="col">Why</th>
                </tr>
              </thead>
              <tbody>
                {props.rows.map((r) => (
                  <tr>
                    <td data-label="Ends">
                      {showDate(r.endsOn)} <span class="meta">({daysText(r.daysLeft)})</span>
                    </td>
                    <td data-label="Client">
                      <a href={`/face-sheet/${r.clientId}#client-portal-section`}>
                        {r.clientLastName}, {r.clientFirstName}
                      </a>
                    </td>
                    <td data-label="Representative">
                      {r.name} <span class="meta">{relationshipText(r)} · {LEGAL_BASIS_LABELS[r.legalBasis]}</span>
                    </td>
                    <td data-label="Portal Username">{r.username}</td>
                    <td data-label="Why">{r.reason === "majority" ? `Client's ${ordinal(props.ageOfMajority)} birthday` : "End date"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </Layout>
  );
}
