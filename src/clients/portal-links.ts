/**
 * Portal links: single-use secrets emailed to a portal login — an invitation to choose a first
 * password (the agency's alternative to a temporary password), or a password reset asked for with
 * "Forgot password?". What this module guarantees:
 *
 * - A link carries 32 random bytes (src/auth/link-tokens.ts); only their SHA-256 is stored.
 * - A link works while unused, unexpired and not locked, for an active login of the link's own
 *   agency whose client is that agency's and has not refused portal login.
 * - Only the newest link of a login and purpose works: issuing one marks every earlier unused one
 *   used, in the same batch, under the same conditions.
 * - Issuing is a list of statements for the client's log (commitChange), so a link is never issued
 *   without its log entry: each statement carries the same conditions on the state before the
 *   batch, and the link's own insert comes last (the entry lands only if it did).
 * - Using a link (link-use.ts) is one conditional batch: the new credential, the end of other
 *   sessions and links, the lock cleared, and the link consumed — together or not at all.
 *
 * Dates of birth are checked in link-dob.ts.
 */
import { and, desc, eq, gt, inArray, isNotNull, isNull, lt, sql, type Placeholder, type SQL } from "drizzle-orm";
import { loginOfClient } from "./linked-logins";
import { hashLinkToken, isTokenShaped, newLinkToken } from "../auth/link-tokens";
import type { Statement } from "../audit/client-log";
import type { Db } from "../db";
import { reusable } from "../db/reusable";
import { clients, portalLogins, portalTokens } from "../db/schema";
import type { PortalLinkPurpose, PortalLinkSettings } from "./portal-link-settings";

export type { PortalLinkPurpose };

/** A link just issued: the secret (for the email only), its hash and when it stops working. */
export interface IssuedLink {
  token: string;
  tokenHash: string;
  expiresAt: number;
}

/**
 * The statements that issue a link of `purpose` to the login `login` selects (a condition on
 * `portal_logins`, e.g. its id) in `agencyId`, when `onlyIf` holds on the state before the batch
 * (the login must also be active). With `supersede`, every earlier unused link of that purpose is
 * marked used first, under the same conditions. The insert is the last statement.
 */
export function issueLinkStatements(
  db: Db,
  req: { agencyId: number; login: SQL; purpose: PortalLinkPurpose; now: number; lifetimeMs: number; onlyIf?: SQL; supersede: boolean },
): IssuedLink & { statements: Statement[] } {
  const { token, tokenHash } = newLinkToken();
  const { agencyId, purpose, now } = req;
  const expiresAt = now + req.lifetimeMs;
  const theLogin = and(eq(portalLogins.agencyId, agencyId), req.login, eq(portalLogins.active, true), req.onlyIf)!;
  const insert = db
    .insert(portalTokens)
    .select(
      db
        .select({
          id: sql<number>`NULL`.as("id"),
          agencyId: portalLogins.agencyId,
          loginId: portalLogins.id,
          purpose: sql<PortalLinkPurpose>`${purpose}`.as("purpose"),
          tokenHash: sql<string>`${tokenHash}`.as("token_hash"),
          createdAt: sql<number>`${now}`.as("created_at"),
          expiresAt: sql<number>`${expiresAt}`.as("expires_at"),
          usedAt: sql<number | null>`NULL`.as("used_at"),
          dobFailures: sql<number>`0`.as("dob_failures"),
          dobLockedAt: sql<number | null>`NULL`.as("dob_locked_at"),
        })
        .from(portalLogins)
        .where(theLogin),
    )
    .toSQL();
  const statements: Statement[] = [];
  if (req.supersede) {
    statements.push(
      db
        .update(portalTokens)
        .set({ usedAt: now })
        .where(
          and(
            eq(portalTokens.agencyId, agencyId),
            eq(portalTokens.purpose, purpose),
            isNull(portalTokens.usedAt),
            inArray(portalTokens.loginId, db.select({ id: portalLogins.id }).from(portalLogins).where(theLogin)),
          ),
        )
        .toSQL(),
    );
  }
  statements.push(insert);
  return { token, tokenHash, expiresAt, statements };
}

/** Condition: no invitation was issued to the login (`portal_logins` row) since `since`. */
export function noInvitationSince(since: number): SQL {
  return sql`NOT EXISTS (SELECT 1 FROM portal_tokens t WHERE t.login_id = ${portalLogins.id} AND t.purpose = 'invite' AND t.created_at > ${since})`;
}

/** Condition: no reset link was issued to the login (`portal_logins` row) since `since`. */
export function noResetSince(since: number): SQL {
  return sql`NOT EXISTS (SELECT 1 FROM portal_tokens t WHERE t.login_id = ${portalLogins.id} AND t.purpose = 'reset' AND t.created_at > ${since})`;
}

