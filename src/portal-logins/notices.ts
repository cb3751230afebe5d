/**
 * The security notices a staff Save calls for, sent once the change is committed: the email
 * address changed (to the old and the new address), a password the user had chosen replaced by a
 * staff reset, the login made inactive (to the address the person knew). A temporary password
 * replaced by another needs no notice of its own: the new-password email says the earlier one no
 * longer works. An old address that never received any email (every one failed: a typo being
 * corrected) gets no notice — it could only fail again, and would leave "Notice not sent" behind.
 *
 * Access ended goes to a login still waiting on its invitation too (invited, never set up): the
 * person holds an invitation email, and its link now fails; the notice says so. Not when every
 * email to that address failed (the invitation never arrived): same rule as above.
 */
import type { PortalLogin } from "../db/schema";
import type { Db } from "../db";
import type { PortalEmailOutcome } from "../email/portal-mail";
import { maskAddress, type NoticeFacts } from "../email/portal-notices";
import { neverReached } from "./email-history";
import { sendEmailChangedNotices, sendPortalNotice, type NoticeAgency } from "../portal-notices/send";

/** Whether every notice went out: "none" when the change called for none. */
export type NoticesOutcome = "none" | "sent" | "failed";

const summary = (outcomes: PortalEmailOutcome[]): NoticesOutcome =>
  outcomes.length === 0 ? "none" : outcomes.every((o) => o.status === "sent") ? "sent" : "failed";

/**
 * Sends the notices for the change from `before` to `after`; `passwordReset` says a temporary
 * password was issued by this change. Never throws.
 */
export async function sendStaffChangeNotices(
  env: Env,
  db: Db,
  input: { agency: NoticeAgency; before: PortalLogin; after: PortalLogin; passwordReset: boolean },
): Promise<NoticesOutcome> {
  const { agency, before, after } = input;
  const at = Date.now();
  const login = { id: after.id, clientId: after.clientId, username: after.username, email: after.email };
  const sends: Promise<PortalEmailOutcome | PortalEmailOutcome[]>[] = [];
  if (before.email !== after.email) {
    const typo = await neverReached(db, agency.id, after.id, before.email).catch(() => false);
    sends.push(
      typo
        ? sendPortalNotice(env, db, { agency, login, facts: { kind: "notice:email-changed", at, side: "new", other: maskAddress(before.email) } })
        : sendEmailChangedNotices(env, db, { agency, login, oldAddress: before.email, newAddress: after.email, at }),
    );
  }
  if (input.passwordReset && before.passwordHash !== null && !before.mustChangePassword) {
    sends.push(sendPortalNotice(env, db, { agency, login, facts: { kind: "notice:password-reset", at } }));
  }
  if (before.active && !after.active && !(await neverReached(db, agency.id, after.id, before.email).catch(() => false))) {
    const invitedOnly = before.credentialMethod === "invitation" && before.passwordHash === null && before.mustChangePassword;
    const facts: NoticeFacts = { kind: "notice:access-ended", at, reason: "staff", ...(invitedOnly ? { pending: "invitation" as const } : {}) };
    sends.push(sendPortalNotice(env, db, { agency, login, to: before.email, facts }));
  }
  return summary((await Promise.all(sends)).flat());
}
