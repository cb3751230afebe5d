/** @jsxImportSource hono/jsx */
/**
 * An emailed portal link, invitation or password reset, as its recipient uses it:
 *
 *   GET  /portal/<slug>/link/<token>           checks the link without using it (mail scanners open
 *                                              links too), keeps it in a cookie, redirects to ↓
 *   GET  /portal/<slug>/link                   step 1, the date of birth; once answered, step 2
 *   POST /portal/<slug>/link/date-of-birth     the date of birth, charged before it is compared
 *   POST /portal/<slug>/link/password          the new password: the link is used, the user lands
 *                                              signed in on Home (a session of this device), and the
 *                                              "password changed" notice goes after the answer
 *   POST /portal/<slug>/link/passkey/options,   or, instead of a password, a passkey (JSON ceremony,
 *        /portal/<slug>/link/passkey            link-passkey-routes.ts), with the same outcome
 *
 * Every link that can't be used — expired, used, replaced, altered, of another agency, of an
 * inactive login or a client who refused portal login — gets the same page (410) and changes
 * nothing; a link locked by wrong dates of birth says so.
 */
import { Hono, type Context } from "hono";
import { z } from "zod";
import { hashPassword } from "../auth/password";
import { newPasswordProblem } from "../auth/password-rules";
import { clientAddress } from "../auth/throttle-keys";
import { checkDateOfBirth } from "../clients/portal-link-dob";
import { portalLinkSettings } from "../clients/portal-link-settings";
import { useLink } from "../clients/portal-link-use";
import { findPortalLink, type PortalLink } from "../clients/portal-links";
import { heldLink } from "./held-link";
import { portalLinkPasskeyRoutes } from "./link-passkey-routes";
import { parseForm } from "../forms/parse";
import { afterResponse } from "../observability/after-response";
import { sendNoticeToLogin } from "../portal-notices/send";
import { dateOfBirthForm, DOB_FIELD, type DobValues } from "./date-of-birth";
import { clearLinkCookie, dobProof, linkPath, setLinkCookie } from "./link-cookie";
import { LinkDobPage, LinkPasskeyChoice, LinkPasswordPage, LinkUnusablePage } from "./link-views";
import { accessHasEnded, issuePortalSessionCookie, newSessionDevice, portalPath, SLUG_PATTERN, type PortalEnv } from "./portal-session";
import { sessionInsertAfterChange } from "./sessions";
import type { AccessDenial } from "../representatives/access";
import { accessEndedText } from "../representatives/messages";
import { accessDenied } from "./held-link";

const LINK = `/portal/:slug{${SLUG_PATTERN}}/link`;

const passwordForm = z.object({
  newPassword: z.string({ error: "Enter a new password." }).min(1, "Enter a new password.").max(4096, "Use at most 128 characters."),
  confirmPassword: z
    .string({ error: "Type the new password again to confirm it." })
    .min(1, "Type the new password again to confirm it.")
    .max(4096, "The two passwords don't match."),
});

const NOT_SET = "Your password was not set. Correct the field marked below.";
const wrongDob = (triesLeft: number) =>
  `That date of birth doesn't match our records. Check it and try again: ${triesLeft === 1 ? "1 more try" : `${triesLeft} more tries`} before this link is locked.`;

type C = Context<PortalEnv>;

/** The one page for a link that can't be used (or is locked); the cookie is forgotten. */
function unusable(c: C, locked = false) {
  clearLinkCookie(c, c.var.agency.slug);
  return c.html(<LinkUnusablePage agency={c.var.agency} locked={locked} />, 410);
}

/** The page for a link whose login's access has ended (a block reads like any unusable link). */
function accessEndedPage(c: C, reason: AccessDenial) {
  if (!accessHasEnded(reason)) return unusable(c);
  clearLinkCookie(c, c.var.agency.slug);
  return c.html(<LinkUnusablePage agency={c.var.agency} accessEnded={accessEndedText(c.var.agency.name, reason)} />, 410);
}

const dobPage = (c: C, link: PortalLink, extra: { values?: DobValues; error?: string; alert?: string } = {}) => (
  <LinkDobPage agency={c.var.agency} purpose={link.purpose} representative={link.login.representative} {...extra} />
);

