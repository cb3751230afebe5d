/**
 * ChainWriter: the one way entries are appended to a log, used inside each log's Durable Object
 * (ClientLog, AgencyLog) — the object is the log's only writer, and this is its writing half.
 *
 * What it guarantees:
 * - Numbers 1, 2, 3… with no gap or duplicate, each entry sealed (chain.ts) and linked to the one
 *   before, in one order however many callers write at once.
 * - A data change and its entry are one D1 batch (commit): never one without the other.
 * - An event that changes no data (record) is, when the caller hears back, in D1 or durable in
 *   the object's storage (the outbox), from where the alarm writes it until it lands, exactly once.
 *   A high-volume event that can wait a moment (recordSoon: a record view) goes straight to the
 *   outbox — sealed and numbered in order, durable — and reaches D1 within FLUSH_MS in one batch
 *   with whatever else is waiting, not one D1 write each. Readers that must see it (the log's
 *   page, Verify) flush first.
 * - The log's head (last number and hash) is kept in the object's own storage, written with every
 *   group commit. D1 can be rewritten by anyone with access to it; this storage can't, so Verify
 *   compares D1 against it (a cut-off end shows), and a number once handed out is never handed out
 *   again, whatever happened to D1's rows.
 *
 * Group commit: callers who arrive while a batch is in flight go together in the next one — one D1
 * batch and one storage write per group. A storage write holds the object's outgoing messages
 * until it is durable (the output gate), so a caller hears "done" only once the head is durable.
 *
 * The head, the order steps run in, the outbox and the bookmark are kept by ChainState
 * (chain-state.ts); this file is how entries are appended through them.
 */
import { errorText } from "../observability/error-text";
import type { Cell, ChainSpec, Sealed } from "./chain";
import { changeBatch, groupBatch, insertEntries, landedParts } from "./chain-batches";
import { headOf } from "./chain-head";
import { ChainState, outboxKey } from "./chain-state";
import { knownEvent, rememberEvent, splitRepeats } from "./event-keys";
import type { CommitAnswer, CommitPart, CommitResult, HeadReport } from "./chain-types";

export type { CommitAnswer, CommitPart, CommitResult, HeadReport, Statement } from "./chain-types";

interface PendingCommit<F> {
  parts: CommitPart<F>[];
  done: (a: CommitAnswer) => void;
}

interface PendingEvent<F> {
  fields: F;
  /** The event's key (event-keys.ts): a repeat of an event already taken gets the first's number. */
  key?: string;
  done: (r: { seq: number } | Error) => void;
}

const RETRY_MS = 2_000;
/** Outbox entries one write takes, oldest first; the alarm takes the rest straight after. */
const OUTBOX_WRITE_MAX = 500;
/** How long an entry recorded "soon" may wait in the outbox before the alarm writes it to D1. */
const FLUSH_MS = 1_000;

/**
 * The writing half of one log's Durable Object: the object creates one with its storage, its
 * bindings and its log's ChainSpec, and passes its RPC calls and its alarm through.
 *
 * @example
 *   readonly #log = new ChainWriter(this.ctx, this.env, CLIENT_LOG);
 *   record(req) { return this.#log.record(req.clientId, clientLogFields(req.agencyId, req.entry)); }
 */
export class ChainWriter<F extends Record<string, Cell>> {
  /** The head, its order, the outbox and the bookmark (chain-state.ts). */
  readonly #state: ChainState<F>;
  #commits: PendingCommit<F>[] = [];
  #commitWaiting = false;
  #events: PendingEvent<F>[] = [];
  #eventsWaiting = false;
  /** Whether this instance has set the alarm that writes "soon" entries (reset when it runs). */
  #flushSet = false;

  constructor(ctx: DurableObjectState, env: { DB: D1Database; LOG_HMAC_KEYS?: string }, spec: ChainSpec<F>) {
    this.#state = new ChainState(ctx, env, spec);
  }

