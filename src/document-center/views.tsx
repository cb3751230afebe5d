/** @jsxImportSource hono/jsx */
/**
 * Document Center pages up to the form: find the client, choose the Case #, choose the form.
 */
import { MinorConsentSection } from "../minor-consent/views";
import { can } from "../auth/permissions";
import type { CurrentStaff } from "../app";
import { ClientSearch } from "../face-sheet/search-views";
import { usDate } from "../layout/agency-time";
import type { ClientSearchHit } from "../face-sheet/queries";
import { Layout, type Crumb } from "../layout/views";
import { ErrorSummary } from "../layout/error-summary";
import { stateTitle } from "../layout/page-title";
import type { ClientCase, DocumentCenterClient } from "./queries";

/** Where each Document Center page lives. */
export const paths = {
  search: "/document-center",
  client: (clientId: number) => `/document-center/clients/${clientId}`,
  kase: (clientId: number, caseId: number) => `/document-center/clients/${clientId}/cases/${caseId}`,
  /** The Face Sheet Change Log: one per client, reached through a case (the seed's path) or directly (a client with no case). */
  log: (clientId: number, caseId?: number) =>
    caseId === undefined ? `/document-center/clients/${clientId}/face-sheet-log` : `/document-center/clients/${clientId}/cases/${caseId}/face-sheet-log`,
};

/** "Last, First", as the EHR lists clients. */
export const fullName = (c: { firstName: string; lastName: string }) => `${c.lastName}, ${c.firstName}`;

/** Main Menu › Reports Menu › Document Center › client › case › page, linked up to the current one. */
export function crumbs(client?: DocumentCenterClient, kase?: ClientCase, last?: string): Crumb[] {
  const out: Crumb[] = [
    { label: "Main Menu", href: "/menu" },
    { label: "Reports Menu", href: "/menu#reports-menu" },
    { label: "Document Center", href: client ? paths.search : undefined },
  ];
  if (client) out.push({ label: fullName(client), href: kase || last ? paths.client(client.id) : undefined });
  if (client && kase) out.push({ label: `Case # ${kase.caseNumber}`, href: last ? paths.kase(client.id, kase.id) : undefined });
  if (last) out.push({ label: last });
  return out;
}

/** The page title over the client's name, number, date of birth (and case). */
export function ClientHeading(props: { client: DocumentCenterClient; title: string; kase?: ClientCase }) {
  const { client, kase } = props;
  return (
    <div class="dc-head">
      <h1>
        {props.title} <span class="sub">{fullName(client)}</span>
      </h1>
      <p class="meta">
        Client # {client.clientNumber} · DOB {usDate(client.dateOfBirth)}
        {kase && ` · Case # ${kase.caseNumber}`}
      </p>
    </div>
  );
}

/** Document Center › find the client. */
export function DocumentCenterSearchPage(props: { staff: CurrentStaff; q: string; hits: ClientSearchHit[] | null; error?: string }) {
  return (
    <Layout title="Document Center" staff={props.staff} crumbs={crumbs()}>
      <h1>Document Center</h1>
      <section class="card">
        <ClientSearch q={props.q} action={paths.search} hits={props.hits} error={props.error} hrefFor={paths.client} />
      </section>
    </Layout>
  );
}

/** The client's cases: choose a Case # and Open Case. */
export function ClientCasesPage(props: { staff: CurrentStaff; client: DocumentCenterClient; cases: ClientCase[]; error?: string }) {
  const { client, cases } = props;
  const only = cases.length === 1 ? cases[0]!.id : undefined;
  return (
    <Layout title={stateTitle(`Document Center: ${fullName(client)}`, props.error !== undefined)} staff={props.staff} crumbs={crumbs(client)}>
      <ClientHeading client={client} title="Document Center" />
      <form class="card" method="get" action={paths.client(client.id)} novalidate>
        <h2 id="cases-h">Cases</h2>
        {/* After the reload the summary takes focus (read out), and links to the first choice. */}
        {props.error && cases.length > 0 && (
          <ErrorSummary message="No case was opened." errors={{ case: props.error }} labels={{ case: "Case #" }} targets={{ case: `case-${cases[0]!.id}` }} />
        )}
        {cases.length === 0 ? (
          <p class="empty">This client has no cases.</p>
        ) : (
          <fieldset class={props.error ? "choices has-error" : "choices"} aria-describedby={props.error ? "case-error" : undefined}>
            <legend>Case #</legend>
            {props.error && (
              <p class="error" id="case-error">
                {props.error}
              </p>
            )}
            {cases.map((k) => (
              <div class="choice">
                <input type="radio" id={`case-${k.id}`} name="case" value={String(k.id)} checked={k.id === only} aria-describedby={`case-${k.id}-about`} />
                <label for={`case-${k.id}`}>{k.caseNumber}</label>
                <span class="meta" id={`case-${k.id}-about`}>
                  {k.program} · opened {usDate(k.openedOn)}
                  {k.closedOn ? ` · closed ${usDate(k.closedOn)}` : " · open"}
                </span>
              </div>
            ))}
          </fieldset>
        )}
        {cases.length > 0 && (
          <div class="actions">
            <button type="submit" class="primary" name="open" value="case">
              Open Case
            </button>
          </div>
        )}
      </form>
    </Layout>
  );
}

/** An opened case: the documents it offers, here the Face Sheet Change Log. */
export function CasePage(props: { staff: CurrentStaff; client: DocumentCenterClient; kase: ClientCase; error?: string }) {
  const { client, kase } = props;
  return (
    <Layout title={stateTitle(`Case # ${kase.caseNumber}`, props.error !== undefined)} staff={props.staff} crumbs={crumbs(client, kase)}>
      <ClientHeading client={client} title={`Case # ${kase.caseNumber}`} />
      <form class="card" method="get" action={paths.kase(client.id, kase.id)} novalidate>
        <h2 id="fscl-h">Face Sheet Change Log</h2>
        {props.error && <ErrorSummary message="No form was opened." errors={{ form: props.error }} labels={{ form: "Form" }} targets={{ form: "form-face-sheet-log" }} />}
        <fieldset class={props.error ? "choices has-error" : "choices"} aria-labelledby="fscl-h" aria-describedby={props.error ? "form-error" : undefined}>
          {props.error && (
            <p class="error" id="form-error">
              {props.error}
            </p>
          )}
          <div class="choice">
            <input type="radio" id="form-face-sheet-log" name="form" value="face-sheet-log" checked />
            <label for="form-face-sheet-log">Changes to this Client's face sheet</label>
          </div>
        </fieldset>
        <div class="actions">
          <button type="submit" class="primary" name="open" value="form">
            Open Form
          </button>
        </div>
      </form>
      <MinorConsentSection clientId={client.id} caseId={kase.id} minorConsented={kase.minorConsented} canEdit={can(props.staff.role, "face-sheet.edit")} />
    </Layout>
  );
}
