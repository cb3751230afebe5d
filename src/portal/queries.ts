/**
 * The portal's reads and small writes. Every query is scoped by the agency found from the URL's
 * slug and, after sign-in, by the login and client of the session: nothing here takes a client id
 * from a request.
 */
import { and, desc, eq, isNotNull, isNull, or, sql, type SQL } from "drizzle-orm";
import type { Statement } from "../audit/chained-log";
import type { Db } from "../db";
import { agencySettingsColumns, type AgencySettingsRow, type SettingDefaultVars } from "../db/agency-settings";
import { agencyToday } from "../layout/agency-time";
import { linksFromRows, linksInForceQuery, type CandidateRow, type LinksInForce } from "../families/links-in-force";
import { agencies, clientLog, clients, portalLogins, portalRepresentations, portalSessions } from "../db/schema";
import { notFromMinorConsentedCaseSql } from "../minor-consent/rule";
import type { AccessFacts } from "../representatives/access";
import { accessFactsColumns, accessFactsOf, representationJoin } from "../representatives/facts";
import { accountCharge, chargeAccountRow, chargeCounters, giveBack, readCounters, roomBeforeAccount, type AccountState, type Attempt, type ThrottleRow } from "../auth/throttle";

/** The agency of a portal URL, with its settings columns (`effectiveSettings(env, agency)`). */
export type PortalAgency = { id: number; name: string; slug: string } & AgencySettingsRow;

/** The agency whose portal this slug is, only when it is contracted for the portal; else null. */
export async function findPortalAgency(db: Db, slug: string): Promise<PortalAgency | null> {
  const row = await portalAgencyQuery(db, slug).get();
  return row ?? null;
}

/** The query behind findPortalAgency, for a batch. */
export function portalAgencyQuery(db: Db, slug: string) {
  return db
    .select({ id: agencies.id, name: agencies.name, slug: agencies.slug, ...agencySettingsColumns })
    .from(agencies)
    .where(and(eq(agencies.slug, slug), eq(agencies.portalEnabled, true)));
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
): Promise<{ agency: PortalAgency | null; user: PortalUser | null; links?: LinksInForce }> {
  if (!session) return { agency: (await findPortalAgency(db, slug)) ?? null, user: null };
  const today = agencyToday(assumed?.timezone ?? "UTC");
  const login = sessionLoginQueries(db, session);
  const [agencies, ...rest] = await db.batch([
    portalAgencyQuery(db, slug),
    ...login,
    linksInForceQuery(db, session.agencyId, { id: session.loginId }, today, session.sessionId),
  ]);
  const agency = agencies[0] ?? null;
  const user = sessionLoginFromRows(rest.at(-2) as unknown as SessionLoginRow[]);
  const sameDay = agency !== null && agency.id === session.agencyId && agencyToday(agency.timezone) === today;
  return { agency, user, links: sameDay ? linksFromRows(rest.at(-1) as CandidateRow[], env, agency, today) : undefined };
}

/** Usernames are case-insensitive: the key they are stored and looked up under. */
export const usernameKeyOf = (username: string) => username.trim().normalize("NFKC").toLowerCase();

const signInColumns = {
  id: portalLogins.id,
  clientId: portalLogins.clientId,
  username: portalLogins.username,
  passwordHash: portalLogins.passwordHash,
  active: portalLogins.active,
  /** Issue 11: a representative's access also follows the 42 CFR Part 2 consent rule. */
  representative: portalLogins.representative,
  mustChangePassword: portalLogins.mustChangePassword,
  tempPasswordExpiresAt: portalLogins.tempPasswordExpiresAt,
  sessionVersion: portalLogins.sessionVersion,
  failedAttempts: portalLogins.failedAttempts,
  lockedUntil: portalLogins.lockedUntil,
  clientRefused: clients.refusedPortalLogin,
  // The access rule's facts (src/representatives/access.ts), in the same round trip.
  ...accessFactsColumns,
};

/** The query for sign-in's login: this agency's, with this username, only if its client is the agency's too. */
function signInLoginQuery(db: Db, agencyId: number, usernameKey: string) {
  return db
    .select(signInColumns)
    .from(portalLogins)
    .innerJoin(clients, and(eq(clients.id, portalLogins.clientId), eq(clients.agencyId, portalLogins.agencyId)))
    .leftJoin(portalRepresentations, representationJoin(portalLogins.clientId))
    .where(and(eq(portalLogins.agencyId, agencyId), eq(portalLogins.usernameKey, usernameKey)));
}

export type SignInLogin = Awaited<ReturnType<typeof signInLoginQuery>>[number];

/** This agency's login with this id, with sign-in's columns (passkey sign-in: the passkey names it). */
export async function findSignInLoginById(db: Db, agencyId: number, loginId: number): Promise<SignInLogin | null> {
  const row = await db
    .select(signInColumns)
    .from(portalLogins)
    .innerJoin(clients, and(eq(clients.id, portalLogins.clientId), eq(clients.agencyId, portalLogins.agencyId)))
    .leftJoin(portalRepresentations, representationJoin(portalLogins.clientId))
    .where(and(eq(portalLogins.agencyId, agencyId), eq(portalLogins.id, loginId)))
    .get();
  return row ?? null;
}

