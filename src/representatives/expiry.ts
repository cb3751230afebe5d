/**
 * Ends that come by time — an end date, a client's majority birthday — as staff see them coming
 * (the agency's list of the next 14 days) and as the hourly cron records them: the client's log
 * entry and the notice to the representative, once per end (end_recorded_at). The end itself
 * never waits for the cron: the access rule is checked on every request (access.ts).
 */
import { and, eq, isNull } from "drizzle-orm";
import { commitChange } from "../clients/log";
import type { Db } from "../db";
import { agencies, portalRepresentations } from "../db/schema";
import { agencySettingsColumns } from "../db/agency-settings";
import { agencyToday, nextDay } from "../layout/agency-time";
import { errorText } from "../observability/error-text";
import { sendAccessEndedNotice } from "../portal-notices/send";
import { representationEnd } from "./access";
import { accessNow } from "./facts";
import { ordinal, showDate } from "./labels";
import { recordsEndingBy, type EndingRecord } from "./queries";
import { effectiveSettings, type SettingDefaultVars } from "../db/agency-settings";

/** How far ahead the staff list looks. */
export const EXPIRY_WINDOW_DAYS = 14;

/** The date `days` after a YYYY-MM-DD date. */
function addDays(iso: string, days: number): string {
  let d = iso;
  for (let i = 0; i < days; i += 1) d = nextDay(d);
  return d;
}

export interface UpcomingExpiry extends EndingRecord {
  endsOn: string;
  reason: "end-date" | "majority";
  daysLeft: number;
}

/**
 * The agency's representative records whose access ends by time from today through the next 14
 * days (agency time zone), soonest first; records already ended, blocked or inactive logins left out.
 */
export async function upcomingExpiries(db: Db, env: SettingDefaultVars, agency: { id: number } & Parameters<typeof effectiveSettings>[1], now: number): Promise<UpcomingExpiry[]> {
  const today = agencyToday(agency.timezone, now);
  const through = addDays(today, EXPIRY_WINDOW_DAYS);
  const { ageOfMajority } = effectiveSettings(env, agency);
  const rows = await recordsEndingBy(db, { agencyId: agency.id, through });
  const out: UpcomingExpiry[] = [];
  for (const r of rows) {
    if (!r.active || r.blockedAt !== null) continue;
    const end = representationEnd(r, r.clientDateOfBirth, ageOfMajority);
    if (!end || end.date < today || end.date > through) continue;
    const daysLeft = Math.round((Date.parse(end.date) - Date.parse(today)) / 86_400_000);
    out.push({ ...r, endsOn: end.date, reason: end.reason, daysLeft });
  }
  return out.sort((a, b) => (a.endsOn < b.endsOn ? -1 : a.endsOn > b.endsOn ? 1 : a.id - b.id));
}

const SYSTEM = { type: "system", id: null, name: "Client Portal" } as const;

/**
 * The hourly cron's part: for every record whose access has ended by time and whose end isn't
 * recorded yet, the client's log entry (with end_recorded_at, in one conditional commit, so two
 * runs record it once) and then the notice to the representative (a blocked login gets none: the
 * email gateway refuses it). Returns how many ends were recorded. Never throws for one record.
 */
export async function recordEndedRepresentations(env: Env, db: Db, now: number): Promise<number> {
  // Every agency's today is within a day of UTC's: the widest net, decided per agency below.
  const through = nextDay(new Date(now).toISOString().slice(0, 10));
  const rows = await recordsEndingBy(db, { agencyId: null, through, unrecorded: true });
  if (rows.length === 0) return 0;
  const agencyIds = [...new Set(rows.map((r) => r.agencyId))];
  const agencyRows = await Promise.all(
    agencyIds.map((id) => db.select({ id: agencies.id, name: agencies.name, ...agencySettingsColumns }).from(agencies).where(eq(agencies.id, id)).get()),
  );
  const byId = new Map(agencyRows.filter((a) => a !== undefined).map((a) => [a.id, a]));
  let recorded = 0;
  for (const r of rows) {
    const agency = byId.get(r.agencyId);
    if (!agency) continue;
    const facts = {
      login: { active: true, blockedAt: null, representative: true },
      clientDateOfBirth: r.clientDateOfBirth,
      representation: { legalBasis: r.legalBasis, startDate: r.startDate, endDate: r.endDate, guardianship: r.guardianship, endedAt: null },
    };
    const verdict = accessNow(env, agency, facts, now);
    if (verdict.ok || (verdict.reason !== "end-date" && verdict.reason !== "majority")) continue;
    try {
      const { ageOfMajority } = effectiveSettings(env, agency);
      const end = representationEnd(r, r.clientDateOfBirth, ageOfMajority)!;
      const why =
        end.reason === "majority"
          ? `${r.clientFirstName} reached the age of majority (${ordinal(ageOfMajority)} birthday, ${showDate(end.date)}); no court-ordered guardianship is recorded.`
          : `The end date ${showDate(end.date)} came.`;
      const committed = await commitChange(env, {
        agencyId: r.agencyId,
        clientId: r.clientId,
        statements: [
          db
            .update(portalRepresentations)
            .set({ endRecordedAt: now })
            .where(and(eq(portalRepresentations.id, r.id), eq(portalRepresentations.agencyId, r.agencyId), isNull(portalRepresentations.endRecordedAt), isNull(portalRepresentations.endedAt)))
            .toSQL(),
        ],
        entry: {
          actor: SYSTEM,
          changeType: "Portal Login",
          description: `Representative access of Portal Login ${r.username} (${r.name}) ended.`,
          details: {
            lines: [why, "The login can no longer sign in for this client; its sessions ended at once. The representative is emailed a notice."],
            portal: { action: "Profile Updated", description: `Representative access of ${r.username} ended.` },
          },
        },
      });
      if (!committed.committed) continue;
      recorded += 1;
      await sendAccessEndedNotice(env, db, { agency, loginId: r.loginId, reason: "end-date", at: now });
    } catch (err) {
      console.error(`representative ${r.id}: end not recorded: ${errorText(err)}`);
    }
  }
  return recorded;
}
