/** @jsxImportSource hono/jsx */
/**
 * Administration › Programmes: the agency's programmes, each with its 42 CFR Part 2 mark and one
 * button that flips it. The page is also the fragment a button swaps (htmx), with the outcome at
 * its top.
 */
import type { CurrentStaff } from "../app";
import { Layout } from "../layout/views";
import type { Programme } from "./programmes";

export const PROGRAMMES_PATH = "/admin/programmes";
const BODY_ID = "programmes";

export interface ProgrammesProps {
  programmes: Programme[];
  notice?: string;
  alert?: string;
}

/** The list and its buttons (the htmx fragment). */
export function ProgrammesBody(props: ProgrammesProps) {
  return (
    <div id={BODY_ID}>
      {props.alert && (
        <p class="error-summary" role="alert">
          {props.alert}
        </p>
      )}
      {props.notice && (
        <p class="notice" role="status">
          {props.notice}
        </p>
      )}
      {props.programmes.length === 0 ? (
        <p class="empty">No programmes yet: a programme appears here once a case carries its name.</p>
      ) : (
        <div class="table-wrap">
          <table class="stack programmes">
            <thead>
              <tr>
                <th scope="col">Programme</th>
                <th scope="col">Open cases</th>
                <th scope="col">42 CFR Part 2</th>
                <th scope="col">
                  <span class="visually-hidden">Change</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {props.programmes.map((p) => (
                <tr>
                  <td data-label="Programme">{p.name}</td>
                  <td data-label="Open cases">{p.openCases}</td>
                  <td data-label="42 CFR Part 2">{p.part2 ? <strong>Part 2</strong> : "No"}</td>
                  <td data-label="Change">
                    <form method="post" action={PROGRAMMES_PATH} hx-post={PROGRAMMES_PATH} hx-target={`#${BODY_ID}`} hx-swap="outerHTML" class="inline">
                      <input type="hidden" name="name" value={p.name} />
                      <input type="hidden" name="part2" value={p.part2 ? "0" : "1"} />
                      <button type="submit" aria-label={`${p.part2 ? "Unmark" : "Mark"} ${p.name} ${p.part2 ? "as not" : "as"} 42 CFR Part 2`}>
                        {p.part2 ? "Unmark Part 2" : "Mark as Part 2"}
                      </button>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

/** The whole page. */
export function ProgrammesPage(props: ProgrammesProps & { staff: CurrentStaff }) {
  return (
    <Layout
      title="Programmes"
      staff={props.staff}
      crumbs={[{ label: "Main Menu", href: "/menu" }, { label: "Administration", href: "/menu#administration" }, { label: "Programmes" }]}
    >
      <h1>Programmes</h1>
      <p class="hint intro">
        Mark the programmes that are federally assisted substance-use programmes under 42 CFR Part 2. A representative of a client with an open case in
        such a programme can use the Client Portal only under a written consent recorded in the Portal Login window; marking takes effect at once, for
        every representative. Each change is recorded in the Agency Log.
      </p>
      <section class="card" aria-label="Programmes">
        <ProgrammesBody {...props} />
      </section>
    </Layout>
  );
}
