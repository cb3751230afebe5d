/**
 * Emailing a freshly issued temporary password, and recording whether it went out. A failed send
 * leaves the login saved and marked "Email not sent", so staff can Resend.
 */
import type { CurrentStaff } from "../app";
import { recordEmailDelivery } from "../clients/portal-logins";
import type { Db } from "../db";
import type { PortalLogin } from "../db/schema";
import { portalCredentialsEmail } from "../email/portal-credentials";
import { sendEmail } from "../email/send";
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
  const outcome = await sendEmail(env, message);
  const status = outcome.sent ? "sent" : "failed";
  if (!outcome.sent) console.error(`portal login ${input.login.id}: credentials email not sent: ${outcome.reason}`);
  try {
    await recordEmailDelivery(db, { agencyId: input.agency.id, loginId: input.login.id, passwordHash: input.login.passwordHash!, status });
  } catch (err) {
    // The row then reads "Email not sent" (no outcome recorded): the safe side, Resend is offered.
    console.error(`portal login ${input.login.id}: email outcome not recorded: ${errorText(err)}`);
  }
  return status;
}
