/**
 * The way into a client's log for the rest of the app: data changes with their entry (one D1
 * batch through the client's ClientLog), and portal events.
 */
import type { CommitAnswer, CommitRequest, CommitResult } from "../audit/client-log";
import { errorText } from "../observability/error-text";
import { CLIENT_LOG, type Actor, type EntryDetails } from "../audit/entry";
import { logKeys } from "../audit/keys";
import { verifyChain, type ChainVerification } from "../audit/verify";
import { readingAfter, type Db } from "../db";
import { noteBookmark } from "../db/session";
import type { FieldChange } from "./face-sheet-fields";

export type { Actor };

/** The client's ClientLog Durable Object. */
export function clientLogFor(env: Env, clientId: number) {
  return env.CLIENT_LOG.get(env.CLIENT_LOG.idFromName(`client:${clientId}`));
}

/**
 * Commits a change and its log entry atomically, in the client's order. Throws if D1 fails (nothing
 * written).
 *
 * The call can also fail with its outcome open: the ClientLog object was reset (a deploy, an
 * eviction, a crash) after its batch was sent to D1, which then commits it. `landed` settles that:
 * it reads back whether this change is in D1 (by something only this change wrote — a new row's
 * id, a version, a hash). The batch was sent before the read, and D1 runs one database's requests
 * in order, so the answer is final: landed, the change and its entry are there (the next object
 * takes the entry up as its head) and the caller goes on as after a success; not landed, nothing
 * was written. Without `landed` such a failure is thrown as it came (the caller can't say more
 * than "open the page again to see").
 *
 * After a settled reset the entry's number is not known here: `seq` is 0.
 */
export async function commitChange(env: Env, req: CommitRequest, landed?: () => Promise<boolean>): Promise<CommitResult> {
  let answer: CommitAnswer;
  try {
    answer = await clientLogFor(env, req.clientId).commit(req);
  } catch (err) {
    if (!landed) throw err;
    if (!(await landed())) throw new Error(`client log: change not saved (the log's object was reset first): ${errorText(err)}`);
    console.error(`client log: client ${req.clientId}: the log's object was reset after the change was committed; it stands: ${errorText(err)}`);
    // Parts land as a prefix and the later ones follow from the first: all of them, as far as the caller's check goes.
    return { committed: true, seq: 0, parts: 1 + (req.then?.length ?? 0) };
  }
  if ("failed" in answer) throw new Error(`client log: change not saved: ${answer.failed}`);
  // The object wrote D1 for this request: the response's bookmark cookie must cover it.
  noteBookmark(answer.bookmark);
  return answer;
}

/**
 * Verify log for one client: its rows in D1 checked against the log keys and against the head its
 * ClientLog keeps (so a log cut short shows). The caller has already checked that the client is
 * the agency's.
 */
export async function verifyClientLog(env: Env, db: Db, agencyId: number, clientId: number): Promise<ChainVerification> {
  const head = await clientLogFor(env, clientId).head(clientId);
  // Read at least as new as the object's latest write (head.bookmark): `db` may have begun before it.
  return verifyChain(readingAfter(env.DB, head.bookmark, db), CLIENT_LOG, logKeys(env), { agencyId, stream: clientId }, head);
}

type RecordRequest = Parameters<ReturnType<typeof clientLogFor>["record"]>[0];

/**
 * Hands an event to the client's ClientLog. If the call fails — the object was reset while it
 * held the event — the event may already be in D1 (written just before the reset) or not at all:
 * D1 is read for it (same client, type, wording, actor and details, written since this call
 * began), and only if it isn't there is it handed over once more. So a reset loses no event and
 * doubles none. (Two identical events of one actor in the same moment can be taken for each other;
 * then one of them may go unrecorded, never one recorded twice.)
 */
async function recordEvent(env: Env, req: RecordRequest): Promise<{ seq: number }> {
  const since = Date.now() - 1_000;
  try {
    const written = await clientLogFor(env, req.clientId).record(req);
    // The object wrote D1 for this request: the response's bookmark cookie must cover it.
    noteBookmark(written.bookmark);
    return written;
  } catch (err) {
    const e = req.entry;
    // On the primary: the object may have written the event just before its reset.
    const found = await env.DB.withSession("first-primary").prepare(
      "SELECT seq FROM client_log WHERE client_id = ? AND agency_id = ? AND change_type = ? AND description = ? AND actor_type = ? AND actor_id IS ? AND details = ? AND at >= ? ORDER BY seq DESC LIMIT 1",
    )
      .bind(req.clientId, req.agencyId, e.changeType, e.description, e.actor.type, e.actor.id, JSON.stringify(e.details), since)
      .first<{ seq: number }>();
    if (found) return found;
    console.error(`client log: client ${req.clientId}: an event was handed over again after: ${errorText(err)}`);
    const written = await clientLogFor(env, req.clientId).record(req);
    noteBookmark(written.bookmark);
    return written;
  }
}

