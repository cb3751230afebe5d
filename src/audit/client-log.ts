/**
 * ClientLog: one Durable Object per client, the only writer of that client's log (client_log).
 * ChainWriter (chained-log.ts) does the writing and states the guarantees: numbers 1, 2, 3… with
 * no gap or duplicate, each entry sealed with the Worker's log key and linked to the one before,
 * a change and its entry in one D1 batch, events never lost, and the head kept in this object's
 * own storage so that Verify can tell a log cut short and no number is handed out twice.
 */
import { DurableObject } from "cloudflare:workers";
import { ChainWriter, type CommitAnswer, type HeadReport, type Statement } from "./chained-log";
import { CLIENT_LOG, clientLogFields, type EntryInput } from "./entry";

export type { CommitAnswer, CommitResult, HeadReport, Statement } from "./chained-log";

/** One data change and the entry that records it. */
export interface CommitPart {
  /** Run in order; the entry is written only if the last one changed rows. */
  statements: Statement[];
  entry: EntryInput;
}

export interface CommitRequest extends CommitPart {
  agencyId: number;
  clientId: number;
  /**
   * Further changes for the same batch, each with its own entry (numbers follow the first). A
   * later part runs only if the part before it landed: the caller puts `changes() > 0` in the
   * WHERE of its first statement. Parts land as a prefix (see ChainWriter.commit).
   */
  then?: CommitPart[];
}

export class ClientLog extends DurableObject<Env> {
  readonly #log = new ChainWriter(this.ctx, this.env, CLIENT_LOG);

  /**
   * Commits a data change and its entry in one D1 batch, in this client's order. D1 failing comes
   * back as `{ failed }` with nothing written and no number used; a change that changed no rows
   * logs nothing (`committed: false`).
   */
  commit(req: CommitRequest): Promise<CommitAnswer> {
    const parts = [req, ...(req.then ?? [])].map((p) => ({ statements: p.statements, fields: clientLogFields(req.agencyId, p.entry) }));
    return this.#log.commit(req.clientId, parts);
  }

  /** Records an event that changes no data; when this returns it is in D1 or durable here. */
  record(req: { agencyId: number; clientId: number; entry: EntryInput }): Promise<{ seq: number; bookmark?: string | null }> {
    return this.#log.record(req.clientId, clientLogFields(req.agencyId, req.entry));
  }

  /** The log's head, for Verify (entries waiting for D1 are tried once more first). */
  head(clientId: number): Promise<HeadReport> {
    return this.#log.head(clientId);
  }

  /** Retries entries that have not reached D1 yet. */
  alarm(): Promise<void> {
    return this.#log.alarm();
  }

  /** Entries accepted but not yet in D1 (for tests and the bench). */
  pending(): number {
    return this.#log.pending();
  }
}
