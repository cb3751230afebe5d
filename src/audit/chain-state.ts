/**
 * ChainState: what one log's Durable Object keeps between calls — the lower half of ChainWriter
 * (chained-log.ts), which appends through it. The serial queue every step that reads or moves the
 * head runs in; the head itself (loaded once, then moved on in memory and in the object's storage
 * together); sealing the next entry after it; the outbox of sealed entries not yet in D1; and the
 * D1 bookmark after the object's latest write.
 */
import { sealWith, type Cell, type ChainSpec, type Sealed } from "./chain";
import { HEAD, headOf, lastInD1, recoverLanded, type Head } from "./chain-head";
import { logKeys } from "./keys";

const OUTBOX = "outbox:";
/** The object's storage key of an entry waiting in the outbox (in number order). */
export const outboxKey = (seq: number) => OUTBOX + String(seq).padStart(12, "0");

export class ChainState<F extends Record<string, Cell>> {
  readonly ctx: DurableObjectState;
  readonly spec: ChainSpec<F>;
  readonly #env: { DB: D1Database; LOG_HMAC_KEYS?: string };
  /** Every step that reads or moves the head runs after the one before it has finished. */
  #queue: Promise<unknown> = Promise.resolve();
  #head: Head | undefined;
  /** The D1 bookmark after this object's latest write (writes are serial: it covers every caller's). */
  bookmark: string | null = null;

  constructor(ctx: DurableObjectState, env: { DB: D1Database; LOG_HMAC_KEYS?: string }, spec: ChainSpec<F>) {
    this.ctx = ctx;
    this.#env = env;
    this.spec = spec;
  }

  /** A D1 session on the primary, for one group's writes (D1 Sessions API: its bookmark after them). */
  primary(): D1DatabaseSession {
    return this.#env.DB.withSession("first-primary");
  }

  /** Runs a batch on the primary and keeps the bookmark after it. */
  async batch(db: D1DatabaseSession, statements: D1PreparedStatement[]): Promise<D1Result[]> {
    const results = await db.batch(statements);
    this.bookmark = db.getBookmark() ?? this.bookmark;
    return results;
  }

  /** Runs `fn` after every step queued before it (whether that one succeeded or not). */
  serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** The entries waiting in the outbox, oldest first, with their storage keys. */
  outbox(): [string, Sealed<F>][] {
    return [...this.ctx.storage.kv.list<Sealed<F>>({ prefix: OUTBOX })];
  }

  /**
   * The head, loaded once: the stored one, plus any entries that landed in D1 after it (a crash
   * between a batch and its head write) — only those that continue its chain under our key. The
   * first time (no stored head: a log written before heads were kept), D1's last row and the outbox
   * (chain-head.ts).
   */
  async loadHead(stream: number): Promise<Head> {
    if (this.#head) return this.#head;
    const kv = this.ctx.storage.kv;
    const stored = kv.get<Head>(HEAD);
    let head = stored ?? (await this.#headFromD1(stream));
    const db = this.primary();
    head = await recoverLanded(db, this.spec, this.#env, stream, head);
    // What it read is on the primary: the head's readers (Verify) read at least that new.
    this.bookmark ??= db.getBookmark();
    if (!stored || head.seq !== stored.seq) kv.put(HEAD, head);
    this.#head = head;
    return head;
  }

  /** D1's last entry, or the outbox's if it is further on. */
  async #headFromD1(stream: number): Promise<Head> {
    const head = await lastInD1(this.primary(), this.spec, stream);
    const waiting = this.outbox().at(-1)?.[1];
    return waiting && waiting.seq > head.seq ? headOf(waiting) : head;
  }

  /** The next entry after `head`, sealed with the log key (never dated before the head). */
  seal(head: Head, stream: number, fields: F): Sealed<F> {
    return sealWith(this.spec, logKeys(this.#env), fields, { stream, seq: head.seq + 1, at: Math.max(Date.now(), head.at), prevHash: head.hash });
  }

  /** Moves the head on, in memory and (one write, made durable before any caller hears back) in storage. */
  advance(e: Sealed<F>): void {
    this.#head = headOf(e);
    this.ctx.storage.kv.put(HEAD, this.#head);
  }
}
