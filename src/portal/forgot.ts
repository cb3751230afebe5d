/**
 * "Forgot password?" for portal users: the work done *after* the answer (ctx.waitUntil via
 * afterResponse), so that neither the words nor the time of the answer tell whether the username
 * or email named an account. For each of the agency's logins with that username or email (a
 * client and a representative may share an address) that may get a link, a 1-hour reset link is
 * issued with a staff-visible entry in the client's log, in one commit, and emailed.
 *
 * Who gets no link, silently: an inactive login; a client marked Client Refused Portal Login; a
 * login whose credentials expired unused (a temporary password or an invitation past its time: the
 * agency sends new ones); one added without credentials; one whose link was locked by wrong dates
 * of birth in the last 24 hours (until staff clear it); one already sent `resetsPerHour` links
 * this hour; one whose access rule (src/representatives/access.ts) doesn't hold — a representative
 * past their end date or the client's majority, a blocked login, a young client's own login.
 */
import { and, eq, or, sql } from "drizzle-orm";
import { clientWelcomesPortal, credentialsLive, issueLinkStatements, linkLockInForce } from "../clients/portal-links";
import { emailPortalLink } from "../clients/portal-link-email";
import { commitChange, recordStaffEvent } from "../clients/log";
import { durationText, portalLinkSettings, type PortalLinkSettings } from "../clients/portal-link-settings";
import type { Db } from "../db";
import { portalLogins } from "../db/schema";
import { errorText } from "../observability/error-text";
import type { PortalAgency } from "./portal-agency";
import { accessNow, loadAccessFacts } from "../representatives/facts";

const PORTAL_ACTOR = { type: "system", id: null, name: "Client Portal" } as const;
/** More logins than this under one address is not a person asking for their own. */
const MAX_LOGINS_PER_ASK = 5;

/** Condition on a `portal_logins` row: it may be sent a reset link now. */
function mayReset(now: number, s: PortalLinkSettings) {
  const recentResets = sql`(SELECT COUNT(*) FROM portal_tokens t WHERE t.login_id = ${portalLogins.id} AND t.purpose = 'reset' AND t.created_at > ${now - 3_600_000})`;
  return and(clientWelcomesPortal, credentialsLive(now), sql`${recentResets} < ${s.resetsPerHour}`, sql`NOT ${linkLockInForce(now, s)}`)!;
}

/**
 * Sends a reset link to every login of the agency whose username or email is `identifierKey`
 * (trimmed, lower-cased) and that may get one; otherwise does nothing. Never throws (it runs after
 * the answer); failures are logged without address or link.
 */
export async function sendPortalResetLinks(
  env: Env,
  db: Db,
  req: { agency: PortalAgency; identifierKey: string; portalUrl: string; ip: string; now: number },
): Promise<void> {
  const { agency, now } = req;
  const settings = portalLinkSettings(env, agency);
  try {
    const logins = await db
      .select({ id: portalLogins.id, clientId: portalLogins.clientId, username: portalLogins.username, email: portalLogins.email, representative: portalLogins.representative })
      .from(portalLogins)
      .where(and(eq(portalLogins.agencyId, agency.id), or(eq(portalLogins.usernameKey, req.identifierKey), sql`lower(trim(${portalLogins.email})) = ${req.identifierKey}`)))
      .limit(MAX_LOGINS_PER_ASK)
      .all();
    for (const login of logins) {
      // The access rule: a reset link is no way back in after access has ended.
      const facts = await loadAccessFacts(db, agency.id, login.id, login.clientId);
      if (!facts || !accessNow(env, agency, facts, now).ok) continue;
      const link = issueLinkStatements(db, {
        agencyId: agency.id,
        login: eq(portalLogins.id, login.id),
        purpose: "reset",
        now,
        lifetimeMs: settings.lifetimeMs.reset,
        onlyIf: mayReset(now, settings),
        supersede: true,
      });
      const base = { agencyId: agency.id, clientId: login.clientId, actor: PORTAL_ACTOR, changeType: "Portal Login" };
      const issued = await commitChange(env, {
        agencyId: agency.id,
        clientId: login.clientId,
        statements: link.statements,
        entry: {
          ...base,
          description: `Password reset link emailed to Portal Login ${login.username} (Forgot password?).`,
          details: { lines: [`Asked from address ${req.ip}`, `The link works once, for ${durationText(settings.lifetimeMs.reset)}, after the client's date of birth.`] },
        },
      });
      if (!issued.committed) continue;
      const sent = await emailPortalLink(env, db, { purpose: "reset", agency, portalUrl: req.portalUrl, login, link, lifetimeMs: settings.lifetimeMs.reset });
      if (sent === "failed") {
        await recordStaffEvent(env, {
          ...base,
          description: `The password reset email to Portal Login ${login.username} could not be sent.`,
          details: { lines: ["The login shows Email not sent. Check the Portal User Email (Edit); the user can ask again."] },
        });
      }
    }
  } catch (err) {
    console.error(`portal forgot password (agency ${agency.id}) failed: ${errorText(err)}`);
  }
}
