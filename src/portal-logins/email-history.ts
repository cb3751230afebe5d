/**
 * Reads for the staff view of a login's emails: the Email history (every email sent to it, from
 * `portal_emails`), which notices are still *not sent*, and the login's passkey count. Every
 * query is scoped by the signed-in agency and the client of the URL.
 */
import { and, desc, eq, inArray, sql, type Placeholder } from "drizzle-orm";
import type { Db } from "../db";
import { reusable } from "../db/reusable";
import { portalEmails, portalPasskeys, type PortalEmail } from "../db/schema";
import { isNoticeKind } from "../email/portal-mail";
import { loginOfClient } from "../clients/linked-logins";

/** The most emails the section reads for one client (newest first); older ones stay in D1. */
export const HISTORY_LIMIT = 300;

/** The client's portal emails, newest first. */
export async function listClientEmails(db: Db, agencyId: number, clientId: number): Promise<PortalEmail[]> {
  return clientEmailsQuery(db, agencyId, clientId);
}

/** The query behind listClientEmails, for a batch. */
export function clientEmailsQuery(db: Db, agencyId: number, clientId: number) {
  return emailsOfClient(db, { agencyId, clientId });
}

const emailsOfClient = reusable((db, p: (name: "agencyId" | "clientId") => Placeholder) =>
  db
    .select()
    .from(portalEmails)
    .where(and(eq(portalEmails.agencyId, p("agencyId")), eq(portalEmails.clientId, p("clientId"))))
    .orderBy(desc(portalEmails.createdAt), desc(portalEmails.id))
    .limit(HISTORY_LIMIT),
);

/** One email of this login, only within the agency and client; null otherwise. */
export async function findLoginEmail(db: Db, agencyId: number, clientId: number, loginId: number, emailId: number): Promise<PortalEmail | null> {
  const row = await db
    .select()
    .from(portalEmails)
    .where(and(eq(portalEmails.id, emailId), eq(portalEmails.agencyId, agencyId), eq(portalEmails.clientId, clientId), eq(portalEmails.loginId, loginId)))
    .get();
  return row ?? null;
}

/**
 * Whether every email this login sent to `address` failed (and there was at least one): a typo
 * being corrected, where a notice to the old address could only fail too.
 */
export async function neverReached(db: Db, agencyId: number, loginId: number, address: string): Promise<boolean> {
  const row = await db
    .select({ tried: sql<number>`COUNT(*)`, sent: sql<number>`COALESCE(SUM(${portalEmails.status} = 'sent'), 0)` })
    .from(portalEmails)
    .where(and(eq(portalEmails.agencyId, agencyId), eq(portalEmails.loginId, loginId), eq(portalEmails.toAddress, address)))
    .get();
  return (row?.tried ?? 0) > 0 && (row?.sent ?? 0) === 0;
}

/** The emails of each login, newest first. */
export function emailsByLogin(emails: PortalEmail[]): Map<number, PortalEmail[]> {
  const byLogin = new Map<number, PortalEmail[]>();
  for (const e of emails) byLogin.set(e.loginId, [...(byLogin.get(e.loginId) ?? []), e]);
  return byLogin;
}

/**
 * The notices that failed and were not delivered since: a failed notice counts until a Resend of
 * it (or of one of its resends) is sent. What the row shows as *Notice not sent*.
 */
export function undeliveredNotices(emails: PortalEmail[]): PortalEmail[] {
  const delivered = new Set(emails.filter((e) => e.status === "sent").map((e) => e.resendOf ?? e.id));
  return emails.filter((e) => isNoticeKind(e.kind) && e.status === "failed" && e.resendOf === null && !delivered.has(e.id));
}

/** How many passkeys each login has (portal_passkeys), for the row's "Passkeys: n". */
export async function countPortalPasskeys(db: Db, agencyId: number, loginIds: number[]): Promise<Map<number, number>> {
  if (loginIds.length === 0) return new Map();
  const rows = await db
    .select({ loginId: portalPasskeys.loginId, n: sql<number>`COUNT(*)` })
    .from(portalPasskeys)
    .where(and(eq(portalPasskeys.agencyId, agencyId), inArray(portalPasskeys.loginId, loginIds)))
    .groupBy(portalPasskeys.loginId);
  return passkeyCounts(loginIds, rows);
}

/** The passkey count of every login of one client (its own and those linked to it), as a query for the Face Sheet's one batch. */
export function clientPasskeyCountsQuery(db: Db, agencyId: number, clientId: number) {
  return passkeyCountsOfClient(db, { agencyId, clientId });
}

const passkeyCountsOfClient = reusable((db, p: (name: "agencyId" | "clientId") => Placeholder) =>
  db
    .select({ loginId: portalPasskeys.loginId, n: sql<number>`COUNT(*)` })
    .from(portalPasskeys)
    .where(
      and(
        eq(portalPasskeys.agencyId, p("agencyId")),
        sql`${portalPasskeys.loginId} IN (SELECT id FROM portal_logins WHERE agency_id = ${p("agencyId")} AND ${loginOfClient(sql`${p("clientId")}`)})`,
      ),
    )
    .groupBy(portalPasskeys.loginId),
);

/** The counts by login, 0 for a login without passkeys. */
export function passkeyCounts(loginIds: number[], rows: { loginId: number; n: number }[]): Map<number, number> {
  const counts = new Map(loginIds.map((id) => [id, 0]));
  for (const r of rows) counts.set(r.loginId, r.n);
  return counts;
}
