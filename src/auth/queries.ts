import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../db";
import { agencies, staffUsers } from "../db/schema";
import type { CurrentStaff } from "../app";

/**
 * The query for the staff account of an email address (any agency), with its hash (for sign-in's
 * batch). `passwordHash` is null for a member invited but not past their link: sign-in treats them
 * as unknown.
 */
export function staffByEmailQuery(db: Db, email: string) {
  return db
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
    .where(eq(staffUsers.email, email.trim().toLowerCase()));
}

export type StaffSignInRow = Awaited<ReturnType<typeof staffByEmailQuery>>[number];

/** A staff member's email, only within their agency; null when there is no such staff member. */
export async function staffEmail(db: Db, agencyId: number, staffId: number): Promise<string | null> {
  const row = await db
    .select({ email: staffUsers.email })
    .from(staffUsers)
    .where(and(eq(staffUsers.id, staffId), eq(staffUsers.agencyId, agencyId)))
    .get();
  return row?.email ?? null;
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
        timezone: agencies.timezone,
      },
    })
    .from(staffUsers)
    .innerJoin(agencies, eq(agencies.id, staffUsers.agencyId))
    .where(and(eq(staffUsers.id, staffId), eq(staffUsers.agencyId, agencyId), eq(staffUsers.active, true)))
    .get();
  return row ?? null;
}

/** Replaces a staff member's hash (after a parameter upgrade at sign-in; for sign-in's batch). */
export function updateStaffPasswordHashQuery(db: Db, staffId: number, passwordHash: string) {
  return db.update(staffUsers).set({ passwordHash }).where(eq(staffUsers.id, staffId));
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
