/** @jsxImportSource hono/jsx */
/**
 * The Portal Login window's 42 CFR Part 2 consent (a representative login only), for staff with
 * portal-logins.manage:
 *
 *   POST /face-sheet/:clientId/portal-logins/:loginId/consent                      record a consent (supersedes the one in force)
 *   POST /face-sheet/:clientId/portal-logins/:loginId/consent/:consentId/revoke    Revoke consent: access ends at once
 *   POST /face-sheet/:clientId/portal-logins/:loginId/consent/:consentId/event     the expiry event occurred: access ends at once
 *
 * 404 unless the agency has the portal and the client, login and consent are the agency's and
 * belong together, and the login is a representative's. htmx gets the section; a plain form post
 * is redirected back to the window (Edit).
 */
import { Hono, type Context } from "hono";
import type { AppEnv } from "../app";
import { can } from "../auth/permissions";
import { agencyToday } from "../layout/agency-time";
import { wantsFragment } from "../layout/fragment";
import { Layout } from "../layout/views";
import { errorText } from "../observability/error-text";
import { findPortalClient, findPortalLogin, type PortalClient } from "../portal-logins/queries";
import type { PortalLogin } from "../db/schema";
import { findConsent, findRepresentation, keepsOtherLinks, listConsents, recordConsent, recordExpiryEvent, revokeConsent } from "./consents";
import { parseConsentForm, prefilledConsent } from "./consent-form";
import { ConsentSection, CONSENT_SECTION_ID, type ConsentSectionProps } from "./consent-views";
import { part2ConsentRequired } from "./rule";

const LOGIN = "/face-sheet/:clientId{[0-9]+}/portal-logins/:loginId{[0-9]+}";
const CONSENT = `${LOGIN}/consent`;
const ONE = `${CONSENT}/:consentId{[0-9]+}`;

const INVALID = "The consent was not saved. Correct the fields marked below.";
const UNAVAILABLE = "The consent could not be saved just now, so nothing was changed. Try again.";

/** The client and representative login of the URL (the agency's, with the portal), or null. */
async function loadTarget(c: Context<AppEnv>): Promise<{ client: PortalClient; login: PortalLogin } | null> {
  const agency = c.var.staff.agency;
  if (!agency.portalEnabled) return null;
  const clientId = Number(c.req.param("clientId"));
  const loginId = Number(c.req.param("loginId"));
  if (!Number.isSafeInteger(clientId) || !Number.isSafeInteger(loginId)) return null;
  const client = await findPortalClient(c.var.db, agency.id, clientId);
  const login = client && (await findPortalLogin(c.var.db, agency.id, client.id, loginId));
  if (!client || !login || !login.representative) return null;
  return { client, login };
}

/**
 * The consent section's data for a login in the window, or null when the login is not a
 * representative's (the section is not shown). `more` overrides (typed values, messages).
 */
export async function loadConsentSection(
  c: Context<AppEnv>,
  client: PortalClient,
  login: PortalLogin,
  more: Partial<ConsentSectionProps> = {},
): Promise<ConsentSectionProps | null> {
  if (!login.representative) return null;
  const { agency, role } = c.var.staff;
  const [required, representation] = await Promise.all([part2ConsentRequired(c.var.db, agency.id, client.id), findRepresentation(c.var.db, agency.id, client.id, login.id)]);
  const consents = representation ? await listConsents(c.var.db, agency.id, representation.id) : [];
  return {
    clientId: client.id,
    loginId: login.id,
    required,
    representation,
    consents,
    today: agencyToday(agency.timezone),
    manage: can(role, "portal-logins.manage"),
    values: prefilledConsent({ clientName: `${client.firstName} ${client.lastName}`, agencyName: agency.name, representativeName: representation?.name ?? "" }),
    ...more,
  };
}

/** Answers with the section (htmx), or sends a plain form post back to the window. */
function respond(c: Context<AppEnv>, props: ConsentSectionProps, status: 200 | 404 | 409 | 422 | 503) {
  if (wantsFragment(c)) return c.html(<ConsentSection {...props} />, status);
  if (status === 200) return c.redirect(`/face-sheet/${props.clientId}/portal-logins/${props.loginId}/edit#${CONSENT_SECTION_ID}`, 303);
  return c.html(
    <Layout title="42 CFR Part 2 consent" staff={c.var.staff}>
      <h1>42 CFR Part 2 consent</h1>
      <section class="card">
        <ConsentSection {...props} />
      </section>
    </Layout>,
    status,
  );
}

