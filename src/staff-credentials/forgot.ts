/**
 * "Forgot password?" for staff. The page answers the same, after the same work, whatever the
 * address: the only work done before answering is the address's rate limit, which is the same for
 * every email. Finding the member, issuing the link and sending it happen after the answer
 * (ctx.waitUntil), so neither the words nor the time of the answer tell whether an account exists.
 */
import { eq } from "drizzle-orm";
import type { Db } from "../db";
import { agencies, staffUsers } from "../db/schema";
import { errorText } from "../observability/error-text";
import { issueLink } from "./links";
import { sendLinkEmail } from "./notices";

/**
 * Sends a reset link to the active member with this email, if there is one and they haven't been
 * sent too many this hour; otherwise does nothing. Never throws (it runs after the answer); a
 * failure is logged without the address.
 */
export async function sendResetLink(env: Env, db: Db, req: { email: string; origin: string; now: number }): Promise<void> {
  try {
    const email = req.email.trim().toLowerCase();
    const member = await db
      .select({ name: staffUsers.name, email: staffUsers.email, active: staffUsers.active, agency: { name: agencies.name, timezone: agencies.timezone } })
      .from(staffUsers)
      .innerJoin(agencies, eq(agencies.id, staffUsers.agencyId))
      .where(eq(staffUsers.email, email))
      .get();
    // Deactivated members get nothing (the link would not work for them anyway).
    if (!member || !member.active) return;
    const link = await issueLink(db, { email, purpose: "reset", now: req.now });
    if (!link) return;
    const outcome = await sendLinkEmail(env, req.origin, member, "reset", link.token);
    if (!outcome.sent) console.error(`staff password reset: the email could not be sent: ${outcome.reason}`);
  } catch (err) {
    console.error(`staff password reset failed: ${errorText(err)}`);
  }
}
