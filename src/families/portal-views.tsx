/** @jsxImportSource hono/jsx */
/**
 * The portal's "Whose information?" page: one button per client the login may act for; each posts
 * the client's id to /whose, which accepts only a client of the session's own list.
 */
import type { PortalAgency, PortalUser } from "../portal/queries";
import { PortalLayout } from "../portal/views";
import { whoseUrl } from "./switcher";

/** "Whose information?": one button per client the login may act for. */
export function WhosePage(props: { agency: PortalAgency; user: PortalUser; notice?: string }) {
  const { agency, user } = props;
  return (
    <PortalLayout agency={agency} title="Whose information?" user={user}>
      <section class="card narrow portal-card whose">
        <h1>Whose information?</h1>
        {props.notice && <p class="notice" role="status">{props.notice}</p>}
        <p>You can see the information of more than one person. Choose whose to see now; you can switch at any time from the top of each page.</p>
        <ul class="whose-list">
          {user.choices.map((c) => (
            <li>
              <form method="post" action={whoseUrl(agency)}>
                <input type="hidden" name="client" value={String(c.clientId)} />
                <button type="submit" class={`wide${!user.mustChoose && c.clientId === user.clientId ? " primary" : ""}`}>
                  {c.name}
                </button>
              </form>
            </li>
          ))}
        </ul>
      </section>
    </PortalLayout>
  );
}
