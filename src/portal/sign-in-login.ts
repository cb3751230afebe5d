/**
 * The login a sign-in names (by username, or by id for a passkey), with the columns sign-in
 * decides on, and the condition a passkey sign-in's writes hold under. Every query is scoped by
 * the agency found from the URL's slug.
 */
import { and, eq, sql, type SQL } from "drizzle-orm";
import type { Statement } from "../audit/chained-log";
import type { Db } from "../db";
import { clients, portalLogins, portalRepresentations } from "../db/schema";
import { accessFactsColumns, representationJoin } from "../representatives/facts";

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
export function signInLoginQuery(db: Db, agencyId: number, usernameKey: string) {
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
