/** @jsxImportSource hono/jsx */
/**
 * The "Link an existing login" page of a client's Face Sheet: find a representative login of the
 * agency by Portal Username or email, choose it, and enter its representation record for this
 * client. A page of its own (no dialog): searching and choosing are plain GETs.
 */
import type { CurrentStaff } from "../app";
import type { FieldErrors } from "../forms/parse";
import { ErrorSummary } from "../layout/error-summary";
import { Field, Layout } from "../layout/views";
import { EMPTY_RECORD, type RecordValues } from "../representatives/record-form";
import { RECORD_FIELD_LABELS, RepresentativeRecordFields } from "../representatives/views";
import type { LinkCandidate } from "./queries";
import { linkedLoginsPath } from "./section-views";

export interface LinkPageProps {
  staff: CurrentStaff;
  client: { id: number; firstName: string; lastName: string; dateOfBirth: string };
  /** The agency's age of majority: when "parent of a minor" access ends. */
  ageOfMajority: number;
  query: string;
  queryError?: string;
  /** Search results; null before a search. */
  candidates: LinkCandidate[] | null;
  /** The login chosen to link, with the record form. */
  chosen?: LinkCandidate;
  /** The chosen login is blocked and the staff member is not an administrator. */
  needsAdmin?: boolean;
  values?: RecordValues;
  errors?: FieldErrors;
  alert?: string;
  today: string;
}

function CandidateList(props: { clientId: number; query: string; candidates: LinkCandidate[] }) {
  if (props.candidates.length === 0) return <p class="empty">No representative login of this agency matches “{props.query}” (or it is already this client's).</p>;
  return (
    <ul class="link-candidates">
      {props.candidates.map((l) => (
        <li>
          <div>
            <strong>{l.username}</strong> <span class="meta">{l.email}</span>
            <span class="meta">
              Created for {l.createdFor}
              {!l.active && <> · <span class="badge">Inactive</span></>}
              {l.blocked && <> · <span class="badge bad">Blocked</span></>}
            </span>
          </div>
          <a class="button small" href={`${linkedLoginsPath(props.clientId)}/new?q=${encodeURIComponent(props.query)}&login=${l.id}`}>
            Choose<span class="visually-hidden"> {l.username}</span>
          </a>
        </li>
      ))}
    </ul>
  );
}

/** The record form for the chosen login. */
function RecordForm(props: LinkPageProps & { chosen: LinkCandidate }) {
  const e = props.errors ?? {};
  return (
    <section class="card" aria-labelledby="link-record-h">
      <h2 id="link-record-h">Record for {props.chosen.username}</h2>
      <p class="warning" id="link-one-person">
        This is one person's login: it keeps its username, email and password, and editing them on any client changes them for all. What you
        enter here is its standing for {props.client.firstName} {props.client.lastName} only.
      </p>
      {props.needsAdmin ? (
        <p class="error-summary" role="alert">
          This person is blocked. Only an administrator can link a blocked person to another client.
        </p>
      ) : (
        <form method="post" action={linkedLoginsPath(props.client.id)} novalidate>
          {props.alert && <ErrorSummary message={props.alert} errors={e} labels={RECORD_FIELD_LABELS} />}
          <input type="hidden" name="loginId" value={String(props.chosen.id)} />
          <RepresentativeRecordFields
            values={props.values ?? { ...EMPTY_RECORD, startDate: props.today }}
            errors={e}
            version={0}
            client={props.client}
            ageOfMajority={props.ageOfMajority}
            today={props.today}
          />
          <div class="actions">
            <button type="submit" class="primary">
              Link login
            </button>
            <a class="button" href={`/face-sheet/${props.client.id}#client-portal-section`}>
              Cancel
            </a>
          </div>
        </form>
      )}
    </section>
  );
}

/** The whole page. */
export function LinkLoginPage(props: LinkPageProps) {
  const name = `${props.client.firstName} ${props.client.lastName}`;
  return (
    <Layout
      title={`Link an existing login · ${name}`}
      staff={props.staff}
      crumbs={[
        { label: "Main Menu", href: "/menu" },
        { label: "Face Sheet", href: "/face-sheet" },
        { label: name, href: `/face-sheet/${props.client.id}#client-portal-section` },
        { label: "Link an existing login" },
      ]}
    >
      <h1>Link an existing login</h1>
      <p>
        A representative (a parent, a guardian…) can use one portal login for several clients. Find the person's login, then enter their record
        for {name}. After sign-in, the portal asks them whose information to see.
      </p>
      <section class="card" aria-labelledby="link-find-h">
        <h2 id="link-find-h">Find the login</h2>
        <form method="get" action={`${linkedLoginsPath(props.client.id)}/new`} role="search">
          <Field name="q" label="Portal Username or email" value={props.query} error={props.queryError} autocomplete="off" maxlength={254} verbatim />
          <button type="submit">Find</button>
        </form>
        {props.candidates && <CandidateList clientId={props.client.id} query={props.query} candidates={props.candidates} />}
      </section>
      {props.chosen && <RecordForm {...props} chosen={props.chosen} />}
    </Layout>
  );
}
