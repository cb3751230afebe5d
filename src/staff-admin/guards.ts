/**
 * The conditions staff-administration writes are made under, as SQL evaluated inside the write
 * itself. D1 has no interactive transactions, so "check, then write" would let two admins slip
 * past a check together; a condition inside the statement can't be raced, because SQLite runs
 * one write at a time and each statement sees the state the one before it left.
 *
 * The agency must always keep one active admin: an admin who can sign in (active, with a
 * password). Demoting or deactivating such an admin is allowed only while another one exists —
 * counted in the same statement that demotes or deactivates. Two admins demoting each other at
 * the same moment: the first write sees the other admin and succeeds, the second sees none and
 * changes nothing.
 */
import { sql, type SQL } from "drizzle-orm";
import type { StaffRole } from "../db/schema";

/** Admins of the agency who can sign in, other than this member. */
function otherActiveAdmins(agencyId: number, staffId: number): SQL {
  return sql`(SELECT COUNT(*) FROM staff_users o WHERE o.agency_id = ${agencyId} AND o.id <> ${staffId}
    AND o.role = 'admin' AND o.active = 1 AND o.password_hash IS NOT NULL)`;
}

/** The member `m` is not an admin who keeps the agency administered, or another such admin exists. */
function leavesAnActiveAdmin(agencyId: number, staffId: number): SQL {
  return sql`(m.role <> 'admin' OR m.active = 0 OR m.password_hash IS NULL OR ${otherActiveAdmins(agencyId, staffId)} >= 1)`;
}

const member = (agencyId: number, staffId: number, condition: SQL) =>
  sql`EXISTS (SELECT 1 FROM staff_users m WHERE m.id = ${staffId} AND m.agency_id = ${agencyId} AND ${condition})`;

/** The member still has role `from`, and changing it leaves an active admin. */
export function canChangeRole(agencyId: number, staffId: number, from: StaffRole): SQL {
  return member(agencyId, staffId, sql`m.role = ${from} AND ${leavesAnActiveAdmin(agencyId, staffId)}`);
}

/** The member is active, and deactivating them leaves an active admin. */
export function canDeactivate(agencyId: number, staffId: number): SQL {
  return member(agencyId, staffId, sql`m.active = 1 AND ${leavesAnActiveAdmin(agencyId, staffId)}`);
}

/** The member is inactive. */
export function isInactive(agencyId: number, staffId: number): SQL {
  return member(agencyId, staffId, sql`m.active = 0`);
}

/** The member is active and still invited (no password yet). */
export function isInvited(agencyId: number, staffId: number): SQL {
  return member(agencyId, staffId, sql`m.active = 1 AND m.password_hash IS NULL`);
}

