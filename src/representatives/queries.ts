/**
 * Reads for representative records: a login's record for a client, every record of a client, the
 * logins around a client (for the minors' email rule), and the agency's upcoming expiries. Every
 * query is scoped by the agency.
 */
import { and, asc, eq, getTableColumns, isNull, or, sql, type Placeholder } from "drizzle-orm";
import type { Db } from "../db";
import { reusable } from "../db/reusable";
import { clients, portalLogins, portalRepresentations, type PortalRepresentation } from "../db/schema";
import { part2ConsentHoldsSql } from "../part2/rule";

/** A record of a client as the Client Portal table shows it: with whether 42 CFR Part 2 lets it in today. */
export type ClientRecord = PortalRepresentation & { part2Holds: boolean };

/** The login's record for the client (ended or not), or null. */
export async function findRecord(db: Db, agencyId: number, loginId: number, clientId: number): Promise<PortalRepresentation | null> {
  const row = await db
    .select()
    .from(portalRepresentations)
    .where(and(eq(portalRepresentations.agencyId, agencyId), eq(portalRepresentations.loginId, loginId), eq(portalRepresentations.clientId, clientId)))
    .get();
  return row ?? null;
}

/** Every record for the client, by login id; `today` (agency time zone) decides the Part 2 consent. */
export async function recordsOfClient(db: Db, agencyId: number, clientId: number, today: string): Promise<Map<number, ClientRecord>> {
  return recordsFromRows(await recordsOfClientQuery(db, agencyId, clientId, today));
}

/** The query behind recordsOfClient, for a batch (the Face Sheet's one batch). */
export function recordsOfClientQuery(db: Db, agencyId: number, clientId: number, today: string) {
  return recordsOfClientToday(db, { agencyId, clientId, today });
}

const recordsOfClientToday = reusable((db, p: (name: "agencyId" | "clientId" | "today") => Placeholder) =>
  db
    .select({
      ...getTableColumns(portalRepresentations),
      // 42 CFR Part 2 (src/part2/rule.ts), in the same read: no consent required, or a current one.
      // Aliased: a batch maps D1's rows by column name.
      part2Holds: sql<number>`${part2ConsentHoldsSql(sql`${p("agencyId")}`, sql`${p("clientId")}`, sql`${portalRepresentations.loginId}`, sql`${p("today")}`)}`
        .mapWith(Boolean)
        .as("part2_holds"),
    })
    .from(portalRepresentations)
    .where(and(eq(portalRepresentations.agencyId, p("agencyId")), eq(portalRepresentations.clientId, p("clientId")))),
);

/** recordsOfClientQuery's rows by login id. */
export function recordsFromRows(rows: ClientRecord[]): Map<number, ClientRecord> {
  return new Map(rows.map((r) => [r.loginId, r]));
}

/** A login around a client: its own logins and every representative login linked to it. */
export interface LoginAround {
  id: number;
  username: string;
  email: string;
  representative: boolean;
}

/**
 * The client's own logins and its representatives' (by the login's client, or linked by a record
 * not ended), for the rule that a minor's own login and a representative never share an email.
 */
export async function loginsAroundClient(db: Db, agencyId: number, clientId: number): Promise<LoginAround[]> {
  return db
    .select({ id: portalLogins.id, username: portalLogins.username, email: portalLogins.email, representative: portalLogins.representative })
    .from(portalLogins)
    .where(
      and(
        eq(portalLogins.agencyId, agencyId),
        or(
          eq(portalLogins.clientId, clientId),
          sql`EXISTS (SELECT 1 FROM portal_representations r WHERE r.login_id = ${portalLogins.id} AND r.client_id = ${clientId} AND r.agency_id = ${agencyId} AND r.ended_at IS NULL)`,
        ),
      ),
    )
    .orderBy(asc(portalLogins.id))
    .all();
}

/** A record whose access may end by time: what the expiries list and the cron evaluate. */
export interface EndingRecord {
  id: number;
  agencyId: number;
  loginId: number;
  clientId: number;
  name: string;
  relationship: PortalRepresentation["relationship"];
  relationshipOther: string | null;
  legalBasis: PortalRepresentation["legalBasis"];
  startDate: string;
  endDate: string | null;
  guardianship: boolean;
  endRecordedAt: number | null;
  username: string;
  active: boolean;
  blockedAt: number | null;
  clientFirstName: string;
  clientLastName: string;
  clientDateOfBirth: string;
}

const endingColumns = {
  id: portalRepresentations.id,
  agencyId: portalRepresentations.agencyId,
  loginId: portalRepresentations.loginId,
  clientId: portalRepresentations.clientId,
  name: portalRepresentations.name,
  relationship: portalRepresentations.relationship,
  relationshipOther: portalRepresentations.relationshipOther,
  legalBasis: portalRepresentations.legalBasis,
  startDate: portalRepresentations.startDate,
  endDate: portalRepresentations.endDate,
  guardianship: portalRepresentations.guardianship,
  endRecordedAt: portalRepresentations.endRecordedAt,
  username: portalLogins.username,
  active: portalLogins.active,
  blockedAt: portalLogins.blockedAt,
  clientFirstName: clients.firstName,
  clientLastName: clients.lastName,
  clientDateOfBirth: clients.dateOfBirth,
};

/**
 * Records of representative logins not ended by staff whose end date, or majority birthday (parent
 * of a minor without guardianship), is on or before `through` (YYYY-MM-DD) — a generous bound:
 * the caller applies the rule with each agency's own today and settings. `agencyId` null: every
 * agency (the cron); `unrecorded`: only those whose end the cron hasn't logged yet.
 */
export async function recordsEndingBy(db: Db, opts: { agencyId: number | null; through: string; unrecorded?: boolean }): Promise<EndingRecord[]> {
  // Majority at the lowest age an agency may set (16, NUMBER_SETTINGS) is the widest net; the rule
  // itself, with the agency's own age, decides in JS.
  const byMajorityAny = sql`(${portalRepresentations.legalBasis} = 'parent-of-minor' AND ${portalRepresentations.guardianship} = 0
    AND date(${clients.dateOfBirth}, '+16 years') <= ${opts.through})`;
  return db
    .select(endingColumns)
    .from(portalRepresentations)
    .innerJoin(portalLogins, and(eq(portalLogins.id, portalRepresentations.loginId), eq(portalLogins.agencyId, portalRepresentations.agencyId)))
    .innerJoin(clients, and(eq(clients.id, portalRepresentations.clientId), eq(clients.agencyId, portalRepresentations.agencyId)))
    .where(
      and(
        opts.agencyId === null ? undefined : eq(portalRepresentations.agencyId, opts.agencyId),
        eq(portalLogins.representative, true),
        isNull(portalRepresentations.endedAt),
        opts.unrecorded ? isNull(portalRepresentations.endRecordedAt) : undefined,
        or(sql`${portalRepresentations.endDate} <= ${opts.through}`, byMajorityAny),
      ),
    )
    .orderBy(asc(portalRepresentations.agencyId), asc(portalRepresentations.id))
    .all();
}
