/**
 * Part 2 consent records (42 CFR §2.31) of one representative's link to a client: reads for the
 * Portal Login window and the portal's Consent page, and the three writes — record (superseding
 * the consent before it), revoke, record that the expiry event occurred. Each write goes with its
 * client-log entry in one D1 batch through the client's ClientLog, and is conditional: revoking a
 * consent already revoked (or superseded) changes nothing and logs nothing.
 *
 * Revoking and recording the event also move the login's session version on, so every session it
 * has ends for good (a later new consent doesn't revive an old session); the per-request rule in
 * rule.ts would refuse them anyway. Not when the login still has an open link to another client
 * (a parent of several children, issue 11 item 5): ending one link leaves the others, so its
 * sessions carry on and the portal's per-request scope (src/families/portal-scope.ts) takes them
 * off this client at once, to "Whose information?" saying this client's access has ended.
 */
import { and, desc, eq, isNull, sql } from "drizzle-orm";
import type { Statement } from "../audit/chained-log";
import { commitChange, type Actor } from "../clients/log";
import type { Db } from "../db";
import { part2Consents, portalLogins, portalRepresentations } from "../db/schema";
import type { ConsentInput } from "./consent-form";

export type Part2Consent = typeof part2Consents.$inferSelect;
/** A representative login's link to one client (issue 11's record; helper A's window writes it). */
export type PortalRepresentation = typeof portalRepresentations.$inferSelect;

/** The login's link to the client (its representation), only within the agency; null if none. */
export async function findRepresentation(db: Db, agencyId: number, clientId: number, loginId: number): Promise<PortalRepresentation | null> {
  const row = await db
    .select()
    .from(portalRepresentations)
    .where(and(eq(portalRepresentations.agencyId, agencyId), eq(portalRepresentations.clientId, clientId), eq(portalRepresentations.loginId, loginId)))
    .get();
  return row ?? null;
}

/** Every consent of a representation, newest first. */
export async function listConsents(db: Db, agencyId: number, representationId: number): Promise<Part2Consent[]> {
  return db
    .select()
    .from(part2Consents)
    .where(and(eq(part2Consents.agencyId, agencyId), eq(part2Consents.representationId, representationId)))
    .orderBy(desc(part2Consents.createdAt), desc(part2Consents.id))
    .all();
}

/** One consent of this representation in this agency, or null (another agency's id: null). */
export async function findConsent(db: Db, agencyId: number, representationId: number, consentId: number): Promise<Part2Consent | null> {
  const row = await db
    .select()
    .from(part2Consents)
    .where(and(eq(part2Consents.id, consentId), eq(part2Consents.agencyId, agencyId), eq(part2Consents.representationId, representationId)))
    .get();
  return row ?? null;
}

const expiryText = (c: { expiresOn: string | null; expiryEvent: string | null }) =>
  [c.expiresOn ? `on ${c.expiresOn}` : "", c.expiryEvent ? `when ${c.expiryEvent}` : ""].filter(Boolean).join(", or ");

/** The lines of a consent for its log entry: every §2.31 element as recorded. */
export function consentLines(input: ConsentInput, username: string): string[] {
  return [
    `Portal login: ${username}`,
    `Client: ${input.clientName}`,
    `Who may disclose: ${input.discloser}`,
    `Recipient: ${input.recipient}`,
    `Purpose: ${input.purpose}`,
    `Information: ${input.information}`,
    `Expires: ${expiryText(input)}`,
    `Signed: ${input.signedOn}${input.signerAuthority ? ` by a signer with authority: ${input.signerAuthority}` : " by the client"}`,
    "States the right to revoke: Yes",
    `Signed on paper (kept on file): ${input.signedOnPaper ? "Yes" : "No"}`,
  ];
}

interface Who {
  agencyId: number;
  clientId: number;
  representation: PortalRepresentation;
  username: string;
  actor: Actor;
}

/**
 * Records a new consent for the representation: the current one (if any) is superseded and the new
 * one inserted, with the entry, in one batch. Only while the representation is not ended.
 */
export async function recordConsent(env: Env, db: Db, who: Who, input: ConsentInput, now: number): Promise<{ recorded: boolean }> {
  const r = who.representation;
  const supersede = db
    .update(part2Consents)
    .set({ supersededAt: now })
    .where(
      and(
        eq(part2Consents.agencyId, who.agencyId),
        eq(part2Consents.representationId, r.id),
        isNull(part2Consents.revokedAt),
        isNull(part2Consents.supersededAt),
        // Under the same condition as the insert below, so a link ended meanwhile keeps its consents as they were.
        sql`EXISTS (SELECT 1 FROM portal_representations WHERE id = ${r.id} AND agency_id = ${who.agencyId} AND ended_at IS NULL)`,
      ),
    )
    .toSQL();
  // INSERT … SELECT: nothing is inserted (and nothing logged) if the link was ended meanwhile.
  const insert: Statement = {
    sql: `INSERT INTO part2_consents (agency_id, representation_id, client_id, client_name, discloser, recipient, purpose, information,
        expires_on, expiry_event, signed_on, signer_authority, right_to_revoke_stated, signed_on_paper, created_at, created_by)
      SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ? FROM portal_representations
      WHERE id = ? AND agency_id = ? AND client_id = ? AND ended_at IS NULL`,
    params: [
      who.agencyId, r.id, who.clientId, input.clientName, input.discloser, input.recipient, input.purpose, input.information,
      input.expiresOn || null, input.expiryEvent || null, input.signedOn, input.signerAuthority || null, input.signedOnPaper ? 1 : 0, now, who.actor.id,
      r.id, who.agencyId, who.clientId,
    ],
  };
  const description = `42 CFR Part 2 consent recorded: ${input.clientName} consents to disclosure to ${input.recipient} (representative).`;
  const answer = await commitChange(env, {
    agencyId: who.agencyId,
    clientId: who.clientId,
    statements: [supersede, insert],
    entry: {
      actor: who.actor,
      changeType: "Part 2 Consent",
      description,
      details: { lines: consentLines(input, who.username), portal: { action: "Consent", description: `Consent to share records with ${input.recipient} recorded by ${who.actor.name}.` } },
    },
  });
  return { recorded: answer.committed };
}

