/**
 * A D1 binding that counts round trips, for tests that hold a page to a number of them: wraps the
 * real binding (no mock: every query still runs against the local D1) and counts each
 * `prepare().run/all/first/raw` and each `batch()` as one trip. Calls made through a session
 * (`withSession(...)`) are counted as bound; calls straight on the binding as unbound, so a test
 * can also assert that a request never bypasses the D1 session. Each trip is labelled with its
 * `origin` ("worker", or e.g. "client log" for a Durable Object's binding counted into the same
 * log), so a test sees the Worker's trips and the logs' writes for one request in their order.
 */
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import worker from "../../src/index";
import { Browser } from "./fixtures";
import { PortalBrowser } from "./portal.fixtures";

export interface TripLog {
  /** Every trip, in order: "batch(3)" or "all: SELECT …" (bound to a session or not), and whose binding made it. */
  trips: { kind: string; sql: string; bound: boolean; origin: string }[];
  /** The constraints or bookmarks `withSession` was called with. */
  sessions: string[];
  /** D1's own count of rows read and written by these trips (result meta), for the README's scale model. */
  rows: { read: number; written: number };
}

type Meta = { meta?: { rows_read?: number; rows_written?: number } };
function countRows(log: TripLog, result: unknown) {
  for (const r of (Array.isArray(result) ? result : [result]) as Meta[]) {
    log.rows.read += r?.meta?.rows_read ?? 0;
    log.rows.written += r?.meta?.rows_written ?? 0;
  }
  return result;
}

const REAL = new WeakMap<object, D1PreparedStatement>();

function wrapStatement(real: D1PreparedStatement, sql: string, bound: boolean, log: TripLog, origin: string): D1PreparedStatement {
  const wrapped = new Proxy(real, {
    get(target, prop) {
      if (prop === "bind") return (...params: unknown[]) => wrapStatement(target.bind(...params), sql, bound, log, origin);
      if (prop === "run" || prop === "all" || prop === "first" || prop === "raw") {
        return (...args: unknown[]) => {
          log.trips.push({ kind: prop, sql, bound, origin });
          const result = (target[prop] as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          return prop === "run" || prop === "all" ? result.then((r) => countRows(log, r)) : result;
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  REAL.set(wrapped, real);
  return wrapped;
}

function wrapDb<T extends D1Database | D1DatabaseSession>(real: T, bound: boolean, log: TripLog, origin: string): T {
  return new Proxy(real, {
    get(target, prop) {
      if (prop === "prepare") return (sql: string) => wrapStatement(target.prepare(sql), sql, bound, log, origin);
      if (prop === "batch") {
        return (statements: D1PreparedStatement[]) => {
          log.trips.push({ kind: `batch(${statements.length})`, sql: "", bound, origin });
          return target.batch(statements.map((s) => REAL.get(s) ?? s)).then((r) => countRows(log, r));
        };
      }
      if (prop === "withSession") {
        return (constraint?: string) => {
          log.sessions.push(constraint ?? "(none)");
          return wrapDb((target as D1Database).withSession(constraint), true, log, origin);
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/**
 * A counting wrapper around a D1 binding; pass `binding` as the Worker's DB. Give `shared` (another
 * counter's log) and an `origin` to count a second binding's trips into the same log, in order.
 */
export function countingD1(real: D1Database, origin = "worker", shared?: TripLog): { binding: D1Database; log: TripLog; reset(): void } {
  const log: TripLog = shared ?? { trips: [], sessions: [], rows: { read: 0, written: 0 } };
  return {
    binding: wrapDb(real, false, log, origin),
    log,
    reset() {
      log.trips.length = 0;
      log.sessions.length = 0;
      log.rows.read = 0;
      log.rows.written = 0;
    },
  };
}

/**
 * A Browser class whose requests run the Worker with `db` as its D1 binding (e.g. a counting
 * one), each waiting for the request's after-response work, as the real runtime would.
 *
 * @example const CountingBrowser = browserOver(counter.binding); const b = await CountingBrowser.staff("staff@riverbend.test");
 */
export function browserOver(db: D1Database) {
  return class extends Browser {
    protected override async send(url: URL, init: RequestInit): Promise<Response> {
      const ctx = createExecutionContext();
      const res = await worker.fetch(new Request(url, init), { ...env, DB: db }, ctx);
      const body = await res.arrayBuffer();
      await waitOnExecutionContext(ctx);
      return new Response(body, { status: res.status, headers: res.headers });
    }
  };
}

/**
 * Portal tabs whose requests go through `counter`, and a request that says how many D1 round
 * trips the Worker made for it (the logs' objects' own writes not counted).
 *
 * @example const { tab, get } = countedPortal(counter); const { res, html, trips } = await get(tab(), `${PORTAL}/activity`);
 */
export function countedPortal(counter: ReturnType<typeof countingD1>) {
  const tab = () => new PortalBrowser(undefined, { DB: counter.binding });
  const get = async (b: PortalBrowser, path: string, headers: Record<string, string> = {}, method = "GET") => {
    counter.reset();
    const res = await b.fetch(path, { method, headers });
    return { res, html: await res.text(), trips: counter.log.trips.filter((t) => t.origin !== "log").length };
  };
  return { tab, get };
}
