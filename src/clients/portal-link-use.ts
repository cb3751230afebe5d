/**
 * Using a portal link (invitation or reset), once its date of birth has been answered: one commit
 * through the client's log whose every statement is conditional on the link still being usable at
 * that moment, so that the new credential, the lock cleared (the login's count and every device's
 * throttle counter), the end of the login's other sessions (session_version + 1) and other links,
 * and the link's own consumption happen together or not at all — and of two submissions of the
 * same link exactly one does them. The client's log gets the seed's "Reset Password — Password
 * changed by <username>" (or, for a passkey, "Portal Login — … added a passkey") and, since the
 * user is signed in by it, "Login".
 *
 * A passkey instead of a password is the credential the link sets in the same way: the login's
 * password — a temporary one, or the forgotten one a reset link replaces — ends with it (the
 * login is left with the passkey only; a password can be set later under Change password), and
 * the passkey is stored inside the same conditional batch.
 */
import { and, eq, ne, isNull, sql, type SQL } from "drizzle-orm";
import type { Statement } from "../audit/client-log";
import { throttleKeyOf } from "../auth/throttle-keys";
import type { Db } from "../db";
import { errorText } from "../observability/error-text";
import { portalLogins, portalPasskeys, portalTokens, signInThrottle } from "../db/schema";
import { commitChange, portalEventEntry, portalPasskeyEntry } from "./log";
import type { PortalLink } from "./portal-links";

/**
 * The credential a link sets: a password (its Argon2id hash), or a passkey that passed its
 * registration ceremony (verifyRegistration, challenge purpose "link-register").
 */
/** A verified passkey's columns (the passkeys feature's LinkPasskey has this shape). */
export interface LinkPasskey {
  id: string;
  name: string;
  publicKey: string;
  counter: number;
  transports: string[];
}

export type LinkCredential = { kind: "password"; hash: string } | { kind: "passkey"; passkey: LinkPasskey };

/**
 * Uses the link: the credential set, the lock cleared, other sessions and links ended, the link
 * consumed, and the two entries written. Returns the login's new session version, or null when the
 * link stopped working in between (used, replaced, expired, locked, login deactivated): then
 * nothing changed.
 */
export async function useLink(
  env: Env,
  db: Db,
  link: PortalLink,
  credential: LinkCredential,
  now: number,
  /** The session the link signs the user in to, written in the same batch (guarded on the Login part's update). */
  session?: Statement,
): Promise<{ sessionVersion: number } | null> {
  const { tokenId, agencyId } = link;
  const loginId = link.login.id;
  // The one condition every statement carries; none of them changes what it reads until the last.
  const stillUsable = sql`EXISTS (SELECT 1 FROM portal_tokens t
    JOIN portal_logins l ON l.id = t.login_id AND l.agency_id = t.agency_id
    JOIN clients c ON c.id = l.client_id AND c.agency_id = l.agency_id
    WHERE t.id = ${tokenId} AND t.agency_id = ${agencyId} AND t.login_id = ${loginId} AND t.used_at IS NULL
      AND t.expires_at > ${now} AND t.dob_locked_at IS NULL AND l.active = 1 AND c.refused_portal_login = 0)`;
  const subject = await throttleKeyOf.portalAccount(env, agencyId, link.login.usernameKey);
  const result = await commitChange(env, {
    agencyId,
    clientId: link.login.clientId,
    statements: [
      // The account's sign-in counters on every device: a reset clears a lock.
      db.delete(signInThrottle).where(and(eq(signInThrottle.subject, subject), stillUsable)).toSQL(),
      db
        .update(portalTokens)
        .set({ usedAt: now })
        .where(and(eq(portalTokens.loginId, loginId), eq(portalTokens.agencyId, agencyId), isNull(portalTokens.usedAt), ne(portalTokens.id, tokenId), stillUsable))
        .toSQL(),
      db
        .update(portalLogins)
        .set({
          passwordHash: credential.kind === "password" ? credential.hash : null,
          mustChangePassword: false,
          tempPasswordExpiresAt: null,
          sessionVersion: sql`${portalLogins.sessionVersion} + 1`,
          failedAttempts: 0,
          lockedUntil: null,
          lastFailedAt: null,
        })
        .where(and(eq(portalLogins.id, loginId), eq(portalLogins.agencyId, agencyId), stillUsable))
        .toSQL(),
      // A passkey: stored only if the link is still usable (a duplicate credential ID fails the batch).
      ...(credential.kind === "passkey" ? [passkeyInsert(db, link, credential.passkey, now, stillUsable)] : []),
      // Last: the entry is written only if the link was consumed here.
      db.update(portalTokens).set({ usedAt: now }).where(and(eq(portalTokens.id, tokenId), stillUsable)).toSQL(),
    ],
    entry:
      credential.kind === "password"
        ? portalEventEntry({ loginId, username: link.login.username, event: "Reset Password" })
        : portalPasskeyEntry({ loginId, username: link.login.username, change: "added", name: credential.passkey.name, lines: [PASSKEY_LINE[link.purpose]] }),
    then: [
      {
        statements: [
          db
            .update(portalLogins)
            .set({ lastLoginAt: now })
            .where(and(eq(portalLogins.id, loginId), eq(portalLogins.agencyId, agencyId), sql`changes() > 0`))
            .toSQL(),
          ...(session ? [session] : []),
        ],
        entry: portalEventEntry({ loginId, username: link.login.username, event: "Login" }),
      },
    ],
  });
  if (!result.committed) return null;
  // Committed: whatever happens now, the password is set and the user must hear so. The version
  // the batch left is read back; if that read fails, it is the one before plus the batch's bump.
  try {
    const row = await db
      .select({ sessionVersion: portalLogins.sessionVersion })
      .from(portalLogins)
      .where(and(eq(portalLogins.id, loginId), eq(portalLogins.agencyId, agencyId)))
      .get();
    if (row) return { sessionVersion: row.sessionVersion };
  } catch (err) {
    console.error(`portal link: session version of login ${loginId} not read back: ${errorText(err)}`);
  }
  return { sessionVersion: link.login.sessionVersion + 1 };
}

/** What staff read under a passkey set by a link: how it came, and that no password is left. */
const PASSKEY_LINE = {
  invite: "Created with the invitation link, instead of a password.",
  reset: "Created with a password-reset link, instead of a new password: the previous password no longer works.",
} as const;

/** INSERT … SELECT of the new passkey, for the link's login, only while `stillUsable` holds. */
function passkeyInsert(db: Db, link: PortalLink, p: LinkPasskey, now: number, stillUsable: SQL) {
  return db
    .insert(portalPasskeys)
    .select(
      db
        .select({
          id: sql<string>`${p.id}`.as("id"),
          loginId: portalLogins.id,
          agencyId: portalLogins.agencyId,
          name: sql<string>`${p.name}`.as("name"),
          publicKey: sql<string>`${p.publicKey}`.as("public_key"),
          counter: sql<number>`${p.counter}`.as("counter"),
          transports: sql<string>`${JSON.stringify(p.transports)}`.as("transports"),
          createdAt: sql<number>`${now}`.as("created_at"),
          lastUsedAt: sql<number | null>`NULL`.as("last_used_at"),
        })
        .from(portalLogins)
        .where(and(eq(portalLogins.id, link.login.id), eq(portalLogins.agencyId, link.agencyId), stillUsable)),
    )
    .toSQL();
}