/** The portal events of the seed's Client Action Log, with its exact wording. */
export type PortalEvent = "Login" | "Logout" | "Reset Password";

const PORTAL_EVENT_TEXT: Record<PortalEvent, (username: string) => string> = {
  Login: (u) => `Patient Portal login by ${u}`,
  Logout: (u) => `Patient Portal logout by ${u}`,
  "Reset Password": (u) => `Password changed by ${u}`,
};

/**
 * The log entry of a portal event, in the seed's wording (shown on the portal's Activity too).
 * `lines` add staff-visible detail (e.g. that a passkey was used); Activity shows the description.
 * `actingAs` names a representative's standing for this client after the username ("Patient
 * Portal login by jdoe (representative: parent)"); a client's own login has none, so its text
 * stays the seed's exactly.
 */
export function portalEventEntry(e: { loginId: number; username: string; event: PortalEvent; lines?: string[]; actingAs?: string | null }) {
  const description = PORTAL_EVENT_TEXT[e.event](e.actingAs ? `${e.username} (${e.actingAs})` : e.username);
  return {
    actor: { type: "portal" as const, id: e.loginId, name: e.username },
    changeType: e.event,
    description,
    details: { portal: { action: e.event, description }, ...(e.lines?.length ? { lines: e.lines } : {}) },
  };
}

/**
 * The client's log entry for a passkey a portal login added or removed (staff see it; so does
 * Activity). `lines` add staff-visible detail (e.g. that it was created from an emailed link).
 */
export function portalPasskeyEntry(e: { loginId: number; username: string; change: "added" | "removed"; name: string; lines?: string[]; actingAs?: string | null }) {
  return {
    actor: { type: "portal" as const, id: e.loginId, name: e.username },
    changeType: "Portal Login",
    description: `Portal Login ${e.username} ${e.change} a passkey: ${e.name}.`,
    details: {
      portal: { action: e.change === "added" ? "Passkey Added" : "Passkey Removed", description: `Passkey "${e.name}" ${e.change} by ${e.username}${e.actingAs ? ` (${e.actingAs})` : ""}` },
      ...(e.lines?.length ? { lines: e.lines } : {}),
    },
  };
}

/** Appends a portal event (sign-in, sign-out, password change) to the client's log. */
export async function recordPortalEvent(
  env: Env,
  e: { agencyId: number; clientId: number; loginId: number; username: string; event: PortalEvent; lines?: string[]; actingAs?: string | null },
): Promise<{ seq: number }> {
  return recordEvent(env, { agencyId: e.agencyId, clientId: e.clientId, entry: portalEventEntry(e) });
}

/** Appends an event that changes no data and that only staff see (e.g. a login locked). */
export async function recordStaffEvent(
  env: Env,
  e: { agencyId: number; clientId: number; actor: Actor; changeType: string; description: string; details?: EntryDetails },
): Promise<{ seq: number }> {
  return recordEvent(env, {
    agencyId: e.agencyId,
    clientId: e.clientId,
    entry: { actor: e.actor, changeType: e.changeType, description: e.description, details: e.details ?? {} },
  });
}

const show = (v: string | boolean) => (typeof v === "boolean" ? (v ? "Yes" : "No") : v === "" ? "(blank)" : v);

/** The seed's wording for a Face Sheet Update: the groups changed, then one line per field. */
export function faceSheetEntry(changes: FieldChange[], actor: Actor) {
  const groups = [...new Set(changes.map((c) => c.group))];
  return {
    actor,
    changeType: "Face Sheet",
    description: `Updated the following dynamic fields: ${groups.join(", ")}`,
    details: {
      lines: changes.map((c) => `${c.group} - {Set entry: ${c.entry} to value: ${show(c.after)}}`),
      changes: changes.map((c) => ({ field: c.entry, before: c.before, after: c.after })),
    },
  };
}
