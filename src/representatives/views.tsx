/** @jsxImportSource hono/jsx */
/**
 * The representative record inside the Portal Login window (a fieldset shown for a representative),
 * the record as the Client Portal table shows it, and the window's Block / Unblock section.
 */
import type { FieldErrors } from "../forms/parse";
import { formatAgencyDateTime } from "../layout/agency-time";
import { Field, SelectField } from "../layout/views";
import type { PortalRepresentation } from "../db/schema";
import { birthdayAt, representationEnd } from "./access";
import { LEGAL_BASIS_LABELS, ordinal, RELATIONSHIP_LABELS, relationshipText, showDate } from "./labels";
import type { RecordValues } from "./record-form";

export interface RecordFieldsProps {
  values: RecordValues;
  errors: FieldErrors;
  /** The record's version as the window opened it (0: none yet). */
  version: number;
  client: { firstName: string; dateOfBirth: string };
  ageOfMajority: number;
  /** The agency's today, for the date inputs' lower bound. */
  today: string;
  /** The login had no record when opened (an older representative login): staff must complete it. */
  missing?: boolean;
}

/** The record's fields as an error summary names them (the window's and Link an existing login's). */
export const RECORD_FIELD_LABELS: Record<string, string> = {
  repName: "Full name",
  relationship: "Relationship",
  relationshipOther: "Relationship, if Other",
  legalBasis: "Legal basis",
  startDate: "Start date",
  endDate: "End date",
};

