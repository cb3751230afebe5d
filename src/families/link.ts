/**
 * Linking an existing representative login to another client of its agency ("Link an existing
 * login" on that client's Face Sheet), and ending one link. Each is one commit through the
 * client's log: the representation row and its entry together, or neither.
 */
import { commitChange, type Actor } from "../clients/log";
import type { Statement } from "../audit/client-log";
import type { RecordInput } from "../representatives/record-form";
import { LEGAL_BASIS_LABELS } from "../representatives/labels";
import { relationshipWord } from "./links-in-force";

export type LinkResult = { status: "linked" } | { status: "refused" };

/** "parent", or the words staff typed for "other". */
const relationshipText = (v: Pick<RecordInput, "relationship" | "relationshipOther">) =>
  v.relationship === "other" && v.relationshipOther ? `other: ${v.relationshipOther}` : relationshipWord(v.relationship);

/**
 * Links login `loginId` to client `clientId` with its own representation record, logged in the
 * client's log. Written only while — at the moment of the write — the login is the agency's, a
 * representative login, not created for this client, not already linked to it (an ended link is
 * taken up again with the new record), and either not blocked or linked by an administrator;
 * otherwise nothing is written (`refused`).
 */
export async function linkLoginToClient(
  env: Env,
  input: { agencyId: number; clientId: number; loginId: number; username: string; values: RecordInput; actor: Actor; byAdmin: boolean; blocked: boolean },
): Promise<LinkResult> {
  const v = input.values;
  const now = Date.now();
  const upsert: Statement = {
    sql: `INSERT INTO portal_representations (agency_id, login_id, client_id, name, relationship, relationship_other, legal_basis, start_date, end_date, guardianship, created_at)
      SELECT ?, l.id, c.id, ?, ?, ?, ?, ?, ?, ?, ?
      FROM portal_logins l, clients c
      WHERE l.id = ? AND l.agency_id = ? AND l.representative = 1 AND (l.blocked_at IS NULL OR ? = 1)
        AND c.id = ? AND c.agency_id = l.agency_id AND l.client_id <> c.id
      ON CONFLICT (login_id, client_id) DO UPDATE SET name = excluded.name, relationship = excluded.relationship,
        relationship_other = excluded.relationship_other, legal_basis = excluded.legal_basis, start_date = excluded.start_date,
        end_date = excluded.end_date, guardianship = excluded.guardianship, ended_at = NULL, end_recorded_at = NULL,
        version = portal_representations.version + 1
      WHERE portal_representations.ended_at IS NOT NULL AND portal_representations.agency_id = excluded.agency_id`,
    params: [
      input.agencyId,
      v.name,
      v.relationship,
      v.relationshipOther,
      v.legalBasis,
      v.startDate,
      v.endDate,
      v.guardianship ? 1 : 0,
      now,
      input.loginId,
      input.agencyId,
      input.byAdmin ? 1 : 0,
      input.clientId,
    ],
  };
  // The end date is the first day without access (src/representatives/access.ts), hence "ends".
  const until = v.endDate ?? "at the client's age of majority";
  const lines = [
    `Representative: ${v.name}`,
    `Relationship: ${relationshipText(v)}`,
    `Legal basis: ${LEGAL_BASIS_LABELS[v.legalBasis]}${v.guardianship ? " (court-ordered guardianship recorded)" : ""}`,
    `From ${v.startDate}, ends ${until}`,
    ...(input.blocked ? ["This person is blocked; linked by an administrator."] : []),
  ];
  const result = await commitChange(env, {
    agencyId: input.agencyId,
    clientId: input.clientId,
    statements: [upsert],
    entry: {
      actor: input.actor,
      changeType: "Portal Login",
      description: `Portal Login ${input.username} was linked to this client (representative: ${relationshipText(v)}).`,
      details: { lines },
    },
  });
  return result.committed ? { status: "linked" } : { status: "refused" };
}

/**
 * Ends login `loginId`'s link to client `clientId` (staff's End link): its sessions stop acting for
 * this client on their next request, and the login's other clients are untouched. False when there
 * was no open link (nothing written).
 */
export async function endLink(env: Env, input: { agencyId: number; clientId: number; loginId: number; username: string; actor: Actor }): Promise<boolean> {
  const now = Date.now();
  const result = await commitChange(env, {
    agencyId: input.agencyId,
    clientId: input.clientId,
    statements: [
      // Its 42 CFR Part 2 consents in force end with it (marked replaced, by the trigger of
      // migration 0014), so that linking again — perhaps with another name or relationship — needs
      // a consent recorded anew.
      {
        sql: `UPDATE portal_representations SET ended_at = ?, version = version + 1
          WHERE login_id = ? AND client_id = ? AND agency_id = ? AND ended_at IS NULL`,
        params: [now, input.loginId, input.clientId, input.agencyId],
      },
    ],
    entry: {
      actor: input.actor,
      changeType: "Portal Login",
      description: `Portal Login ${input.username} was unlinked from this client: its access to this client's information has ended.`,
      details: { lines: ["The login's links to other clients are unchanged.", "Any 42 CFR Part 2 consent in force for this link ended with it: linking again needs a new one."] },
    },
  });
  return result.committed;
}
