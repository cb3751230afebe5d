/**
 * Staff links: single-use secrets emailed to a staff member — an invitation to set a first
 * password, or a password reset. What this module guarantees:
 *
 * - A link carries 32 random bytes (crypto.getRandomValues, base64url); only their SHA-256 is
 *   stored, so a copy of the database opens nothing.
 * - A link works while unused and unexpired (invitation 24 h — NIST SP 800-63B-4's ceiling for
 *   emailed secrets —, reset 1 h), for an active member of the link's own agency.
 * - Only the newest link of a member and purpose works: issuing one marks every earlier unused
 *   one used, in the same batch.
 * - Using a link is one D1 batch whose every statement is conditional on the link still being
 *   valid at that moment: the new password, the end of other sessions, the end of the member's
 *   other links and the link's own consumption happen together or not at all, and of two
 *   submissions of the same link exactly one does them.
 *
 * The coming "Invite staff" screen issues its links through `issueLinkStatements` too.
 */
import { and, eq, gt, isNull, lt, ne, sql } from "drizzle-orm";
import type { Db } from "../db";
import { agencies, staffTokens, staffUsers } from "../db/schema";
import { endSessionsStatement } from "../auth/session-records";
import { clearAccountCounters } from "../auth/throttle";
import { throttleKeyOf } from "../auth/throttle-keys";
import { hashLinkToken, isTokenShaped, newLinkToken } from "../auth/link-tokens";

// The secrets themselves are shared with the portal's links (src/auth/link-tokens.ts).
export { hashLinkToken, isTokenShaped, newLinkToken };

export type LinkPurpose = "invite" | "reset";

/** How long each kind of link works. */
export const LINK_LIFETIME_MS: Record<LinkPurpose, number> = { invite: 24 * 3600_000, reset: 3600_000 };
/** The same, as emails and pages say it. */
export const LINK_LIFETIME_TEXT: Record<LinkPurpose, string> = { invite: "24 hours", reset: "1 hour" };
/** Reset links one member may be sent per hour (more asks get the same answer and no email). */
export const RESETS_PER_HOUR = 3;

/**
 * The statements that issue a link to the active member with this email, for a batch (the
 * operator's "create agency" batch runs them right after inserting the member): the new link, then
 * — only if it was written — every earlier unused link of that purpose marked used. A reset is not
 * written when the member already got RESETS_PER_HOUR of them in the last hour. The insert's
 * returned rows (first statement) say whether a link was issued.
 */
export function issueLinkStatements(db: Db, req: { email: string; purpose: LinkPurpose; now: number }) {
  const { token, tokenHash } = newLinkToken();
  const { purpose, now } = req;
  const email = req.email.trim().toLowerCase();
  const expiresAt = now + LINK_LIFETIME_MS[purpose];
  const recentResets = sql`(SELECT COUNT(*) FROM ${staffTokens} WHERE ${staffTokens.staffId} = ${staffUsers.id}
      AND ${staffTokens.purpose} = 'reset' AND ${staffTokens.createdAt} > ${now - 3600_000})`;
  // INSERT … SELECT from the member's row: no row (unknown, inactive, too many resets), no link.
  const insert = db
    .insert(staffTokens)
    .select(
      db
        .select({
          id: sql<number>`NULL`.as("id"),
          agencyId: staffUsers.agencyId,
          staffId: staffUsers.id,
          purpose: sql<LinkPurpose>`${purpose}`.as("purpose"),
          tokenHash: sql<string>`${tokenHash}`.as("token_hash"),
          createdAt: sql<number>`${now}`.as("created_at"),
          expiresAt: sql<number>`${expiresAt}`.as("expires_at"),
          usedAt: sql<number | null>`NULL`.as("used_at"),
        })
        .from(staffUsers)
        .where(and(eq(staffUsers.email, email), eq(staffUsers.active, true), purpose === "reset" ? sql`${recentResets} < ${RESETS_PER_HOUR}` : undefined)),
    )
    .returning({ id: staffTokens.id });
  const supersede = db
    .update(staffTokens)
    .set({ usedAt: now })
    .where(
      and(
        eq(staffTokens.purpose, purpose),
        isNull(staffTokens.usedAt),
        ne(staffTokens.tokenHash, tokenHash),
        sql`${staffTokens.staffId} = (SELECT ${staffTokens.staffId} FROM ${staffTokens} WHERE ${staffTokens.tokenHash} = ${tokenHash})`,
      ),
    );
  return { token, expiresAt, statements: [insert, supersede] as const };
}

/**
 * Issues a link on its own (forgot password). Returns the secret, or null when nothing was issued
 * (no such active member, or too many resets this hour).
 */
export async function issueLink(db: Db, req: { email: string; purpose: LinkPurpose; now: number }): Promise<{ token: string; expiresAt: number } | null> {
  const { token, expiresAt, statements } = issueLinkStatements(db, req);
  const [inserted] = await db.batch(statements);
  return inserted.length > 0 ? { token, expiresAt } : null;
}

