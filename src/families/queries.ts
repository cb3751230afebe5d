/**
 * The families feature's reads and writes: the portal session's chosen client, and (staff side)
 * linking an existing representative login to another client of the agency.
 */
import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "../db";
import { portalSessions } from "../db/schema";

/** Stores the client this device's session acts for; false when the session is no longer open. */
export async function chooseSessionClient(db: Db, agencyId: number, loginId: number, sessionId: string, clientId: number): Promise<boolean> {
  const rows = await db
    .update(portalSessions)
    .set({ clientId })
    .where(and(eq(portalSessions.id, sessionId), eq(portalSessions.loginId, loginId), eq(portalSessions.agencyId, agencyId), isNull(portalSessions.endedAt)))
    .returning({ id: portalSessions.id });
  return rows.length > 0;
}