/**
 * Condition: the login (`portal_logins` row) has credentials a reset link may replace — a password
 * the user chose (or a passkey instead), a temporary password not yet expired, or an invitation
 * link still usable. Credentials that expired unused get no reset link: the agency sends new ones.
 */
export function credentialsLive(now: number): SQL {
  return sql`(${portalLogins.mustChangePassword} = 0
    OR (${portalLogins.passwordHash} IS NOT NULL AND (${portalLogins.tempPasswordExpiresAt} IS NULL OR ${portalLogins.tempPasswordExpiresAt} > ${now}))
    OR (${portalLogins.passwordHash} IS NULL AND EXISTS (SELECT 1 FROM portal_tokens t WHERE t.login_id = ${portalLogins.id}
      AND t.purpose = 'invite' AND t.used_at IS NULL AND t.expires_at > ${now} AND t.dob_locked_at IS NULL)))`;
}

/** Condition: the login's client is of the login's agency and has not refused portal login. */
export const clientWelcomesPortal: SQL = sql`EXISTS (SELECT 1 FROM clients c WHERE c.id = ${portalLogins.clientId} AND c.agency_id = ${portalLogins.agencyId} AND c.refused_portal_login = 0)`;

/** Condition: a link of the login locked by wrong dates of birth, not cleared and within `lockHoldMs`. */
export function linkLockInForce(now: number, s: Pick<PortalLinkSettings, "lockHoldMs">): SQL {
  return sql`EXISTS (SELECT 1 FROM portal_tokens t WHERE t.login_id = ${portalLogins.id} AND t.dob_locked_at IS NOT NULL
    AND t.used_at IS NULL AND t.dob_locked_at > ${now - s.lockHoldMs})`;
}

/**
 * The statement that ends every unused link of a login (a password changed or reset, a login
 * deactivated) — or, with `onlyLocked`, only those locked by wrong dates of birth (staff clearing
 * the lock) — when `onlyIf` (a condition on its `portal_logins` row) holds before the batch.
 */
export function endLinksStatement(db: Db, req: { agencyId: number; loginId: number; now: number; onlyIf?: SQL; onlyLocked?: boolean }): Statement {
  const login = db
    .select({ id: portalLogins.id })
    .from(portalLogins)
    .where(and(eq(portalLogins.id, req.loginId), eq(portalLogins.agencyId, req.agencyId), req.onlyIf));
  return db
    .update(portalTokens)
    .set({ usedAt: req.now })
    .where(
      and(
        eq(portalTokens.loginId, req.loginId),
        eq(portalTokens.agencyId, req.agencyId),
        isNull(portalTokens.usedAt),
        req.onlyLocked ? isNotNull(portalTokens.dobLockedAt) : undefined,
        inArray(portalTokens.loginId, login),
      ),
    )
    .toSQL();
}

/** A link that can still be opened, with its login. `locked`: it took too many wrong dates of birth. */
export interface PortalLink {
  tokenId: number;
  tokenHash: string;
  purpose: PortalLinkPurpose;
  expiresAt: number;
  dobFailures: number;
  locked: boolean;
  agencyId: number;
  login: {
    id: number;
    username: string;
    usernameKey: string;
    email: string;
    representative: boolean;
    clientId: number;
    sessionVersion: number;
    mustChangePassword: boolean;
  };
}

/**
 * The link for a secret at this agency's portal, if it can still be used (or is only locked):
 * unused, unexpired, its login active and of this agency, its client this agency's and not marked
 * Client Refused Portal Login. Null otherwise — the caller says one thing for every reason, so a
 * link of another agency, a used one and a made-up one can't be told apart.
 */
export async function findPortalLink(db: Db, agencyId: number, token: string, now: number): Promise<PortalLink | null> {
  if (!isTokenShaped(token)) return null;
  const tokenHash = hashLinkToken(token);
  const row = await db
    .select({
      tokenId: portalTokens.id,
      purpose: portalTokens.purpose,
      expiresAt: portalTokens.expiresAt,
      dobFailures: portalTokens.dobFailures,
      dobLockedAt: portalTokens.dobLockedAt,
      login: {
        id: portalLogins.id,
        username: portalLogins.username,
        usernameKey: portalLogins.usernameKey,
        email: portalLogins.email,
        representative: portalLogins.representative,
        clientId: portalLogins.clientId,
        sessionVersion: portalLogins.sessionVersion,
        mustChangePassword: portalLogins.mustChangePassword,
      },
    })
    .from(portalTokens)
    .innerJoin(portalLogins, and(eq(portalLogins.id, portalTokens.loginId), eq(portalLogins.agencyId, portalTokens.agencyId)))
    .innerJoin(clients, and(eq(clients.id, portalLogins.clientId), eq(clients.agencyId, portalLogins.agencyId)))
    .where(
      and(
        eq(portalTokens.tokenHash, tokenHash),
        eq(portalTokens.agencyId, agencyId),
        isNull(portalTokens.usedAt),
        gt(portalTokens.expiresAt, now),
        eq(portalLogins.active, true),
        eq(clients.refusedPortalLogin, false),
      ),
    )
    .get();
  if (!row) return null;
  const { dobLockedAt, ...rest } = row;
  return { ...rest, tokenHash, agencyId, locked: dobLockedAt !== null };
}

