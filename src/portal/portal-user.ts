/**
 * The signed-in person as every portal page sees them, and the session check that loads them: the
 * login behind a session, scoped by the agency found from the URL's slug and by the session's own
 * login and device row. Nothing here takes a client id from a request.
 */
import { and, eq, isNull, sql, type Placeholder } from "drizzle-orm";
import type { Db } from "../db";
import { reusable } from "../db/reusable";
import type { SettingDefaultVars } from "../db/agency-settings";
import { agencyToday } from "../layout/agency-time";
import { linksFromRows, linksInForceQuery, type CandidateRow, type LinksInForce } from "../families/links-in-force";
import { clients, portalLogins, portalRepresentations, portalSessions } from "../db/schema";
import type { AccessFacts } from "../representatives/access";
import { accessFactsColumns, accessFactsOf, representationJoin } from "../representatives/facts";
import { findPortalAgency, portalAgencyQuery, type PortalAgency } from "./portal-agency";
import type { BatchItem } from "drizzle-orm/batch";

/** The signed-in person as every portal page sees them. */
export interface PortalUser {
  loginId: number;
  username: string;
  representative: boolean;
  mustChangePassword: boolean;
  /** False for a login that chose a passkey instead of a password (with an emailed link). */
  hasPassword: boolean;
  tempPasswordExpiresAt: number | null;
  sessionVersion: number;
  /**
   * The client this request acts for: the login's own client, or for a login linked to several
   * clients the one this session chose ("Whose information?"; src/families/portal-scope.ts).
   */
  clientId: number;
  clientName: string;
  /** The client the login was created for (portal_logins.client_id), whatever this session chose. */
  homeClientId: number;
  /** How entries name the person's standing for `clientId` ("representative: parent"); null for the client's own login. */
  actingAs: string | null;
  /** Every client the login may act for now (2+: the portal shows the switcher). */
  choices: { clientId: number; name: string; actingAs: string | null }[];
  /** Linked to several clients and none chosen (or the chosen one's link ended): "Whose information?" first. */
  mustChoose: boolean;
  /**
   * The first name of the client this session had chosen when that client is no longer in force
   * (its link ended, its consent was revoked) and others are: "Whose information?" says whose
   * access ended. Null otherwise.
   */
  choiceEnded?: string | null;
  /** This device's session (portal_sessions): its id, and when it began. */
  sessionId: string;
  signedInAt: number;
  /** Seconds the session has left without activity (set by loadPortalAgencyAndUser, for public/app.js). */
  sessionSecondsLeft?: number;
  /** The access rule's facts for this login and client, read with the session (src/representatives/access.ts). */
  access: AccessFacts;
}

/** A session's claims, to look up with the agency (see findPortalAgencyAndLogin). */
export interface SessionLookup {
  agencyId: number;
  loginId: number;
  sessionId: string;
  /** Epoch ms: move the session's last-seen time to it (the cookie is being refreshed). */
  seenAt?: number;
}

/**
 * Every portal request's first and only round trip before its page's own reads: the agency of the
 * URL's slug and, when the request carries a session, the login behind it (findSessionLogin's
 * checks) and the clients it may act for today (src/families/links-in-force.ts), in one batch.
 * The caller checks that the session's agency is the slug's.
 *
 * The links' SQL needs "today" in the agency's time zone before the agency is read: it is taken
 * from `assumed` (the agency as this isolate last saw it; UTC without one). When the fresh agency's
 * today differs, `links` is undefined and the caller reads them again (one more round trip, rare).
 */
export async function findPortalAgencyAndLogin(
  db: Db,
  env: SettingDefaultVars,
  slug: string,
  session: SessionLookup | null,
  assumed: PortalAgency | null,
  /** A page's reads, sent in the same batch (src/portal/portal-reads.ts); their rows come back as `readRows`. */
  reads: BatchItem<"sqlite">[] = [],
): Promise<{ agency: PortalAgency | null; user: PortalUser | null; links?: LinksInForce; readRows?: unknown[] }> {
  if (!session) return { agency: (await findPortalAgency(db, slug)) ?? null, user: null };
  const today = agencyToday(assumed?.timezone ?? "UTC");
  const login = sessionLoginQueries(db, session);
  const [agencies, ...rest] = await db.batch([
    portalAgencyQuery(db, slug),
    ...login,
    linksInForceQuery(db, session.agencyId, { id: session.loginId }, today, session.sessionId),
    ...reads,
  ]);
  const agency = agencies[0] ?? null;
  // In order: the login's statements (the read last), the links, then the page's reads.
  const user = sessionLoginFromRows(rest[login.length - 1] as unknown as SessionLoginRow[]);
  const sameDay = agency !== null && agency.id === session.agencyId && agencyToday(agency.timezone) === today;
  return {
    agency,
    user,
    links: sameDay ? linksFromRows(rest[login.length] as CandidateRow[], env, agency, today) : undefined,
    readRows: reads.length > 0 ? rest.slice(login.length + 1) : undefined,
  };
}

