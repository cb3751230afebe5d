/** @jsxImportSource hono/jsx */
import type { Child } from "hono/jsx";
import type { CurrentStaff } from "../app";
import { can, type Role } from "../auth/permissions";
import type { FieldErrors } from "../forms/parse";
import { Breakable } from "../layout/breakable";
import { Checkbox, Field, Layout } from "../layout/views";
import { ErrorSummary } from "../layout/error-summary";
import { stateTitle } from "../layout/page-title";
import type { ClientSearchHit, FaceSheet } from "./queries";
import { usDate } from "../layout/agency-time";
import { ClientSearch, fullName } from "./search-views";

const crumbs = (last?: string) => [
  { label: "Main Menu", href: "/menu" },
  { label: "Admissions Menu", href: "/menu#admissions-menu" },
  last ? { label: "Face Sheet", href: "/face-sheet" } : { label: "Face Sheet" },
  ...(last ? [{ label: last }] : []),
];

const yesNo = (v: boolean) => (v ? "Yes" : "No");

/** Face Sheet › search. */
export function FaceSheetSearchPage(props: { staff: CurrentStaff; q: string; hits: ClientSearchHit[] | null; error?: string }) {
  return (
    <Layout title="Face Sheet" staff={props.staff} crumbs={crumbs()}>
      <h1>Face Sheet</h1>
      <section class="card">
        <ClientSearch q={props.q} action="/face-sheet" hits={props.hits} error={props.error} hrefFor={(id) => `/face-sheet/${id}`} />
      </section>
    </Layout>
  );
}

export type FaceSheetMode = "view" | "edit" | "error";

/** The Face Sheet's title in each state: "Face Sheet: …", "Edit Face Sheet: …", "Error: Edit Face Sheet: …". */
export function faceSheetTitle(client: { firstName: string; lastName: string }, mode: FaceSheetMode): string {
  const name = fullName(client);
  return mode === "view" ? `Face Sheet: ${name}` : stateTitle(`Edit Face Sheet: ${name}`, mode === "error");
}

/** A client's Face Sheet page: the read-only or editable panel, plus whatever sections follow. */
export function FaceSheetPage(props: { staff: CurrentStaff; sheet: FaceSheet; panel: Child; after?: Child; mode?: FaceSheetMode }) {
  const { client } = props.sheet;
  return (
    <Layout title={faceSheetTitle(client, props.mode ?? "view")} staff={props.staff} crumbs={crumbs(fullName(client))}>
      <div class="page-head">
        <h1>
          Face Sheet <span class="sub">{fullName(client)}</span>
        </h1>
        <div class="page-links">
          {can(props.staff.role, "document-center.view") && (
            <a href={`/document-center/clients/${client.id}/face-sheet-log`} class="link">
              Face Sheet Change Log
            </a>
          )}
          <a href="/face-sheet" class="link">
            Find another client
          </a>
        </div>
      </div>
      {props.panel}
      <Cases sheet={props.sheet} />
      {props.after}
    </Layout>
  );
}

