/** @jsxImportSource hono/jsx */
/**
 * The portal's Consent page (GET /portal/<slug>/consent), for a representative: what the 42 CFR
 * Part 2 consent on file covers — who may disclose, to whom, for what purpose, which information,
 * until when — and the client's right to revoke it. The client's own login has no such page (404).
 * The session middleware has already refused a representative whose required consent is not
 * current, so a representative who reaches this page either holds a current consent or needs none.
 */
import { Hono } from "hono";
import { agencyToday } from "../layout/agency-time";
import { PORTAL_ROUTE, requireChosenPassword, requirePortalUser, type PortalEnv } from "../portal/portal-session";
import { PortalLayout, PortalNotFoundPage } from "../portal/views";
import type { PortalAgency } from "../portal/portal-agency";
import type { PortalUser } from "../portal/portal-user";
import { findRepresentation, listConsents, type Part2Consent } from "./consents";
import { expiryWords } from "./consent-views";
import { consentStanding, part2ConsentRequired } from "./rule";

/** The Consent page. */
export function PortalConsentPage(props: { agency: PortalAgency; user: PortalUser; consent: Part2Consent | null; required: boolean }) {
  const { agency, user, consent } = props;
  return (
    <PortalLayout agency={agency} title="Consent" user={user} section="consent">
      <h1>Consent</h1>
      {consent ? (
        <section class="card consent-card" aria-labelledby="consent-heading">
          <h2 id="consent-heading">What you may see, and why</h2>
          <p class="lead">
            {consent.clientName} signed a written consent (42 CFR Part 2) that lets {agency.name} share some of their substance-use treatment records with you.
            It covers only what is below.
          </p>
          <dl class="facts consent-facts">
            <dt>Who may share</dt>
            <dd>{consent.discloser}</dd>
            <dt>With whom</dt>
            <dd>{consent.recipient}</dd>
            <dt>Purpose</dt>
            <dd>{consent.purpose}</dd>
            <dt>Information covered</dt>
            <dd>{consent.information}</dd>
            <dt>Ends</dt>
            <dd>{expiryWords(consent)}</dd>
            <dt>Signed</dt>
            <dd>
              {consent.signedOn}
              {consent.signerAuthority ? ` (signed for ${consent.clientName} by: ${consent.signerAuthority})` : ""}
            </dd>
          </dl>
          <h3>The right to revoke</h3>
          <p>
            {consent.clientName} may revoke this consent at any time by telling {agency.name}. Once it is revoked or ends, your access to these records ends
            at once.
          </p>
          <p class="hint">
            Federal law (42 CFR Part 2) protects these records: you may not share them further, except as that law allows.
          </p>
        </section>
      ) : (
        <section class="card" aria-labelledby="consent-heading">
          <h2 id="consent-heading">No consent on file</h2>
          <p>
            {props.required
              ? `There is no consent in force for you. Contact ${agency.name}.`
              : `No 42 CFR Part 2 consent is needed for what you can see of ${user.clientName}'s records, and none is on file for you.`}
          </p>
        </section>
      )}
    </PortalLayout>
  );
}

export const portalConsentRoutes = new Hono<PortalEnv>().get(`${PORTAL_ROUTE}/consent`, requirePortalUser, requireChosenPassword, async (c) => {
  const { agency, db } = c.var;
  const user = c.var.portalUser!;
  if (!user.representative) return c.html(<PortalNotFoundPage />, 404);
  const today = agencyToday(agency.timezone);
  const representation = await findRepresentation(db, agency.id, user.clientId, user.loginId);
  const consents = representation ? await listConsents(db, agency.id, representation.id) : [];
  const current = consents.find((k) => consentStanding(k, today) === "current") ?? null;
  const required = await part2ConsentRequired(db, agency.id, user.clientId);
  return c.html(<PortalConsentPage agency={agency} user={user} consent={current} required={required} />);
});
