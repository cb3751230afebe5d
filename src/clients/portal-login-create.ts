/**
 * Adding a portal login to a client: the row, its credentials (a temporary password or an
 * invitation link) and its entry "Added a new portal login", in one batch through the client's
 * ClientLog. What it shares with the other login writes is in portal-logins.ts.
 */
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../db";
import { portalLogins, type PortalLogin } from "../db/schema";
import { usernameKeyOf } from "../portal-logins/form";
import { clearRefusedAfter } from "./face-sheet";
import { commitChange, type Actor } from "./log";
import { linkSettingsFor, type CredentialMethod } from "./portal-link-settings";
import { issueLinkStatements, type IssuedLink } from "./portal-links";
import { CHANGE_TYPE, issuePassword, yesNo, type LoginSideChange } from "./portal-logins";

function loginByKey(db: Db, agencyId: number, usernameKey: string) {
  return db
    .select()
    .from(portalLogins)
    .where(and(eq(portalLogins.agencyId, agencyId), eq(portalLogins.usernameKey, usernameKey)))
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
