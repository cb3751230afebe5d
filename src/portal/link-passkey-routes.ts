/**
 * An emailed link's last step done with a passkey instead of a password ("Create a passkey
 * instead" on the link's password page; JSON through public/passkeys.js):
 *
 *   POST /portal/<slug>/link/passkey/options   registration options for the link's login (a
 *                                              challenge of purpose "link-register", bound to it)
 *   POST /portal/<slug>/link/passkey           the authenticator's answer: checked (challenge used
 *                                              once, origin and RP ID the portal's, user
 *                                              verification), then the link used exactly as a
 *                                              password would use it (portal-link-use.ts), the user
 *                                              signed in on this device, the notice after the answer
 *
 * Both steps need what the password step needs: a link that can still be used, held in this
 * browser's link cookie with its date-of-birth proof. Otherwise nothing is issued or written, and
 * the answer sends the page back to the link (which then shows why).
 * JSON answers: `{ options }`, `{ redirect }`, or `{ error, field?, redirect? }` with 4xx.
 */
import { Hono, type Context } from "hono";
import { z } from "zod";
import { useLink } from "../clients/portal-link-use";
import { afterResponse } from "../observability/after-response";
import { registrationOptions, verifyRegistration } from "../passkeys/ceremonies";
import { passkeyName, readJson } from "../passkeys/json";
import { portalOwner } from "../passkeys/owner";
import { portalRelyingParty } from "../passkeys/relying-party";
import { sendPasskeyNotice } from "../portal-notices/send";
import { heldLink, type HeldPortalLink } from "./held-link";
import { clearLinkCookie, linkPath } from "./link-cookie";
import { linkLockedText, linkUnusableText } from "./link-views";
import { issuePortalSessionCookie, newSessionDevice, portalPath, SLUG_PATTERN, type PortalEnv } from "./portal-session";
import { sessionInsertAfterChange } from "./sessions";

const LINK = `/portal/:slug{${SLUG_PATTERN}}/link`;
const registerBody = z.object({ name: z.unknown(), response: z.unknown().optional() });
const DOB_FIRST = "Confirm the date of birth first.";

type C = Context<PortalEnv>;

/** The link this browser may finish with a passkey, or the JSON answer refusing it. */
async function usableLink(c: C): Promise<{ held: HeldPortalLink } | { refused: Response }> {
  const { agency } = c.var;
  const held = await heldLink(c);
  if (!held || held.link.locked || held.denied) {
    clearLinkCookie(c, agency.slug);
    const text = held?.link.locked ? linkLockedText(agency.name) : linkUnusableText(agency.name);
    return { refused: c.json({ error: text, redirect: linkPath(agency.slug) }, 410) };
  }
  // The date of birth comes first, always.
  if (!held.dobAnswered) return { refused: c.json({ error: DOB_FIRST, redirect: linkPath(agency.slug) }, 403) };
  return { held };
}

/** The link's login as the owner of the passkey being created. */
const ownerOf = (c: C, held: HeldPortalLink) => portalOwner(c.var.agency.id, held.link.login.id);

export const portalLinkPasskeyRoutes = new Hono<PortalEnv>()
  .post(`${LINK}/passkey/options`, async (c) => {
    const { agency } = c.var;
    const found = await usableLink(c);
    if ("refused" in found) return found.refused;
    const body = registerBody.safeParse(await readJson(c));
    const name = passkeyName(body.success ? body.data.name : undefined);
    if (!name.ok) return c.json({ error: name.error, field: "name" }, 422);
    const { username } = found.held.link.login;
    const holder = { ...ownerOf(c, found.held), userName: `${username} (${agency.name})`, displayName: username, rpName: `${agency.name} Client Portal` };
    return c.json({ options: await registrationOptions(c.var.db, c.env, portalRelyingParty(c), holder, Date.now(), "link-register") });
  })

  .post(`${LINK}/passkey`, async (c) => {
    const { agency, db } = c.var;
    const found = await usableLink(c);
    if ("refused" in found) return found.refused;
    const { link } = found.held;
    const body = registerBody.safeParse(await readJson(c));
    const name = passkeyName(body.success ? body.data.name : undefined);
    if (!name.ok) return c.json({ error: name.error, field: "name" }, 422);
    // 1. The ceremony: a "link-register" challenge issued to this login, spent here; the portal's
    //    origin and RP ID; user verification. Nothing but the spent challenge written yet.
    const now = Date.now();
    const verified = await verifyRegistration(db, portalRelyingParty(c), ownerOf(c, found.held), body.success ? body.data.response : undefined, name.value, now, "link-register");
    if (!verified.ok) return c.json({ error: verified.message }, 422);
    // 2. The link used, the passkey stored, the password ended and this device's session row, in
    //    one conditional commit.
    const device = newSessionDevice(c, "passkey");
    const session = sessionInsertAfterChange({ ...device, loginId: link.login.id, agencyId: agency.id, sessionVersion: null }, now);
    const used = await useLink(c.env, db, link, { kind: "passkey", passkey: verified.value }, now, session);
    clearLinkCookie(c, agency.slug);
    if (!used) return c.json({ error: linkUnusableText(agency.name), redirect: linkPath(agency.slug) }, 410);
    // 3. Signed in on this device, by the passkey just created; every other session has ended.
    await issuePortalSessionCookie(c, { loginId: link.login.id, sessionVersion: used.sessionVersion, sessionId: device.id });
    // 4. The notice goes after the answer: it must neither delay nor undo the change.
    afterResponse(c.executionCtx, () => sendPasskeyNotice(c.env, db, { agency, loginId: link.login.id, change: "added", passkeyName: name.value, at: now, via: link.purpose }));
    return c.json({ redirect: `${portalPath(agency.slug)}?passkey-set` });
  });
