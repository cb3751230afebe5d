/**
 * The portal's reads and small writes. Every query is scoped by the agency found from the URL's
 * slug and, after sign-in, by the login and client of the session: nothing here takes a client id
 * from a request.
 */
import { and, desc, eq, isNotNull, sql } from "drizzle-orm";
import type { Db } from "../db";
import { agencySettingsColumns, type AgencySettingsRow } from "../db/agency-settings";
import { agencies, clientLog, clients, portalLogins } from "../db/schema";
import { throttleRowsQuery, type ThrottleRow } from "../auth/throttle";

/** The agency of a portal URL, with its settings columns (`effectiveSettings(env, agency)`). */
export type PortalAgency = { id: number; name: string; slug: string } & AgencySettingsRow;

/** The agency whose portal this slug is, only when it is contracted for the portal; else null. */
export async function findPortalAgency(db: Db, slug: string): Promise<PortalAgency | null> {
  const row = await db
    .select({ id: agencies.id, name: agencies.name, slug: agencies.slug, ...agencySettingsColumns })
    .from(agencies)
    .where(and(eq(agencies.slug, slug), eq(agencies.portalEnabled, true)))
    .get();
  return row ?? null;
}

/** Usernames are case-insensitive: the key they are stored and looked up under. */
export const usernameKeyOf = (username: string) => username.trim().normalize("NFKC").toLowerCase();

const signInColumns = {
  id: portalLogins.id,
  clientId: portalLogins.clientId,
  username: portalLogins.username,
  passwordHash: portalLogins.passwordHash,
  active: portalLogins.active,
  mustChangePassword: portalLogins.mustChangePassword,
  tempPasswordExpiresAt: portalLogins.tempPasswordExpiresAt,
  sessionVersion: portalLogins.sessionVersion,
  lockedUntil: portalLogins.lockedUntil,
};

/**
 * Everything sign-in needs, in one round trip: the agency's login with this username (only if its
 * client is the same agency's) and the throttle rows of the given keys.
 */
export async function loadSignInState(db: Db, agencyId: number, usernameKey: string, throttleKeys: string[]) {
  const [logins, throttles] = await db.batch([
    db
      .select(signInColumns)
      .from(portalLogins)
      .innerJoin(clients, and(eq(clients.id, portalLogins.clientId), eq(clients.agencyId, portalLogins.agencyId)))
      .where(and(eq(portalLogins.agencyId, agencyId), eq(portalLogins.usernameKey, usernameKey))),
    throttleRowsQuery(db, throttleKeys),
  ]);
  return { login: logins[0] ?? null, throttles: throttles as ThrottleRow[] };
}

export type SignInLogin = NonNullable<Awaited<ReturnType<typeof loadSignInState>>["login"]>;

/** A successful sign-in: last login time, failures cleared, and a fresher hash if one is given. */
export async function markSignedIn(db: Db, agencyId: number, loginId: number, now: number, newHash?: string) {
  await db
    .update(portalLogins)
    .set({ lastLoginAt: now, failedAttempts: 0, lockedUntil: null, ...(newHash ? { passwordHash: newHash } : {}) })
    .where(and(eq(portalLogins.id, loginId), eq(portalLogins.agencyId, agencyId)));
}

/** The signed-in person as every portal page sees them. */
export interface PortalUser {
  loginId: number;
  username: string;
  representative: boolean;
  mustChangePassword: boolean;
  tempPasswordExpiresAt: number | null;
  sessionVersion: number;
  clientId: number;
  clientName: string;
}

/**
 * The login behind a session, only while it is active, belongs to this agency and its client is
 * this agency's; null otherwise. The caller compares the session version.
 */
export async function findSessionLogin(db: Db, agencyId: number, loginId: number): Promise<PortalUser | null> {
  const row = await db
    .select({
      loginId: portalLogins.id,
      username: portalLogins.username,
      representative: portalLogins.representative,
      mustChangePassword: portalLogins.mustChangePassword,
      tempPasswordExpiresAt: portalLogins.tempPasswordExpiresAt,
      sessionVersion: portalLogins.sessionVersion,
      clientId: clients.id,
      firstName: clients.firstName,
      lastName: clients.lastName,
    })
    .from(portalLogins)
    .innerJoin(clients, and(eq(clients.id, portalLogins.clientId), eq(clients.agencyId, portalLogins.agencyId)))
    .where(and(eq(portalLogins.id, loginId), eq(portalLogins.agencyId, agencyId), eq(portalLogins.active, true)))
    .get();
  if (!row) return null;
  const { firstName, lastName, ...rest } = row;
  return { ...rest, clientName: `${firstName} ${lastName}` };
}

/** The login's current password hash (for "current password" checks). */
export async function loginPasswordHash(db: Db, agencyId: number, loginId: number): Promise<{ passwordHash: string | null; lockedUntil: number | null } | null> {
  const row = await db
    .select({ passwordHash: portalLogins.passwordHash, lockedUntil: portalLogins.lockedUntil })
    .from(portalLogins)
    .where(and(eq(portalLogins.id, loginId), eq(portalLogins.agencyId, agencyId)))
    .get();
  return row ?? null;
}

/** What Home shows of the Face Sheet: name, date of birth and the Current Residence. */
export async function getPortalHome(db: Db, agencyId: number, clientId: number) {
  const row = await db
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
    .where(and(eq(clients.id, clientId), eq(clients.agencyId, agencyId)))
    .get();
  return row ?? null;
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
export async function listClientActions(db: Db, agencyId: number, clientId: number, page: number): Promise<{ actions: ClientAction[]; hasOlder: boolean }> {
  const rows = await db
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
      ),
    )
    .orderBy(desc(clientLog.seq))
    .limit(ACTIVITY_PAGE_SIZE + 1)
    .offset((page - 1) * ACTIVITY_PAGE_SIZE)
    .all();
  return { actions: rows.slice(0, ACTIVITY_PAGE_SIZE), hasOlder: rows.length > ACTIVITY_PAGE_SIZE };
}

/**
 * Ends every session of a login (Log out): tokens carry the version they were made with. Only
 * from the version this session knew, so a log-out never undoes a newer change.
 */
export async function endLoginSessions(db: Db, agencyId: number, loginId: number, sessionVersion: number) {
  await db
    .update(portalLogins)
    .set({ sessionVersion: sql`${portalLogins.sessionVersion} + 1` })
    .where(and(eq(portalLogins.id, loginId), eq(portalLogins.agencyId, agencyId), eq(portalLogins.sessionVersion, sessionVersion)));
}
