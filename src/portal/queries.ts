/**
 * The portal pages' own reads (routes.tsx): Home's part of the Face Sheet and the Activity page's
 * Client Action Log. Every query is scoped by the agency found from the URL's slug and by the
 * client of the session: nothing here takes a client id from a request.
 */
import { and, desc, eq, isNotNull, sql } from "drizzle-orm";
import type { Db } from "../db";
import { clientLog, clients } from "../db/schema";
import { notFromMinorConsentedCaseSql } from "../minor-consent/rule";

/** What Home shows of the Face Sheet: name, date of birth and the Current Residence. */
export async function getPortalHome(db: Db, agencyId: number, clientId: number) {
  return portalHomeFromRows(await portalHomeQuery(db, agencyId, clientId));
}

/** getPortalHome's read, for a batch (see src/portal/portal-reads.ts). */
export function portalHomeQuery(db: Db, agencyId: number, clientId: number) {
  return db
    .select({
      firstName: clients.firstName,
      lastName: clients.lastName,
      dateOfBirth: clients.dateOfBirth,
      address: clients.residenceAddress,
      city: clients.residenceCity,
      state: clients.residenceState,
      zip: clients.residenceZip,
      phone: clients.residencePhone,
      email: clients.residenceEmail,
    })
    .from(clients)
    .where(and(eq(clients.id, clientId), eq(clients.agencyId, agencyId)));
}

export type PortalHomeRows = Awaited<ReturnType<typeof portalHomeQuery>>;

/** Home's part of the Face Sheet from portalHomeQuery's rows; null when the client is not the agency's. */
export function portalHomeFromRows(rows: PortalHomeRows) {
  return rows[0] ?? null;
}

export type PortalHome = NonNullable<Awaited<ReturnType<typeof getPortalHome>>>;

export const ACTIVITY_PAGE_SIZE = 50;

export interface ClientAction {
  seq: number;
  at: number;
  action: string;
  description: string;
}

/**
 * One page of the client's Client Action Log: entries the portal may show (those with
 * `details.portal`), newest first by the log's own order. `hasOlder` says another page follows.
 */
export async function listClientActions(
  db: Db,
  agencyId: number,
  clientId: number,
  page: number,
  /** A representative is looking: entries of cases a minor consented to are left out (issue 11). */
  representative = false,
): Promise<{ actions: ClientAction[]; hasOlder: boolean }> {
  return clientActionsFromRows(await clientActionsQuery(db, agencyId, clientId, page, representative));
}

/** listClientActions' page as rows, in order: the page and one more (whether an older page follows). */
export function clientActionsFromRows(rows: ClientAction[]): { actions: ClientAction[]; hasOlder: boolean } {
  return { actions: rows.slice(0, ACTIVITY_PAGE_SIZE), hasOlder: rows.length > ACTIVITY_PAGE_SIZE };
}

/** listClientActions' read, for a batch (see src/portal/portal-reads.ts). */
export function clientActionsQuery(db: Db, agencyId: number, clientId: number, page: number, representative: boolean) {
  return db
    .select({
      seq: clientLog.seq,
      at: clientLog.at,
      action: sql<string>`json_extract(${clientLog.details}, '$.portal.action')`,
      description: sql<string>`json_extract(${clientLog.details}, '$.portal.description')`,
    })
    .from(clientLog)
    .where(
      and(
        eq(clientLog.clientId, clientId),
        eq(clientLog.agencyId, agencyId),
        isNotNull(sql`json_extract(${clientLog.details}, '$.portal.action')`),
        representative ? notFromMinorConsentedCaseSql(agencyId, clientId) : undefined,
      ),
    )
    .orderBy(desc(clientLog.seq))
    .limit(ACTIVITY_PAGE_SIZE + 1)
    .offset((page - 1) * ACTIVITY_PAGE_SIZE);
}
