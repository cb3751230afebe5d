/** @jsxImportSource hono/jsx */
/**
 * The case page's "Consented to by the minor" section (Document Center › client › case): the flag
 * and, for staff who may change it, a Yes/No choice with Save. Also the fragment a Save swaps.
 */

export const MINOR_CONSENT_ID = "minor-consent";
export const minorConsentPath = (clientId: number, caseId: number) => `/document-center/clients/${clientId}/cases/${caseId}/minor-consented`;

export interface MinorConsentProps {
  clientId: number;
  caseId: number;
  minorConsented: boolean;
  /** The staff member may change it (face-sheet.edit). */
  canEdit: boolean;
  /** What was chosen, when re-rendered after bad input. */
  chosen?: string;
  error?: string;
  notice?: string;
}

/** The section. */
export function MinorConsentSection(props: MinorConsentProps) {
  const path = minorConsentPath(props.clientId, props.caseId);
  const chosen = props.chosen ?? (props.minorConsented ? "yes" : "no");
  return (
    <section class="card" id={MINOR_CONSENT_ID} aria-labelledby="minor-consent-h">
      <h2 id="minor-consent-h">Consented to by the minor</h2>
      {props.notice && (
        <p class="notice" role="status">
          {props.notice}
        </p>
      )}
      <p class="hint">
        When a minor consented to this treatment themselves, they control its information: representatives (parents, guardians) see no data from this
        case in the Client Portal.
      </p>
      {props.canEdit ? (
        <form method="post" action={path} hx-post={path} hx-target={`#${MINOR_CONSENT_ID}`} hx-swap="outerHTML" novalidate>
          <fieldset class={props.error ? "choices has-error" : "choices"} aria-describedby={props.error ? "f-minorConsented-error" : undefined}>
            <legend>Did the minor consent to this treatment themselves?</legend>
            <div class="choice">
              <input type="radio" id="f-minorConsented-yes" name="minorConsented" value="yes" checked={chosen === "yes"} />
              <label for="f-minorConsented-yes">Yes: hide this case from representatives</label>
            </div>
            <div class="choice">
              <input type="radio" id="f-minorConsented-no" name="minorConsented" value="no" checked={chosen === "no"} />
              <label for="f-minorConsented-no">No</label>
            </div>
            {props.error && (
              <p class="error" id="f-minorConsented-error">
                {props.error}
              </p>
            )}
          </fieldset>
          <div class="actions">
            <button type="submit" class="primary" id="minor-consent-save">
              Save
            </button>
          </div>
        </form>
      ) : (
        <p>{props.minorConsented ? "Yes: representatives see no data from this case." : "No."}</p>
      )}
    </section>
  );
}
