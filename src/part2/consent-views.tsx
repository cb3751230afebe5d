/** @jsxImportSource hono/jsx */
/**
 * The Portal Login window's 42 CFR Part 2 consent section (a representative login only): the
 * consent in force with Revoke consent (and, for a consent that ends on an event, "The event has
 * occurred"), earlier consents, and the form to record a consent with every §2.31 element. The
 * section is its own fragment: its buttons and form swap only it, never the login's form.
 */
import type { FieldErrors } from "../forms/parse";
import { Checkbox, Field, FieldFrame } from "../layout/views";
import { consentStanding, type ConsentStanding } from "./rule";
import type { Part2Consent, PortalRepresentation } from "./consents";
import type { ConsentValues } from "./consent-form";

export const CONSENT_SECTION_ID = "part2-consent";

export interface ConsentSectionProps {
  clientId: number;
  loginId: number;
  /** The client has an open case in a Part 2 programme: the login can't be active without a current consent. */
  required: boolean;
  /** The login's link to the client; null until the representative's record is saved. */
  representation: PortalRepresentation | null;
  consents: Part2Consent[];
  /** YYYY-MM-DD, agency time zone. */
  today: string;
  /** The staff member may record and revoke (portal-logins.manage). */
  manage: boolean;
  values: ConsentValues;
  errors?: FieldErrors;
  alert?: string;
  notice?: string;
}

export const consentPath = (clientId: number, loginId: number) => `/face-sheet/${clientId}/portal-logins/${loginId}/consent`;

const STANDING_TEXT: Record<ConsentStanding, string> = {
  current: "In force",
  revoked: "Revoked",
  superseded: "Replaced by a later consent",
  expired: "Expired",
  "event-occurred": "Ended: its event occurred",
};

/** When the consent ends, in words. */
export function expiryWords(c: { expiresOn: string | null; expiryEvent: string | null }): string {
  if (c.expiresOn && c.expiryEvent) return `On ${c.expiresOn} (access ends that day), or at this event if sooner: ${c.expiryEvent}`;
  if (c.expiresOn) return `On ${c.expiresOn} (access ends that day)`;
  return `At this event: ${c.expiryEvent}`;
}

/** Every element of a recorded consent, as a definition list. */
export function ConsentFacts(props: { consent: Part2Consent }) {
  const k = props.consent;
  return (
    <dl class="facts consent-facts">
      <dt>Client</dt>
      <dd>{k.clientName}</dd>
      <dt>Who may disclose</dt>
      <dd>{k.discloser}</dd>
      <dt>Recipient</dt>
      <dd>{k.recipient}</dd>
      <dt>Purpose</dt>
      <dd>{k.purpose}</dd>
      <dt>Information that may be disclosed</dt>
      <dd>{k.information}</dd>
      <dt>Expires</dt>
      <dd>{expiryWords(k)}</dd>
      <dt>Signed</dt>
      <dd>
        {k.signedOn}
        {k.signerAuthority ? `, for the client, by a signer with this authority: ${k.signerAuthority}` : ", by the client"}
        {k.signedOnPaper ? " — on paper, kept on file" : ""}
      </dd>
      <dt>Right to revoke</dt>
      <dd>Stated on the form</dd>
    </dl>
  );
}

function ErrorText(props: { name: string; error?: string }) {
  return props.error ? (
    <p class="error" id={`f-${props.name}-error`}>
      {props.error}
    </p>
  ) : null;
}

/** A multi-line field with its message. */
function TextArea(props: { name: string; label: string; value: string; error?: string; hint?: string }) {
  return (
    <FieldFrame
      {...props}
      required
      control={(f) => (
        <textarea id={f.id} name={props.name} rows={2} maxlength={1000} required aria-invalid={f.invalid} aria-describedby={f.describedBy}>
          {props.value}
        </textarea>
      )}
    />
  );
}

/** The form to record a consent: one field per §2.31 element. */
function ConsentForm(props: ConsentSectionProps) {
  const action = consentPath(props.clientId, props.loginId);
  return (
    <form method="post" action={action} hx-post={action} hx-target={`#${CONSENT_SECTION_ID}`} hx-swap="outerHTML" novalidate class="consent-form">
      <ConsentFields values={props.values} errors={props.errors} />
      <div class="actions">
        <button type="submit" class="primary" id="consent-save">
          Save consent
        </button>
      </div>
    </form>
  );
}

/**
 * The consent's fields inside the Add window's own form, for a new representative login of a
 * client with an open case in a Part 2 programme: recorded with the login and its record in one
 * Save. Shown (like the record) only while Representative is checked (public/app.js).
 */
export function NewLoginConsentFields(props: { values: ConsentValues; errors?: FieldErrors }) {
  return (
    <fieldset class="representative-record new-login-consent" id="new-login-consent" aria-describedby="new-login-consent-hint">
      <legend>42 CFR Part 2 consent</legend>
      <p class="hint" id="new-login-consent-hint">
        This client has an open case in a 42 CFR Part 2 programme: the representative's login can be active only with a current written consent. Enter it from
        the signed form; Save records it with the login.
      </p>
      <ConsentFields values={props.values} errors={props.errors} />
    </fieldset>
  );
}

