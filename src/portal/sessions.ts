/**
 * A portal login's sessions, one row per device (portal_sessions). The session JWT carries the
 * row's random id (`sid`); the session check on every request (portal-user.ts findSessionLogin) reads
 * the row together with the login, so ending one row ends that device's session at once, and
 * moving the login's session_version on (deactivation, a password reset or change, Log out
 * everywhere) ends every row made under the old version.
 *
 * A row is *active* while it isn't ended, its version is the login's, and its session hasn't
 * passed the idle or absolute limit. Rows that can't become active again are deleted by the hourly
 * purge a day later (nothing shows them; the client's log keeps the sign-ins and log-outs).
 */
import { and, desc, eq, gt, isNull, lte, or, sql } from "drizzle-orm";
import { encodeBase64urlNoPadding } from "@oslojs/encoding";
import type { Statement } from "../audit/chained-log";
import type { SessionLimits } from "../auth/session";
import type { Db } from "../db";
import { portalLogins, portalSessions, type PortalSession } from "../db/schema";

export type SessionMethod = PortalSession["method"];

/** A new session id: 128 random bits. Not a secret on its own (the JWT around it is signed). */
export const newSessionId = () => encodeBase64urlNoPadding(crypto.getRandomValues(new Uint8Array(16)));

/** A new session's row, as the sign-in knows it before the commit (see sessionInsertAfterChange). */
export interface NewSession {
  id: string;
  loginId: number;
  agencyId: number;
  /** null: the login's version as the batch left it (a commit that moves it on, e.g. a link used). */
  sessionVersion: number | null;
  device: string;
  country: string | null;
  city: string | null;
  method: SessionMethod;
}

/**
 * A new session's row as a statement for a sign-in's commit (the client's log, with the Login
 * entry): it inserts only if the statement just before it changed rows (the login's update that
 * the entry is guarded on), and so the entry after it lands exactly when the session does. One
 * batch: never a Login entry without its session, nor a session without its entry.
 */
export function sessionInsertAfterChange(s: NewSession, now: number): Statement {
  const version = s.sessionVersion === null ? "(SELECT session_version FROM portal_logins WHERE id = ? AND agency_id = ?)" : "?";
  return {
    sql:
      "INSERT INTO portal_sessions (id, login_id, agency_id, session_version, created_at, last_seen_at, device, country, city, method) " +
      `SELECT ?, ?, ?, ${version}, ?, ?, ?, ?, ?, ? WHERE changes() > 0`,
    params: [s.id, s.loginId, s.agencyId, ...(s.sessionVersion === null ? [s.loginId, s.agencyId] : [s.sessionVersion]), now, now, s.device, s.country, s.city, s.method],
  };
}

/**
 * Whether a session row is there, and whether it has ended: how a sign-in or a log-out whose
 * client-log call failed with its outcome open (commitChange's `landed`) finds out if it landed.
 */
export async function sessionState(db: Db, agencyId: number, sessionId: string): Promise<"none" | "open" | "ended"> {
  const row = await db
    .select({ endedAt: portalSessions.endedAt })
    .from(portalSessions)
    .where(and(eq(portalSessions.id, sessionId), eq(portalSessions.agencyId, agencyId)))
    .get();
  return !row ? "none" : row.endedAt === null ? "open" : "ended";
}

/** The login's active sessions, most recently seen first (the Devices page). */
export function listActiveSessions(db: Db, agencyId: number, loginId: number, limits: SessionLimits, now: number): Promise<PortalSession[]> {
  return db
    .select({ s: portalSessions })
    .from(portalSessions)
    .innerJoin(portalLogins, and(eq(portalLogins.id, portalSessions.loginId), eq(portalLogins.agencyId, portalSessions.agencyId)))
    .where(
      and(
        eq(portalSessions.loginId, loginId),
        eq(portalSessions.agencyId, agencyId),
        isNull(portalSessions.endedAt),
        eq(portalSessions.sessionVersion, portalLogins.sessionVersion),
        gt(portalSessions.lastSeenAt, now - limits.idleSeconds * 1000),
        gt(portalSessions.createdAt, now - limits.maxSeconds * 1000),
      ),
    )
    .orderBy(desc(portalSessions.lastSeenAt), desc(portalSessions.createdAt))
    .all()
    .then((rows) => rows.map((r) => r.s));
}