/** The record's fields: asked for when Representative is checked (ignored otherwise). */
export function RepresentativeRecordFields(props: RecordFieldsProps) {
  const { values: v, errors: e, client } = props;
  const majority = birthdayAt(client.dateOfBirth, props.ageOfMajority);
  const birthday = `${client.firstName}'s ${ordinal(props.ageOfMajority)} birthday (${showDate(majority)})`;
  // An adult client: that birthday is past, so Parent of a minor stands only with a guardianship.
  const adult = majority <= props.today;
  const endHint = adult
    ? `Access ends on this date. Required unless the legal basis is Parent of a minor with a court-ordered guardianship.`
    : `Access ends on this date. Required unless the legal basis is Parent of a minor, whose access ends on ${birthday}.`;
  const majorityNote = adult
    ? `Parent of a minor: ${client.firstName} turned ${props.ageOfMajority} on ${showDate(majority)}, so it applies only with a court-ordered guardianship recorded.`
    : `Parent of a minor: access ends on ${birthday}, unless a court-ordered guardianship is recorded.`;
  return (
    <fieldset class="representative-record" id="representative-record" aria-describedby="representative-record-hint">
      <legend>Representative record</legend>
      <p class="hint" id="representative-record-hint">
        Who acts for {client.firstName}, on what legal basis, and for how long. Access ends by itself on the end date (the agency's time zone).
      </p>
      {props.missing && (
        <p class="warning" id="representative-record-missing">
          This representative login has no record yet, so it can't sign in. Complete the record and Save.
        </p>
      )}
      <input type="hidden" name="recordVersion" value={String(props.version)} />
      <Field name="repName" label="Full name" value={v.repName} error={e.repName} required maxlength={100} autocomplete="off" />
      <SelectField name="relationship" label="Relationship" value={v.relationship} options={RELATIONSHIP_LABELS} error={e.relationship} />
      <Field name="relationshipOther" label="Relationship, if Other" value={v.relationshipOther} error={e.relationshipOther} maxlength={60} autocomplete="off" />
      <SelectField name="legalBasis" label="Legal basis" value={v.legalBasis} options={LEGAL_BASIS_LABELS} error={e.legalBasis} />
      <Field type="date" name="startDate" label="Start date" value={v.startDate} error={e.startDate} required min={props.version === 0 ? props.today : undefined} hint="The first day of access. Today or later for a new record." />
      <Field
        type="date"
        name="endDate"
        label="End date"
        value={v.endDate}
        error={e.endDate}
        hint={endHint}
      />
      <p class="meta" id="majority-end">
        {majorityNote}
      </p>
      <div class="field check">
        <input id="f-guardianship" name="guardianship" type="checkbox" checked={v.guardianship} aria-describedby="f-guardianship-hint" />
        <label for="f-guardianship">Court-ordered guardianship recorded</label>
        <p class="hint" id="f-guardianship-hint">
          {adult
            ? `For Parent of a minor: a court order lets the parent act for ${client.firstName} as an adult (until the end date, if one is given).`
            : `For Parent of a minor: the parent's access continues past ${client.firstName}'s ${ordinal(props.ageOfMajority)} birthday (until the end date, if one is given).`}
        </p>
      </div>
    </fieldset>
  );
}

/** The record in the Client Portal table's Representative cell: who, how, and until when. */
export function RecordSummary(props: { record: PortalRepresentation | undefined; dateOfBirth: string; ageOfMajority: number }) {
  const r = props.record;
  if (!r || r.endedAt !== null) return <span class="badge warn">No record</span>;
  const end = representationEnd(r, props.dateOfBirth, props.ageOfMajority);
  return (
    <span class="record-summary">
      <span>{r.name}</span>
      <span class="meta">
        {relationshipText(r)} · {LEGAL_BASIS_LABELS[r.legalBasis]}
      </span>
      <span class="meta">
        From {showDate(r.startDate)}
        {end ? `, ends ${showDate(end.date)}${end.reason === "majority" ? ` (${ordinal(props.ageOfMajority)} birthday)` : ""}` : ""}
        {r.guardianship ? " · guardianship recorded" : ""}
      </span>
    </span>
  );
}

export interface BlockInfo {
  loginId: number;
  clientId: number;
  username: string;
  blockedAt: number | null;
  blockedReason: string | null;
  blockedByName: string | null;
  timezone: string;
  /** The signed-in member may unblock (an administrator). */
  mayUnblock: boolean;
  error?: string;
  reason?: string;
}

/** Block (with a reason only staff see) or, for an administrator, Unblock: below the window's form. */
export function BlockSection(props: BlockInfo) {
  const base = `/face-sheet/${props.clientId}/portal-logins/${props.loginId}`;
  if (props.blockedAt !== null) {
    return (
      <section class="block-section" id="block-section" aria-labelledby="block-h">
        <h3 id="block-h">Blocked</h3>
        <p class="warning">
          Blocked on {formatAgencyDateTime(props.blockedAt, props.timezone)}
          {props.blockedByName ? ` by ${props.blockedByName}` : ""}. Reason (staff only): {props.blockedReason}
        </p>
        <p class="meta">A blocked login can't sign in and is sent no email of any kind. Only an administrator can unblock it or link it to a client again.</p>
        {props.mayUnblock && (
          <form method="post" action={`${base}/unblock`}>
            <button type="submit" class="small" id="unblock-login">
              Unblock {props.username}
            </button>
          </form>
        )}
      </section>
    );
  }
  return (
    <section class="block-section" id="block-section" aria-labelledby="block-h">
      <h3 id="block-h">Block this person</h3>
      <form method="post" action={`${base}/block`}>
        <div class={props.error ? "field has-error" : "field"}>
          <label for="f-blockReason">
            Reason (visible to staff only)<span aria-hidden="true"> *</span>
          </label>
          <p class="hint" id="f-blockReason-hint">
            E.g. a custody order. The login can't sign in, its sessions end at once, and it gets no email of any kind. Only an administrator can undo it.
          </p>
          <textarea id="f-blockReason" name="reason" rows={2} maxlength={500} aria-invalid={props.error ? "true" : undefined} aria-describedby={`f-blockReason-hint${props.error ? " f-blockReason-error" : ""}`}>
            {props.reason ?? ""}
          </textarea>
          {props.error && (
            <p class="error" id="f-blockReason-error">
              {props.error}
            </p>
          )}
        </div>
        <button type="submit" class="small danger" id="block-login">
          Block {props.username}
        </button>
      </form>
    </section>
  );
}