/** What staff see of a link: when it was sent, until when it works, and whether it was used or locked. */
export interface LinkState {
  purpose: PortalLinkPurpose;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
  dobLockedAt: number | null;
}

/** Per login: its newest link (any purpose) and its newest invitation. */
export interface LoginLinks {
  newest?: LinkState;
  invite?: LinkState;
}

const linkColumns = {
  loginId: portalTokens.loginId,
  purpose: portalTokens.purpose,
  createdAt: portalTokens.createdAt,
  expiresAt: portalTokens.expiresAt,
  usedAt: portalTokens.usedAt,
  dobLockedAt: portalTokens.dobLockedAt,
};

/** The links of these logins of the agency, as the Client Portal section shows them. */
export async function linksOfLogins(db: Db, agencyId: number, loginIds: number[]): Promise<Record<number, LoginLinks>> {
  if (loginIds.length === 0) return {};
  const rows = await db
    .select(linkColumns)
    .from(portalTokens)
    .where(and(eq(portalTokens.agencyId, agencyId), inArray(portalTokens.loginId, loginIds)))
    .orderBy(desc(portalTokens.id))
    .all();
  return linksFromRows(rows);
}

/** The links of every login of one client (its own and those linked to it), as a query for the Face Sheet's one batch (see linksFromRows). */
export function clientLinksQuery(db: Db, agencyId: number, clientId: number) {
  return linksOfClient(db, { agencyId, clientId });
}

const linksOfClient = reusable((db, p: (name: "agencyId" | "clientId") => Placeholder) =>
  db
    .select(linkColumns)
    .from(portalTokens)
    .where(
      and(
        eq(portalTokens.agencyId, p("agencyId")),
        sql`${portalTokens.loginId} IN (SELECT id FROM portal_logins WHERE agency_id = ${p("agencyId")} AND ${loginOfClient(sql`${p("clientId")}`)})`,
      ),
    )
    .orderBy(desc(portalTokens.id)),
);

/** Link rows (newest first) by login: the newest link, and the newest invitation. */
export function linksFromRows(rows: ({ loginId: number } & LinkState)[]): Record<number, LoginLinks> {
  const out: Record<number, LoginLinks> = {};
  for (const { loginId, ...state } of rows) {
    const links = (out[loginId] ??= {});
    links.newest ??= state;
    if (state.purpose === "invite") links.invite ??= state;
  }
  return out;
}

/** Whether a link's date-of-birth lock still holds (not cleared by staff, within `lockHoldMs`). */
export function lockHolds(link: LinkState | undefined, now: number, s: Pick<PortalLinkSettings, "lockHoldMs">): boolean {
  return !!link && link.dobLockedAt !== null && link.usedAt === null && link.dobLockedAt > now - s.lockHoldMs;
}

/**
 * Records whether the email carrying a link went out, on its login (staff see "Email sent" or
 * "Email not sent"). Only while that link is still the login's live one, so the result of an older
 * send never describes a newer credential.
 */
export async function recordLinkEmailDelivery(db: Db, req: { agencyId: number; loginId: number; tokenHash: string; status: "sent" | "failed" }): Promise<void> {
  await db
    .update(portalLogins)
    .set({ emailStatus: req.status })
    .where(
      and(
        eq(portalLogins.id, req.loginId),
        eq(portalLogins.agencyId, req.agencyId),
        sql`EXISTS (SELECT 1 FROM portal_tokens t WHERE t.token_hash = ${req.tokenHash} AND t.login_id = ${portalLogins.id} AND t.used_at IS NULL)`,
      ),
    );
}

/** Deletes links that ended more than a week ago (the hourly cron): nothing reads them after that. */
export async function purgeSpentPortalLinks(db: Db, now: number): Promise<number> {
  const weekAgo = now - 7 * 24 * 3600_000;
  const result = await db
    .delete(portalTokens)
    .where(sql`${lt(portalTokens.expiresAt, weekAgo)} OR ${lt(portalTokens.usedAt, weekAgo)}`)
    .run();
  return result.meta.changes ?? 0;
}
