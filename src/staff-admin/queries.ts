/**
 * Reading the agency's staff for the administration pages. Every query is scoped to the agency.
 */
import { and, asc, desc, eq, isNotNull, isNull, sql } from "drizzle-orm";
import { openSessionsQuery } from "../auth/session-records";
import type { Db } from "../db";
import { staffUsers, type StaffRole } from "../db/schema";
import { signInLocks } from "./sign-in-lock";

/**
 * Whether the member has a second factor: a confirmed authenticator app (staff_totp) or a passkey
 * (staff_passkeys). Table names written out, as below.
 */
function twoFactorSql() {
  return sql<"on" | "off">`(CASE WHEN EXISTS (SELECT 1 FROM staff_totp t WHERE t.staff_id = staff_users.id AND t.confirmed_at IS NOT NULL)
    OR EXISTS (SELECT 1 FROM staff_passkeys p WHERE p.staff_id = staff_users.id) THEN 'on' ELSE 'off' END)`;
}

/**
 * When the member's newest unused invitation link stops working. Written out with table names:
 * drizzle leaves columns of a one-table select unqualified, and inside this subquery an
 * unqualified "id" would be the link's, not the member's.
 */
const inviteExpiresAtSql = () =>
  sql<number | null>`(SELECT MAX(t.expires_at) FROM staff_tokens t WHERE t.staff_id = staff_users.id
    AND t.agency_id = staff_users.agency_id AND t.purpose = 'invite' AND t.used_at IS NULL)`;

/** A staff member as the administration pages show them. */
export interface Member {
  id: number;
  name: string;
  email: string;
  role: StaffRole;
  active: boolean;
  /** No password yet: invited, set-password link not used. */
  invited: boolean;
  lockedUntil: number | null;
  lastSignInAt: number | null;
  inviteEmailStatus: "sent" | "failed" | null;
  inviteExpiresAt: number | null;
  twoFactor: "on" | "off";
}

function membersQuery(db: Db) {
  return db
    .select({
      id: staffUsers.id,
      name: staffUsers.name,
      email: staffUsers.email,
      role: staffUsers.role,
      active: staffUsers.active,
      invited: sql<number>`${staffUsers.passwordHash} IS NULL`,
      lastSignInAt: staffUsers.lastSignInAt,
      inviteEmailStatus: staffUsers.inviteEmailStatus,
      inviteExpiresAt: inviteExpiresAtSql(),
      twoFactor: twoFactorSql(),
    })
    .from(staffUsers);
}

type MemberRow = Awaited<ReturnType<ReturnType<typeof membersQuery>["all"]>>[number];

/** The rows as members, each with its sign-in lock (read from the throttle, keyed by an HMAC). */
async function toMembers(env: Env, db: Db, rows: MemberRow[]): Promise<Member[]> {
  const locks = await signInLocks(env, db, rows);
  return rows.map((r) => ({ ...r, invited: Boolean(r.invited), lockedUntil: locks.get(r.id) ?? null }));
}

/** Every staff member of the agency: active ones first, then by name. */
export async function listMembers(env: Env, db: Db, agencyId: number): Promise<Member[]> {
  const rows = await membersQuery(db)
    .where(eq(staffUsers.agencyId, agencyId))
    .orderBy(desc(staffUsers.active), asc(sql`lower(${staffUsers.name})`), asc(staffUsers.id));
  return toMembers(env, db, rows);
}

export interface MemberDetail {
  member: Member;
  /** Sessions of theirs that could still be used. */
  openSessions: number;
  /** The agency's admins who can sign in (active, with a password), this member included. */
  activeAdmins: number;
}

/**
 * One member of the agency, their open sessions and the agency's active admin count, in one round
 * trip; null when the id is not a member of this agency (another agency's staff included).
 */
export async function findMember(env: Env, db: Db, q: { agencyId: number; staffId: number; now: number; idleMs: number; maxMs: number }): Promise<MemberDetail | null> {
  const [rows, sessions, admins] = await db.batch([
    membersQuery(db).where(and(eq(staffUsers.id, q.staffId), eq(staffUsers.agencyId, q.agencyId))),
    openSessionsQuery(db, { staffId: q.staffId, agencyId: q.agencyId, now: q.now, idleMs: q.idleMs, maxMs: q.maxMs }),
    db
      .select({ n: sql<number>`COUNT(*)` })
      .from(staffUsers)
      .where(and(eq(staffUsers.agencyId, q.agencyId), eq(staffUsers.role, "admin"), eq(staffUsers.active, true), isNotNull(staffUsers.passwordHash))),
  ]);
  const row = rows[0];
  return row ? { member: (await toMembers(env, db, [row]))[0]!, openSessions: sessions.length, activeAdmins: admins[0]?.n ?? 0 } : null;
}

/** Whether a staff account (of any agency: emails are unique across agencies) uses this email. */
export async function emailTaken(db: Db, email: string): Promise<boolean> {
  const row = await db.select({ id: staffUsers.id }).from(staffUsers).where(eq(staffUsers.email, email.toLowerCase())).get();
  return row !== undefined;
}

/** Records whether the member's latest invitation email went out (not an audited change: delivery state). */
export async function setInviteEmailStatus(db: Db, q: { agencyId: number; staffId: number; status: "sent" | "failed" }) {
  await db
    .update(staffUsers)
    .set({ inviteEmailStatus: q.status })
    .where(and(eq(staffUsers.id, q.staffId), eq(staffUsers.agencyId, q.agencyId), isNull(staffUsers.passwordHash)));
}