/**
 * The login behind a session, only while it is active, belongs to this agency and its client is
 * this agency's, and only while this device's session row holds (not ended, made under the
 * login's current session version); null otherwise. The caller compares the token's version.
 * One D1 round trip: with `seenAt` (the cookie is being refreshed, at most once a minute) the
 * session's last-seen time is moved in the same batch.
 */
export async function findSessionLogin(db: Db, agencyId: number, loginId: number, sessionId: string, seenAt?: number): Promise<PortalUser | null> {
  const [first, ...rest] = sessionLoginQueries(db, { agencyId, loginId, sessionId, seenAt });
  const rows = await db.batch([first!, ...rest]);
  return sessionLoginFromRows(rows.at(-1) as unknown as SessionLoginRow[]);
}

/** findSessionLogin's statements: the last-seen touch (with `seenAt`), then the read. */
function sessionLoginQueries(db: Db, lookup: SessionLookup) {
  const { agencyId, loginId, sessionId, seenAt } = lookup;
  const query = sessionLoginSelect(db, { agencyId, loginId, sessionId });
  if (seenAt === undefined) return [query];
  return [sessionTouch(db, { agencyId, loginId, sessionId, seenAt }), query];
}

type SessionIds = "agencyId" | "loginId" | "sessionId";

/** The session's last-seen time moved on, while it is open (built once: src/db/reusable.ts). */
const sessionTouch = reusable((db, p: (name: SessionIds | "seenAt") => Placeholder) =>
  db
    .update(portalSessions)
    .set({ lastSeenAt: sql`${p("seenAt")}` })
    .where(and(eq(portalSessions.id, p("sessionId")), eq(portalSessions.loginId, p("loginId")), eq(portalSessions.agencyId, p("agencyId")), isNull(portalSessions.endedAt))),
);

/** The read of sessionLoginQueries (built once). */
const sessionLoginSelect = reusable((db, p: (name: SessionIds) => Placeholder) =>
  db
    .select({
      loginId: portalLogins.id,
      username: portalLogins.username,
      representative: portalLogins.representative,
      mustChangePassword: portalLogins.mustChangePassword,
      hasPassword: sql<number>`${portalLogins.passwordHash} IS NOT NULL`.as("has_password"),
      tempPasswordExpiresAt: portalLogins.tempPasswordExpiresAt,
      sessionVersion: portalLogins.sessionVersion,
      // Aliased: inside db.batch drizzle maps D1's rows by column NAME, so the three "id"s
      // (login, client, session) would collapse and shift every field after them.
      clientId: sql<number>`${clients.id}`.as("client_pk"),
      firstName: clients.firstName,
      lastName: clients.lastName,
      sessionId: sql<string>`${portalSessions.id}`.as("session_pk"),
      signedInAt: portalSessions.createdAt,
      ...accessFactsColumns,
    })
    .from(portalLogins)
    .innerJoin(clients, and(eq(clients.id, portalLogins.clientId), eq(clients.agencyId, portalLogins.agencyId)))
    .innerJoin(
      portalSessions,
      and(
        eq(portalSessions.id, p("sessionId")),
        eq(portalSessions.loginId, portalLogins.id),
        eq(portalSessions.agencyId, portalLogins.agencyId),
        isNull(portalSessions.endedAt),
        eq(portalSessions.sessionVersion, portalLogins.sessionVersion),
      ),
    )
    // The representation for the session's client (today the login's own; families: the chosen one).
    .leftJoin(portalRepresentations, representationJoin(portalLogins.clientId))
    .where(and(eq(portalLogins.id, p("loginId")), eq(portalLogins.agencyId, p("agencyId")), eq(portalLogins.active, true)))
    .limit(1),
);

type SessionLoginRow = Awaited<ReturnType<typeof sessionLoginSelect>>[number];

function sessionLoginFromRows(rows: SessionLoginRow[]): PortalUser | null {
  const row = rows[0];
  if (!row) return null;
  const { firstName, lastName, hasPassword, accActive, accRepresentative, accBlockedAt, accDateOfBirth, accRepId, accRepBasis, accRepStart, accRepEnd, accRepGuardianship, accRepEndedAt, ...rest } = row;
  const access = accessFactsOf({ accActive, accRepresentative, accBlockedAt, accDateOfBirth, accRepId, accRepBasis, accRepStart, accRepEnd, accRepGuardianship, accRepEndedAt });
  return { ...rest, hasPassword: Boolean(hasPassword), clientName: `${firstName} ${lastName}`, access, homeClientId: rest.clientId, actingAs: null, choices: [], mustChoose: false };
}
