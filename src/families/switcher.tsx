/** @jsxImportSource hono/jsx */
/**
 * The switcher every portal page's header shows for a login linked to several clients: whose
 * information the pages show, and a list to change it (a form posting to /whose; no script).
 */
import type { PortalAgency } from "../portal/portal-agency";
import type { PortalUser } from "../portal/portal-user";
import type { Section } from "../portal/views";
import { WHOSE_PATH } from "./portal-scope";

/** Where a switch returns to: the page it was made from. */
export const RETURN_TO: Record<Section, string> = { home: "", activity: "/activity", consent: "/consent", passkeys: "/passkeys", devices: "/devices", password: "/change-password" };

/** The URL of "Whose information?" at an agency's portal. */
export const whoseUrl = (agency: PortalAgency) => `/portal/${agency.slug}${WHOSE_PATH}`;

/** The header's switcher: whose information the pages show, and a list to change it. */
export function ClientSwitcher(props: { agency: PortalAgency; user: PortalUser; section?: Section }) {
  const { user } = props;
  if (user.choices.length < 2 || user.mustChoose || user.mustChangePassword) return null;
  return (
    <form method="post" action={whoseUrl(props.agency)} class="client-switcher">
      <label for="switch-client">Whose information</label>
      <select id="switch-client" name="client">
        {user.choices.map((c) => (
          <option value={String(c.clientId)} selected={c.clientId === user.clientId}>
            {c.name}
          </option>
        ))}
      </select>
      <input type="hidden" name="return" value={props.section ?? "home"} />
      <button type="submit" class="small">
        Switch
      </button>
    </form>
  );
}

