import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../db";
import { agencySettingsColumns } from "../db/agency-settings";
import { agencies, staffUsers } from "../db/schema";
import type { CurrentStaff } from "../app";

/**
 * The staff account for an email address (any agency), with its hash; null when none, and also
 * when the member has no password yet (invited, link not used): sign-in treats them as unknown.
 */
export async function findStaffByEmail(db: Db, email: string) {
  const row = await db
    .select({
      id: staffUsers.id,
      agencyId: staffUsers.agencyId,
      name: staffUsers.name,
      email: staffUsers.email,
      passwordHash: staffUsers.passwordHash,
      active: staffUsers.active,
      sessionVersion: staffUsers.sessionVersion,
    })
    .from(staffUsers)
    .where(eq(staffUsers.email, email.toLowerCase()))
    .get();
  return row?.passwordHash ? { ...row, passwordHash: row.passwordHash } : null;
}

/** An active staff member and their agency, for a session's subject; null when gone or inactive. */
export async function findActiveStaff(
  db: Db,
  staffId: number,
  agencyId: number,
): Promise<(CurrentStaff & { sessionVersion: number }) | null> {
  const row = await db
    .select({
      id: staffUsers.id,
      sessionVersion: staffUsers.sessionVersion,
      name: staffUsers.name,
      email: staffUsers.email,
      role: staffUsers.role,
      agency: {
        id: agencies.id,
        name: agencies.name,
        slug: agencies.slug,
        portalEnabled: agencies.portalEnabled,
        ...agencySettingsColumns,
      },
    })
    .from(staffUsers)
    .innerJoin(agencies, eq(agencies.id, staffUsers.agencyId))
    .where(and(eq(staffUsers.id, staffId), eq(staffUsers.agencyId, agencyId), eq(staffUsers.active, true)))
    .get();
  return row ?? null;
}

/** Replaces a staff member's hash (after a parameter upgrade at sign-in). */
export async function updateStaffPasswordHash(db: Db, staffId: number, passwordHash: string) {
  await db.update(staffUsers).set({ passwordHash }).where(eq(staffUsers.id, staffId));
}

/**
 * Ends every session of a staff member (sign-out): tokens carry the version they were made with.
 * Returns who that was (for the access log); null when there is no such account.
 */
export async function endAllStaffSessions(db: Db, staffId: number, agencyId: number): Promise<{ id: number; agencyId: number; name: string } | null> {
  const [who] = await db
    .update(staffUsers)
    .set({ sessionVersion: sql`${staffUsers.sessionVersion} + 1` })
    .where(and(eq(staffUsers.id, staffId), eq(staffUsers.agencyId, agencyId)))
    .returning({ id: staffUsers.id, agencyId: staffUsers.agencyId, name: staffUsers.name });
  return who ?? null;
}
