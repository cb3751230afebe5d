/**
 * ClientLog: one Durable Object per client, the only writer of that client's log. It hands out
 * sequence numbers 1, 2, 3… with no gap or duplicate, chains each entry to the one before, and
 * writes the entry to D1 — in the same batch as the change it records, so a change is never
 * without its entry nor an entry without its change.
 *
 * The head (last seq and hash) lives in memory and is rebuilt from D1 and the outbox when the
 * object starts. Storage is written only when D1 refuses an event: a storage write holds every
 * outgoing call until it is durable, and on the happy path that would serialize all writers.
 */
import { DurableObject } from "cloudflare:workers";
import { GENESIS_HASH, insertEntrySql, sealEntry, type EntryInput, type SealedEntry } from "./entry";
import { errorText } from "../observability/error-text";

export interface Statement {
  sql: string;
  params: unknown[];
}

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
   * Further changes for the same batch, each with its own entry (sequence numbers follow the
   * first). A later part must run only if the part before it landed: the caller puts
   * `changes() > 0` in the WHERE of its first statement, which is true only when the entry just
   * before was written. So the parts land as a prefix: a part that changes no rows is skipped with
   * its entry, and so is every part after it, while the earlier ones stand.
   */
  then?: CommitPart[];
}

/** `seq` is the first entry's; `parts` how many parts landed (1 + those of `then`). */
export type CommitResult = { committed: true; seq: number; parts: number } | { committed: false };

/** What crosses the RPC boundary: a D1 failure comes back as a value, not a thrown error. */
export type CommitAnswer = CommitResult | { failed: string };

interface Head {
  seq: number;
  hash: string;
  at: number;
}

interface PendingCommit {
  req: CommitRequest;
  done: (r: CommitAnswer) => void;
}

// Fails the statement (and so the whole batch) when the entry insert before it wrote nothing:
// abs() of the smallest 64-bit integer is an "integer overflow" error in SQLite.
const ENTRY_LANDED = "SELECT CASE WHEN changes() = 0 THEN abs(-9223372036854775808) ELSE 1 END";

const OUTBOX = "outbox:";
const RETRY_MS = 2_000;
const outboxKey = (seq: number) => OUTBOX + String(seq).padStart(12, "0");

export class ClientLog extends DurableObject<Env> {
  /** Every sealing runs after the one before it has finished: that is the ordering. */
  #queue: Promise<unknown> = Promise.resolve();
  #head: Head | undefined;
  /** Changes waiting for the next group commit. */
  #commits: PendingCommit[] = [];
  #commitWaiting = false;
  /** Events sealed but not yet sent to D1, each with its caller's wake-up; the next flush takes them all. */
  #unsent: { entry: SealedEntry; landed: () => void }[] = [];
  /** Flushes run one after another; at most one waits to start. */
  #flushes: Promise<void> = Promise.resolve();
  #flushWaiting = false;

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** The last entry handed out: the newest of D1's rows and the outbox, loaded once. */
  async #loadHead(clientId: number): Promise<Head> {
    if (this.#head) return this.#head;
    const row = await this.env.DB.prepare("SELECT seq, hash, at FROM client_log WHERE client_id = ? ORDER BY seq DESC LIMIT 1")
      .bind(clientId)
      .first<Head>();
    const waiting = [...this.ctx.storage.kv.list<SealedEntry>({ prefix: OUTBOX })].map(([, e]) => e);
    const last = waiting.at(-1);
    const head = row ?? { seq: 0, hash: GENESIS_HASH, at: 0 };
    this.#head = last && last.seq > head.seq ? { seq: last.seq, hash: last.hash, at: last.at } : head;
    return this.#head;
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

  #advance(e: SealedEntry) {
    this.#head = { seq: e.seq, hash: e.hash, at: e.at };
  }

