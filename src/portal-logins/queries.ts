/**
 * Reads for the Client Portal section and the Portal Login window. Every query takes the agency
 * from the signed-in staff member and the client from the URL, and matches both.
 */
import { and, asc, eq, sql, type Placeholder } from "drizzle-orm";
import type { Db } from "../db";
import { reusable } from "../db/reusable";
import { clients, portalLogins, type PortalLogin } from "../db/schema";
import { loginOfClient } from "../clients/linked-logins";

/** What the section and the window need to know about the client. */
export interface PortalClient {
  id: number;
  firstName: string;
  lastName: string;
  residenceEmail: string;
  refusedPortalLogin: boolean;
  /** YYYY-MM-DD: the minors rules and a parent's end at the age of majority. */
  dateOfBirth: string;
}

/** The client, only within the agency; null when it is another agency's or doesn't exist. */
export async function findPortalClient(db: Db, agencyId: number, clientId: number): Promise<PortalClient | null> {
  const row = await db
    .select({
      id: clients.id,
      firstName: clients.firstName,
      lastName: clients.lastName,
      residenceEmail: clients.residenceEmail,
      refusedPortalLogin: clients.refusedPortalLogin,
      dateOfBirth: clients.dateOfBirth,
    })
    .from(clients)
    .where(and(eq(clients.id, clientId), eq(clients.agencyId, agencyId)))
    .get();
  return row ?? null;
}

/** The client's portal logins — its own and those linked to it (families) — oldest first (the client's own is usually added first). */
export async function listPortalLogins(db: Db, agencyId: number, clientId: number): Promise<PortalLogin[]> {
  return portalLoginsQuery(db, agencyId, clientId);
}

/** The query behind listPortalLogins, for a batch. */
export function portalLoginsQuery(db: Db, agencyId: number, clientId: number) {
  return clientLoginsQuery(db, { agencyId, clientId });
}

const clientLoginsQuery = reusable((db, p: (name: "agencyId" | "clientId") => Placeholder) =>
  db
    .select()
    .from(portalLogins)
    .where(and(eq(portalLogins.agencyId, p("agencyId")), loginOfClient(sql`${p("clientId")}`)))
    .orderBy(asc(portalLogins.createdAt), asc(portalLogins.id)),
);

/** One login of this client (its own or linked to it) in this agency, or null. */
export async function findPortalLogin(db: Db, agencyId: number, clientId: number, loginId: number): Promise<PortalLogin | null> {
  const row = await db
    .select()
    .from(portalLogins)
    .where(and(eq(portalLogins.id, loginId), eq(portalLogins.agencyId, agencyId), loginOfClient(clientId)))
    .get();
  return row ?? null;
}

/** Whether any login of the agency (any client) already has this username, ignoring case. */
export async function isUsernameTaken(db: Db, agencyId: number, usernameKey: string): Promise<boolean> {
  const row = await db
    .select({ id: portalLogins.id })
    .from(portalLogins)
    .where(and(eq(portalLogins.agencyId, agencyId), eq(portalLogins.usernameKey, usernameKey)))
    .get();
  return row !== undefined;
}
