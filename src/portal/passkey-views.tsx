/** @jsxImportSource hono/jsx */
/** A portal user's passkeys: the list, adding one, and renaming or removing one. */
import { formatActionLogTime } from "../layout/agency-time";
import { PasskeyButton } from "../layout/passkey-button";
import { Field } from "../layout/views";
import type { PasskeyRow } from "../passkeys/queries";
import type { PortalAgency } from "./portal-agency";
import type { PortalUser } from "./portal-user";
import { PortalLayout } from "./views";

const base = (agency: PortalAgency) => `/portal/${agency.slug}`;

/** The list of the login's passkeys and "Add a passkey". */
export function PortalPasskeysPage(props: { agency: PortalAgency; user: PortalUser; passkeys: PasskeyRow[]; notice?: string }) {
  const { agency, user, passkeys } = props;
  const zone = agency.timezone;
  return (
    <PortalLayout agency={agency} title="Passkeys" user={user} section="passkeys">
      <h1>Passkeys</h1>
      {props.notice && (
        <p class="notice" role="status">
          {props.notice}
        </p>
      )}
      <p class="lead">
        A passkey signs you in to this portal with your fingerprint, face, screen lock or security key — nothing to type, and it only works on{" "}
        {agency.name}'s portal, so a fake site can't steal it. Use <strong>Sign in with a passkey</strong> on the sign-in page.
      </p>
      <section class="card" aria-labelledby="list-heading">
        <h2 id="list-heading">Your passkeys</h2>
        {passkeys.length === 0 ? (
          <p class="empty">No passkeys yet.</p>
        ) : (
          <div class="table-wrap">
            <table class="stack passkeys">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Added</th>
                  <th scope="col">Last used</th>
                  <th scope="col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {passkeys.map((p) => (
                  <tr>
                    <td data-label="Name" class="passkey-name">
                      {p.name}
                    </td>
                    <td data-label="Added">{formatActionLogTime(p.createdAt, zone)}</td>
                    <td data-label="Last used">{p.lastUsedAt ? formatActionLogTime(p.lastUsedAt, zone) : "Never"}</td>
                    <td class="actions-cell">
                      <a href={`${base(agency)}/passkeys/${p.id}`} aria-label={`Rename or remove ${p.name}`}>
                        Rename or remove
                      </a>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section class="card" aria-labelledby="add-heading">
        <h2 id="add-heading">Add a passkey</h2>
        <Field name="name" label="Name" hint="So you can tell your passkeys apart, e.g. My phone." value={`Passkey ${passkeys.length + 1}`} maxlength={60} />
        <PasskeyButton ceremony="register" optionsUrl={`${base(agency)}/passkeys/options`} verifyUrl={`${base(agency)}/passkeys`} label="Add a passkey" nameField="f-name" primary />
        <p class="hint">Your password keeps working too.</p>
      </section>
    </PortalLayout>
  );
}

/** One passkey: rename it, or remove it. */
export function PortalPasskeyPage(props: { agency: PortalAgency; user: PortalUser; passkey: PasskeyRow; name?: string; nameError?: string; removeError?: string }) {
  const { agency, user, passkey: p } = props;
  const zone = agency.timezone;
  return (
    <PortalLayout agency={agency} title={`Passkey ${p.name}`} user={user} section="passkeys">
      <section class="card narrow portal-card">
        <h1>Passkey</h1>
        <dl class="facts passkey-facts">
          <dt>Added</dt>
          <dd>{formatActionLogTime(p.createdAt, zone)}</dd>
          <dt>Last used</dt>
          <dd>{p.lastUsedAt ? formatActionLogTime(p.lastUsedAt, zone) : "Never"}</dd>
        </dl>
        <form method="post" action={`${base(agency)}/passkeys/${p.id}`} novalidate>
          <Field name="name" label="Name" value={props.name ?? p.name} error={props.nameError} maxlength={60} required />
          <div class="actions">
            <button type="submit" class="primary">
              Save name
            </button>
            <a class="button" href={`${base(agency)}/passkeys`}>
              Cancel
            </a>
          </div>
        </form>
        <h2 class="spaced">Remove this passkey</h2>
        <p>It will no longer sign you in. Remove it from your phone, computer or password manager too.</p>
        {!user.hasPassword && <p class="hint">You have no password, so your last passkey can't be removed: set a password (Change password) or add another passkey first.</p>}
        {props.removeError && (
          <p class="error-summary" role="alert">
            {props.removeError}
          </p>
        )}
        <form method="post" action={`${base(agency)}/passkeys/${p.id}/remove`}>
          <button type="submit" class="danger">
            Remove passkey
          </button>
        </form>
      </section>
    </PortalLayout>
  );
}
