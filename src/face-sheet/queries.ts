import { and, asc, eq, gte, lt, sql, type Placeholder, type SQL } from "drizzle-orm";
import { batchableAll, type Db } from "../db";
import { reusable } from "../db/reusable";
import { cases, clients, type Case, type Client } from "../db/schema";

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
  const branches = clientSearchQueries(db, agencyId, query, limit);
  if (branches.length === 0) return [];
  const [first, ...rest] = branches;
  const results = await db.batch([first!, ...rest]);
  const byId = new Map<number, ClientSearchHit>();
  for (const row of results.flat()) byId.set(row.id, row);
  const key = (h: ClientSearchHit) => `${h.lastName.toLowerCase()}\u0000${h.firstName.toLowerCase()}\u0000${h.id}`;
  return [...byId.values()].sort((x, y) => (key(x) < key(y) ? -1 : 1)).slice(0, limit);
}

/**
 * The search as one query per way a client can match, each a range seek on its own index (an
 * OR across columns would make SQLite walk every client of the agency in name order). Exported
 * so tests can check the plans.
 */
export function clientSearchQueries(db: Db, agencyId: number, query: string, limit = 20) {
  const words = query.toLowerCase().replace(/,/g, " ").split(/\s+/).filter(Boolean).slice(0, 3);
  if (words.length === 0) return [];
  const select = () =>
    db
      .select({
        id: clients.id,
        clientNumber: clients.clientNumber,
        firstName: clients.firstName,
        lastName: clients.lastName,
        dateOfBirth: clients.dateOfBirth,
      })
      .from(clients);
  const byLast = (where: SQL) =>
    select()
      .where(and(eq(clients.agencyId, agencyId), where))
      .orderBy(asc(clients.lastNameKey), asc(clients.firstNameKey))
      .limit(limit);
  if (words.length === 1) {
    const w = words[0]!;
    return [
      byLast(prefix(clients.lastNameKey, w)),
      select()
        .where(and(eq(clients.agencyId, agencyId), prefix(clients.firstNameKey, w)))
        .orderBy(asc(clients.firstNameKey))
        .limit(limit),
      select()
        .where(and(eq(clients.agencyId, agencyId), prefix(clients.clientNumber, query.trim().toUpperCase())))
        .orderBy(asc(clients.clientNumber))
        .limit(limit),
    ];
  }
  const [a, b] = [words[0]!, words.slice(1).join(" ")];
  return [byFirstAndLast(db, agencyId, { first: a, last: b }, limit), byFirstAndLast(db, agencyId, { first: b, last: a }, limit)];
}

/**
 * Clients whose last name starts with `last` and first name with `first`, in name order, as a
 * skip-scan: it hops from one distinct last name in the range to the next (one index seek each)
 * and seeks each one's first names — (agency, last name, first name) is one index. A plain range
 * on the last name would read every client with that last name before finding none of the first
 * name ("okafor, hannah" read all 33,000 Okafors of 1,000,000 clients: 4.5 ms, 3× the search at
 * 1,000). The CROSS JOIN keeps the last names as the outer loop, so rows come in name order and
 * LIMIT stops the hopping as soon as enough are found.
 */
function byFirstAndLast(db: Db, agencyId: number, words: { first: string; last: string }, limit: number) {
  const [last, lastEnd, first, firstEnd] = [words.last, words.last + "\uffff", words.first, words.first + "\uffff"];
  const nextLastName = (after: SQL) =>
    sql`(SELECT last_name_key FROM clients WHERE agency_id = ${agencyId} AND ${after} AND last_name_key < ${lastEnd} ORDER BY last_name_key LIMIT 1)`;
  return batchableAll<ClientSearchHit>(
    db,
    sql`WITH RECURSIVE last_names(k) AS (
        SELECT ${nextLastName(sql`last_name_key >= ${last}`)}
        UNION ALL
        SELECT ${nextLastName(sql`last_name_key > last_names.k`)} FROM last_names WHERE last_names.k IS NOT NULL
      )
      SELECT c.id AS id, c.client_number AS clientNumber, c.first_name AS firstName, c.last_name AS lastName, c.date_of_birth AS dateOfBirth
      FROM last_names CROSS JOIN clients c
      WHERE c.agency_id = ${agencyId} AND c.last_name_key = last_names.k AND c.first_name_key >= ${first} AND c.first_name_key < ${firstEnd}
      LIMIT ${limit}`,
  );
}

/** The Face Sheet's reads (the client, their cases), only within the agency: for a batch (see faceSheetFromRows). */
export function faceSheetQueries(db: Db, agencyId: number, clientId: number) {
  return [clientQuery(db, { agencyId, clientId }), casesQuery(db, { agencyId, clientId })] as const;
}

const clientQuery = reusable((db, p: (name: "agencyId" | "clientId") => Placeholder) =>
  db
    .select()
    .from(clients)
    .where(and(eq(clients.id, p("clientId")), eq(clients.agencyId, p("agencyId")))),
);

const casesQuery = reusable((db, p: (name: "agencyId" | "clientId") => Placeholder) =>
  db
    .select()
    .from(cases)
    .where(and(eq(cases.clientId, p("clientId")), eq(cases.agencyId, p("agencyId"))))
    .orderBy(asc(cases.openedOn)),
);

type FaceSheetRows = readonly [Client[], Case[]];

/** The Face Sheet from faceSheetQueries' rows; null when the client is not the agency's. */
export function faceSheetFromRows([client, clientCases]: FaceSheetRows) {
  const row = client[0];
  return row ? { client: row, cases: clientCases } : null;
}

/** One client's Face Sheet and cases, only within the agency; null when not theirs. */
export async function getFaceSheet(db: Db, agencyId: number, clientId: number) {
  return faceSheetFromRows(await db.batch(faceSheetQueries(db, agencyId, clientId)));
}

export type FaceSheet = NonNullable<ReturnType<typeof faceSheetFromRows>>;
