/**
 * Two-factor rows: TOTP authenticators and recovery codes (what a member has enrolled is
 * `twoFactorStatus` in src/auth/second-step.ts).
 * Every query names the staff member and their agency. Writes that decide something (confirming,
 * using a step or a code) are conditional UPDATEs whose returned rows say whether they won.
 */
import { and, eq, isNotNull, isNull, lt, or, sql, type SQL } from "drizzle-orm";
import type { Db } from "../db";
import { agencies, staffPasskeys, staffRecoveryCodes, staffTotp, staffUsers } from "../db/schema";
import type { StaffRef } from "../auth/second-step";

/** The staff member behind a pending second step: still active, with what sign-in needs. */
export async function findSignInStaff(db: Db, staff: StaffRef) {
  const row = await db
    .select({
      id: staffUsers.id,
      agencyId: staffUsers.agencyId,
      sessionVersion: staffUsers.sessionVersion,
      email: staffUsers.email,
      name: staffUsers.name,
      lastSignInAt: staffUsers.lastSignInAt,
      // Aliased: the same name as staff_users.name would collapse inside a db.batch.
      agencyName: sql<string>`${agencies.name}`.as("agency_name"),
    })
    .from(staffUsers)
    .innerJoin(agencies, eq(agencies.id, staffUsers.agencyId))
    .where(and(eq(staffUsers.id, staff.id), eq(staffUsers.agencyId, staff.agencyId), eq(staffUsers.active, true)))
    .get();
  return row ?? null;
}

/**
 * Starts (or restarts) TOTP enrolment with a new sealed secret. Refused — returns false — when
 * the member already has a confirmed authenticator: that one is only replaced by turning it off.
 */
export async function startTotpEnrolment(db: Db, staff: StaffRef, secretBox: string, now: number): Promise<boolean> {
  const rows = await db
    .insert(staffTotp)
    .values({ staffId: staff.id, agencyId: staff.agencyId, secretBox, createdAt: now })
    .onConflictDoUpdate({
      target: staffTotp.staffId,
      set: { secretBox, createdAt: now, lastUsedStep: null },
      setWhere: and(isNull(staffTotp.confirmedAt), eq(staffTotp.agencyId, staff.agencyId)),
    })
    .returning({ staffId: staffTotp.staffId });
  return rows.length === 1;
}

/** The sealed secret of an enrolment waiting for its first code; null when none is pending. */
export async function pendingTotpSecret(db: Db, staff: StaffRef): Promise<string | null> {
  const row = await db
    .select({ secretBox: staffTotp.secretBox })
    .from(staffTotp)
    .where(and(eq(staffTotp.staffId, staff.id), eq(staffTotp.agencyId, staff.agencyId), isNull(staffTotp.confirmedAt)))
    .get();
  return row?.secretBox ?? null;
}

/** The confirmed authenticator's sealed secret and last accepted step; null when TOTP is off. */
export async function confirmedTotp(db: Db, staff: StaffRef) {
  const row = await db
    .select({ secretBox: staffTotp.secretBox, lastUsedStep: staffTotp.lastUsedStep })
    .from(staffTotp)
    .where(and(eq(staffTotp.staffId, staff.id), eq(staffTotp.agencyId, staff.agencyId), isNotNull(staffTotp.confirmedAt)))
    .get();
  return row ?? null;
}

/** The statements that replace a member's recovery codes, run only while `condition` holds. */
function replaceRecoveryCodesWhen(db: Db, staff: StaffRef, hashes: string[], now: number, condition: SQL) {
  const values = sql.join(
    hashes.map((h) => sql`(${h})`),
    sql`, `,
  );
  return [
    db
      .delete(staffRecoveryCodes)
      .where(and(eq(staffRecoveryCodes.staffId, staff.id), eq(staffRecoveryCodes.agencyId, staff.agencyId), condition)),
    // Columns in table order (id, staff_id, agency_id, code_hash, used_at, created_at); a NULL id autoincrements.
    db.insert(staffRecoveryCodes).select(sql`SELECT NULL, ${staff.id}, ${staff.agencyId}, v.column1, NULL, ${now} FROM (VALUES ${values}) AS v WHERE ${condition}`),
  ] as const;
}

