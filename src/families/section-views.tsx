/** @jsxImportSource hono/jsx */
/**
 * What the families feature adds to the Face Sheet's Client Portal section: "Link an existing
 * login", the Representative cell of a login linked from another client (its record for this
 * client, and End link), and the Portal Login window's notice that a linked login is one person's.
 */
import { LEGAL_BASIS_LABELS, RELATIONSHIP_LABELS } from "../representatives/labels";
import type { LinkedLogin } from "./queries";

/** Where the families routes of a client live. */
export const linkedLoginsPath = (clientId: number) => `/face-sheet/${clientId}/linked-logins`;

/** The section's second action, beside Add Client Portal Login. */
export function LinkLoginButton(props: { clientId: number }) {
  return (
    <a id="link-portal-login" class="button" href={`${linkedLoginsPath(props.clientId)}/new`}>
      Link an existing login
    </a>
  );
}

const mdY = (iso: string) => {
  const [y, m, d] = iso.split("-");
  return `${m}/${d}/${y}`;
};

/** The Representative cell of a linked login: its record for this client and, for managers, End link. */
export function LinkedLoginCell(props: { clientId: number; username: string; link: LinkedLogin; manage: boolean }) {
  const { link } = props;
  const relationship = link.relationship === "other" && link.relationshipOther ? link.relationshipOther : RELATIONSHIP_LABELS[link.relationship as keyof typeof RELATIONSHIP_LABELS];
  const basis = LEGAL_BASIS_LABELS[link.legalBasis as keyof typeof LEGAL_BASIS_LABELS];
  return (
    <div class="linked-login">
      <span>Yes</span>
      <span class="badge">Linked</span>
      <span class="meta">
        {link.name}, {relationship ?? link.relationship} ({basis ?? link.legalBasis})
      </span>
      <span class="meta">
        From {mdY(link.startDate)}, {link.endDate ? `ends ${mdY(link.endDate)}` : "ends at the client's majority"}
      </span>
      <span class="meta">Created for {link.createdFor}</span>
      {props.manage && (
        <form method="post" action={`${linkedLoginsPath(props.clientId)}/${link.loginId}/end`}>
          <button type="submit" class="small" id={`end-link-${link.loginId}`}>
            End link<span class="visually-hidden"> of {props.username}</span>
          </button>
        </form>
      )}
    </div>
  );
}

/** In the Portal Login window of a linked login: edits reach the person, on every client. */
export function LinkedLoginNotice() {
  return (
    <p class="warning" id="portal-login-linked">
      This login is linked to this client from another client's record: it is one person's login. Changing its email, Active or password here
      changes them for every client it acts for. To stop it acting for this client only, use End link in the Client Portal table.
    </p>
  );
}
