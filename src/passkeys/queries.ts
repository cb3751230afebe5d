/**
 * Passkey rows. Lists and changes name the staff member and their agency; sign-in looks a passkey
 * up by its credential ID alone (globally unique) and then trusts only the owner it names.
 */
import { and, asc, eq, lt, or, sql } from "drizzle-orm";
import type { Db } from "../db";
import { staffPasskeys, staffRecoveryCodes, staffTotp } from "../db/schema";
import type { StaffRef } from "../auth/second-step";

export type PasskeyRow = typeof staffPasskeys.$inferSelect;

/** A member's passkeys, oldest first. */
export function listPasskeys(db: Db, staff: StaffRef): Promise<PasskeyRow[]> {
  return db
    .select()
    .from(staffPasskeys)
    .where(and(eq(staffPasskeys.staffId, staff.id), eq(staffPasskeys.agencyId, staff.agencyId)))
    .orderBy(asc(staffPasskeys.createdAt), asc(staffPasskeys.id))
    .all();
}

/** One of the member's passkeys; null when it isn't theirs or doesn't exist. */
export async function findOwnPasskey(db: Db, staff: StaffRef, id: string): Promise<PasskeyRow | null> {
  const row = await db
    .select()
    .from(staffPasskeys)
    .where(and(eq(staffPasskeys.id, id), eq(staffPasskeys.staffId, staff.id), eq(staffPasskeys.agencyId, staff.agencyId)))
    .get();
  return row ?? null;
}

/** A passkey by credential ID, whoever owns it (passkey sign-in); null when none. */
export async function findPasskey(db: Db, id: string): Promise<PasskeyRow | null> {
  const row = await db.select().from(staffPasskeys).where(eq(staffPasskeys.id, id)).get();
  return row ?? null;
}

/** Stores a newly registered passkey; false when that credential is already registered. */
export async function insertPasskey(
  db: Db,
  staff: StaffRef,
  p: { id: string; name: string; publicKey: string; counter: number; transports: string[] },
  now: number,
): Promise<boolean> {
  const rows = await db
    .insert(staffPasskeys)
    .values({ ...p, transports: JSON.stringify(p.transports), staffId: staff.id, agencyId: staff.agencyId, createdAt: now })
    .onConflictDoNothing()
    .returning({ id: staffPasskeys.id });
  return rows.length === 1;
}

/**
 * Records a sign-in with a passkey: its new signature counter and the time. Conditional on the
 * counter moving forward (or staying 0, for authenticators that keep none), so an assertion can't
 * be replayed and a cloned authenticator shows up as a refusal. False when refused.
 */
export async function recordPasskeyUse(db: Db, id: string, staffId: number, seenCounter: number, newCounter: number, now: number): Promise<boolean> {
  const forward = newCounter === 0 ? eq(staffPasskeys.counter, 0) : lt(staffPasskeys.counter, newCounter);
  const rows = await db
    .update(staffPasskeys)
    .set({ counter: newCounter, lastUsedAt: now })
    .where(and(eq(staffPasskeys.id, id), eq(staffPasskeys.staffId, staffId), eq(staffPasskeys.counter, seenCounter), forward))
    .returning({ id: staffPasskeys.id });
  return rows.length === 1;
}

/** Renames one of the member's passkeys; false when it isn't theirs. */
export async function renamePasskey(db: Db, staff: StaffRef, id: string, name: string): Promise<boolean> {
  const rows = await db
    .update(staffPasskeys)
    .set({ name })
    .where(and(eq(staffPasskeys.id, id), eq(staffPasskeys.staffId, staff.id), eq(staffPasskeys.agencyId, staff.agencyId)))
    .returning({ id: staffPasskeys.id });
  return rows.length === 1;
}

/**
 * Removes one of the member's passkeys. With `keepOneFactor` (the agency requires two-factor) it
 * is refused when it is the member's last second factor — no other passkey and no TOTP — checked
 * inside the same DELETE, so two removals at once can't both pass. Recovery codes go with the
 * last factor. False when refused or not theirs.
 */
export async function removePasskey(db: Db, staff: StaffRef, id: string, keepOneFactor: boolean): Promise<boolean> {
  const otherPasskey = sql`EXISTS (SELECT 1 FROM ${staffPasskeys} o WHERE o.staff_id = ${staff.id} AND o.id <> ${id})`;
  const totpOn = sql`EXISTS (SELECT 1 FROM ${staffTotp} t WHERE t.staff_id = ${staff.id} AND t.confirmed_at IS NOT NULL)`;
  const noFactorLeft = sql`NOT EXISTS (SELECT 1 FROM ${staffPasskeys} o WHERE o.staff_id = ${staff.id}) AND NOT ${totpOn}`;
  const [removed] = await db.batch([
    db
      .delete(staffPasskeys)
      .where(
        and(
          eq(staffPasskeys.id, id),
          eq(staffPasskeys.staffId, staff.id),
          eq(staffPasskeys.agencyId, staff.agencyId),
          keepOneFactor ? or(otherPasskey, totpOn) : undefined,
        ),
      )
      .returning({ id: staffPasskeys.id }),
    db.delete(staffRecoveryCodes).where(and(eq(staffRecoveryCodes.staffId, staff.id), eq(staffRecoveryCodes.agencyId, staff.agencyId), noFactorLeft)),
  ]);
  return removed.length === 1;
}
