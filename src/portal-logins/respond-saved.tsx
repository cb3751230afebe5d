/** @jsxImportSource hono/jsx */
/**
 * How a Portal Login route answers once it has done (or refused) its work: the Client Portal
 * section afresh with the outcome line, or a redirect back to the Face Sheet without JavaScript.
 */
import type { Context } from "hono";
import type { AppEnv } from "../app";
import { wantsFragment } from "../layout/fragment";
import { REFUSED_CLEARED_PARAM, type Outcome } from "./messages";
import type { PortalClient } from "./queries";
import { loadSectionData } from "./section";
import { ClientPortalBody, SECTION_BODY_ID, STATUS_ID, StatusLine, type StatusMessage } from "./views";

/**
 * After a Save or Resend: htmx gets the section's fresh body (retargeted from the dialog's form)
 * plus the outcome line out of band, and closes the dialog once swapped; a plain form post is
 * redirected to the Face Sheet, which reads the outcome from the query.
 */
export async function respondSaved(
  c: Context<AppEnv>,
  client: PortalClient,
  result: { loginId: number; outcome: Outcome; message: StatusMessage; refusedCleared?: boolean; openHistory?: boolean },
  status: 200 | 409 = 200,
) {
  if (!wantsFragment(c)) {
    const cleared = result.refusedCleared ? `&${REFUSED_CLEARED_PARAM}` : "";
    return c.redirect(`/face-sheet/${client.id}?portal-login=${result.loginId}&done=${result.outcome}${cleared}#client-portal-section`, 303);
  }
  const data = { ...(await loadSectionData(c, client)), openHistory: result.openHistory ? result.loginId : undefined };
  c.header("HX-Retarget", `#${SECTION_BODY_ID}`);
  c.header("HX-Reswap", "outerHTML");
  c.header("HX-Trigger-After-Swap", "close-dialog");
  return c.html(
    <>
      <ClientPortalBody {...data} />
      <div id={STATUS_ID} hx-swap-oob="innerHTML">
        <StatusLine message={result.message} />
      </div>
    </>,
    status,
  );
}

/** The client as it is after a Save that may have cleared Client Refused Portal Login. */
export const withRefused = (client: PortalClient, cleared: boolean): PortalClient => (cleared ? { ...client, refusedPortalLogin: false } : client);
