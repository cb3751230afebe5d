/** @jsxImportSource hono/jsx */
/** The signed-in member's passkeys: the list, adding one, and renaming or removing one. */
import type { CurrentStaff } from "../app";
import { formatAgencyDateTime } from "../layout/agency-time";
import { PasskeyButton } from "../layout/passkey-button";
import { stateTitle } from "../layout/page-title";
import { Field, Layout, type Crumb } from "../layout/views";
import type { PasskeyRow } from "./queries";

const crumbs = (last?: string): Crumb[] => [
  { label: "Main Menu", href: "/menu" },
  last ? { label: "Passkeys", href: "/account/passkeys" } : { label: "Passkeys" },
  ...(last ? [{ label: last }] : []),
];

/** The list of passkeys and "Add a passkey". */
export function PasskeysPage(props: { staff: CurrentStaff; passkeys: PasskeyRow[]; notice?: string }) {
  const zone = props.staff.agency.timezone;
  return (
    <Layout title="Passkeys" staff={props.staff} crumbs={crumbs()}>
      <h1>Passkeys</h1>
      {props.notice && (
        <p class="notice" role="status">
          {props.notice}
        </p>
      )}
      <p class="lead">
        A passkey signs you in with your fingerprint, face, screen lock or security key — no password or code to type. Use <strong>Sign in with a
        passkey</strong> on the sign-in page, or use it as the second step after your password.
      </p>
      <section class="card" aria-labelledby="list-heading">
        <h2 id="list-heading">Your passkeys</h2>
        {props.passkeys.length === 0 ? (
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
                {props.passkeys.map((p) => (
                  <tr>
                    <td data-label="Name" class="passkey-name">
                      {p.name}
                    </td>
                    <td data-label="Added">{formatAgencyDateTime(p.createdAt, zone)}</td>
                    <td data-label="Last used">{p.lastUsedAt ? formatAgencyDateTime(p.lastUsedAt, zone) : "Never"}</td>
                    <td class="actions-cell">
                      <a href={`/account/passkeys/${p.id}`} aria-label={`Rename or remove ${p.name}`}>
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
        <Field name="name" label="Name" hint="So you can tell your passkeys apart, e.g. Work laptop or Phone." value={`Passkey ${props.passkeys.length + 1}`} maxlength={60} />
        <PasskeyButton ceremony="register" optionsUrl="/account/passkeys/options" verifyUrl="/account/passkeys" label="Add a passkey" nameField="f-name" primary />
      </section>
      <p>
        <a href="/account/two-factor">Two-factor sign-in settings</a>
      </p>
    </Layout>
  );
}

/** One passkey: rename it, or remove it. */
export function PasskeyPage(props: { staff: CurrentStaff; passkey: PasskeyRow; name?: string; nameError?: string; alert?: string }) {
  const p = props.passkey;
  const zone = props.staff.agency.timezone;
  return (
    <Layout title={stateTitle(`Passkey ${p.name}`, props.alert !== undefined || props.nameError !== undefined)} staff={props.staff} crumbs={crumbs(p.name)}>
      <section class="card narrow">
        <h1>Passkey</h1>
        {props.alert && (
          <p class="error-summary" role="alert" tabindex={-1} autofocus>
            {props.alert}
          </p>
        )}
        <dl class="facts passkey-facts">
          <dt>Added</dt>
          <dd>{formatAgencyDateTime(p.createdAt, zone)}</dd>
          <dt>Last used</dt>
          <dd>{p.lastUsedAt ? formatAgencyDateTime(p.lastUsedAt, zone) : "Never"}</dd>
        </dl>
        <form method="post" action={`/account/passkeys/${p.id}`} novalidate>
          <Field name="name" label="Name" value={props.name ?? p.name} error={props.nameError} maxlength={60} required />
          <div class="actions">
            <button type="submit" class="primary">
              Save name
            </button>
            <a class="button" href="/account/passkeys">
              Cancel
            </a>
          </div>
        </form>
        <h2 class="spaced">Remove this passkey</h2>
        <p>It will no longer sign you in. Remove it from your device or password manager too.</p>
        <form method="post" action={`/account/passkeys/${p.id}/remove`}>
          <button type="submit" class="danger">
            Remove passkey
          </button>
        </form>
      </section>
    </Layout>
  );
}
