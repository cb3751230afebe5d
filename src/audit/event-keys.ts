/**
 * Event keys: how a log's Durable Object (ChainWriter, chained-log.ts) records an event once when
 * the Worker sends it twice. The Worker retries a call whose answer it did not get
 * (agency-events.ts) — but the object may have taken the event and only its reply been lost. Each
 * event carries a random key, the same on every attempt; the object remembers the keys it took
 * for KEEP_MS (far longer than the retries take), in its storage beside the entry, and answers a
 * repeat with the number it gave the first.
 */

const PREFIX = "event:";
const PURGED_AT = "events-purged-at";
/** How long a key is remembered: the Worker's retries are over within a second. */
const KEEP_MS = 5 * 60_000;
/** How often, at most, keys older than KEEP_MS are deleted (on a write). */
const PURGE_EVERY_MS = 60_000;

interface Taken {
  seq: number;
  at: number;
}

/** The number the object gave the event with this key, if it took one within KEEP_MS. */
export function knownEvent(kv: SyncKvStorage, key: string | undefined): number | undefined {
  if (key === undefined) return undefined;
  const taken = kv.get<Taken>(PREFIX + key);
  return taken && taken.at > Date.now() - KEEP_MS ? taken.seq : undefined;
}

/**
 * Remembers that the event with this key is entry `seq`. Call inside the storage transaction that
 * keeps the entry (in the outbox, or with the head after D1 took it), so both or neither are kept.
 */
export function rememberEvent(kv: SyncKvStorage, key: string | undefined, seq: number): void {
  if (key === undefined) return;
  const now = Date.now();
  kv.put<Taken>(PREFIX + key, { seq, at: now });
  if ((kv.get<number>(PURGED_AT) ?? 0) > now - PURGE_EVERY_MS) return;
  for (const [k, taken] of [...kv.list<Taken>({ prefix: PREFIX })]) if (taken.at <= now - KEEP_MS) kv.delete(k);
  kv.put(PURGED_AT, now);
}

/**
 * Splits a group of events into the fresh ones and the repeats (a key already taken, or twice in
 * the group). `answer(seqs)` — the numbers given to the fresh ones, in order — tells every caller
 * its number, a repeat the first's.
 */
export function splitRepeats<E extends { key?: string; done: (r: { seq: number }) => void }>(kv: SyncKvStorage, group: E[]) {
  const fresh: E[] = [];
  const repeats: { event: E; seq?: number; of?: E }[] = [];
  for (const event of group) {
    const seq = knownEvent(kv, event.key);
    const of = event.key === undefined ? undefined : fresh.find((f) => f.key === event.key);
    if (seq !== undefined || of) repeats.push({ event, seq, of });
    else fresh.push(event);
  }
  const answer = (sealed: { seq: number }[]) => {
    fresh.forEach((event, i) => event.done({ seq: sealed[i]!.seq }));
    for (const r of repeats) r.event.done({ seq: r.seq ?? sealed[fresh.indexOf(r.of!)]!.seq });
  };
  return { fresh, answer };
}
