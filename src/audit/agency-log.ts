/**
 * AgencyLog: one Durable Object per agency, the only writer of that agency's log (agency_log) —
 * who did what, when and from where: staff sign-ins and sign-outs, exports, verifications, record
 * views; later also staff administration and settings changes (commit). The same ChainWriter as
 * the client log (chained-log.ts) does the writing, so the same guarantees hold: numbers without
 * gap or duplicate, entries sealed with the log key, events never lost once accepted, a durable
 * head that Verify compares D1 against.
 */
import { DurableObject } from "cloudflare:workers";
import type { ChainSpec } from "./chain";
import { ChainWriter, type CommitAnswer, type HeadReport, type Statement } from "./chained-log";
import type { Actor } from "./entry";

/** What can happen in an agency log. New kinds are added here (and the filter offers them). */
export const AGENCY_ACTIONS = ["Sign-in", "Sign-in failed", "Sign-out", "Face Sheet view", "CSV export", "Verify log", "Access denied",
  "Staff invited", "Role changed", "Staff deactivated", "Staff reactivated", "Staff unlocked", "Invitation resent", "Signed out everywhere", "Session ended", "Settings changed",
  "Programme changed"] as const;
export type AgencyAction = (typeof AGENCY_ACTIONS)[number];

/**
 * Entries written to D1 in batches, within a second (ChainWriter.recordSoon): a look at a record
 * happens on every page a staff member opens, so one D1 write each would cost every such page.
 * Numbered, sealed and durable in the object the moment they are accepted, like every entry; the
 * Agency Log page, its CSV and Verify write them to D1 before they read.
 */
const WRITTEN_SOON: ReadonlySet<AgencyAction> = new Set(["Face Sheet view"]);

/** Structured facts about an entry; `lines` are shown under the description. */
export interface AgencyEntryDetails {
  lines?: string[];
  [fact: string]: string | number | boolean | null | string[] | undefined;
}

/** What a caller asks to append; the object adds seq, time and seal. */
export interface AgencyEntryInput {
  actor: Actor;
  action: AgencyAction;
  description: string;
  details: AgencyEntryDetails;
  /** Where the request came from and the browser it named, when there was a request. */
  ipAddress: string | null;
  userAgent: string | null;
}

/** An agency log entry's contents as stored (and sealed). */
export type AgencyLogFields = {
  actorType: Actor["type"];
  actorId: number | null;
  actorName: string;
  action: string;
  description: string;
  details: string; // JSON of AgencyEntryDetails
  ipAddress: string | null;
  userAgent: string | null;
};

/** The agency_log table: one log per agency_id. Field order is the hash order: append only. */
export const AGENCY_LOG: ChainSpec<AgencyLogFields> = {
  table: "agency_log",
  stream: "agency_id",
  columns: {
    actorType: "actor_type",
    actorId: "actor_id",
    actorName: "actor_name",
    action: "action",
    description: "description",
    details: "details",
    ipAddress: "ip_address",
    userAgent: "user_agent",
  },
};

function agencyLogFields(e: AgencyEntryInput): AgencyLogFields {
  return {
    actorType: e.actor.type,
    actorId: e.actor.id,
    actorName: e.actor.name,
    action: e.action,
    description: e.description,
    details: JSON.stringify(e.details),
    ipAddress: e.ipAddress,
    userAgent: e.userAgent,
  };
}

export class AgencyLog extends DurableObject<Env> {
  readonly #log = new ChainWriter(this.ctx, this.env, AGENCY_LOG);

  /**
   * Records an event that changes no data; when this returns it is in D1 or durable here. `key`:
   * the same on every attempt to send this event, so a retry after a lost reply records it once.
   */
  record(req: { agencyId: number; entry: AgencyEntryInput; key?: string }): Promise<{ seq: number; bookmark?: string | null }> {
    const fields = agencyLogFields(req.entry);
    return WRITTEN_SOON.has(req.entry.action) ? this.#log.recordSoon(req.agencyId, fields, req.key) : this.#log.record(req.agencyId, fields, req.key);
  }

  /** Writes entries still waiting (WRITTEN_SOON, or refused by D1) to D1 now; the bookmark after. */
  flush(): Promise<{ waiting: number; bookmark: string | null }> {
    return this.#log.flush();
  }

  /**
   * Commits a data change of the agency (a staff account, a setting) and its entry in one D1
   * batch, in the agency's order; as ClientLog.commit.
   */
  commit(req: { agencyId: number; statements: Statement[]; entry: AgencyEntryInput }): Promise<CommitAnswer> {
    return this.#log.commit(req.agencyId, [{ statements: req.statements, fields: agencyLogFields(req.entry) }]);
  }

  /** The log's head, for Verify (entries waiting for D1 are tried once more first). */
  head(agencyId: number): Promise<HeadReport> {
    return this.#log.head(agencyId);
  }

  /** Writes entries that have not reached D1 yet. */
  alarm(): Promise<void> {
    return this.#log.alarm();
  }

  /** Entries accepted but not yet in D1 (for tests). */
  pending(): number {
    return this.#log.pending();
  }
}