  /**
   * Commits a data change and its entry in one D1 batch. If D1 fails, nothing is written, the
   * sequence is not used, and the caller gets `{ failed }`. If the change's last statement
   * changed no rows (a lost race or stale version), nothing is logged: `committed: false`.
   */
  commit(req: CommitRequest): Promise<CommitAnswer> {
    const result = new Promise<CommitAnswer>((done) => this.#commits.push({ req, done }));
    if (!this.#commitWaiting) {
      this.#commitWaiting = true;
      void this.#serial(async () => {
        this.#commitWaiting = false;
        await this.#commitGroup(this.#commits.splice(0));
      });
    }
    return result;
  }

  /**
   * Group commit: every change that queued while the last batch was in flight goes in one batch.
   * If that batch fails for any reason it is rolled back whole, and the group is done again one
   * change at a time, so each caller gets its own answer.
   */
  async #commitGroup(group: PendingCommit[]): Promise<void> {
    if (group.length > 1) {
      try {
        const seqs = await this.#commitTogether(group.map((g) => g.req));
        group.forEach((g, i) => g.done({ committed: true, seq: seqs[i]!, parts: 1 + (g.req.then?.length ?? 0) }));
        return;
      } catch {
        // fall through: one at a time
      }
    }
    for (const g of group) {
      try {
        g.done(await this.#commitOne(g.req));
      } catch (err) {
        g.done({ failed: (err as Error).message });
      }
    }
  }

  async #commitOne(req: CommitRequest): Promise<CommitResult> {
    const db = this.env.DB;
    const parts = [req, ...(req.then ?? [])];
    let head = await this.#loadHead(req.clientId);
    const sealed: SealedEntry[] = [];
    const statements: D1PreparedStatement[] = [];
    const entryAt: number[] = [];
    for (const part of parts) {
      const e = this.#seal(head, { agencyId: req.agencyId, clientId: req.clientId, entry: part.entry });
      head = { seq: e.seq, hash: e.hash, at: e.at };
      sealed.push(e);
      const entry = insertEntrySql(e, { guarded: part.statements.length > 0, idempotent: false });
      statements.push(...part.statements.map((s) => db.prepare(s.sql).bind(...s.params)));
      entryAt.push(statements.length);
      statements.push(db.prepare(entry.sql).bind(...entry.params));
    }
    const results = await db.batch(statements);
    const landed = entryAt.map((i) => (results[i]?.meta.changes ?? 0) > 0);
    const count = landed.indexOf(false) === -1 ? landed.length : landed.indexOf(false);
    if (landed.slice(count).some(Boolean)) {
      // A later part ran though an earlier one didn't (its caller left out the changes() guard):
      // the written seqs have a gap. Forget the head so the next commit reads it from D1.
      console.error(`client log: client ${req.clientId}: a commit's parts landed out of order`);
      this.#head = undefined;
      return count === 0 ? { committed: false } : { committed: true, seq: sealed[0]!.seq, parts: count };
    }
    if (count === 0) return { committed: false };
    this.#advance(sealed[count - 1]!);
    return { committed: true, seq: sealed[0]!.seq, parts: count };
  }

  /** All the changes in one batch; each entry must land or the batch aborts (ENTRY_LANDED). */
  async #commitTogether(reqs: CommitRequest[]): Promise<number[]> {
    const db = this.env.DB;
    let head = await this.#loadHead(reqs[0]!.clientId);
    const sealed: SealedEntry[] = [];
    const statements: D1PreparedStatement[] = [];
    const firsts: number[] = [];
    for (const req of reqs) {
      firsts.push(sealed.length);
      // Every part of every change must land here; a part that wouldn't aborts the group, and
      // the one-at-a-time retry gives it its prefix answer.
      for (const part of [req, ...(req.then ?? [])]) {
        const e = this.#seal(head, { agencyId: req.agencyId, clientId: req.clientId, entry: part.entry });
        head = { seq: e.seq, hash: e.hash, at: e.at };
        sealed.push(e);
        const entry = insertEntrySql(e, { guarded: part.statements.length > 0, idempotent: false });
        statements.push(...part.statements.map((s) => db.prepare(s.sql).bind(...s.params)), db.prepare(entry.sql).bind(...entry.params), db.prepare(ENTRY_LANDED));
      }
    }
    await db.batch(statements);
    this.#advance(sealed.at(-1)!);
    return firsts.map((i) => sealed[i]!.seq);
  }

  /**
   * Records an event that changes no data (a portal sign-in, a lock). When this returns, the
   * entry is in D1 — or, if D1 refused it, durable in this object's storage, from where the alarm
   * writes it until it lands, exactly once.
   */
  async record(req: { agencyId: number; clientId: number; entry: EntryInput }): Promise<{ seq: number }> {
    const { seq, landed } = await this.#serial(async () => {
      const entry = this.#seal(await this.#loadHead(req.clientId), req);
      const landed = new Promise<void>((resolve) => this.#unsent.push({ entry, landed: resolve }));
      this.#advance(entry);
      return { seq: entry.seq, landed };
    });
    // Group commit: the caller waits for the first flush that carries its entry, and one flush
    // carries every entry sealed while the one before it was in flight.
    void this.#scheduleFlush();
    await landed;
    return { seq };
  }

  /** Retries entries that have not reached D1 yet. */
  async alarm(): Promise<void> {
    await this.#scheduleFlush();
  }

  /** Entries accepted but not yet in D1 (for tests and the bench). */
  pending(): number {
    return this.#unsent.length + [...this.ctx.storage.kv.list({ prefix: OUTBOX })].length;
  }

  #scheduleFlush(): Promise<void> {
    if (this.#flushWaiting) return this.#flushes;
    this.#flushWaiting = true;
    const run = this.#flushes.then(() => {
      this.#flushWaiting = false;
      return this.#flush();
    });
    this.#flushes = run.catch(() => undefined);
    return run;
  }

  /**
   * Writes every waiting entry (the outbox, then the unsent) to D1 in one batch. If D1 fails, the
   * unsent ones go to the outbox and an alarm retries; the insert ignores a seq already present.
   */
  async #flush(): Promise<void> {
    const stored = [...this.ctx.storage.kv.list<SealedEntry>({ prefix: OUTBOX })];
    const taken = this.#unsent.splice(0);
    const fresh = taken.map((t) => t.entry);
    const entries = [...stored.map(([, e]) => e), ...fresh];
    if (entries.length === 0) return;
    const db = this.env.DB;
    try {
      await db.batch(
        entries.map((e) => {
          const s = insertEntrySql(e, { guarded: false, idempotent: true });
          return db.prepare(s.sql).bind(...s.params);
        }),
      );
    } catch (err) {
      console.error(`client log: ${entries.length} entries not yet in D1, retrying: ${errorText(err)}`);
      this.ctx.storage.transactionSync(() => {
        for (const e of fresh) this.ctx.storage.kv.put(outboxKey(e.seq), e);
      });
      await this.ctx.storage.setAlarm(Date.now() + RETRY_MS);
      for (const t of taken) t.landed(); // durable here: accepted
      return;
    }
    for (const t of taken) t.landed();
    if (stored.length > 0) {
      this.ctx.storage.transactionSync(() => {
        for (const [key] of stored) this.ctx.storage.kv.delete(key);
      });
    }
  }
}
