/**
 * The way into a client's log for the rest of the app: data changes with their entry (one D1
 * batch through the client's ClientLog), and portal events.
 */
import type { CommitRequest, CommitResult } from "../audit/client-log";
import { CLIENT_LOG, type Actor, type EntryDetails } from "../audit/entry";
import { logKeys } from "../audit/keys";
import { verifyChain, type ChainVerification } from "../audit/verify";
import type { Db } from "../db";
import { noteBookmark } from "../db/session";
import type { FieldChange } from "./face-sheet-fields";

export type { Actor };

/** The client's ClientLog Durable Object. */
export function clientLogFor(env: Env, clientId: number) {
  return env.CLIENT_LOG.get(env.CLIENT_LOG.idFromName(`client:${clientId}`));
}

/** Commits a change and its log entry atomically, in the client's order. Throws if D1 fails (nothing written). */
export async function commitChange(env: Env, req: CommitRequest): Promise<CommitResult> {
  const answer = await clientLogFor(env, req.clientId).commit(req);
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
  return verifyChain(db, CLIENT_LOG, logKeys(env), { agencyId, stream: clientId }, head);
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
 */
export function portalEventEntry(e: { loginId: number; username: string; event: PortalEvent; lines?: string[] }) {
  const description = PORTAL_EVENT_TEXT[e.event](e.username);
  return {
    actor: { type: "portal" as const, id: e.loginId, name: e.username },
    changeType: e.event,
    description,
    details: { portal: { action: e.event, description }, ...(e.lines?.length ? { lines: e.lines } : {}) },
  };
}

/** Appends a portal event (sign-in, sign-out, password change) to the client's log. */
export async function recordPortalEvent(
  env: Env,
  e: { agencyId: number; clientId: number; loginId: number; username: string; event: PortalEvent; lines?: string[] },
): Promise<{ seq: number }> {
  const written = await clientLogFor(env, e.clientId).record({ agencyId: e.agencyId, clientId: e.clientId, entry: portalEventEntry(e) });
  noteBookmark(written.bookmark);
  return written;
}

/** Appends an event that changes no data and that only staff see (e.g. a login locked). */
export async function recordStaffEvent(
  env: Env,
  e: { agencyId: number; clientId: number; actor: Actor; changeType: string; description: string; details?: EntryDetails },
): Promise<{ seq: number }> {
  const written = await clientLogFor(env, e.clientId).record({
    agencyId: e.agencyId,
    clientId: e.clientId,
    entry: { actor: e.actor, changeType: e.changeType, description: e.description, details: e.details ?? {} },
  });
  noteBookmark(written.bookmark);
  return written;
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