/** A link that can still be used, with its member and agency. */
export interface ValidLink {
  tokenId: number;
  purpose: LinkPurpose;
  expiresAt: number;
  staff: { id: number; agencyId: number; name: string; email: string; hasPassword: boolean };
  agency: { id: number; name: string; slug: string; timezone: string };
}

/**
 * The link for a secret if it can still be used: unused, unexpired, its member active and of the
 * link's agency. Null otherwise — the caller says one thing for every reason.
 */
export async function findValidLink(db: Db, token: string, now: number): Promise<ValidLink | null> {
  if (!isTokenShaped(token)) return null;
  const row = await db
    .select({
      tokenId: staffTokens.id,
      purpose: staffTokens.purpose,
      expiresAt: staffTokens.expiresAt,
      staffId: staffUsers.id,
      staffAgencyId: staffUsers.agencyId,
      name: staffUsers.name,
      email: staffUsers.email,
      passwordHash: staffUsers.passwordHash,
      agency: { id: agencies.id, name: agencies.name, slug: agencies.slug, timezone: agencies.timezone },
    })
    .from(staffTokens)
    .innerJoin(staffUsers, and(eq(staffUsers.id, staffTokens.staffId), eq(staffUsers.agencyId, staffTokens.agencyId)))
    .innerJoin(agencies, eq(agencies.id, staffTokens.agencyId))
    .where(and(eq(staffTokens.tokenHash, hashLinkToken(token)), isNull(staffTokens.usedAt), gt(staffTokens.expiresAt, now), eq(staffUsers.active, true)))
    .get();
  if (!row) return null;
  return {
    tokenId: row.tokenId,
    purpose: row.purpose,
    expiresAt: row.expiresAt,
    staff: { id: row.staffId, agencyId: row.staffAgencyId, name: row.name, email: row.email, hasPassword: row.passwordHash !== null },
    agency: row.agency,
  };
}

/**
 * Uses a link: sets the member's password, ends their sessions (session version + 1, rows ended), ends
 * their other unused links, clears their sign-in lock, and marks the link used — all only if the
 * link is still valid now. Returns the member's new session version, or null when the link was
 * used, superseded or expired meanwhile (nothing changed).
 */
export async function useLink(env: Env, db: Db, link: ValidLink, passwordHash: string, now: number): Promise<number | null> {
  const { tokenId } = link;
  const { id: staffId, agencyId } = link.staff;
  // The one condition every statement carries; none of them changes what it reads until the last.
  const stillValid = sql`EXISTS (SELECT 1 FROM ${staffTokens} t JOIN ${staffUsers} s ON s.id = t.staff_id AND s.agency_id = t.agency_id
    WHERE t.id = ${tokenId} AND t.staff_id = ${staffId} AND t.agency_id = ${agencyId}
      AND t.used_at IS NULL AND t.expires_at > ${now} AND s.active = 1)`;
  const [updated] = await db.batch([
    db
      .update(staffUsers)
      .set({ passwordHash, sessionVersion: sql`${staffUsers.sessionVersion} + 1` })
      .where(and(eq(staffUsers.id, staffId), eq(staffUsers.agencyId, agencyId), stillValid))
      .returning({ sessionVersion: staffUsers.sessionVersion }),
    // The account's sign-in counters (every device); harmless when the link turned out spent.
    clearAccountCounters(db, await throttleKeyOf.staffAccount(env, link.staff.email)),
    // Every session's row ends with it (the version bump above already stops their tokens).
    endSessionsStatement(db, { staffId, agencyId, now, onlyIf: stillValid }),
    db
      .update(staffTokens)
      .set({ usedAt: now })
      .where(and(eq(staffTokens.staffId, staffId), isNull(staffTokens.usedAt), ne(staffTokens.id, tokenId), stillValid)),
    db.update(staffTokens).set({ usedAt: now }).where(and(eq(staffTokens.id, tokenId), stillValid)),
  ]);
  return updated[0]?.sessionVersion ?? null;
}

/** The statement that ends every unused link of a member (after a password change). */
export function revokeLinksStatement(db: Db, staffId: number, agencyId: number, now: number) {
  return db
    .update(staffTokens)
    .set({ usedAt: now })
    .where(and(eq(staffTokens.staffId, staffId), eq(staffTokens.agencyId, agencyId), isNull(staffTokens.usedAt)));
}

/** Deletes links that ended more than a week ago (the hourly cron): nothing reads them after that. */
export async function purgeSpentLinks(db: Db, now: number): Promise<number> {
  const weekAgo = now - 7 * 24 * 3600_000;
  const result = await db
    .delete(staffTokens)
    .where(sql`${lt(staffTokens.expiresAt, weekAgo)} OR ${lt(staffTokens.usedAt, weekAgo)}`)
    .run();
  return result.meta.changes ?? 0;
}