export const portalLinkRoutes = new Hono<PortalEnv>()
  .get(`${LINK}/:token`, async (c) => {
    const link = await findPortalLink(c.var.db, c.var.agency.id, c.req.param("token"), Date.now());
    if (!link || link.locked) return unusable(c, link?.locked);
    const denied = await accessDenied(c, link);
    if (denied) return accessEndedPage(c, denied);
    setLinkCookie(c, c.var.agency.slug, { token: c.req.param("token") }, link.expiresAt);
    return c.redirect(linkPath(c.var.agency.slug), 303);
  })

  .get(LINK, async (c) => {
    const held = await heldLink(c);
    if (!held || held.link.locked) return unusable(c, held?.link.locked);
    if (held.denied) return accessEndedPage(c, held.denied);
    const { link } = held;
    if (!held.dobAnswered) return c.html(dobPage(c, link));
    return c.html(<LinkPasswordPage agency={c.var.agency} purpose={link.purpose} username={link.login.username} alternatives={<LinkPasskeyChoice agency={c.var.agency} />} />);
  })

  .post(`${LINK}/date-of-birth`, async (c) => {
    const held = await heldLink(c);
    if (!held || held.link.locked) return unusable(c, held?.link.locked);
    if (held.denied) return accessEndedPage(c, held.denied);
    const { link } = held;
    if (held.dobAnswered) return c.redirect(linkPath(c.var.agency.slug), 303);
    const body = await c.req.parseBody();
    const form = parseForm(dateOfBirthForm, body);
    const values = { month: form.values.month ?? "", day: form.values.day ?? "", year: form.values.year ?? "" };
    // Not a real date: bad input, answered next to the field and not counted against the link.
    if (!form.ok) return c.html(dobPage(c, link, { values, error: form.errors[DOB_FIELD] ?? Object.values(form.errors)[0] }), 422);
    const now = Date.now();
    const settings = portalLinkSettings(c.env, c.var.agency);
    const outcome = await checkDateOfBirth(c.env, c.var.db, link, form.data, { now, ip: clientAddress(c.req), settings });
    if (outcome.kind === "spent") return unusable(c);
    if (outcome.kind === "locked") return unusable(c, true);
    if (outcome.kind === "wrong") return c.html(dobPage(c, link, { values, error: wrongDob(outcome.triesLeft) }), 422);
    setLinkCookie(c, c.var.agency.slug, { token: held.token, proof: await dobProof(c.env, link.tokenHash) }, link.expiresAt);
    return c.redirect(linkPath(c.var.agency.slug), 303);
  })

  .post(`${LINK}/password`, async (c) => {
    const { agency } = c.var;
    const held = await heldLink(c);
    if (!held || held.link.locked) return unusable(c, held?.link.locked);
    if (held.denied) return accessEndedPage(c, held.denied);
    const { link } = held;
    // The date of birth comes first, always.
    if (!held.dobAnswered) return c.redirect(linkPath(agency.slug), 303);
    const form = parseForm(passwordForm, await c.req.parseBody());
    const page = (errors: Record<string, string | undefined>) => (
      // A new password the rules accepted comes back as typed; a refused one is cleared (it must change).
      <LinkPasswordPage agency={agency} purpose={link.purpose} username={link.login.username} errors={errors} alert={NOT_SET} newPassword={errors.newPassword ? undefined : form.values.newPassword} alternatives={<LinkPasskeyChoice agency={agency} />} />
    );
    if (!form.ok) return c.html(page(form.errors), 422);
    // 1. The portal's rules (length, context words, common and breached passwords — in production
    //    also the Pwned Passwords range API, fail-open) and the confirmation. Nothing written yet.
    const password = form.data.newPassword.normalize("NFKC");
    const problem = await newPasswordProblem(
      password,
      form.data.confirmPassword.normalize("NFKC"),
      { username: link.login.username, agencyName: agency.name, agencySlug: agency.slug },
      { origin: c.env.PWNED_PASSWORDS_ORIGIN },
    );
    if (problem) return c.html(page(problem.errors), 422);
    // 2. The link used, in one conditional commit; of two submissions exactly one gets here.
    //    This device's new session row goes in the same batch, under the version the batch leaves
    //    (every other session has ended): signed in by the password just chosen.
    const now = Date.now();
    const device = newSessionDevice(c);
    const session = sessionInsertAfterChange({ ...device, loginId: link.login.id, agencyId: agency.id, sessionVersion: null }, now);
    const used = await useLink(c.env, c.var.db, link, { kind: "password", hash: await hashPassword(password) }, now, session);
    if (!used) return unusable(c);
    // 3. Forget the link; the cookie of the session written with it.
    clearLinkCookie(c, agency.slug);
    await issuePortalSessionCookie(c, { loginId: link.login.id, sessionVersion: used.sessionVersion, sessionId: device.id });
    // 4. The notice goes after the answer: it must neither delay nor undo the change.
    const notice = { kind: "notice:password-changed", at: Date.now(), first: link.purpose === "invite" } as const;
    afterResponse(c.executionCtx, () => sendNoticeToLogin(c.env, c.var.db, agency, link.login.id, notice));
    return c.redirect(`${portalPath(agency.slug)}?${link.purpose === "invite" ? "password-set" : "password-changed"}`, 303);
  })

  .route("/", portalLinkPasskeyRoutes);
