/**
 * Resend invitation: a new invitation link for a portal login still waiting on its first
 * password, with its log entry (portal-links.ts issues it). Kept beside portal-logins.ts, whose
 * row reader and entry wording it shares.
 */
import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "../db";
import { portalLogins, type PortalLogin } from "../db/schema";
import { commitChange, type Actor } from "./log";
import { linkSettingsFor } from "./portal-link-settings";
import { loginById, modifiedEntry } from "./portal-logins";
import { clientWelcomesPortal, issueLinkStatements, linksOfLogins, noInvitationSince, type IssuedLink } from "./portal-links";
import { loginOfClient } from "./linked-logins";

export type ResendInvitationResult =
  | { status: "sent"; login: PortalLogin; link: IssuedLink }
  /** The login has a password (or was never invited): new credentials go through Edit › Reset Password. */
  | { status: "not-invited" }
  | { status: "inactive" }
  /** An invitation went out less than the cool-down ago; another may be sent from `availableAt`. */
  | { status: "cooldown"; sentAt: number; availableAt: number }
  | { status: "not-found" };

/**
 * Resend invitation: a new invitation link for a login still waiting to choose its first password
 * (the earlier links stop working), at most one per cool-down (5 minutes), logged as "Portal Login
 * <username> was modified. Invitation link resent". The conditions are checked again in the batch,
 * so two staff pressing Resend at once send one link. The caller has checked Client Refused Portal
 * Login; it is checked here too.
 */
export async function resendInvitation(
  env: Env,
  db: Db,
  input: { agencyId: number; clientId: number; loginId: number; actor: Actor; /** EffectiveSettings.inviteLinkHours. */ inviteLinkHours: number },
): Promise<ResendInvitationResult> {
  const current = await loginById(db, input.agencyId, input.clientId, input.loginId);
  if (!current) return { status: "not-found" };
  if (!current.active) return { status: "inactive" };
  const invite = (await linksOfLogins(db, input.agencyId, [current.id]))[current.id]?.invite;
  if (current.passwordHash !== null || !current.mustChangePassword || !invite) return { status: "not-invited" };
  const settings = linkSettingsFor(input.inviteLinkHours);
  const now = Date.now();
  const cooldown = (sentAt: number) => ({ status: "cooldown" as const, sentAt, availableAt: sentAt + settings.resendCooldownMs });
  if (invite.createdAt > now - settings.resendCooldownMs) return cooldown(invite.createdAt);

  const stillInvited = and(
    loginOfClient(input.clientId),
    isNull(portalLogins.passwordHash),
    eq(portalLogins.mustChangePassword, true),
    noInvitationSince(now - settings.resendCooldownMs),
    clientWelcomesPortal,
  )!;
  const theLogin = and(eq(portalLogins.id, current.id), eq(portalLogins.agencyId, input.agencyId), eq(portalLogins.active, true), stillInvited);
  const link = issueLinkStatements(db, {
    agencyId: input.agencyId,
    login: eq(portalLogins.id, current.id),
    purpose: "invite",
    now,
    lifetimeMs: settings.lifetimeMs.invite,
    onlyIf: stillInvited,
    supersede: true,
  });
  const result = await commitChange(env, {
    agencyId: input.agencyId,
    clientId: input.clientId,
    statements: [
      // The delivery of the link before this one no longer describes the login's credentials.
      db.update(portalLogins).set({ emailStatus: null }).where(theLogin).toSQL(),
      ...link.statements,
    ],
    entry: modifiedEntry(current.username, ["Invitation link resent"], input.actor, []),
  });
  if (!result.committed) {
    const again = (await linksOfLogins(db, input.agencyId, [current.id]))[current.id]?.invite;
    return again && again.createdAt > now - settings.resendCooldownMs ? cooldown(again.createdAt) : { status: "not-invited" };
  }
  const login = await loginById(db, input.agencyId, input.clientId, input.loginId);
  if (!login) return { status: "not-found" };
  return { status: "sent", login, link: { token: link.token, tokenHash: link.tokenHash, expiresAt: link.expiresAt } };
}
