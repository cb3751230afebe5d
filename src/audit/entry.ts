/**
 * What a client log entry holds, and how the client log is stored (its ChainSpec).
 */
import type { ChainSpec, Sealed } from "./chain";

export interface Actor {
  type: "staff" | "portal" | "system";
  id: number | null;
  name: string;
}

/** A changed field: what it was and what it became. */
export interface FieldDelta {
  field: string;
  before: string | boolean | null;
  after: string | boolean | null;
}

export interface EntryDetails {
  /** Detail lines shown under the description in the Change Log. */
  lines?: string[];
  /** Structured before/after of every changed field. */
  changes?: FieldDelta[];
  /** How the entry reads on the portal's Client Action Log, when the client should see it. */
  portal?: { action: string; description: string };
  /** The case the entry is about, if one: a case a minor consented to is hidden from representatives (src/minor-consent/). */
  caseId?: number;
}

/** What a caller asks to append; the Durable Object adds seq, time and seal. */
export interface EntryInput {
  actor: Actor;
  changeType: string;
  description: string;
  details: EntryDetails;
}

/** A client log entry's contents as stored (and sealed). */
export type ClientLogFields = {
  agencyId: number;
  actorType: Actor["type"];
  actorId: number | null;
  actorName: string;
  changeType: string;
  description: string;
  details: string; // JSON of EntryDetails
};

/** The client_log table: one log per client_id. Field order is the hash order: append only. */
export const CLIENT_LOG: ChainSpec<ClientLogFields> = {
  table: "client_log",
  stream: "client_id",
  columns: {
    agencyId: "agency_id",
    actorType: "actor_type",
    actorId: "actor_id",
    actorName: "actor_name",
    changeType: "change_type",
    description: "description",
    details: "details",
  },
};

export type SealedEntry = Sealed<ClientLogFields>;

/** An entry request as the columns it is stored in. */
export function clientLogFields(agencyId: number, input: EntryInput): ClientLogFields {
  return {
    agencyId,
    actorType: input.actor.type,
    actorId: input.actor.id,
    actorName: input.actor.name,
    changeType: input.changeType,
    description: input.description,
    details: JSON.stringify(input.details),
  };
}
