/**
 * A password sign-in's throttle charge before the hash and its settlement after it: the attempt
 * charged to the login (or the unknown username), the device and the address in one round trip,
 * then given back once the password is right. Scoped by the agency found from the URL's slug.
 */
import { and, eq, sql, type SQL } from "drizzle-orm";
import type { Db } from "../db";
import { linksInForceQuery, type CandidateRow } from "../families/links-in-force";
import { portalLogins } from "../db/schema";
import { accountCharge, chargeAccountRow, chargeCounters, giveBack, readCounters, roomBeforeAccount, type AccountState, type Attempt, type ThrottleRow } from "../auth/throttle";
import { portalAgencyQuery, type PortalAgency } from "./portal-agency";
import { signInLoginQuery, type SignInLogin } from "./sign-in-login";

/** The agency's login with this username, only if its client is the same agency's. */
const loginNamed = (agencyId: number, usernameKey: string) =>
  and(
    eq(portalLogins.agencyId, agencyId),
    eq(portalLogins.usernameKey, usernameKey),
    sql`EXISTS (SELECT 1 FROM clients WHERE clients.id = portal_logins.client_id AND clients.agency_id = portal_logins.agency_id)`,
  );

/** A portal login's own columns as the account's throttle count. */
export const loginAccountColumns = {
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
