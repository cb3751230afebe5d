/** @jsxImportSource hono/jsx */
/**
 * The portal's "Whose information?" page: one button per client the login may act for; each posts
 * the client's id to /whose, which accepts only a client of the session's own list.
 */
import type { PortalAgency } from "../portal/portal-agency";
import type { PortalUser } from "../portal/portal-user";
import { PortalLayout } from "../portal/views";
import { whoseUrl } from "./switcher";

/** What "Whose information?" says when the client this session chose is no longer in force. */
export const choiceEndedText = (firstName: string, agencyName: string) =>
  `Your access to ${firstName}'s information has ended. Contact ${agencyName} if you think this is a mistake.`;

/**
 * "Whose information?": one button per client the login may act for — after the chosen client's
 * access ended, first an alert saying so (and the question even when one client is left).
 */
export function WhosePage(props: { agency: PortalAgency; user: PortalUser }) {
  const { agency, user } = props;
  const ended = user.choiceEnded;
  return (
    <PortalLayout agency={agency} title={ended ? "Access ended: Whose information?" : "Whose information?"} user={user}>
      <section class="card narrow portal-card whose">
        <h1>Whose information?</h1>
        {ended && (
          <p class="warning" role="alert">
            {choiceEndedText(ended, agency.name)}
          </p>
        )}
        <p>
          {user.choices.length > 1
            ? "You can see the information of more than one person. Choose whose to see now; you can switch at any time from the top of each page."
            : "You can still see this person's information:"}
        </p>
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
