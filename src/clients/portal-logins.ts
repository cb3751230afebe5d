/**
 * Every write to a client's portal logins. Each change goes to D1 in one batch with its log entry
 * (through the client's ClientLog), so a login is never added or changed without its entry. The
 * temporary passwords and invitation links made here are returned to the caller for the email
 * only: stored hashed, never in an entry.
 */
import { and, eq, sql, type SQL } from "drizzle-orm";
import type { Statement } from "../audit/chained-log";
import { hashPassword } from "../auth/password";
import { clearAccountCounters } from "../auth/throttle";
import { throttleKeyOf } from "../auth/throttle-keys";
import type { Db } from "../db";
import { portalLogins, type PortalLogin } from "../db/schema";
import { usernameKeyOf } from "../portal-logins/form";
import { generateTemporaryPassword } from "../portal-logins/temporary-password";
import { clearRefusedAfter, clearRefusedPortalLogin } from "./face-sheet";
import { commitChange, type Actor } from "./log";
import { linkSettingsFor, type CredentialMethod } from "./portal-link-settings";
import { endLinksStatement, issueLinkStatements, linksOfLogins, lockHolds, type IssuedLink } from "./portal-links";
import { loginOfClient } from "./linked-logins";

const CHANGE_TYPE = "Portal Login";
const yesNo = (v: boolean) => (v ? "Yes" : "No");

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
async function issuePassword(now: number, hours: number) {
  const password = generateTemporaryPassword();
  return { password, hash: await hashPassword(password), expiresAt: now + hours * 3_600_000 };
}

function loginByKey(db: Db, agencyId: number, usernameKey: string) {
  return db
    .select()
    .from(portalLogins)
    .where(and(eq(portalLogins.agencyId, agencyId), eq(portalLogins.usernameKey, usernameKey)))
    .get();
}

/** One login of this client (its own, or linked to it) in this agency (the row as stored), or undefined. */
export function loginById(db: Db, agencyId: number, clientId: number, loginId: number) {
  return db
    .select()
    .from(portalLogins)
    .where(and(eq(portalLogins.id, loginId), eq(portalLogins.agencyId, agencyId), loginOfClient(clientId)))
    .get();
}

export type CreatePortalLoginResult =
  | { status: "added"; login: PortalLogin; temporaryPassword: string | null; link: IssuedLink | null; refusedCleared: boolean }
  | { status: "duplicate" };

/** The log line of credentials issued by staff, by how they are sent. */
const ISSUED_LINE: Record<CredentialMethod, string> = { password: "Temporary password issued", link: "Invitation link issued" };

/**
 * Adds a portal login to a client (whose agency the caller has checked) with the entry "Added a
 * new portal login". With `issuePassword`, credentials are issued the way `credentialMethod` says
 * (default "password"): a temporary password, stored hashed with an expiry `tempPasswordHours` out
 * (the agency's setting), or an invitation link (portal-links.ts; the login then has no password
 * until it is used, and its credential_method is 'invitation') — returned for the email. A
 * username already used in the agency (any
 * case, any client) is a `duplicate`, also when two adds race: the unique index decides.
 * With `clearRefused` (staff confirmed a client marked Client Refused Portal Login changed their
 * mind), the flag is cleared in the same batch, with its own Face Sheet entry, only if the login
 * was added.
 */
export async function createPortalLogin(
  env: Env,
  db: Db,
  input: {
    agencyId: number;
    clientId: number;
    username: string;
    email: string;
    representative: boolean;
    active: boolean;
    issuePassword: boolean;
    /** How long the temporary password works (EffectiveSettings.tempPasswordHours). */
    tempPasswordHours: number;
    /** How long an invitation link works (EffectiveSettings.inviteLinkHours). */
    inviteLinkHours: number;
    credentialMethod?: CredentialMethod;
    actor: Actor;
    clearRefused?: boolean;
    /** The representative record, written with the login. */
    side?: LoginSideChange;
  },
): Promise<CreatePortalLoginResult> {
  const now = Date.now();
  const usernameKey = usernameKeyOf(input.username);
  const method = input.issuePassword ? (input.credentialMethod ?? "password") : null;
  const issued = method === "password" ? await issuePassword(now, input.tempPasswordHours) : null;
  const insert = db
    .insert(portalLogins)
    .values({
      agencyId: input.agencyId,
      clientId: input.clientId,
      username: input.username,
      usernameKey,
      email: input.email,
      representative: input.representative,
      active: input.active,
      passwordHash: issued?.hash ?? null,
      mustChangePassword: true,
      tempPasswordExpiresAt: issued?.expiresAt ?? null,
      credentialMethod: method === "link" ? "invitation" : "password",
      createdAt: now,
    })
    .onConflictDoNothing({ target: [portalLogins.agencyId, portalLogins.usernameKey] })
    .toSQL();
  // An invitation link for the row just inserted (changes() > 0: not for a username already taken).
  const link =
    method === "link"
      ? issueLinkStatements(db, {
          agencyId: input.agencyId,
          login: and(eq(portalLogins.usernameKey, usernameKey), eq(portalLogins.clientId, input.clientId), sql`changes() > 0`)!,
          purpose: "invite",
          now,
          lifetimeMs: linkSettingsFor(input.inviteLinkHours).lifetimeMs.invite,
          supersede: false,
        })
      : null;
  const lines = [
    `Portal Username: ${input.username}`,
    `Representative: ${yesNo(input.representative)}`,
    `Active: ${yesNo(input.active)}`,
    `Email: ${input.email}`,
    method ? ISSUED_LINE[method] : "No password issued",
    ...(input.side?.lines ?? []),
  ];
  // Ours landed if this client has the username with this creation time and email (an object reset).
  const landed = async () => {
    const row = await loginByKey(db, input.agencyId, usernameKey);
    return !!row && row.clientId === input.clientId && row.createdAt === now && row.email === input.email;
  };
  const newLogin = sql`SELECT id FROM portal_logins WHERE agency_id = ${input.agencyId} AND username_key = ${usernameKey} AND client_id = ${input.clientId}`;
  const result = await commitChange(env, {
    agencyId: input.agencyId,
    clientId: input.clientId,
    statements: [insert, ...(link?.statements ?? []), ...(input.side?.statements(newLogin) ?? [])],
    entry: {
      actor: input.actor,
      changeType: CHANGE_TYPE,
      description: "Added a new portal login",
      details: {
        lines,
        changes: [
          { field: "username", before: null, after: input.username },
          { field: "representative", before: null, after: input.representative },
          { field: "active", before: null, after: input.active },
          { field: "email", before: null, after: input.email },
          ...(input.side?.deltas ?? []),
        ],
      },
    },
    then: input.clearRefused ? [clearRefusedAfter(db, input)] : undefined,
  }, landed);
  if (!result.committed) return { status: "duplicate" };
  const login = await loginByKey(db, input.agencyId, usernameKey);
  if (!login) throw new Error("portal login vanished after insert");
  const issuedLink = link && { token: link.token, tokenHash: link.tokenHash, expiresAt: link.expiresAt };
  return { status: "added", login, temporaryPassword: issued?.password ?? null, link: issuedLink, refusedCleared: result.parts > 1 };
}

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
