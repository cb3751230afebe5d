/**
 * Security notices to portal users, sent when their login changes: password (by them or reset by
 * staff), passkeys, a sign-in lock, the email address (to the old and the new address), the end
 * of access. Every notice goes through `sendPortalEmail`, so staff see it in the login's Email
 * history — a failed one as *Notice not sent*, with Resend.
 *
 * Callers send a notice only after the change is committed, and nothing here throws or waits on
 * anything but the send: a notice can never undo or block the change it reports. Where the answer's
 * timing matters (sign-in, the portal's own pages) callers run these after the response.
 */
import { and, eq } from "drizzle-orm";
import type { Db } from "../db";
import { portalLogins, type PortalEmail } from "../db/schema";
import { sendPortalEmail, type NoticeKind, type PortalEmailOutcome } from "../email/portal-mail";
import { maskAddress, parseNoticeFacts, portalNoticeEmail, type NoticeFacts } from "../email/portal-notices";
import { formatAgencyDateTime, zoneName } from "../layout/agency-time";
import { errorText } from "../observability/error-text";

/** The agency as a notice needs it (both the staff app's and the portal's agency fit). */
export interface NoticeAgency {
  id: number;
  name: string;
  timezone: string;
}

/** The login a notice is about. */
export interface NoticeLogin {
  id: number;
  clientId: number;
  username: string;
  email: string;
}

/** "12/1/2026 9:30:00 AM (Eastern Time)": when, as the agency's clients read the clock. */
export const noticeTime = (at: number, timezone: string) => `${formatAgencyDateTime(at, timezone)} (${zoneName(timezone)})`;

/** The login, only within the agency; null when it is another agency's or gone. */
export async function findNoticeLogin(db: Db, agencyId: number, loginId: number): Promise<NoticeLogin | null> {
  const row = await db
    .select({ id: portalLogins.id, clientId: portalLogins.clientId, username: portalLogins.username, email: portalLogins.email })
    .from(portalLogins)
    .where(and(eq(portalLogins.id, loginId), eq(portalLogins.agencyId, agencyId)))
    .get();
  return row ?? null;
}

/**
 * Sends one notice about `login` to `to` (the login's email unless given) and records it. Never
 * throws: a failure is recorded as not sent, for staff to see.
 *
 * @example
 *   await sendPortalNotice(env, db, { agency, login, facts: { kind: "notice:password-changed", at: Date.now() } });
 */
export async function sendPortalNotice(
  env: Env,
  db: Db,
  input: { agency: NoticeAgency; login: NoticeLogin; facts: NoticeFacts; to?: string; resendOf?: number | null },
): Promise<PortalEmailOutcome> {
  const { agency, login, facts } = input;
  const to = input.to ?? login.email;
  const message = portalNoticeEmail(facts, { to, agencyName: agency.name, username: login.username, when: noticeTime(facts.at, agency.timezone) });
  return sendPortalEmail(env, db, {
    agencyId: agency.id,
    clientId: login.clientId,
    loginId: login.id,
    kind: facts.kind,
    ...message,
    facts,
    resendOf: input.resendOf ?? null,
  });
}

/**
 * Sends a notice about a login known by id (e.g. from a portal session or a sign-in), after
 * looking up its current address. Never throws; null when the login is not the agency's.
 */
export async function sendNoticeToLogin(env: Env, db: Db, agency: NoticeAgency, loginId: number, facts: NoticeFacts): Promise<PortalEmailOutcome | null> {
  try {
    const login = await findNoticeLogin(db, agency.id, loginId);
    if (!login) return null;
    return await sendPortalNotice(env, db, { agency, login, facts });
  } catch (err) {
    console.error(`portal login ${loginId}: ${facts.kind} notice not sent: ${errorText(err)}`);
    return { status: "failed", emailId: null };
  }
}

/**
 * The notice that a passkey was added to or removed from a portal login, for the passkeys feature
 * to call once the change is saved (after its response, where timing matters).
 *
 * @example
 *   afterResponse(c.executionCtx, () => sendPasskeyNotice(c.env, c.var.db, { agency, loginId: user.loginId, change: "added", passkeyName: "iPhone" }));
 */
export function sendPasskeyNotice(
  env: Env,
  db: Db,
  input: { agency: NoticeAgency; loginId: number; change: "added" | "removed"; passkeyName: string; at?: number; via?: "invite" | "reset" },
): Promise<PortalEmailOutcome | null> {
  const at = input.at ?? Date.now();
  if (input.change === "removed") return sendNoticeToLogin(env, db, input.agency, input.loginId, { kind: "notice:passkey-removed", at, passkeyName: input.passkeyName });
  return sendNoticeToLogin(env, db, input.agency, input.loginId, { kind: "notice:passkey-added", at, passkeyName: input.passkeyName, ...(input.via ? { via: input.via } : {}) });
}

/**
 * The notice that a login's access ended: deactivated by staff, or (for the representatives'
 * feature) the end date recorded for it passed. `to` is the address the person knew, when the
 * same change also replaced it.
 */
export async function sendAccessEndedNotice(
  env: Env,
  db: Db,
  input: { agency: NoticeAgency; loginId: number; reason: "staff" | "end-date"; at?: number; to?: string },
): Promise<PortalEmailOutcome | null> {
  const facts: NoticeFacts = { kind: "notice:access-ended", at: input.at ?? Date.now(), reason: input.reason };
  if (!input.to) return sendNoticeToLogin(env, db, input.agency, input.loginId, facts);
  const login = await findNoticeLogin(db, input.agency.id, input.loginId).catch(() => null);
  return login ? sendPortalNotice(env, db, { agency: input.agency, login, facts, to: input.to }) : null;
}

/** The two notices of an email address change: one to the old address, one to the new. */
export async function sendEmailChangedNotices(
  env: Env,
  db: Db,
  input: { agency: NoticeAgency; login: NoticeLogin; oldAddress: string; newAddress: string; at: number },
): Promise<PortalEmailOutcome[]> {
  const { agency, login, at } = input;
  return Promise.all([
    sendPortalNotice(env, db, { agency, login, to: input.oldAddress, facts: { kind: "notice:email-changed", at, side: "old", other: maskAddress(input.newAddress) } }),
    sendPortalNotice(env, db, { agency, login, to: input.newAddress, facts: { kind: "notice:email-changed", at, side: "new", other: maskAddress(input.oldAddress) } }),
  ]);
}

/**
 * Sends a recorded notice again, the same notice (same facts and time) to the same address, and
 * records it as a resend of the first. Null when the record can't be read back as a notice.
 */
export async function resendPortalNotice(
  env: Env,
  db: Db,
  input: { agency: NoticeAgency; login: NoticeLogin; email: Pick<PortalEmail, "id" | "kind" | "toAddress" | "facts" | "resendOf"> },
): Promise<PortalEmailOutcome | null> {
  const facts = parseNoticeFacts(input.email.kind as NoticeKind, input.email.facts);
  if (!facts) return null;
  return sendPortalNotice(env, db, { agency: input.agency, login: input.login, facts, to: input.email.toAddress, resendOf: input.email.resendOf ?? input.email.id });
}