function Cases(props: { sheet: FaceSheet }) {
  return (
    <section class="card" aria-labelledby="cases-h">
      <h2 id="cases-h">Cases</h2>
      {props.sheet.cases.length === 0 ? (
        <div class="no-data">
          <p class="empty">No data</p>
          <p class="hint">No cases yet.</p>
        </div>
      ) : (
        <div class="table-wrap">
          <table class="stack">
            <thead>
              <tr>
                <th scope="col">Case #</th>
                <th scope="col">Program</th>
                <th scope="col">Opened</th>
                <th scope="col">Closed</th>
              </tr>
            </thead>
            <tbody>
              {props.sheet.cases.map((k) => (
                <tr>
                  <td data-label="Case #">{k.caseNumber}</td>
                  <td data-label="Program">
                    {k.program}
                    {/* Issue 11: set on the Document Center's case page (src/minor-consent/). */}
                    {k.minorConsented && <span class="meta"> · Consented to by the minor: hidden from representatives</span>}
                  </td>
                  <td data-label="Opened">{usDate(k.openedOn)}</td>
                  <td data-label="Closed">{usDate(k.closedOn) || "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** The Face Sheet, read-only, with Edit for a role that may change it. */
export function FaceSheetView(props: { sheet: FaceSheet; role: Role; portalEnabled: boolean; message?: string }) {
  const c = props.sheet.client;
  const base = `/face-sheet/${c.id}`;
  return (
    <section id="face-sheet" class="card" aria-labelledby="fs-h">
      <div class="section-head">
        <h2 id="fs-h">Client information</h2>
        {can(props.role, "face-sheet.edit") && (
          <a class="button" href={`${base}/edit`} hx-get={`${base}/edit`} hx-target="#face-sheet" hx-swap="outerHTML" hx-push-url="true">
            Edit
          </a>
        )}
      </div>
      {props.message && (
        // The outcome of Update or Cancel takes focus, so the next Tab continues from here.
        <p class="notice" role="status" tabindex={-1} autofocus>
          {props.message}
        </p>
      )}
      <div class="columns">
        <dl class="facts">
          <dt>Name</dt>
          <dd>{fullName(c)}</dd>
          <dt>Client #</dt>
          <dd>{c.clientNumber}</dd>
          <dt>Date of birth</dt>
          <dd>{usDate(c.dateOfBirth)}</dd>
        </dl>
        <div>
          <h3>Current Residence</h3>
          <dl class="facts">
            <dt>Address</dt>
            <dd>{[c.residenceAddress, c.residenceCity, [c.residenceState, c.residenceZip].filter(Boolean).join(" ")].filter(Boolean).join(", ") || "—"}</dd>
            <dt>Phone</dt>
            <dd>{c.residencePhone || "—"}</dd>
            <dt>Email</dt>
            <dd>{c.residenceEmail ? <Breakable text={c.residenceEmail} /> : "—"}</dd>
            <dt>Homeless</dt>
            <dd>{yesNo(c.residenceHomeless)}</dd>
          </dl>
        </div>
      </div>
    </section>
  );
}

/** The Face Sheet fields' labels, for the error summary's links. */
const FIELD_LABELS: Record<string, string> = {
  firstName: "First name",
  lastName: "Last name",
  dateOfBirth: "Date of birth",
  residenceAddress: "Address",
  residenceCity: "City",
  residenceState: "State",
  residenceZip: "ZIP",
  residencePhone: "Phone",
  residenceEmail: "Email",
  residenceHomeless: "Homeless",
  refusedPortalLogin: "Client Refused Portal Login",
};

/**
 * The Face Sheet in Edit mode: Update saves, Cancel discards. Opened, its heading takes focus
 * (and says "editing"); after a failed Update the error summary does. `data-unsaved-form` lets
 * public/app.js keep what was typed if the session times out (see there).
 */
export function FaceSheetEdit(props: {
  sheet: FaceSheet;
  portalEnabled: boolean;
  values?: Record<string, string | boolean>;
  errors?: FieldErrors;
  alert?: string;
}) {
  const c = props.sheet.client;
  const v = props.values ?? (c as unknown as Record<string, string | boolean>);
  const str = (k: string) => String(v[k] ?? "");
  const bool = (k: string) => v[k] === true || v[k] === "on";
  const e = props.errors ?? {};
  const base = `/face-sheet/${c.id}`;
  return (
    <form
      id="face-sheet"
      class="card"
      method="post"
      action={base}
      hx-post={base}
      hx-target="this"
      hx-swap="outerHTML"
      novalidate
      aria-labelledby="fs-h"
      data-unsaved-form={`Face Sheet of ${fullName(c)}`}
    >
      <div class="section-head">
        <h2 id="fs-h" tabindex={-1} autofocus={!props.alert}>
          Client information (editing)
        </h2>
      </div>
      {props.alert && <ErrorSummary message={props.alert} errors={props.errors} labels={FIELD_LABELS} />}
      <input type="hidden" name="version" value={String(v.version ?? c.version)} />
      <fieldset>
        <legend>Demographics</legend>
        <div class="grid">
          <Field name="firstName" label="First name" value={str("firstName")} error={e.firstName} required autocomplete="off" maxlength={60} />
          <Field name="lastName" label="Last name" value={str("lastName")} error={e.lastName} required autocomplete="off" maxlength={60} />
          <Field name="dateOfBirth" label="Date of birth" type="date" value={str("dateOfBirth")} error={e.dateOfBirth} required />
        </div>
      </fieldset>
      <fieldset>
        <legend>Current Residence</legend>
        <div class="grid">
          <Field name="residenceAddress" label="Address" value={str("residenceAddress")} error={e.residenceAddress} maxlength={120} />
          <Field name="residenceCity" label="City" value={str("residenceCity")} error={e.residenceCity} maxlength={60} />
          <Field name="residenceState" label="State" value={str("residenceState")} error={e.residenceState} maxlength={2} hint="Two letters, e.g. NY" />
          <Field name="residenceZip" label="ZIP" value={str("residenceZip")} error={e.residenceZip} inputmode="numeric" maxlength={10} />
          <Field name="residencePhone" label="Phone" type="tel" value={str("residencePhone")} error={e.residencePhone} hint="10 digits, e.g. (518) 555-0142" />
          <Field name="residenceEmail" label="Email" type="email" value={str("residenceEmail")} error={e.residenceEmail} />
        </div>
        <Checkbox name="residenceHomeless" label="Homeless" checked={bool("residenceHomeless")} />
      </fieldset>
      {props.portalEnabled && (
        <fieldset>
          <legend>Client Portal</legend>
          <Checkbox
            name="refusedPortalLogin"
            label="Client Refused Portal Login"
            checked={bool("refusedPortalLogin")}
            hint="Check when the client was asked and declined, so staff can see it at later visits."
          />
        </fieldset>
      )}
      <div class="actions">
        <button type="submit" class="primary">Update</button>
        <a class="button" href={base} hx-get={`${base}?cancelled`} hx-target="#face-sheet" hx-swap="outerHTML" hx-push-url={base}>
          Cancel
        </a>
      </div>
    </form>
  );
}
