/**
 * What every write to a client's portal logins shares: the login read by id, the change that rides
 * with a login's Save (the representative record), a new temporary password, and the wording of
 * the entry for a change to an existing login. The writes themselves: adding a login
 * (portal-login-create.ts), saving the Edit window (portal-login-update.ts), resending credentials
 * (portal-login-resend.ts), links (portal-login-invitations.ts, portal-login-resets.ts). Each
 * change goes to D1 in one batch with its log entry (through the client's ClientLog), so a login
 * is never added or changed without its entry. The temporary passwords and invitation links made
 * there are returned to the caller for the email only: stored hashed, never in an entry.
 */
import { and, eq, type SQL } from "drizzle-orm";
import type { Statement } from "../audit/chained-log";
import { hashPassword } from "../auth/password";
import type { Db } from "../db";
import { portalLogins } from "../db/schema";
import { generateTemporaryPassword } from "../portal-logins/temporary-password";
import type { Actor } from "./log";
import { loginOfClient } from "./linked-logins";

/** The Change Type of every Portal Login entry. */
export const CHANGE_TYPE = "Portal Login";
/** How an entry's lines name a yes/no field. */
export const yesNo = (v: boolean) => (v ? "Yes" : "No");

/**
 * A change that rides with a login's Save in the same commit and entry — the representative record
 * (src/representatives/record.ts): statements run after the login's own (each only if the one
 * before changed rows), lines named in the entry, the portal's wording of them, and a condition the
 * login's update also needs (the record unchanged since the window was opened).
 */
export interface LoginSideChange {
  statements: (loginId: SQL) => Statement[];
  lines: string[];
  deltas: { field: string; before: string | boolean | null; after: string | boolean | null }[];
  /** How the client's portal Activity names it (null: not at all). */
  portalLine: string | null;
  guard?: SQL;
}

/** A new temporary password, its hash and its expiry (`hours` from now: the agency's lifetime setting). */
export async function issuePassword(now: number, hours: number) {
  const password = generateTemporaryPassword();
  return { password, hash: await hashPassword(password), expiresAt: now + hours * 3_600_000 };
}

/** One login of this client (its own, or linked to it) in this agency (the row as stored), or undefined. */
export function loginById(db: Db, agencyId: number, clientId: number, loginId: number) {
  return db
    .select()
    .from(portalLogins)
    .where(and(eq(portalLogins.id, loginId), eq(portalLogins.agencyId, agencyId), loginOfClient(clientId)))
    .get();
}

/** The entry for a change to an existing login, worded as the seed's Change Log and Action Log. */
export function modifiedEntry(
  username: string,
  changes: string[],
  actor: Actor,
  deltas: { field: string; before: string | boolean | null; after: string | boolean | null }[],
  /** What the portal's Activity names instead of `changes` (default: `changes`, emails hidden). */
  portalChanges: string[] = changes,
) {
  return {
    actor,
    changeType: CHANGE_TYPE,
    description: `Portal Login ${username} was modified.`,
    details: {
      lines: changes,
      changes: deltas,
      // Every login of the client reads the portal's Activity: name what changed, never another
      // person's email address (the staff-only lines above keep the values).
      portal: {
        action: "Profile Updated",
        description: `Portal Login ${username} was modified by ${actor.name}. Changes: ${portalChanges.map((c) => (c.startsWith("Email:") ? "Email updated" : c)).join(", ")}`,
      },
    },
  };
}
