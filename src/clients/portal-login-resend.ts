/**
 * Resending a login's credentials and recording whether that email went out: a fresh temporary
 * password through the same logged update as Edit › Reset Password (src/clients/portal-login-update.ts).
 */
import { and, eq } from "drizzle-orm";
import type { Db } from "../db";
import { portalLogins, type PortalLogin } from "../db/schema";
import type { Actor } from "./log";
import { updatePortalLogin } from "./portal-login-update";
import { loginById } from "./portal-logins";

export type ResendResult =
  | { status: "reissued"; login: PortalLogin; before: PortalLogin; temporaryPassword: string }
  | { status: "inactive" }
  | { status: "conflict" }
  | { status: "not-found" };

/**
 * Resend of a credentials email: a fresh temporary password (the one in the earlier email must not
 * stay valid), its sessions ended, logged as "Portal Login <username> was modified. Password
 * updated". Only for an active login.
 */
export async function reissuePortalPassword(
  env: Env,
  db: Db,
  input: { agencyId: number; clientId: number; loginId: number; tempPasswordHours: number; actor: Actor },
): Promise<ResendResult> {
  const current = await loginById(db, input.agencyId, input.clientId, input.loginId);
  if (!current) return { status: "not-found" };
  if (!current.active) return { status: "inactive" };
  const result = await updatePortalLogin(env, db, {
    agencyId: input.agencyId,
    clientId: input.clientId,
    loginId: input.loginId,
    email: current.email,
    representative: current.representative,
    active: true,
    resetPassword: true,
    tempPasswordHours: input.tempPasswordHours,
    actor: input.actor,
  });
  if (result.status === "saved") return { status: "reissued", login: result.login, before: result.before, temporaryPassword: result.temporaryPassword! };
  if (result.status === "unchanged") return { status: "conflict" }; // cannot happen: a reset is always a change
  return result;
}

/**
 * Records whether the credentials email for the password with this hash went out. Conditional on
 * the hash, so the result of an older send never overwrites that of a newer password.
 */
export async function recordEmailDelivery(
  db: Db,
  input: { agencyId: number; loginId: number; passwordHash: string; status: "sent" | "failed" },
): Promise<void> {
  await db
    .update(portalLogins)
    .set({ emailStatus: input.status })
    .where(and(eq(portalLogins.id, input.loginId), eq(portalLogins.agencyId, input.agencyId), eq(portalLogins.passwordHash, input.passwordHash)));
}
