/**
 * The change-password page's checks of the signed-in login's password: the current password
 * charged like a sign-in attempt before it is checked, and the hash a first password must differ
 * from. Scoped by the session's agency and login.
 */
import { and, eq } from "drizzle-orm";
import type { Db } from "../db";
import { portalLogins } from "../db/schema";
import { accountCharge, chargeCounters, readCounters, roomBeforeAccount, type Attempt, type ThrottleRow } from "../auth/throttle";
import { loginAccountColumns } from "./sign-in-charge";

/**
 * A wrong current password on the change-password page is charged like a sign-in attempt from a
 * new device, to the login's own count and the address, before it is checked; also reads the
 * login's hash. `accepted` says whether the password may be checked.
 */
export async function chargePasswordCheck(db: Db, a: Attempt, agencyId: number, loginId: number) {
  const charge = accountCharge(a, loginAccountColumns);
  const [charged, ...rest] = await db.batch([
    db
      .update(portalLogins)
      .set({ failedAttempts: charge.failures, lockedUntil: charge.lockedUntil, lastFailedAt: a.now })
      .where(and(eq(portalLogins.id, loginId), eq(portalLogins.agencyId, agencyId), roomBeforeAccount(a), charge.accepts))
      .returning({ failures: portalLogins.failedAttempts }),
    ...chargeCounters(db, a),
    db
      .select({ passwordHash: portalLogins.passwordHash, failures: portalLogins.failedAttempts, lockedUntil: portalLogins.lockedUntil })
      .from(portalLogins)
      .where(and(eq(portalLogins.id, loginId), eq(portalLogins.agencyId, agencyId))),
    readCounters(db, a),
  ]);
  const current = rest.at(-2) as { passwordHash: string | null; failures: number; lockedUntil: number | null }[];
  const rows = rest.at(-1) as ThrottleRow[];
  return { accepted: charged.length > 0, current: current[0] ?? null, rows };
}

/** The login's current password hash (a first password must differ from the temporary one). */
export async function loginPasswordHash(db: Db, agencyId: number, loginId: number): Promise<{ passwordHash: string | null } | null> {
  const row = await db
    .select({ passwordHash: portalLogins.passwordHash })
    .from(portalLogins)
    .where(and(eq(portalLogins.id, loginId), eq(portalLogins.agencyId, agencyId)))
    .get();
  return row ?? null;
}
