/**
 * Saving the Portal Login window for an existing login (email, Representative, Active, a reset
 * password or invitation link, an unlock) with one entry naming every change, and the fingerprint
 * that makes a Save from an older state a conflict. What it shares with the other login writes is
 * in portal-logins.ts.
 */
import { and, eq, sql } from "drizzle-orm";
import { clearAccountCounters } from "../auth/throttle";
import { throttleKeyOf } from "../auth/throttle-keys";
import type { Db } from "../db";
import { portalLogins, type PortalLogin } from "../db/schema";
import { clearRefusedAfter, clearRefusedPortalLogin } from "./face-sheet";
import { commitChange, type Actor } from "./log";
import { linkSettingsFor, type CredentialMethod } from "./portal-link-settings";
import { endLinksStatement, issueLinkStatements, linksOfLogins, lockHolds, type IssuedLink } from "./portal-links";
import { issuePassword, loginById, modifiedEntry, yesNo, type LoginSideChange } from "./portal-logins";
import { loginOfClient } from "./linked-logins";

/**
 * What the Edit window was opened on: a Save made from an older state is a conflict, so one staff
 * member's Save cannot silently undo another's (e.g. re-activate a login just deactivated).
 */
export function loginFingerprint(
  login: Pick<PortalLogin, "email" | "active" | "representative" | "tempPasswordExpiresAt" | "lockedUntil" | "mustChangePassword">,
): string {
  // Every password issued, reset or chosen changes the temporary password's expiry or whether one
  // must still be chosen (an invitation link has no temporary password), so together they stand
  // for "the password changed" (the session version also moves when the user logs out, which is
  // no reason to refuse a staff Save). The lock is part of it: a login locked while the window
  // was open must not be unlocked by a Save that never showed "Locked".
  return [
    login.tempPasswordExpiresAt ?? 0,
    login.active ? 1 : 0,
    login.representative ? 1 : 0,
    login.lockedUntil ?? 0,
    login.mustChangePassword ? 1 : 0,
    login.email,
  ].join(":");
}

export type UpdatePortalLoginResult =
  /** `before`: the login as it was, for the security notices the change calls for. */
  | { status: "saved"; login: PortalLogin; before: PortalLogin; temporaryPassword: string | null; link: IssuedLink | null; changes: string[]; refusedCleared: boolean }
  | { status: "unchanged" }
  | { status: "conflict" }
  | { status: "not-found" };

/**
 * Saves the Portal Login window for an existing login: email, Representative, Active and, with
 * `resetPassword`, new credentials sent the way `credentialMethod` says (default "password"): a
 * new temporary password, or an invitation link (the old password then stops working and the
 * login has none until the link is used) — returned for the email. Ends the login's portal
 * sessions (session_version + 1) and unused links when it is deactivated or its password reset;
 * clears a lockout, a link locked by wrong dates of birth included.
 * One entry names every change; a Save that changes nothing writes nothing. If the login changed
 * since the window was opened (`expected`) or since it was read here (another staff member, or
 * its user), nothing is written: `conflict`. With `clearRefused`, Client Refused Portal Login is
 * cleared too — in the same batch after the login's change, or on its own when the login itself
 * is unchanged — with its own Face Sheet entry.
 */