/**
 * Confirms a pending enrolment — the very secret the code was checked against — recording the
 * code's step as used and replacing the recovery codes, in one batch. False when the enrolment
 * was confirmed, restarted or removed meanwhile (then nothing is written).
 */
export async function confirmTotp(db: Db, staff: StaffRef, secretBox: string, step: number, codeHashes: string[], now: number): Promise<boolean> {
  // The codes are written only if this confirmation is the one that took (its exact timestamp).
  const confirmedNow = sql`EXISTS (SELECT 1 FROM ${staffTotp} WHERE ${staffTotp.staffId} = ${staff.id} AND ${staffTotp.confirmedAt} = ${now} AND ${staffTotp.secretBox} = ${secretBox})`;
  const [confirmed] = await db.batch([
    db
      .update(staffTotp)
      .set({ confirmedAt: now, lastUsedStep: step })
      .where(and(eq(staffTotp.staffId, staff.id), eq(staffTotp.agencyId, staff.agencyId), isNull(staffTotp.confirmedAt), eq(staffTotp.secretBox, secretBox)))
      .returning({ staffId: staffTotp.staffId }),
    ...replaceRecoveryCodesWhen(db, staff, codeHashes, now, confirmedNow),
  ]);
  return confirmed.length === 1;
}

/**
 * Records `step` as the last one used, if it is newer than the last one recorded: true exactly
 * once per step, so of two requests racing with the same code only one gets in.
 */
export async function useTotpStep(db: Db, staff: StaffRef, step: number): Promise<boolean> {
  const rows = await db
    .update(staffTotp)
    .set({ lastUsedStep: step })
    .where(
      and(
        eq(staffTotp.staffId, staff.id),
        eq(staffTotp.agencyId, staff.agencyId),
        isNotNull(staffTotp.confirmedAt),
        or(isNull(staffTotp.lastUsedStep), lt(staffTotp.lastUsedStep, step)),
      ),
    )
    .returning({ staffId: staffTotp.staffId });
  return rows.length === 1;
}

/**
 * Turns TOTP off. With `keepOneFactor` (the agency requires two-factor) it is refused unless the
 * member has a passkey, checked inside the DELETE. Recovery codes go too unless a passkey remains
 * for them to back up. False when refused.
 */
export async function turnOffTotp(db: Db, staff: StaffRef, keepOneFactor: boolean): Promise<boolean> {
  const passkeyLeft = sql`EXISTS (SELECT 1 FROM ${staffPasskeys} p WHERE p.staff_id = ${staff.id})`;
  const [removed] = await db.batch([
    db
      .delete(staffTotp)
      .where(and(eq(staffTotp.staffId, staff.id), eq(staffTotp.agencyId, staff.agencyId), keepOneFactor ? passkeyLeft : undefined))
      .returning({ staffId: staffTotp.staffId }),
    db
      .delete(staffRecoveryCodes)
      .where(
        and(
          eq(staffRecoveryCodes.staffId, staff.id),
          eq(staffRecoveryCodes.agencyId, staff.agencyId),
          sql`NOT ${passkeyLeft}`,
          sql`NOT EXISTS (SELECT 1 FROM ${staffTotp} t WHERE t.staff_id = ${staff.id} AND t.confirmed_at IS NOT NULL)`,
        ),
      ),
  ]);
  return removed.length === 1;
}

/** Replaces the member's recovery codes with these (hashes), in one batch. */
export async function replaceRecoveryCodes(db: Db, staff: StaffRef, codeHashes: string[], now: number): Promise<void> {
  await db.batch([...replaceRecoveryCodesWhen(db, staff, codeHashes, now, sql`1`)]);
}

/** Spends a recovery code: true exactly once for an unused code of this member. */
export async function useRecoveryCode(db: Db, staff: StaffRef, codeHash: string, now: number): Promise<boolean> {
  const rows = await db
    .update(staffRecoveryCodes)
    .set({ usedAt: now })
    .where(
      and(
        eq(staffRecoveryCodes.staffId, staff.id),
        eq(staffRecoveryCodes.agencyId, staff.agencyId),
        eq(staffRecoveryCodes.codeHash, codeHash),
        isNull(staffRecoveryCodes.usedAt),
      ),
    )
    .returning({ id: staffRecoveryCodes.id });
  return rows.length === 1;
}
