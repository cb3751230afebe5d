/**
 * Inviting a staff member, and sending the invitation again. The member is created without a
 * password (status Invited) and given a staff link (src/staff-credentials/links.ts: 32 random
 * bytes, only the hash stored, single use, 24 hours) to choose one. The member, the link and the
 * agency log entry are one commit; the email is sent after it, so a failed email loses nothing —
 * the member shows "Email not sent" and Resend invite issues a new link (the older one stops
 * working) and tries again.
 */
import { and, eq, isNull, sql, type SQL } from "drizzle-orm";
import type { Actor } from "../audit/entry";
import type { Db } from "../db";
import { staffTokens, staffUsers, type StaffRole } from "../db/schema";
import { LINK_LIFETIME_MS, LINK_LIFETIME_TEXT, newLinkToken } from "../staff-credentials/links";
import { commitAgencyChange, type AgencyEntry } from "./agency-change";
import { invitedEntry, inviteResentEntry } from "./entries";
import { isInvited } from "./guards";
import { emailTaken } from "./queries";

/**
 * The statement that gives an invitation link to the member the `where` finds (an invited, active
 * member of the agency), and the link's secret for the email. No such member, no link.
 */
function inviteLinkStatement(db: Db, agencyId: number, where: SQL, now: number) {
  const { token, tokenHash } = newLinkToken();
  const statement = db.insert(staffTokens).select(
    db
      .select({
        id: sql<number>`NULL`.as("id"),
        agencyId: staffUsers.agencyId,
        staffId: staffUsers.id,
        purpose: sql<"invite">`'invite'`.as("purpose"),
        tokenHash: sql<string>`${tokenHash}`.as("token_hash"),
        createdAt: sql<number>`${now}`.as("created_at"),
        expiresAt: sql<number>`${now + LINK_LIFETIME_MS.invite}`.as("expires_at"),
        usedAt: sql<number | null>`NULL`.as("used_at"),
      })
      .from(staffUsers)
      .where(and(eq(staffUsers.agencyId, agencyId), eq(staffUsers.active, true), isNull(staffUsers.passwordHash), where)),
  );
  return { token, statement };
}

export interface Invitation {
  agencyId: number;
  actor: Actor;
  name: string;
  /** Lower-case already (the form does it). */
  email: string;
  role: StaffRole;
  now: number;
}

export type InviteOutcome = { kind: "invited"; staffId: number; token: string; entry: AgencyEntry } | { kind: "duplicate" };

/**
 * Creates the member (no password) and their invitation link, with the entry "Invited … as …".
 * `duplicate` when a staff account of any agency already has the email — also when two invitations
 * race: the unique index lets one in, and the other's whole batch is rolled back.
 */
export async function inviteMember(env: Env, db: Db, inv: Invitation): Promise<InviteOutcome> {
  if (await emailTaken(db, inv.email)) return { kind: "duplicate" };
  const entry = invitedEntry(inv.actor, inv, LINK_LIFETIME_TEXT.invite);
  const insert = db.insert(staffUsers).values({ agencyId: inv.agencyId, name: inv.name, email: inv.email, role: inv.role, passwordHash: null });
  const link = inviteLinkStatement(db, inv.agencyId, eq(staffUsers.email, inv.email), inv.now);
  try {
    const { committed } = await commitAgencyChange(env, { agencyId: inv.agencyId, statements: [insert.toSQL(), link.statement.toSQL()], entry });
    if (!committed) throw new Error("invite: the link was not written");
  } catch (err) {
    if (await emailTaken(db, inv.email)) return { kind: "duplicate" };
    throw err;
  }
  const row = await db
    .select({ id: staffUsers.id })
    .from(staffUsers)
    .where(and(eq(staffUsers.email, inv.email), eq(staffUsers.agencyId, inv.agencyId)))
    .get();
  if (!row) throw new Error("invite: the member vanished after the insert");
  return { kind: "invited", staffId: row.id, token: link.token, entry };
}

/**
 * A new invitation link for a member still invited (active, no password): earlier unused ones
 * stop working. `not-invited` when they set a password or were deactivated meanwhile.
 */
export async function resendInvite(
  env: Env,
  db: Db,
  r: { agencyId: number; actor: Actor; member: { id: number; name: string; email: string }; now: number },
): Promise<{ kind: "sent"; token: string; entry: AgencyEntry } | { kind: "not-invited"; entry: AgencyEntry }> {
  const entry = inviteResentEntry(r.actor, r.member, LINK_LIFETIME_TEXT.invite);
  const supersede = db
    .update(staffTokens)
    .set({ usedAt: r.now })
    .where(
      and(
        eq(staffTokens.staffId, r.member.id),
        eq(staffTokens.agencyId, r.agencyId),
        eq(staffTokens.purpose, "invite"),
        isNull(staffTokens.usedAt),
        isInvited(r.agencyId, r.member.id),
      ),
    );
  const link = inviteLinkStatement(db, r.agencyId, eq(staffUsers.id, r.member.id), r.now);
  const { committed } = await commitAgencyChange(env, { agencyId: r.agencyId, statements: [supersede.toSQL(), link.statement.toSQL()], entry });
  return committed ? { kind: "sent", token: link.token, entry } : { kind: "not-invited", entry };
}
