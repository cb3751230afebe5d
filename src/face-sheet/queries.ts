import { and, asc, eq, gte, lt, or, type SQL } from "drizzle-orm";
import type { Db } from "../db";
import { cases, clients } from "../db/schema";

export interface ClientSearchHit {
  id: number;
  clientNumber: string;
  firstName: string;
  lastName: string;
  dateOfBirth: string;
}

// Prefix match as an index range (key >= p AND key < p + U+FFFF), so search stays an index seek
// at 100,000 clients per agency instead of a LIKE scan.
function prefix(column: typeof clients.firstNameKey | typeof clients.lastNameKey | typeof clients.clientNumber, p: string): SQL {
  return and(gte(column, p), lt(column, p + "\uffff"))!;
}

/**
 * Finds an agency's clients by name ("maria", "alvarez", "maria alv", "alvarez, maria") or
 * client number prefix; at most `limit`, ordered by name.
 */
export async function searchClients(db: Db, agencyId: number, query: string, limit = 20): Promise<ClientSearchHit[]> {
  const words = query.toLowerCase().replace(/,/g, " ").split(/\s+/).filter(Boolean).slice(0, 3);
  if (words.length === 0) return [];
  let match: SQL;
  if (words.length === 1) {
    const w = words[0]!;
    match = or(prefix(clients.lastNameKey, w), prefix(clients.firstNameKey, w), prefix(clients.clientNumber, query.trim().toUpperCase()))!;
  } else {
    const [a, b] = [words[0]!, words.slice(1).join(" ")];
    match = or(
      and(prefix(clients.firstNameKey, a), prefix(clients.lastNameKey, b)),
      and(prefix(clients.lastNameKey, a), prefix(clients.firstNameKey, b)),
    )!;
  }
  return db
    .select({
      id: clients.id,
      clientNumber: clients.clientNumber,
      firstName: clients.firstName,
      lastName: clients.lastName,
      dateOfBirth: clients.dateOfBirth,
    })
    .from(clients)
    .where(and(eq(clients.agencyId, agencyId), match))
    .orderBy(asc(clients.lastNameKey), asc(clients.firstNameKey))
    .limit(limit)
    .all();
}

/** One client's Face Sheet and cases, only within the agency; null when not theirs. */
export async function getFaceSheet(db: Db, agencyId: number, clientId: number) {
  const [client, clientCases] = await db.batch([
    db.select().from(clients).where(and(eq(clients.id, clientId), eq(clients.agencyId, agencyId))),
    db
      .select()
      .from(cases)
      .where(and(eq(cases.clientId, clientId), eq(cases.agencyId, agencyId)))
      .orderBy(asc(cases.openedOn)),
  ]);
  const row = client[0];
  return row ? { client: row, cases: clientCases } : null;
}

export type FaceSheet = NonNullable<Awaited<ReturnType<typeof getFaceSheet>>>;