/**
 * Whether a login may sign in now, as SQL for a conditional write: active, not locked, its client
 * the agency's and not refusing portal login, the agency contracted for the portal. A passkey
 * sign-in writes only under it, so a login deactivated (or a client marked refused) a moment
 * before can't slip through between the read and the commit.
 */
export function loginMaySignIn(agencyId: number, loginId: number, now: number): SQL {
  return sql`EXISTS (SELECT 1 FROM portal_logins l
    JOIN clients c ON c.id = l.client_id AND c.agency_id = l.agency_id
    JOIN agencies a ON a.id = l.agency_id
    WHERE l.id = ${loginId} AND l.agency_id = ${agencyId} AND l.active = 1
      AND (l.locked_until IS NULL OR l.locked_until <= ${now})
      AND c.refused_portal_login = 0 AND a.portal_enabled = 1)`;
}

/**
 * A passkey sign-in's write to the login — last login now, its failed sign-ins forgotten as after a
 * right password — only if the statement before it (the passkey's use) changed a row.
 */
export function passkeySignedInStatement(db: Db, agencyId: number, loginId: number, now: number): Statement {
  return db
    .update(portalLogins)
    .set({ lastLoginAt: now, failedAttempts: 0, lockedUntil: null, lastFailedAt: null })
    .where(and(eq(portalLogins.id, loginId), eq(portalLogins.agencyId, agencyId), sql`changes() > 0`))
    .toSQL();
}

/** The agency's login with this username, only if its client is the same agency's. */
const loginNamed = (agencyId: number, usernameKey: string) =>
  and(
    eq(portalLogins.agencyId, agencyId),
    eq(portalLogins.usernameKey, usernameKey),
    sql`EXISTS (SELECT 1 FROM clients WHERE clients.id = portal_logins.client_id AND clients.agency_id = portal_logins.agency_id)`,
  );

/** A portal login's own columns as the account's throttle count. */
const loginAccountColumns = {
  failures: sql`portal_logins.failed_attempts`,
  lastFailedAt: sql`portal_logins.last_failed_at`,
  lockedUntil: sql`portal_logins.locked_until`,
};

/**
 * Sign-in's one round trip before the hash: charges the attempt — to the login's own count when the
 * username names one of this agency's logins, else to the unknown username's account row, with the
 * same arithmetic — and to the device and address counters, then reads the login, the counters
 * and the clients the login may act for on `today` (the agency's date; `candidates`).
 * `accepted` says whether the password may be checked.
 */
export async function chargeSignIn(db: Db, a: Attempt, agency: PortalAgency, usernameKey: string, today: string) {
  const agencyId = agency.id;
  const charge = accountCharge(a, loginAccountColumns);
  const assumed = agencyAsAssumed(agency);
  const [fresh, known, unknown, ...rest] = await db.batch([
    portalAgencyQuery(db, agency.slug),
    db
      .update(portalLogins)
      .set({ failedAttempts: charge.failures, lockedUntil: charge.lockedUntil, lastFailedAt: a.now })
      .where(and(assumed, loginNamed(agencyId, usernameKey), roomBeforeAccount(a), charge.accepts))
      .returning({ failures: portalLogins.failedAttempts, lockedUntil: portalLogins.lockedUntil }),
    chargeAccountRow(db, a, sql`${assumed} AND NOT EXISTS (SELECT 1 FROM portal_logins WHERE ${loginNamed(agencyId, usernameKey)})`),
    ...chargeCounters(db, a, assumed),
    signInLoginQuery(db, agencyId, usernameKey),
    readCounters(db, a),
    // The clients the login may act for on `today` (src/families/links-in-force.ts), read here so
    // that nothing is read between the hash and the commit; an unknown username reads none.
    linksInForceQuery(db, agencyId, { usernameKey }, today),
  ]);
  const logins = rest.at(-3) as SignInLogin[];
  const rows = rest.at(-2) as ThrottleRow[];
  const candidates = rest.at(-1) as CandidateRow[];
  const login = logins[0] ?? null;
  const accountRow = rows.find((r) => r.key === a.subject);
  const account: AccountState | null = login
    ? { failures: login.failedAttempts, lockedUntil: login.lockedUntil }
    : accountRow
      ? { failures: accountRow.failures, lockedUntil: accountRow.lockedUntil }
      : null;
  const agencyNow = fresh[0] ?? null;
  // The agency changed since it was assumed (or its portal ended): nothing above was charged.
  if (!agencyNow || !sameSignInAgency(agencyNow, agency)) return { stale: true as const, agency: agencyNow };
  return { stale: false as const, agency: agencyNow, accepted: known.length + unknown.length > 0, login, account, rows, candidates };
}

/**
 * SQL that holds while the agency is as the sign-in assumed it: the same id and slug, contracted
 * for the portal, with the same lock settings (the throttle's arithmetic was built from them).
 */