export async function updatePortalLogin(
  env: Env,
  db: Db,
  input: {
    agencyId: number;
    clientId: number;
    loginId: number;
    email: string;
    representative: boolean;
    active: boolean;
    resetPassword: boolean;
    /** How long a new temporary password works (EffectiveSettings.tempPasswordHours). */
    tempPasswordHours: number;
    /** How long an invitation link works (EffectiveSettings.inviteLinkHours); needed with credentialMethod "link". */
    inviteLinkHours?: number;
    credentialMethod?: CredentialMethod;
    actor: Actor;
    /** `loginFingerprint` of the login as the window showed it; omitted, the current state is taken. */
    expected?: string;
    clearRefused?: boolean;
    /** The representative record's change, in the same commit and entry. */
    side?: LoginSideChange;
  },
): Promise<UpdatePortalLoginResult> {
  const current = await loginById(db, input.agencyId, input.clientId, input.loginId);
  if (!current) return { status: "not-found" };
  if (input.expected !== undefined && input.expected !== loginFingerprint(current)) return { status: "conflict" };
  const now = Date.now();
  const method = input.resetPassword ? (input.credentialMethod ?? "password") : null;
  if (method === "link" && input.inviteLinkHours === undefined) throw new Error("updatePortalLogin: an invitation link needs inviteLinkHours");
  // Only the invitation's lifetime is the agency's; the lock hold read below is fixed.
  const settings = linkSettingsFor(input.inviteLinkHours ?? 0);
  const changes: string[] = [];
  const deltas: { field: string; before: string | boolean | null; after: string | boolean | null }[] = [];
  if (method === "password") changes.push("Password updated");
  if (method === "link") changes.push("Password updated: invitation link sent");
  if (current.active !== input.active) {
    changes.push(`Active: ${yesNo(current.active)} → ${yesNo(input.active)}`);
    deltas.push({ field: "active", before: current.active, after: input.active });
  }
  if (current.email !== input.email) {
    changes.push(`Email: ${current.email} → ${input.email}`);
    deltas.push({ field: "email", before: current.email, after: input.email });
  }
  if (current.representative !== input.representative) {
    changes.push(`Representative: ${yesNo(current.representative)} → ${yesNo(input.representative)}`);
    deltas.push({ field: "representative", before: current.representative, after: input.representative });
  }
  const links = (await linksOfLogins(db, input.agencyId, [current.id]))[current.id];
  const linkLocked = lockHolds(links?.newest, now, settings);
  const locked = (current.lockedUntil !== null && current.lockedUntil > now) || linkLocked;
  if (locked) changes.push("Unlocked");
  const portalChanges = [...changes, ...(input.side?.portalLine ? [input.side.portalLine] : [])];
  if (input.side) {
    changes.push(...input.side.lines);
    deltas.push(...input.side.deltas);
  }
  if (changes.length === 0) {
    if (!input.clearRefused || !(await clearRefusedPortalLogin(env, db, input))) return { status: "unchanged" };
    return { status: "saved", login: current, before: current, temporaryPassword: null, link: null, changes, refusedCleared: true };
  }

  const issued = method === "password" ? await issuePassword(now, input.tempPasswordHours) : null;
  const endSessions = method !== null || (current.active && !input.active);
  // Unchanged since read: the fields compared above, and no password change or session end.
  const unchanged = and(
    eq(portalLogins.agencyId, input.agencyId),
    loginOfClient(input.clientId),
    eq(portalLogins.email, current.email),
    eq(portalLogins.active, current.active),
    eq(portalLogins.representative, current.representative),
    eq(portalLogins.sessionVersion, current.sessionVersion),
    input.side?.guard,
  )!;
  // Unlocking means every device: the login's own count below, and its trusted devices' counters.
  const clearDevices = clearAccountCounters(db, await throttleKeyOf.portalAccount(env, input.agencyId, current.usernameKey)).toSQL();
  const update = db
    .update(portalLogins)
    .set({
      email: input.email,
      representative: input.representative,
      active: input.active,
      failedAttempts: 0,
      lockedUntil: null,
      lastFailedAt: null,
      ...(issued ? { passwordHash: issued.hash, mustChangePassword: true, tempPasswordExpiresAt: issued.expiresAt, emailStatus: null, credentialMethod: "password" as const } : {}),
      ...(method === "link" ? { passwordHash: null, mustChangePassword: true, tempPasswordExpiresAt: null, emailStatus: null, credentialMethod: "invitation" as const } : {}),
      ...(endSessions ? { sessionVersion: sql`${portalLogins.sessionVersion} + 1` } : {}),
    })
    .where(and(eq(portalLogins.id, current.id), unchanged))
    .toSQL();
  // Before the update, under the same condition: the login's unused links end with its password
  // or its access (a staff reset replaces a reset link the user asked for), and a locked link with
  // the unlock.
  const endLinks = endSessions || linkLocked ? [endLinksStatement(db, { agencyId: input.agencyId, loginId: current.id, now, onlyIf: unchanged, onlyLocked: !endSessions })] : [];
  // After it, only if it landed (changes() > 0): the new invitation, last, so the entry needs it too.
  const link =
    method === "link"
      ? issueLinkStatements(db, {
          agencyId: input.agencyId,
          login: and(eq(portalLogins.id, current.id), sql`changes() > 0`)!,
          purpose: "invite",
          now,
          lifetimeMs: settings.lifetimeMs.invite,
          supersede: false,
        })
      : null;
  // Ours landed if the login now reads as this Save left it (an object reset): the values, the
  // password it issued, the session version it moved on.
  const landed = async () => {
    const row = await loginById(db, input.agencyId, input.clientId, input.loginId);
    if (!row || row.email !== input.email || row.active !== input.active || row.representative !== input.representative) return false;
    if (row.failedAttempts !== 0 || row.lockedUntil !== null) return false;
    if (issued && row.passwordHash !== issued.hash) return false;
    if (method === "link" && row.passwordHash !== null) return false;
    return row.sessionVersion === current.sessionVersion + (endSessions ? 1 : 0);
  };
  const result = await commitChange(env, {
    agencyId: input.agencyId,
    clientId: input.clientId,
    // The update (or the invitation after it) last: the entry is written only if it changed rows.
    statements: [clearDevices, ...endLinks, update, ...(link?.statements ?? []), ...(input.side?.statements(sql`${current.id}`) ?? [])],
    entry: modifiedEntry(current.username, changes, input.actor, deltas, portalChanges),
    then: input.clearRefused ? [clearRefusedAfter(db, input)] : undefined,
  }, landed);
  if (!result.committed) return { status: "conflict" };
  const login = await loginById(db, input.agencyId, input.clientId, input.loginId);
  if (!login) return { status: "not-found" };
  const issuedLink = link && { token: link.token, tokenHash: link.tokenHash, expiresAt: link.expiresAt };
  return { status: "saved", login, before: current, temporaryPassword: issued?.password ?? null, link: issuedLink, changes, refusedCleared: result.parts > 1 };
}
