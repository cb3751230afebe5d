/** @jsxImportSource hono/jsx */
/**
 * Staff give portal access from the Face Sheet: the Client Portal section's routes and the Portal
 * Login window. Every route answers 404 unless the signed-in agency is contracted for the portal
 * and the client (and login) are that agency's.
 *
 *   GET  /face-sheet/:clientId/portal-logins                    the section's body (htmx refresh)    (here)
 *   GET  /face-sheet/:clientId/portal-logins/new                the window, empty                    (add-routes.tsx)
 *   POST /face-sheet/:clientId/portal-logins                    Save (add) or Populate Email
 *   GET  /face-sheet/:clientId/portal-logins/:loginId/edit      the window with the login's values   (edit-routes.tsx)
 *   POST /face-sheet/:clientId/portal-logins/:loginId           Save (edit) or Populate Email
 *   POST /face-sheet/:clientId/portal-logins/:loginId/resend    a fresh temporary password, emailed  (resend-routes.tsx)
 *   POST /face-sheet/:clientId/portal-logins/:loginId/emails/:emailId/resend
 *                                                               Resend one email of the Email history
 *   POST /face-sheet/:clientId/portal-logins/:loginId/resend-invitation   a new invitation link (5-minute cool-down)
 *
 * htmx requests get the dialog or fragments; without JavaScript the same URLs give whole pages
 * and a Save redirects back to the Face Sheet. What the routes share: route-context.ts (the
 * request's client, login and settings), login-window.tsx (answering the window) and
 * respond-saved.tsx (answering after a Save or Resend).
 */
import { Hono } from "hono";
import type { AppEnv } from "../app";
import { addPortalLoginRoutes } from "./add-routes";
import { editPortalLoginRoutes } from "./edit-routes";
import { resendPortalLoginRoutes } from "./resend-routes";
import { CLIENT_ROUTE, loadClient } from "./route-context";
import { loadSectionData } from "./section";
import { ClientPortalBody } from "./views";
import { wantsFragment } from "../layout/fragment";

/** The section's body here; the window and the resends from their own files, in the order above. */
export const portalLoginRoutes = new Hono<AppEnv>()
  .get(CLIENT_ROUTE, async (c) => {
    const client = await loadClient(c);
    if (!client) return c.notFound();
    if (!wantsFragment(c)) return c.redirect(`/face-sheet/${client.id}#client-portal-section`, 302);
    return c.html(<ClientPortalBody {...await loadSectionData(c, client)} />);
  })
  .route("/", addPortalLoginRoutes)
  .route("/", editPortalLoginRoutes)
  .route("/", resendPortalLoginRoutes);
