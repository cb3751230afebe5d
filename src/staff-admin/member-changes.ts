/**
 * Changes to an existing member: role, deactivate, reactivate, unlock, sign out everywhere. Each
 * is one `commitAgencyChange` — its writes and its agency log entry together — whose writes are
 * conditional on the state the admin acted on (and, for role and deactivation, on the agency
 * keeping an active admin: ./guards.ts). When the condition no longer holds nothing is written,
 * and the member is read again to say why.
 *
 * The caller has already found the member in its own agency (another agency's id is a 404).
 */
import { and, eq, isNull, sql } from "drizzle-orm";
import type { Actor } from "../audit/entry";
import { endSessionsStatement } from "../auth/session-records";
import type { Db } from "../db";
import { staffTokens, staffUsers, type StaffRole } from "../db/schema";
import { commitAgencyChange, type AgencyEntry } from "./agency-change";
import { deactivatedEntry, reactivatedEntry, roleChangedEntry, signedOutEverywhereEntry, unlockedEntry } from "./entries";
import { canChangeRole, canDeactivate, isInactive } from "./guards";
import type { Member } from "./queries";
import { unlockStatement } from "./sign-in-lock";

/** Who acts, and on whom (as the admin's page showed them). */
export interface MemberChange {
  agencyId: number;
  actor: Actor;
  member: Pick<Member, "id" | "name" | "email" | "role" | "active">;
  now: number;
}

/** `entry` is what was (or, not committed, would have been) logged. */
export type ChangeOutcome<K extends string> = { kind: K; entry: AgencyEntry };

const thisMember = (c: MemberChange) => and(eq(staffUsers.id, c.member.id), eq(staffUsers.agencyId, c.agencyId));

/**
 * Gives the member another role. `last-admin`: they are the agency's last active admin;
 * `stale`: their role changed since the admin's page was read; `unchanged`: same role.
 */
export async function changeRole(env: Env, db: Db, c: MemberChange, to: StaffRole): Promise<ChangeOutcome<"changed" | "unchanged" | "last-admin" | "stale">> {
  const entry = roleChangedEntry(c.actor, c.member, c.member.role, to);
  if (to === c.member.role) return { kind: "unchanged", entry };
  const update = db.update(staffUsers).set({ role: to }).where(and(thisMember(c), canChangeRole(c.agencyId, c.member.id, c.member.role)));
  const { committed } = await commitAgencyChange(env, { agencyId: c.agencyId, statements: [update.toSQL()], entry });
  if (committed) return { kind: "changed", entry };
  // Still the role the admin saw: then only the last-admin condition can have refused it.
  const row = await db.select({ role: staffUsers.role }).from(staffUsers).where(thisMember(c)).get();
  return { kind: row?.role === c.member.role ? "last-admin" : "stale", entry };
}

/**
 * Deactivates the member: they can't sign in, every session of theirs ends at once (rows ended,
 * session version bumped) and their unused set-password links stop working. `last-admin` and
 * `already` (inactive already) write nothing.
 */
export async function deactivate(env: Env, db: Db, c: MemberChange): Promise<ChangeOutcome<"deactivated" | "last-admin" | "already">> {
  const entry = deactivatedEntry(c.actor, c.member);
  const guard = canDeactivate(c.agencyId, c.member.id);
  const statements = [
    endSessionsStatement(db, { staffId: c.member.id, agencyId: c.agencyId, now: c.now, onlyIf: guard }).toSQL(),
    db
      .update(staffTokens)
      .set({ usedAt: c.now })
      .where(and(eq(staffTokens.staffId, c.member.id), eq(staffTokens.agencyId, c.agencyId), isNull(staffTokens.usedAt), guard))
      .toSQL(),
    db
      .update(staffUsers)
      .set({ active: false, sessionVersion: sql`${staffUsers.sessionVersion} + 1` })
      .where(and(thisMember(c), guard))
      .toSQL(),
  ];
  const { committed } = await commitAgencyChange(env, { agencyId: c.agencyId, statements, entry });
  if (committed) return { kind: "deactivated", entry };
  // Still active: then only the last-admin condition can have refused it.
  const row = await db.select({ active: staffUsers.active }).from(staffUsers).where(thisMember(c)).get();
  return { kind: row?.active ? "last-admin" : "already", entry };
}

/** Reactivates an inactive member (sessions and links stay ended: an invited member needs a new invitation). */
export async function reactivate(env: Env, db: Db, c: MemberChange): Promise<ChangeOutcome<"reactivated" | "already">> {
  const entry = reactivatedEntry(c.actor, c.member);
  const update = db.update(staffUsers).set({ active: true }).where(and(thisMember(c), isInactive(c.agencyId, c.member.id)));
  const { committed } = await commitAgencyChange(env, { agencyId: c.agencyId, statements: [update.toSQL()], entry });
  return { kind: committed ? "reactivated" : "already", entry };
}

/** Clears the member's sign-in lock and failure count. `not-locked`: there was nothing to clear. */
export async function unlock(env: Env, db: Db, c: MemberChange): Promise<ChangeOutcome<"unlocked" | "not-locked">> {
  const entry = unlockedEntry(c.actor, c.member);
  const { committed } = await commitAgencyChange(env, { agencyId: c.agencyId, statements: [await unlockStatement(env, db, c.member)], entry });
  return { kind: committed ? "unlocked" : "not-locked", entry };
}

/**
 * Signs the member out on every device: every open session ends and the session version moves
 * on, so no token made before now opens anything.
 */
export async function signOutEverywhere(env: Env, db: Db, c: MemberChange & { openSessions: number }): Promise<ChangeOutcome<"signed-out">> {
  const entry = signedOutEverywhereEntry(c.actor, c.member, c.openSessions);
  const statements = [
    endSessionsStatement(db, { staffId: c.member.id, agencyId: c.agencyId, now: c.now }).toSQL(),
    db
      .update(staffUsers)
      .set({ sessionVersion: sql`${staffUsers.sessionVersion} + 1` })
      .where(thisMember(c))
      .toSQL(),
  ];
  const { committed } = await commitAgencyChange(env, { agencyId: c.agencyId, statements, entry });
  if (!committed) throw new Error("sign out everywhere: the member vanished");
  return { kind: "signed-out", entry };
}
