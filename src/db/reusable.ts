/**
 * Queries whose SQL is built once per isolate, then only bound to each request's values.
 *
 * Drizzle's query builder rebuilds the same SQL text on every call, walking every selected
 * column (about 60 µs for a select of a wide table such as clients, measured in Node): a page
 * whose batch has ten queries spends most of a millisecond of CPU writing SQL it wrote on the
 * request before. `reusable` builds the query once with Drizzle's placeholders and prepares it;
 * each call fills the placeholders with the request's values and prepares the same SQL on the
 * request's own D1 session. What comes back is used as the builder's query would be, in
 * `db.batch([...])` or awaited alone, and its rows are mapped by Drizzle as before.
 *
 * It relies on drizzle-orm 0.45's D1 driver as `batchableAll` (index.ts) does: a batch item is
 * anything with `_prepare()` returning a prepared query (`getQuery()`, `stmt`, `mapResult`).
 * test/workerd/reusable-queries.test.ts holds it to the builder's results.
 *
 * @example
 *   const clientRow = reusable((db, p) => db.select().from(clients).where(eq(clients.id, p("clientId"))));
 *   const [rows] = await db.batch([clientRow(db, { clientId: 7 })]);
 */
import { fillPlaceholders, sql, type Placeholder } from "drizzle-orm";
import type { RunnableQuery } from "drizzle-orm/runnable-query";
import type { Db } from ".";

/** What a reused query stands in for: a batch item, or awaited, with the built query's rows. */
export type ReusedQuery<R> = RunnableQuery<R, "sqlite"> & PromiseLike<R>;
type RowsOf<Q> = Q extends RunnableQuery<infer R, "sqlite"> ? R : never;

/** What a select's `_prepare()` gives in drizzle-orm 0.45's D1 driver (the parts used here). */
interface PreparedQuery {
  query: { sql: string; params: unknown[] };
  stmt: D1PreparedStatement;
  all(): Promise<unknown>;
}

/**
 * A query built once, the first time it is asked for, with `p(name)` wherever a value goes; each
 * call binds `values` (one per name). The result stands in for the built query in `db.batch` and
 * `await` only (its type has none of the builder's other methods).
 */
export function reusable<Q extends RunnableQuery<unknown, "sqlite">, K extends string>(
  build: (db: Db, p: (name: K) => Placeholder<K>) => Q,
): (db: Db, values: Record<K, unknown>) => ReusedQuery<RowsOf<Q>> {
  let template: PreparedQuery | undefined;
  return (db, values) => {
    template ??= (build(db, (name) => sql.placeholder(name)) as unknown as { _prepare(): PreparedQuery })._prepare();
    const query = { sql: template.query.sql, params: fillPlaceholders(template.query.params, values) };
    // The template's mapping of rows to fields, with this request's values on this request's session.
    const prepared: PreparedQuery = Object.assign(Object.create(template) as PreparedQuery, { query, stmt: (db.$client as D1Database).prepare(query.sql) });
    const item = {
      _prepare: () => prepared,
      then: (ok?: (rows: unknown) => unknown, ko?: (err: unknown) => unknown) => prepared.all().then(ok, ko),
    };
    return item as unknown as ReusedQuery<RowsOf<Q>>;
  };
}
