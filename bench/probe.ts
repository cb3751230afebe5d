/**
 * Where an append's time goes: the parts of ClientLog.commit timed one at a time from inside a
 * Durable Object of the same kind (SQLite-backed), in the bench Worker only.
 */
import { DurableObject } from "cloudflare:workers";

export class BenchProbe extends DurableObject<Env> {
  /** Nothing: for timing the RPC round trip to the object. */
  noop(): number {
    return 0;
  }

  /**
   * Per-operation ms of: the change + entry D1 batch sent from the object; a storage write made
   * durable (what the output gate waits for before the object may send anything else); the two
   * in the order commit() does them; and, per append, one batch + one write carrying 50 appends
   * (what a group commit would pay).
   */
  async parts(agencyId: number, clientId: number, n: number) {
    const db = this.env.DB;
    const batch = (i: number) =>
      db.batch([
        db.prepare("UPDATE clients SET version = version + 1 WHERE id = ? AND agency_id = ?").bind(clientId, agencyId),
        db
          .prepare(
            "INSERT INTO client_log (agency_id, client_id, seq, at, actor_type, actor_id, actor_name, change_type, description, details, prev_hash, hash) " +
              "SELECT ?, ?, ?, ?, 'staff', 1, 'Probe', 'Bench', 'probe', '{}', '', '' WHERE changes() > 0",
          )
          .bind(agencyId, clientId, i, Date.now()),
      ]);
    let seq = 1;
    const timed = async (count: number, step: () => Promise<void>) => {
      const t = Date.now();
      for (let i = 0; i < count; i++) await step();
      return (Date.now() - t) / count;
    };
    const durableHead = async () => {
      this.ctx.storage.kv.put("head", { seq });
      await this.ctx.storage.sync();
    };
    // One D1 batch carrying 50 appends' statements: what a group commit would pay.
    const group = async () => {
      const statements = [];
      for (let k = 0; k < 50; k++) {
        statements.push(db.prepare("UPDATE clients SET version = version + 1 WHERE id = ? AND agency_id = ?").bind(clientId, agencyId));
        statements.push(
          db
            .prepare(
              "INSERT INTO client_log (agency_id, client_id, seq, at, actor_type, actor_id, actor_name, change_type, description, details, prev_hash, hash) " +
                "SELECT ?, ?, ?, ?, 'staff', 1, 'Probe', 'Bench', 'probe', '{}', '', '' WHERE changes() > 0",
            )
            .bind(agencyId, clientId, seq++, Date.now()),
        );
      }
      await db.batch(statements);
      await durableHead();
    };
    await timed(10, async () => void (await batch(seq++))); // warm-up
    // Three rounds of each part, interleaved so machine noise spreads evenly; the median is kept.
    const rounds: Record<"d1" | "storage" | "both" | "grouped", number[]> = { d1: [], storage: [], both: [], grouped: [] };
    for (let r = 0; r < 3; r++) {
      rounds.d1.push(await timed(n, async () => void (await batch(seq++))));
      rounds.storage.push(await timed(n, durableHead));
      rounds.both.push(
        await timed(n, async () => {
          await batch(seq++);
          await durableHead();
        }),
      );
      rounds.grouped.push((await timed(Math.max(2, n / 10), group)) / 50);
    }
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[1]!;
    const [d1, storage, both, grouped] = [median(rounds.d1), median(rounds.storage), median(rounds.both), median(rounds.grouped)];
    return { d1BatchMs: d1, storageSyncMs: storage, batchThenSyncMs: both, groupOf50PerAppendMs: grouped };
  }
}