/** One of the login's sessions that hasn't ended; null for another login's, or none. */
export async function findOpenSession(db: Db, agencyId: number, loginId: number, sessionId: string): Promise<PortalSession | null> {
  const row = await db
    .select()
    .from(portalSessions)
    .where(and(eq(portalSessions.id, sessionId), eq(portalSessions.loginId, loginId), eq(portalSessions.agencyId, agencyId), isNull(portalSessions.endedAt)))
    .get();
  return row ?? null;
}

/** Ends one of the login's sessions, as a statement for the commit that logs it (changes no row if already ended). */
export function endSessionStatement(db: Db, agencyId: number, loginId: number, sessionId: string, now: number): Statement {
  return db
    .update(portalSessions)
    .set({ endedAt: now })
    .where(and(eq(portalSessions.id, sessionId), eq(portalSessions.loginId, loginId), eq(portalSessions.agencyId, agencyId), isNull(portalSessions.endedAt)))
    .toSQL();
}

/**
 * Ends every session of the login (Log out everywhere): its rows marked ended, then its session
 * version moved on — only from the version this session knew, so it never undoes a newer change.
 * The version's UPDATE is last: the commit's entry is written only if it changed the login.
 */
export function endAllSessionsStatements(db: Db, agencyId: number, loginId: number, sessionVersion: number, now: number): Statement[] {
  return [
    db
      .update(portalSessions)
      .set({ endedAt: now })
      .where(and(eq(portalSessions.loginId, loginId), eq(portalSessions.agencyId, agencyId), isNull(portalSessions.endedAt)))
      .toSQL(),
    db
      .update(portalLogins)
      .set({ sessionVersion: sql`${portalLogins.sessionVersion} + 1` })
      .where(and(eq(portalLogins.id, loginId), eq(portalLogins.agencyId, agencyId), eq(portalLogins.sessionVersion, sessionVersion)))
      .toSQL(),
  ];
}

/**
 * Carries this session over to the login's next session version (a password change: every other
 * session ends, this one goes on), as a statement to run just before the change's own UPDATE of
 * the login — and only when that UPDATE will apply (the login still active at `fromVersion`).
 */
export function keepSessionStatement(db: Db, agencyId: number, loginId: number, sessionId: string, fromVersion: number): Statement {
  const loginStillAt = sql`EXISTS (SELECT 1 FROM portal_logins l WHERE l.id = ${loginId} AND l.agency_id = ${agencyId} AND l.active = 1 AND l.session_version = ${fromVersion})`;
  return db
    .update(portalSessions)
    .set({ sessionVersion: fromVersion + 1 })
    .where(
      and(
        eq(portalSessions.id, sessionId),
        eq(portalSessions.loginId, loginId),
        eq(portalSessions.agencyId, agencyId),
        eq(portalSessions.sessionVersion, fromVersion),
        isNull(portalSessions.endedAt),
        loginStillAt,
      ),
    )
    .toSQL();
}

/** How long a spent session row is kept before the purge deletes it. */
const KEEP_SPENT_MS = 24 * 3_600_000;

/**
 * Deletes the session rows that can't open a session any more — ended, idle past the limit, or
 * past the absolute limit — a day after that (run hourly by the cron). Rows whose version fell
 * behind the login's go once idle, like the rest.
 */
export async function purgeSpentSessions(db: Db, limits: SessionLimits, now: number): Promise<number> {
  const cutoff = now - KEEP_SPENT_MS;
  const result = await db
    .delete(portalSessions)
    .where(
      or(
        lte(portalSessions.endedAt, cutoff),
        lte(portalSessions.lastSeenAt, cutoff - limits.idleSeconds * 1000),
        lte(portalSessions.createdAt, cutoff - limits.maxSeconds * 1000),
      ),
    )
    .run();
  return result.meta.changes ?? 0;
}
