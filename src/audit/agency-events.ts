/**
 * The way into an agency's log for the rest of the app: security events recorded after the
 * response (they never slow a page), changes to the agency's data committed with their entry, and
 * Verify.
 *
 * "After the response" must not mean "maybe": the event is handed to the agency's AgencyLog in
 * `waitUntil`, and the call is retried if the object can't be reached. Once the object has it, it
 * is in D1 or in the object's outbox, from where its alarm writes it (chained-log.ts).
 */
import type { Context } from "hono";
import type { AppEnv } from "../app";
import { readingAfter, type Db } from "../db";
import { noteBookmark } from "../db/session";
import { afterResponse } from "../observability/after-response";
import { errorText } from "../observability/error-text";
import { AGENCY_LOG, type AgencyAction, type AgencyEntryDetails, type AgencyEntryInput } from "./agency-log";
import type { CommitResult, Statement } from "./chained-log";
import type { Actor } from "./entry";
import { logKeys } from "./keys";
import { verifyChain, type ChainVerification } from "./verify";

/** The agency's AgencyLog Durable Object. */
export function agencyLogFor(env: Env, agencyId: number) {
  return env.AGENCY_LOG.get(env.AGENCY_LOG.idFromName(`agency:${agencyId}`));
}

/** What recording needs of a request: bindings, waitUntil, and the request's headers. */
export type RequestContext = Pick<Context<AppEnv>, "env" | "executionCtx" | "req">;

export interface AgencyEvent {
  actor: Actor;
  action: AgencyAction;
  description: string;
  details?: AgencyEntryDetails;
}

/** Calls to the object before giving up (each after a longer pause: 0.1 s, 0.4 s). */
const ATTEMPTS = 3;

/** A header's value, cut to `max` characters (a user agent can be anything); null when absent. */
const headerOf = (c: RequestContext, name: string, max: number) => c.req.header(name)?.slice(0, max) ?? null;

/** The event as the log stores it, with where it came from (the request's address and User-Agent). */
const entryOf = (c: RequestContext, event: AgencyEvent): AgencyEntryInput => ({
  ...event,
  details: event.details ?? {},
  ipAddress: headerOf(c, "CF-Connecting-IP", 64),
  userAgent: headerOf(c, "User-Agent", 256),
});

/**
 * Appends an event to the agency's log after the response has gone: who, what, and where from
 * (the request's CF-Connecting-IP and User-Agent). Returns at once.
 */
export function recordAgencyEvent(c: RequestContext, agencyId: number, event: AgencyEvent): void {
  const entry = entryOf(c, event);
  // Started after the handler has returned (afterResponse), so whether an event is recorded never
  // shows in the answer's timing (a known email's failed sign-in vs an unknown one's).
  let ctx: { waitUntil(p: Promise<unknown>): void };
  try {
    ctx = c.executionCtx;
  } catch {
    // No execution context (an app called directly, as some tests do): the delivery runs anyway.
    ctx = { waitUntil: () => {} };
  }
  afterResponse(ctx, () => deliver(c.env, agencyId, entry));
}

/**
 * Appends an event to the agency's log before the answer, for an event the answer depends on (a
 * sign-in that succeeded): resolves once the object holds it — in D1 or in its outbox, durable
 * either way — and rejects when it can't be reached after the retries, so the caller can refuse
 * what it was about to grant rather than grant it unlogged.
 */
export async function recordAgencyEventNow(c: RequestContext, agencyId: number, event: AgencyEvent): Promise<void> {
  if (!(await deliver(c.env, agencyId, entryOf(c, event)))) throw new Error(`agency log: "${event.action}" for agency ${agencyId} not recorded`);
}

/** Whether the object took the entry (false: not after every attempt; the error is logged). */
async function deliver(env: Env, agencyId: number, entry: AgencyEntryInput): Promise<boolean> {
  // One key for every attempt: the object may have taken the event and only its reply been lost,
  // and it records a repeated key once (event-keys.ts).
  const key = crypto.randomUUID();
  for (let attempt = 1; ; attempt++) {
    try {
      // A fresh stub each time: a stub that has thrown may stay broken.
      await agencyLogFor(env, agencyId).record({ agencyId, entry, key });
      return true;
    } catch (err) {
      if (attempt >= ATTEMPTS) {
        console.error(`agency log: "${entry.action}" for agency ${agencyId} not recorded after ${ATTEMPTS} attempts: ${errorText(err)}`);
        return false;
      }
      await new Promise((resume) => setTimeout(resume, 100 * 4 ** (attempt - 1)));
    }
  }
}

/** A staff member as the actor of an entry. */
export const staffActor = (staff: { id: number; name: string }): Actor => ({ type: "staff", id: staff.id, name: staff.name });

/** Records what the signed-in staff member just did (after the response). */
export function recordStaffAction(c: Context<AppEnv>, action: AgencyAction, description: string, details?: AgencyEntryDetails): void {
  const staff = c.var.staff;
  recordAgencyEvent(c, staff.agency.id, { actor: staffActor(staff), action, description, details });
}

/**
 * Commits a change the signed-in staff member made to the agency's data (e.g. its settings) and
 * its log entry — with the request's address and browser — in one D1 batch, in the log's order.
 * The entry lands only if the last statement changed rows (a conditional update that lost a race
 * writes nothing and answers `committed: false`). Throws when D1 fails: nothing was written.
 */
export async function commitStaffChange(
  c: Context<AppEnv>,
  change: { statements: Statement[]; action: AgencyAction; description: string; details?: AgencyEntryDetails },
): Promise<CommitResult> {
  const staff = c.var.staff;
  const entry: AgencyEntryInput = {
    actor: staffActor(staff),
    action: change.action,
    description: change.description,
    details: change.details ?? {},
    ipAddress: headerOf(c, "CF-Connecting-IP", 64),
    userAgent: headerOf(c, "User-Agent", 256),
  };
  const answer = await agencyLogFor(c.env, staff.agency.id).commit({ agencyId: staff.agency.id, statements: change.statements, entry });
  if ("failed" in answer) throw new Error(`agency log: change not saved: ${answer.failed}`);
  noteBookmark(answer.bookmark);
  return answer;
}

/**
 * The database to read an agency's log with: first its AgencyLog writes what is still waiting
 * (entries written in batches, or refused by D1), then the reads start at least as new as that
 * write (its D1 bookmark), on a replica or the primary. If the object can't be reached the page
 * still shows what D1 has: the waiting entries are durable and land later.
 */
export async function agencyLogReader(c: Context<AppEnv>, agencyId: number): Promise<Db> {
  try {
    const { bookmark } = await agencyLogFor(c.env, agencyId).flush();
    return readingAfter(c.env.DB, bookmark, c.var.db);
  } catch (err) {
    console.error(`agency log: agency ${agencyId}: waiting entries not written before a read: ${errorText(err)}`);
    return c.var.db;
  }
}

/**
 * Verify for an agency's log: its rows in D1 against the log keys and the AgencyLog's head. The
 * object writes what waits first (head), so the rows are read at least as new as that write — `db`
 * (the request's session) began before it.
 */
export async function verifyAgencyLog(env: Env, db: Db, agencyId: number): Promise<ChainVerification> {
  const head = await agencyLogFor(env, agencyId).head(agencyId);
  return verifyChain(readingAfter(env.DB, head.bookmark, db), AGENCY_LOG, logKeys(env), { agencyId, stream: agencyId }, head);
}