  /**
   * Commits a data change and its entry in one D1 batch. If D1 fails, nothing is written, the
   * number is not used, and the caller gets `{ failed }`. If the change's last statement changed
   * no rows (a lost race or stale version), nothing is logged: `committed: false`.
   *
   * Further parts (each a change with its own entry, numbered after the first) go in the same
   * batch. A later part must run only if the part before it landed: the caller puts
   * `changes() > 0` in the WHERE of its first statement, true only when the entry just before was
   * written. So parts land as a prefix; `parts` in the answer says how many.
   */
  commit(stream: number, parts: CommitPart<F>[]): Promise<CommitAnswer> {
    const result = new Promise<CommitAnswer>((done) => this.#commits.push({ parts, done }));
    if (!this.#commitWaiting) {
      this.#commitWaiting = true;
      void this.#state.serial(async () => {
        this.#commitWaiting = false;
        await this.#commitGroup(stream, this.#commits.splice(0));
      });
    }
    return result;
  }

  /**
   * Group commit: every change that queued while the last batch was in flight goes in one batch.
   * If that batch fails for any reason it is rolled back whole, and the group is done again one
   * change at a time, so each caller gets its own answer.
   */
  async #commitGroup(stream: number, group: PendingCommit<F>[]): Promise<void> {
    if (group.length > 1) {
      try {
        const seqs = await this.#commitTogether(stream, group);
        group.forEach((g, i) => g.done({ committed: true, seq: seqs[i]!, parts: g.parts.length, bookmark: this.#state.bookmark }));
        return;
      } catch {
        // fall through: one at a time
      }
    }
    for (const g of group) {
      try {
        g.done({ ...(await this.#commitOne(stream, g)), bookmark: this.#state.bookmark });
      } catch (err) {
        g.done({ failed: (err as Error).message });
      }
    }
  }

  async #commitOne(stream: number, g: PendingCommit<F>): Promise<CommitResult> {
    const db = this.#state.primary();
    const head = await this.#state.loadHead(stream);
    const { sealed, statements, entryAt } = changeBatch(db, this.#state.spec, head, g.parts, (h, fields) => this.#state.seal(h, stream, fields));
    const results = await this.#state.batch(db, statements);
    const { prefix, last } = landedParts(results, entryAt);
    if (last === -1) return { committed: false };
    // A later part that ran though an earlier one didn't (its caller left out the changes() guard)
    // leaves a gap; the head still moves past it, so no number is ever handed out twice.
    if (last >= prefix) console.error(`chained log: stream ${stream}: a commit's parts landed out of order`);
    this.#state.advance(sealed[last]!);
    return prefix === 0 ? { committed: false } : { committed: true, seq: sealed[0]!.seq, parts: prefix };
  }

  /** All the changes in one batch; each entry must land or the batch aborts (ENTRY_LANDED, chain-batches.ts). */
  async #commitTogether(stream: number, group: PendingCommit<F>[]): Promise<number[]> {
    const db = this.#state.primary();
    const head = await this.#state.loadHead(stream);
    const { sealed, statements, firsts } = groupBatch(db, this.#state.spec, head, group, (h, fields) => this.#state.seal(h, stream, fields));
    await this.#state.batch(db, statements);
    this.#state.advance(sealed.at(-1)!);
    return firsts.map((i) => sealed[i]!.seq);
  }

  /**
   * Records an event that changes no data (a sign-in, a lock). When this returns, the entry is in
   * D1 — or, if D1 refused it, durable in this object's storage, from where the alarm writes it
   * until it lands, exactly once. Throws only if the entry could not be accepted at all.
   */
  record(stream: number, fields: F, key?: string): Promise<{ seq: number; bookmark?: string | null }> {
    const result = new Promise<{ seq: number; bookmark?: string | null }>((resolve, reject) =>
      this.#events.push({ fields, key, done: (r) => (r instanceof Error ? reject(r) : resolve({ ...r, bookmark: this.#state.bookmark })) }),
    );
    if (!this.#eventsWaiting) {
      this.#eventsWaiting = true;
      void this.#state.serial(async () => {
        this.#eventsWaiting = false;
        await this.#writeEvents(stream, this.#events.splice(0));
      });
    }
    return result;
  }

  /**
   * Records an event that can reach D1 a moment later (recordSoon above): when this returns, the
   * entry is sealed, numbered after everything before it and durable in this object's storage;
   * the alarm writes it to D1 within FLUSH_MS, together with every other entry waiting, in one
   * batch. Throws only if the entry could not be accepted at all.
   */
  recordSoon(stream: number, fields: F, key?: string): Promise<{ seq: number }> {
    return this.#state.serial(async () => {
      const storage = this.#state.ctx.storage;
      const known = knownEvent(storage.kv, key);
      if (known !== undefined) return { seq: known }; // a repeat (the Worker's retry): taken already
      const e = this.#state.seal(await this.#state.loadHead(stream), stream, fields);
      storage.transactionSync(() => {
        storage.kv.put(outboxKey(e.seq), e);
        this.#state.advance(e);
        rememberEvent(storage.kv, key, e.seq);
      });
      if (!this.#flushSet) {
        this.#flushSet = true;
        await storage.setAlarm(Date.now() + FLUSH_MS);
      }
      return { seq: e.seq };
    });
  }

  /** Writes whatever waits in the outbox to D1 now (the log's readers, before they read); its bookmark. */
  flush(): Promise<{ waiting: number; bookmark: string | null }> {
    return this.#state.serial(async () => {
      if (this.#state.outbox().length > 0) await this.#writeEvents(undefined, []);
      return { waiting: this.#state.outbox().length, bookmark: this.#state.bookmark };
    });
  }

  /**
   * Writes the outbox and then the group's events to D1 in one batch. If D1 fails, the group's
   * events go to the outbox (with the head, in one storage transaction) and an alarm retries.
   */
  async #writeEvents(stream: number | undefined, group: PendingEvent<F>[]): Promise<void> {
    const { fresh, answer } = splitRepeats(this.#state.ctx.storage.kv, group);
    const sealed: Sealed<F>[] = [];
    if (fresh.length > 0) {
      try {
        let head = await this.#state.loadHead(stream!);
        for (const g of fresh) {
          const e = this.#state.seal(head, stream!, g.fields);
          head = headOf(e);
          sealed.push(e);
        }
      } catch (err) {
        for (const g of group) g.done(err as Error);
        return;
      }
    }
    const storage = this.#state.ctx.storage;
    // The oldest OUTBOX_WRITE_MAX waiting (thousands may wait after a long D1 outage); the alarm, set
    // at once below, writes the rest.
    const waiting = this.#state.outbox();
    const stored = waiting.slice(0, OUTBOX_WRITE_MAX);
    const entries = [...stored.map(([, e]) => e), ...sealed];
    const remember = () => sealed.forEach((e, i) => rememberEvent(storage.kv, fresh[i]!.key, e.seq));
    if (entries.length === 0) return answer(sealed);
    const last = sealed.at(-1);
    let taken: Set<number>;
    try {
      taken = await insertEntries(this.#state.primary(), this.#state.spec, entries, (db, statements) => this.#state.batch(db, statements));
    } catch (err) {
      console.error(`${this.#state.spec.table}: ${entries.length} entries not yet in D1, retrying: ${errorText(err)}`);
      storage.transactionSync(() => {
        for (const e of sealed) storage.kv.put(outboxKey(e.seq), e);
        if (last) this.#state.advance(last);
        remember();
      });
      await storage.setAlarm(Date.now() + RETRY_MS);
      answer(sealed); // durable here: accepted
      return;
    }
    storage.transactionSync(() => {
      for (const [key, e] of stored) if (!taken.has(e.seq)) storage.kv.delete(key);
      for (const e of sealed) if (taken.has(e.seq)) storage.kv.put(outboxKey(e.seq), e);
      if (last) this.#state.advance(last);
      remember();
    });
    if (waiting.length > stored.length) await storage.setAlarm(Date.now());
    answer(sealed);
  }

  /** Writes entries that have not reached D1 yet: those recorded soon, and those D1 refused (the object's alarm). */
  alarm(): Promise<void> {
    this.#flushSet = false;
    return this.#state.serial(() => this.#writeEvents(undefined, []));
  }

  /**
   * The head for Verify: first, entries waiting in the outbox are tried once more, so that D1 and
   * the head agree whenever D1 is working.
   */
  head(stream: number): Promise<HeadReport> {
    return this.#state.serial(async () => {
      const head = await this.#state.loadHead(stream);
      if (this.#state.outbox().length > 0) await this.#writeEvents(stream, []);
      const outbox = this.#state.outbox();
      return { seq: head.seq, hash: head.hash, waiting: outbox.length, waitingFrom: outbox[0]?.[1].seq, bookmark: this.#state.bookmark };
    });
  }

  /** Entries accepted but not yet in D1 (for tests and the bench). */
  pending(): number {
    return this.#events.length + this.#state.outbox().length;
  }
}
