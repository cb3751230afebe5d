/**
 * ClientLog: one Durable Object per client, the only writer of that client's log. It hands out
 * sequence numbers 1, 2, 3… with no gap or duplicate, chains each entry to the one before, and
 * writes the entry to D1 — in the same batch as the change it records, so a change is never
 * without its entry nor an entry without its change.
 */
import { DurableObject } from "cloudflare:workers";
import { GENESIS_HASH, insertEntrySql, sealEntry, type EntryInput, type SealedEntry } from "./entry";

export interface Statement {
  sql: string;
  params: unknown[];
}

export interface CommitRequest {
  agencyId: number;
  clientId: number;
  /** The data change: run in order; the entry is written only if the last one changed rows. */
  statements: Statement[];
  entry: EntryInput;
}

export type CommitResult = { committed: true; seq: number } | { committed: false };

interface Head {
  seq: number;
  hash: string;
  at: number;
}

const OUTBOX = "outbox:";
const RETRY_MS = 2_000;

export class ClientLog extends DurableObject<Env> {
  /** Every operation runs after the one before it has finished: that is the ordering. */
  #queue: Promise<unknown> = Promise.resolve();
  #head: Head | undefined;
  /** Flushes of the outbox run one after another; one flush writes every entry waiting. */
  #flushes: Promise<void> = Promise.resolve();

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** The last entry handed out: from this object's storage, or (first use) from D1. */
  async #loadHead(clientId: number): Promise<Head> {
    if (this.#head) return this.#head;
    const stored = this.ctx.storage.kv.get<Head>("head");
    if (stored) return (this.#head = stored);
    const row = await this.env.DB.prepare("SELECT seq, hash, at FROM client_log WHERE client_id = ? ORDER BY seq DESC LIMIT 1")
      .bind(clientId)
      .first<Head>();
    return (this.#head = row ?? { seq: 0, hash: GENESIS_HASH, at: 0 });
  }

  #setHead(head: Head) {
    this.#head = head;
    this.ctx.storage.kv.put("head", head);
  }

  #seal(head: Head, req: { agencyId: number; clientId: number; entry: EntryInput }): SealedEntry {
    return sealEntry(req.entry, {
      agencyId: req.agencyId,
      clientId: req.clientId,
      seq: head.seq + 1,
      at: Math.max(Date.now(), head.at),
      prevHash: head.hash,
    });
  }

  /**
   * Commits a data change and its entry in one D1 batch. If D1 fails, nothing is written, the
   * sequence is not used, and the error reaches the caller. If the change's last statement
   * changed no rows (a lost race or stale version), nothing is logged: `committed: false`.
   */
  commit(req: CommitRequest): Promise<CommitResult> {
    return this.#serial(async () => {
      const head = await this.#loadHead(req.clientId);
      const sealed = this.#seal(head, req);
      const db = this.env.DB;
      const entry = insertEntrySql(sealed, { guarded: req.statements.length > 0, idempotent: false });
      const results = await db.batch([
        ...req.statements.map((s) => db.prepare(s.sql).bind(...s.params)),
        db.prepare(entry.sql).bind(...entry.params),
      ]);
      if ((results.at(-1)?.meta.changes ?? 0) === 0) return { committed: false };
      this.#setHead({ seq: sealed.seq, hash: sealed.hash, at: sealed.at });
      return { committed: true, seq: sealed.seq };
    });
  }

  /**
   * Records an event that changes no data (a portal sign-in, a lock). Once this returns the entry
   * is durable here; it is written to D1 now, or by the alarm until it lands, exactly once.
   */
  async record(req: { agencyId: number; clientId: number; entry: EntryInput }): Promise<{ seq: number }> {
    const seq = await this.#serial(async () => {
      const head = await this.#loadHead(req.clientId);
      const sealed = this.#seal(head, req);
      // Durable before acknowledged: the outbox row and the new head in one storage write.
      this.ctx.storage.transactionSync(() => {
        this.ctx.storage.kv.put(OUTBOX + String(sealed.seq).padStart(12, "0"), sealed);
        this.#setHead({ seq: sealed.seq, hash: sealed.hash, at: sealed.at });
      });
      return sealed.seq;
    });
    // Group commit: concurrent events share one D1 batch. Returning after the flush means the
    // entry is readable in D1 as soon as the caller goes on (unless D1 failed; then the alarm).
    await this.#flushQueued();
    return { seq };
  }

  #flushQueued(): Promise<void> {
    const run = this.#flushes.then(() => this.#flush());
    this.#flushes = run.catch(() => undefined);
    return run;
  }

  /** Retries entries that have not reached D1 yet. */
  async alarm(): Promise<void> {
    await this.#flushQueued();
  }

  /** Entries accepted but not yet in D1 (for tests and the bench). */
  pending(): number {
    return [...this.ctx.storage.kv.list({ prefix: OUTBOX })].length;
  }

  /** Writes every outbox entry to D1 in one batch; on failure leaves them and sets an alarm. */
  async #flush(): Promise<void> {
    const waiting = [...this.ctx.storage.kv.list<SealedEntry>({ prefix: OUTBOX })];
    if (waiting.length === 0) return;
    const db = this.env.DB;
    try {
      await db.batch(
        waiting.map(([, e]) => {
          const s = insertEntrySql(e, { guarded: false, idempotent: true });
          return db.prepare(s.sql).bind(...s.params);
        }),
      );
    } catch (err) {
      console.error(`client log: ${waiting.length} entries not yet in D1, retrying: ${(err as Error).message}`);
      await this.ctx.storage.setAlarm(Date.now() + RETRY_MS);
      return;
    }
    for (const [key] of waiting) this.ctx.storage.kv.delete(key);
  }
}