/** Open links (not ended by staff) of login `loginId` to clients other than `clientId`, as SQL. */
const otherOpenLinks = (agencyId: number, loginId: number | ReturnType<typeof sql>, clientId: number) =>
  sql`EXISTS (SELECT 1 FROM portal_representations o WHERE o.login_id = ${loginId} AND o.agency_id = ${agencyId} AND o.client_id <> ${clientId} AND o.ended_at IS NULL)`;

/**
 * Whether the login keeps an open link to another client when this one's consent ends — then its
 * sessions carry on for the others (staff's message and the entry say which).
 */
export async function keepsOtherLinks(db: Db, who: Pick<Who, "agencyId" | "clientId" | "representation">): Promise<boolean> {
  const rows = await db.all<{ yes: number }>(sql`SELECT ${otherOpenLinks(who.agencyId, who.representation.loginId, who.clientId)} AS yes`);
  return rows[0]?.yes === 1;
}

/**
 * Ends the login's sessions (the version moved on) — only while `consentStillOpen` holds, so it goes
 * with the consent's change or not at all, and only when the login has no open link to another
 * client (see the file's comment).
 */
function endSessionsStatement(db: Db, who: Who, consentStillOpen: ReturnType<typeof sql>): Statement {
  return db
    .update(portalLogins)
    .set({ sessionVersion: sql`${portalLogins.sessionVersion} + 1` })
    .where(
      and(
        eq(portalLogins.id, who.representation.loginId),
        eq(portalLogins.agencyId, who.agencyId),
        consentStillOpen,
        sql`NOT ${otherOpenLinks(who.agencyId, sql`portal_logins.id`, who.clientId)}`,
      ),
    )
    .toSQL();
}

/** How the entry ends: the login's sessions ended, or its other clients are unchanged. */
const sessionsText = (keepsOthers: boolean) => (keepsOthers ? "The login's links to other clients are unchanged." : "The login's sessions ended.");

const openConsent = (agencyId: number, consentId: number) =>
  sql`EXISTS (SELECT 1 FROM part2_consents WHERE id = ${consentId} AND agency_id = ${agencyId} AND revoked_at IS NULL AND superseded_at IS NULL AND event_occurred_at IS NULL)`;

/**
 * Revoke consent: the consent marked revoked (by whom, when), the login's sessions ended, and the
 * entry — or nothing at all when it was already revoked, superseded or ended by its event.
 */
export async function revokeConsent(env: Env, db: Db, who: Who, consent: Part2Consent, now: number, keepsOthers = false): Promise<{ revoked: boolean }> {
  const revoke = db
    .update(part2Consents)
    .set({ revokedAt: now, revokedBy: who.actor.id })
    // Under the same condition as the sessions' end before it (not `changes() > 0`: that statement
    // changes nothing when the login keeps other links), so the two go together or not at all.
    .where(and(eq(part2Consents.agencyId, who.agencyId), openConsent(who.agencyId, consent.id), eq(part2Consents.id, consent.id)))
    .toSQL();
  const answer = await commitChange(env, {
    agencyId: who.agencyId,
    clientId: who.clientId,
    statements: [endSessionsStatement(db, who, openConsent(who.agencyId, consent.id)), revoke],
    entry: {
      actor: who.actor,
      changeType: "Part 2 Consent",
      description: `42 CFR Part 2 consent revoked: ${consent.recipient} (portal login ${who.username}) may no longer see the client's records. ${sessionsText(keepsOthers)}`,
      details: { lines: [`Consent signed ${consent.signedOn}`, `Portal login: ${who.username}`], portal: { action: "Consent", description: `Consent to share records with ${consent.recipient} revoked (recorded by ${who.actor.name}).` } },
    },
  });
  return { revoked: answer.committed };
}

/** Staff record that the consent's expiry event occurred: it ends like a passed expiry date, at once. */
export async function recordExpiryEvent(env: Env, db: Db, who: Who, consent: Part2Consent, now: number, keepsOthers = false): Promise<{ recorded: boolean }> {
  const mark = db
    .update(part2Consents)
    .set({ eventOccurredAt: now })
    .where(and(eq(part2Consents.agencyId, who.agencyId), openConsent(who.agencyId, consent.id), eq(part2Consents.id, consent.id)))
    .toSQL();
  const answer = await commitChange(env, {
    agencyId: who.agencyId,
    clientId: who.clientId,
    statements: [endSessionsStatement(db, who, openConsent(who.agencyId, consent.id)), mark],
    entry: {
      actor: who.actor,
      changeType: "Part 2 Consent",
      description: `42 CFR Part 2 consent expired: the event that ends it occurred (${consent.expiryEvent ?? "event"}). ${consent.recipient} (portal login ${who.username}) may no longer see the client's records.${keepsOthers ? ` ${sessionsText(true)}` : ""}`,
      details: { lines: [`Consent signed ${consent.signedOn}`, `Portal login: ${who.username}`], portal: { action: "Consent", description: `Consent to share records with ${consent.recipient} ended: ${consent.expiryEvent ?? "its expiry event occurred"}.` } },
    },
  });
  return { recorded: answer.committed };
}