function agencyAsAssumed(agency: PortalAgency): SQL {
  return sql`EXISTS (SELECT 1 FROM agencies WHERE id = ${agency.id} AND slug = ${agency.slug} AND portal_enabled = 1
    AND lock_after_failures IS ${agency.lockAfterFailures} AND lock_minutes IS ${agency.lockMinutes})`;
}

/** Whether two reads of an agency agree on what agencyAsAssumed checks. */
function sameSignInAgency(x: PortalAgency, y: PortalAgency): boolean {
  return x.id === y.id && x.slug === y.slug && x.lockAfterFailures === y.lockAfterFailures && x.lockMinutes === y.lockMinutes;
}

/**
 * A verified password's writes: the charge given back (the login's count, the device's, one of
 * the address's), and for a sign-in the last login time and a fresher hash if one is given.
 */
function settleQueries(db: Db, a: Attempt, agencyId: number, loginId: number, opts: { signedIn: boolean; newHash?: string }) {
  return [
    ...giveBack(db, a, { accountRow: false }),
    // Last: the client's log writes a sign-in's entry only if this changed the row.
    db
      .update(portalLogins)
      .set({
        failedAttempts: 0,
        lockedUntil: null,
        lastFailedAt: null,
        ...(opts.signedIn ? { lastLoginAt: a.now } : {}),
        ...(opts.newHash ? { passwordHash: opts.newHash } : {}),
      })
      .where(and(eq(portalLogins.id, loginId), eq(portalLogins.agencyId, agencyId))),
  ] as const;
}

/** A verified password that doesn't sign in (an expired temporary one, a current-password check): the charge given back. */
export async function giveBackCharge(db: Db, a: Attempt, agencyId: number, loginId: number) {
  await db.batch(settleQueries(db, a, agencyId, loginId, { signedIn: false }));
}

/** A sign-in's writes, as statements for the client's log to commit with the Login entry (one round trip). */
export function signedInStatements(db: Db, a: Attempt, agencyId: number, loginId: number, newHash?: string) {
  return settleQueries(db, a, agencyId, loginId, { signedIn: true, newHash }).map((q) => q.toSQL());
}

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
  const query = sessionLoginSelect(db, lookup);
  if (seenAt === undefined) return [query];
  const touch = db
    .update(portalSessions)
    .set({ lastSeenAt: seenAt })
    .where(and(eq(portalSessions.id, sessionId), eq(portalSessions.loginId, loginId), eq(portalSessions.agencyId, agencyId), isNull(portalSessions.endedAt)));
  return [touch, query];
}

/** The read of sessionLoginQueries. */
function sessionLoginSelect(db: Db, { agencyId, loginId, sessionId }: SessionLookup) {
  return db
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
        eq(portalSessions.id, sessionId),
        eq(portalSessions.loginId, portalLogins.id),
        eq(portalSessions.agencyId, portalLogins.agencyId),
        isNull(portalSessions.endedAt),
        eq(portalSessions.sessionVersion, portalLogins.sessionVersion),
      ),
    )
    // The representation for the session's client (today the login's own; families: the chosen one).
    .leftJoin(portalRepresentations, representationJoin(portalLogins.clientId))
    .where(and(eq(portalLogins.id, loginId), eq(portalLogins.agencyId, agencyId), eq(portalLogins.active, true)))
    .limit(1);
}

type SessionLoginRow = Awaited<ReturnType<typeof sessionLoginSelect>>[number];

function sessionLoginFromRows(rows: SessionLoginRow[]): PortalUser | null {
  const row = rows[0];
  if (!row) return null;
  const { firstName, lastName, hasPassword, accActive, accRepresentative, accBlockedAt, accDateOfBirth, accRepId, accRepBasis, accRepStart, accRepEnd, accRepGuardianship, accRepEndedAt, ...rest } = row;
  const access = accessFactsOf({ accActive, accRepresentative, accBlockedAt, accDateOfBirth, accRepId, accRepBasis, accRepStart, accRepEnd, accRepGuardianship, accRepEndedAt });
  return { ...rest, hasPassword: Boolean(hasPassword), clientName: `${firstName} ${lastName}`, access, homeClientId: rest.clientId, actingAs: null, choices: [], mustChoose: false };
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
export async function listClientActions(
  db: Db,
  agencyId: number,
  clientId: number,
  page: number,
  /** A representative is looking: entries of cases a minor consented to are left out (issue 11). */
  representative = false,
): Promise<{ actions: ClientAction[]; hasOlder: boolean }> {
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
        representative ? notFromMinorConsentedCaseSql(agencyId, clientId) : undefined,
      ),
    )
    .orderBy(desc(clientLog.seq))
    .limit(ACTIVITY_PAGE_SIZE + 1)
    .offset((page - 1) * ACTIVITY_PAGE_SIZE)
    .all();
  return { actions: rows.slice(0, ACTIVITY_PAGE_SIZE), hasOlder: rows.length > ACTIVITY_PAGE_SIZE };
}
