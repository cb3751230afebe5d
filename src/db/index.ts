import type { SQL } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { SQLiteRaw } from "drizzle-orm/sqlite-core/query-builders/raw";

/**
 * The Drizzle handle over D1: the Worker's binding, or (every request) a D1 session of it
 * (src/db/session.ts). A session has the `prepare` and `batch` the driver calls; drizzle-orm 0.45
 * is typed for the binding only, hence the one cast here.
 *
 * No `{ schema }`: the app uses the query builder only, never `db.query.…`, and handing Drizzle the
 * schema makes it rebuild the relational config of every table on each call (~50 µs of CPU on
 * every request, timed in workerd: 2 µs without).
 */
export function database(d1: D1Database | D1DatabaseSession) {
  return drizzle(d1 as D1Database);
}
export type Db = ReturnType<typeof database>;

/**
 * Reads at least as new as `bookmark` — a write made outside this request's session (by a log's
 * Durable Object) — on a replica or the primary; `db` (the request's session) when there is none.
 */
export function readingAfter(d1: D1Database, bookmark: string | null | undefined, db: Db): Db {
  return bookmark ? database(d1.withSession(bookmark)) : db;
}

/**
 * A raw SQL read that can go in `db.batch` beside the query builder's: drizzle-orm 0.45's D1 batch
 * binds each item's prepared statement, which its raw queries (`db.all(sql)`) lack — so a page
 * with a raw read (a recursive CTE) would pay a round trip of its own for it.
 *
 * @example const [rows, types] = await db.batch([query, batchableAll<{ t: string }>(db, changeTypesSql(a, c))]);
 */
export function batchableAll<T>(db: Db, query: SQL): SQLiteRaw<T[]> {
  const raw = db.all<T>(query);
  const { sql } = (raw as unknown as { getQuery(): { sql: string } }).getQuery();
  return Object.assign(raw, { stmt: (db.$client as D1Database).prepare(sql) });
}
