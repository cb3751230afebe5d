/**
 * A password-reset link sent again by staff (Resend of a reset email in the login's Email
 * history): never the link already sent — its secret is stored only hashed, and a lost one must
 * not stay valid — but a fresh one to the login's current email, superseding every older reset
 * link, at most one per cool-down (the same 5 minutes as Resend invitation, counting the links the
 * user asked for too), with its log entry. The same logins may have one as through Forgot
 * password? (portal/forgot.ts): active, client not refusing, credentials not expired unused, no
 * date-of-birth lock in force. Kept beside portal-login-invitations.ts, its twin.
 */
import { and, desc, eq, not, sql, type SQL } from "drizzle-orm";
import type { Db } from "../db";
import { portalLogins, portalTokens, type PortalLogin } from "../db/schema";
import { commitChange, type Actor } from "./log";
import type { PortalLinkSettings } from "./portal-link-settings";
import { loginById, modifiedEntry } from "./portal-logins";
import { clientWelcomesPortal, credentialsLive, issueLinkStatements, linkLockInForce, noResetSince, type IssuedLink } from "./portal-links";

export type ResendResetResult =
  | { status: "sent"; login: PortalLogin; link: IssuedLink }
  | { status: "inactive" }
  /** Client Refused Portal Login. */
  | { status: "refused" }
  /** Its credentials expired unused (or were never issued): new ones go through Edit › Reset Password. */
  | { status: "expired" }
  /** A link of the login took too many wrong dates of birth, and the lock still holds. */
  | { status: "link-locked" }
  /** A reset link went out less than the cool-down ago; another may be sent from `availableAt`. */
  | { status: "cooldown"; sentAt: number; availableAt: number }
  | { status: "not-found" };

/**
 * Issues a fresh reset link for the login, logged as "Portal Login <username> was modified.
 * Password reset link resent"; the caller emails it. Every condition is checked again inside the
 * batch, so two staff pressing Resend at once send one link.
 */
export async function resendResetLink(
  env: Env,
  db: Db,
  input: { agencyId: number; clientId: number; loginId: number; actor: Actor; settings: PortalLinkSettings },
): Promise<ResendResetResult> {
  const { settings } = input;
  const current = await loginById(db, input.agencyId, input.clientId, input.loginId);
  if (!current) return { status: "not-found" };
  if (!current.active) return { status: "inactive" };
  const now = Date.now();
  const theLogin = { id: current.id, agencyId: input.agencyId, clientId: input.clientId };
  const blocker = await whyNot(db, theLogin, now, settings);
  if (blocker) return blocker;

  const mayResend = and(
    eq(portalLogins.clientId, input.clientId),
    clientWelcomesPortal,
    credentialsLive(now),
    // A date-of-birth lock holds until staff clear it (Edit) or it ages out, as for Forgot password?.
    not(linkLockInForce(now, settings)),
    noResetSince(now - settings.resendCooldownMs),
  )!;
  const link = issueLinkStatements(db, {
    agencyId: input.agencyId,
    login: eq(portalLogins.id, current.id),
    purpose: "reset",
    now,
    lifetimeMs: settings.lifetimeMs.reset,
    onlyIf: mayResend,
    supersede: true,
  });
  const result = await commitChange(env, {
    agencyId: input.agencyId,
    clientId: input.clientId,
    statements: link.statements,
    entry: modifiedEntry(current.username, ["Password reset link resent"], input.actor, []),
  });
  if (!result.committed) return (await whyNot(db, theLogin, now, settings)) ?? { status: "inactive" };
  const login = await loginById(db, input.agencyId, input.clientId, input.loginId);
  if (!login) return { status: "not-found" };
  return { status: "sent", login, link: { token: link.token, tokenHash: link.tokenHash, expiresAt: link.expiresAt } };
}

/** A condition as a 0/1 column. */
const flag = (condition: SQL) => sql<number>`CASE WHEN ${condition} THEN 1 ELSE 0 END`;

/** The reason the login may not be sent a reset link now, or null when it may. */
async function whyNot(db: Db, login: { id: number; agencyId: number; clientId: number }, now: number, settings: PortalLinkSettings): Promise<Exclude<ResendResetResult, { status: "sent" | "not-found" }> | null> {
  const row = await db
    .select({
      active: portalLogins.active,
      welcomes: flag(clientWelcomesPortal),
      live: flag(credentialsLive(now)),
      locked: flag(linkLockInForce(now, settings)),
    })
    .from(portalLogins)
    .where(and(eq(portalLogins.id, login.id), eq(portalLogins.agencyId, login.agencyId), eq(portalLogins.clientId, login.clientId)))
    .get();
  if (!row || !row.active) return { status: "inactive" };
  if (!row.welcomes) return { status: "refused" };
  if (!row.live) return { status: "expired" };
  if (row.locked) return { status: "link-locked" };
  const newest = await db
    .select({ createdAt: portalTokens.createdAt })
    .from(portalTokens)
    .where(and(eq(portalTokens.loginId, login.id), eq(portalTokens.agencyId, login.agencyId), eq(portalTokens.purpose, "reset")))
    .orderBy(desc(portalTokens.id))
    .get();
  if (newest && newest.createdAt > now - settings.resendCooldownMs) {
    return { status: "cooldown", sentAt: newest.createdAt, availableAt: newest.createdAt + settings.resendCooldownMs };
  }
  return null;
}
