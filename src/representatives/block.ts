/**
 * Blocking a person (custody conflicts): staff block a representative login with a reason only
 * staff see. A blocked login can't sign in (the access rule), its sessions end at once (the
 * session version moves) with its unused links, it is sent no email of any kind (refused in the
 * one email gateway, src/email/portal-mail.ts), and nobody but an administrator can change it —
 * unblock it, or save it again (a re-link) — through the Portal Login window.
 */
import { and, eq, isNotNull, isNull, sql } from "drizzle-orm";
import type { CurrentStaff } from "../app";
import { can, type Role } from "../auth/permissions";
import { commitChange, type Actor } from "../clients/log";
import { loginOfClient } from "../clients/linked-logins";
import { endLinksStatement } from "../clients/portal-links";
import type { Db } from "../db";
import { portalLogins, staffUsers, type PortalLogin } from "../db/schema";
import type { BlockInfo } from "./views";

export const BLOCK_REASON_MAX = 500;

/** Why a Save of this login is refused for this role (a blocked login: administrators only); null: allowed. */
export function blockedRefusal(login: Pick<PortalLogin, "blockedAt" | "username">, role: Role): string | null {
  if (login.blockedAt === null || can(role, "agency.administer")) return null;
  return `Portal login ${login.username} is blocked, so nothing was saved. Only an administrator can change a blocked login or link it to a client again.`;
}

/** What the window's Block section shows for a login. */
export async function blockInfoOf(db: Db, staff: CurrentStaff, clientId: number, login: PortalLogin, extra: { error?: string; reason?: string } = {}): Promise<BlockInfo> {
  const by =
    login.blockedBy === null
      ? null
      : await db
          .select({ name: staffUsers.name })
          .from(staffUsers)
          .where(and(eq(staffUsers.id, login.blockedBy), eq(staffUsers.agencyId, staff.agency.id)))
          .get();
  return {
    loginId: login.id,
    clientId,
    username: login.username,
    blockedAt: login.blockedAt,
    blockedReason: login.blockedReason,
    blockedByName: by?.name ?? null,
    timezone: staff.agency.timezone,
    mayUnblock: can(staff.role, "agency.administer"),
    ...extra,
  };
}

/**
 * Blocks the login, with its staff-only entry (no portal wording: the client's Activity doesn't
 * show it), in one commit: sessions and unused links end. False when it was blocked already (or
 * isn't the agency's client's).
 */
export async function blockLogin(env: Env, db: Db, input: { agencyId: number; clientId: number; login: PortalLogin; reason: string; actor: Actor; staffId: number; now: number }): Promise<boolean> {
  const { login, now } = input;
  // The login of this client — its own, or linked to it (a block is of the person, from any of its
  // clients' Face Sheets; the entry goes to the client staff blocked it from).
  const notBlocked = and(eq(portalLogins.id, login.id), eq(portalLogins.agencyId, input.agencyId), loginOfClient(input.clientId), isNull(portalLogins.blockedAt))!;
  const result = await commitChange(env, {
    agencyId: input.agencyId,
    clientId: input.clientId,
    statements: [
      endLinksStatement(db, { agencyId: input.agencyId, loginId: login.id, now, onlyIf: sql`EXISTS (SELECT 1 FROM portal_logins WHERE ${notBlocked})` }),
      db
        .update(portalLogins)
        .set({ blockedAt: now, blockedReason: input.reason, blockedBy: input.staffId, sessionVersion: sql`${portalLogins.sessionVersion} + 1` })
        .where(notBlocked)
        .toSQL(),
    ],
    entry: {
      actor: input.actor,
      changeType: "Portal Login",
      description: `Portal Login ${login.username} was blocked.`,
      details: {
        lines: [`Reason (staff only): ${input.reason}`, "No sign-in and no email of any kind; its sessions and unused links ended. Only an administrator can unblock it."],
        changes: [{ field: "blocked", before: false, after: true }],
      },
    },
  });
  return result.committed;
}

/** Unblocks the login (administrators: the route checks), with its staff-only entry. False when it wasn't blocked. */
export async function unblockLogin(env: Env, db: Db, input: { agencyId: number; clientId: number; login: PortalLogin; actor: Actor }): Promise<boolean> {
  const { login } = input;
  const result = await commitChange(env, {
    agencyId: input.agencyId,
    clientId: input.clientId,
    statements: [
      db
        .update(portalLogins)
        .set({ blockedAt: null, blockedReason: null, blockedBy: null })
        .where(and(eq(portalLogins.id, login.id), eq(portalLogins.agencyId, input.agencyId), loginOfClient(input.clientId), isNotNull(portalLogins.blockedAt)))
        .toSQL(),
    ],
    entry: {
      actor: input.actor,
      changeType: "Portal Login",
      description: `Portal Login ${login.username} was unblocked.`,
      details: { lines: [`Had been blocked for (staff only): ${login.blockedReason ?? "(no reason recorded)"}`], changes: [{ field: "blocked", before: true, after: false }] },
    },
  });
  return result.committed;
}
