import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../db";
import { agencySettingsColumns } from "../db/agency-settings";
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
      // Whether a right password leads to the second step (hasSecondFactor, or the agency requires
      // one: second-step.ts), read here so that sign-in needs no read after the hash. Columns named
      // in full: drizzle writes a one-table select's columns unqualified, which inside these
      // subqueries would name the subquery's own table.
      secondStep: sql<number>`(EXISTS (SELECT 1 FROM staff_totp t WHERE t.staff_id = staff_users.id AND t.agency_id = staff_users.agency_id AND t.confirmed_at IS NOT NULL)
        OR EXISTS (SELECT 1 FROM staff_passkeys p WHERE p.staff_id = staff_users.id AND p.agency_id = staff_users.agency_id)
        OR EXISTS (SELECT 1 FROM agencies a WHERE a.id = staff_users.agency_id AND a.require_two_factor = 1))`.as("second_step"),
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


/** Replaces a staff member's hash (after a parameter upgrade at sign-in; for sign-in's batch). */
export function updateStaffPasswordHashQuery(db: Db, staffId: number, passwordHash: string) {
  return db.update(staffUsers).set({ passwordHash }).where(eq(staffUsers.id, staffId));
}