/** One field per §2.31 element, with their messages. */
function ConsentFields(props: { values: ConsentValues; errors?: FieldErrors }) {
  const v = props.values;
  const e = props.errors ?? {};
  const signedBy = v.signedBy === "other" ? "other" : "client";
  return (
    <>
      <Field name="clientName" label="Client's name" value={v.clientName} error={e.clientName} required maxlength={200} />
      <Field name="discloser" label="Who may disclose" value={v.discloser} error={e.discloser} required maxlength={200} hint="The agency (or the programme) named on the form." />
      <Field name="recipient" label="Recipient" value={v.recipient} error={e.recipient} required maxlength={200} hint="The representative, by name, as on the form." />
      <TextArea name="purpose" label="Purpose of the disclosure" value={v.purpose ?? ""} error={e.purpose} />
      <TextArea name="information" label="How much and what kind of information" value={v.information ?? ""} error={e.information} hint="E.g. attendance, treatment plan and progress; not counselling notes." />
      <fieldset class="choices consent-expiry">
        <legend>Expiry: a date, an event, or both (whichever comes first) *</legend>
        <Field name="expiresOn" label="Expiry date" type="date" value={v.expiresOn} error={e.expiresOn} hint="Access ends on this date (agency time), as on an end date." />
        <Field name="expiryEvent" label="Expiry event" value={v.expiryEvent} error={e.expiryEvent} maxlength={300} hint="E.g. discharge from the programme. Record below when it occurs." />
      </fieldset>
      <Field name="signedOn" label="Signature date" type="date" value={v.signedOn} error={e.signedOn} required />
      <fieldset class={e.signedBy ? "choices has-error" : "choices"}>
        <legend>Signed by *</legend>
        <div class="choice">
          <input type="radio" id="f-signedBy-client" name="signedBy" value="client" checked={signedBy === "client"} />
          <label for="f-signedBy-client">The client</label>
        </div>
        <div class="choice">
          <input type="radio" id="f-signedBy-other" name="signedBy" value="other" checked={signedBy === "other"} />
          <label for="f-signedBy-other">Someone with authority to sign for the client (e.g. a guardian)</label>
        </div>
        <ErrorText name="signedBy" error={e.signedBy} />
      </fieldset>
      <Field name="signerAuthority" label="Signer's authority (when not signed by the client)" value={v.signerAuthority} error={e.signerAuthority} maxlength={300} />
      <Checkbox
        name="rightToRevoke"
        label="The form states the client's right to revoke this consent"
        checked={v.rightToRevoke === "on"}
        error={e.rightToRevoke}
        required
        hint="Required by 42 CFR §2.31(a)(4)."
      />
      <Checkbox
        name="signedOnPaper"
        label="Signed on paper (the signed form is kept on file)"
        checked={v.signedOnPaper === "on"}
        hint="Enter the elements above from the paper form."
      />
    </>
  );
}

/** Revoke consent / The event has occurred: small forms that swap the section. */
function ConsentAction(props: { path: string; label: string; confirm: string; primary?: boolean }) {
  return (
    <form method="post" action={props.path} hx-post={props.path} hx-target={`#${CONSENT_SECTION_ID}`} hx-swap="outerHTML" hx-confirm={props.confirm} class="inline">
      <button type="submit" class={props.primary ? "danger" : undefined}>
        {props.label}
      </button>
    </form>
  );
}

/** The consent section of the Portal Login window. */
export function ConsentSection(props: ConsentSectionProps) {
  const current = props.consents.find((k) => consentStanding(k, props.today) === "current");
  const past = props.consents.filter((k) => k !== current);
  const base = consentPath(props.clientId, props.loginId);
  return (
    <section id={CONSENT_SECTION_ID} class="consent-section" aria-labelledby="part2-consent-title">
      <h3 id="part2-consent-title">42 CFR Part 2 consent</h3>
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
      <p class="hint">
        {props.required
          ? "This client has an open case in a 42 CFR Part 2 programme: this representative's login can be active, and can sign in, only while a current written consent is recorded here."
          : "This client has no open case in a 42 CFR Part 2 programme, so no consent is needed now; one recorded here applies if that changes."}
      </p>
      {!props.representation ? (
        <p class="warning">Save the representative's record (name, relationship, legal basis, dates) first; the consent is recorded for it.</p>
      ) : (
        <>
          {current ? (
            <div class="consent-current">
              <h4>Consent in force</h4>
              <ConsentFacts consent={current} />
              {props.manage && (
                <div class="actions">
                  <ConsentAction
                    path={`${base}/${current.id}/revoke`}
                    label="Revoke consent"
                    confirm={`Revoke this consent? ${current.recipient} loses access to ${current.clientName}'s records at once, on every device.`}
                    primary
                  />
                  {current.expiryEvent && (
                    <ConsentAction
                      path={`${base}/${current.id}/event`}
                      label="The expiry event has occurred"
                      confirm={`Record that “${current.expiryEvent}” has occurred? The consent ends and ${current.recipient} loses access at once.`}
                    />
                  )}
                </div>
              )}
            </div>
          ) : (
            <p class={props.required ? "warning" : "meta"}>No consent in force.</p>
          )}
          {past.length > 0 && (
            <details class="consent-history">
              <summary>Earlier consents ({past.length})</summary>
              <ul>
                {past.map((k) => (
                  <li>
                    Signed {k.signedOn} — {STANDING_TEXT[consentStanding(k, props.today)]}
                  </li>
                ))}
              </ul>
            </details>
          )}
          {props.manage &&
            (current ? (
              <details class="consent-new" open={props.errors ? true : undefined}>
                <summary>Record a new consent (replaces the one in force)</summary>
                <ConsentForm {...props} />
              </details>
            ) : (
              <>
                <h4>Record the consent</h4>
                <ConsentForm {...props} />
              </>
            ))}
        </>
      )}
    </section>
  );
}