const actorOf = (c: Context<AppEnv>) => ({ type: "staff" as const, id: c.var.staff.id, name: c.var.staff.name });

export const part2ConsentRoutes = new Hono<AppEnv>()
  .post(CONSENT, async (c) => {
    const target = await loadTarget(c);
    if (!target) return c.notFound();
    const { client, login } = target;
    const section = await loadConsentSection(c, client, login);
    if (!section) return c.notFound();
    if (!section.representation || section.representation.endedAt !== null) {
      return respond(c, { ...section, alert: "There is no representative's record in force for this login, so no consent was saved." }, 409);
    }
    // 1. Every element, checked at once; nothing is written on bad input.
    const form = parseConsentForm(await c.req.parseBody(), section.today);
    if (!form.ok) return respond(c, { ...section, values: form.values, errors: form.errors, alert: INVALID }, 422);
    // 2. The new consent (the one in force superseded) and its entry, one batch.
    const who = { agencyId: c.var.staff.agency.id, clientId: client.id, representation: section.representation, username: login.username, actor: actorOf(c) };
    try {
      const result = await recordConsent(c.env, c.var.db, who, form.data, Date.now());
      if (!result.recorded) return respond(c, { ...section, values: form.values, alert: "The representative's record was ended meanwhile, so no consent was saved." }, 409);
    } catch (err) {
      console.error(`part 2 consent for login ${login.id} not saved: ${errorText(err)}`);
      return respond(c, { ...section, values: form.values, alert: UNAVAILABLE }, 503);
    }
    const fresh = (await loadConsentSection(c, client, login, { notice: `Consent recorded. ${form.data.recipient} may see the client's records while it is in force.` }))!;
    return respond(c, fresh, 200);
  })

  .post(`${ONE}/revoke`, async (c) => endConsent(c, "revoke"))
  .post(`${ONE}/event`, async (c) => endConsent(c, "event"));

/** Revoke consent, or record that its expiry event occurred: either ends the representative's access at once. */
async function endConsent(c: Context<AppEnv>, how: "revoke" | "event") {
  const target = await loadTarget(c);
  if (!target) return c.notFound();
  const { client, login } = target;
  const agencyId = c.var.staff.agency.id;
  const representation = await findRepresentation(c.var.db, agencyId, client.id, login.id);
  const consentId = Number(c.req.param("consentId"));
  const consent = representation && Number.isSafeInteger(consentId) ? await findConsent(c.var.db, agencyId, representation.id, consentId) : null;
  if (!representation || !consent) return c.notFound();
  const section = (await loadConsentSection(c, client, login))!;
  if (how === "event" && !consent.expiryEvent) return respond(c, { ...section, alert: "This consent doesn't end on an event: nothing was recorded." }, 409);
  const who = { agencyId, clientId: client.id, representation, username: login.username, actor: actorOf(c) };
  let done: boolean;
  let keepsOthers = false;
  try {
    keepsOthers = await keepsOtherLinks(c.var.db, who);
    done =
      how === "revoke"
        ? (await revokeConsent(c.env, c.var.db, who, consent, Date.now(), keepsOthers)).revoked
        : (await recordExpiryEvent(c.env, c.var.db, who, consent, Date.now(), keepsOthers)).recorded;
  } catch (err) {
    console.error(`part 2 consent ${consent.id}: ${how} not saved: ${errorText(err)}`);
    return respond(c, { ...section, alert: UNAVAILABLE }, 503);
  }
  if (!done) {
    return respond(c, { ...section, alert: "This consent is no longer in force (already revoked, replaced or ended), so nothing was changed." }, 409);
  }
  const notice = keepsOthers
    ? how === "revoke"
      ? `Consent revoked. ${consent.recipient} can no longer see this client's records; their login still reaches the other clients it is linked to.`
      : `Recorded that “${consent.expiryEvent}” occurred: the consent has ended and ${consent.recipient} can no longer see this client's records; their login still reaches the other clients it is linked to.`
    : how === "revoke"
      ? `Consent revoked. ${consent.recipient} can no longer sign in or see the client's records; their sessions have ended.`
      : `Recorded that “${consent.expiryEvent}” occurred: the consent has ended and ${consent.recipient}'s sessions have ended.`;
  return respond(c, (await loadConsentSection(c, client, login, { notice }))!, 200);
}

