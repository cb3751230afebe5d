/**
 * Emailing a freshly issued temporary password, and recording whether it went out: in the login's
 * Email history (sendPortalEmail: kind and address, never the password) and on the login itself.
 * A failed send leaves the login saved and marked "Email not sent", so staff can Resend.
 */
import type { CurrentStaff } from "../app";
import { recordEmailDelivery } from "../clients/portal-login-resend";
import type { Db } from "../db";
import type { PortalLogin } from "../db/schema";
import { portalCredentialsEmail } from "../email/portal-credentials";
import { sendPortalEmail } from "../email/portal-mail";
import { errorText } from "../observability/error-text";

/**
 * Sends the login's credentials to its Portal User Email and records the outcome on the login
 * (conditional on the password, so it never describes a newer one). Never throws.
 */
export async function emailCredentials(
  env: Env,
  db: Db,
  input: {
    kind: "welcome" | "new-password";
    agency: CurrentStaff["agency"];
    portalUrl: string;
    login: PortalLogin;
    temporaryPassword: string;
    /** The lifetime the password was issued with (EffectiveSettings.tempPasswordHours). */
    expiresInHours: number;
    /** A Resend from the Email history: the email first sent. */
    resendOf?: number | null;
  },
): Promise<"sent" | "failed"> {
  const message = portalCredentialsEmail({
    kind: input.kind,
    to: input.login.email,
    agencyName: input.agency.name,
    portalUrl: input.portalUrl,
    username: input.login.username,
    temporaryPassword: input.temporaryPassword,
    expiresInHours: input.expiresInHours,
  });
  const { status } = await sendPortalEmail(env, db, {
    agencyId: input.agency.id,
    clientId: input.login.clientId,
    loginId: input.login.id,
    kind: input.kind,
    ...message,
    expiresAt: input.login.tempPasswordExpiresAt,
    resendOf: input.resendOf ?? null,
  });
  try {
    await recordEmailDelivery(db, { agencyId: input.agency.id, loginId: input.login.id, passwordHash: input.login.passwordHash!, status });
  } catch (err) {
    // The row then reads "Email not sent" (no outcome recorded): the safe side, Resend is offered.
    console.error(`portal login ${input.login.id}: email outcome not recorded: ${errorText(err)}`);
  }
  return status;
}
