/**
 * A D1Database that misbehaves on purpose, for the soak only (bench/soak/worker.ts): it refuses a
 * share of writes before they reach D1 (so nothing of a refused write lands, as when D1 answers
 * with an error) and delays a share of calls. Self-contained — it wraps any D1Database (or a D1
 * session) and knows nothing of the app — so it can be put in front of whatever path the app uses.
 *
 * Statements handed to `batch` are unwrapped back to the real ones, which the binding requires.
 */

/** How often to misbehave; `decide` is read on every call, so faults can be switched mid-run. */
export interface D1FaultPlan {
  /** Share (0–1) of writes (a statement or batch with an INSERT/UPDATE/DELETE/REPLACE) refused. */
  refuseWrites: number;
  /** Share (0–1) of calls delayed by `slowMs` before they are sent. */
  slowShare: number;
  slowMs: number;
}

/** The message of every refusal: the soak worker recognises injected faults by it. */
export const INJECTED_D1 = "soak-injected: D1 refused the write";

const WRITE = /^\s*(?:with\b[\s\S]*?\)\s*)?(insert|update|delete|replace)\b/i;
const isWrite = (sql: string) => WRITE.test(sql);

/**
 * Wraps `db`. `plan()` gives the current plan; `onFault(kind)` is told each fault injected.
 *
 * @example
 *   const db = faultyD1(env.DB, () => ({ refuseWrites: 0.05, slowShare: 0.1, slowMs: 150 }), count);
 */
export function faultyD1<T extends D1Database | D1DatabaseSession>(
  db: T,
  plan: () => D1FaultPlan,
  onFault: (kind: "d1-refused" | "d1-slow") => void = () => {},
  random: () => number = Math.random,
): T {
  // Each wrapped statement → the real one and whether its SQL writes.
  const real = new WeakMap<object, { stmt: D1PreparedStatement; write: boolean }>();

  const before = async (write: boolean) => {
    const p = plan();
    if (p.slowShare > 0 && random() < p.slowShare) {
      onFault("d1-slow");
      await new Promise((r) => setTimeout(r, p.slowMs));
    }
    if (write && p.refuseWrites > 0 && random() < p.refuseWrites) {
      onFault("d1-refused");
      throw new Error(`D1_ERROR: ${INJECTED_D1}`);
    }
  };

  const wrapStatement = (stmt: D1PreparedStatement, sql: string): D1PreparedStatement => {
    const write = isWrite(sql);
    const proxy = new Proxy(stmt, {
      get(target, prop) {
        if (prop === "bind") return (...args: unknown[]) => wrapStatement(target.bind(...args), sql);
        if (prop === "first" || prop === "run" || prop === "all" || prop === "raw") {
          return async (...args: unknown[]) => {
            await before(write);
            return Reflect.apply(target[prop] as (...a: unknown[]) => unknown, target, args);
          };
        }
        const v = Reflect.get(target, prop, target);
        return typeof v === "function" ? v.bind(target) : v;
      },
    });
    real.set(proxy, { stmt, write });
    return proxy;
  };

  return new Proxy(db, {
    get(target, prop) {
      if (prop === "prepare") return (sql: string) => wrapStatement(target.prepare(sql), sql);
      if (prop === "batch") {
        return async (stmts: D1PreparedStatement[]) => {
          const unwrapped = stmts.map((s) => real.get(s)?.stmt ?? s);
          // A batch writes if any of its statements does: refused, none of it lands.
          await before(stmts.some((s) => real.get(s)?.write ?? false));
          return target.batch(unwrapped);
        };
      }
      if (prop === "exec") {
        return async (sql: string) => {
          await before(isWrite(sql));
          return (target as D1Database).exec(sql);
        };
      }
      if (prop === "withSession") {
        return (constraint?: string) => faultyD1((target as D1Database).withSession(constraint), plan, onFault, random);
      }
      const v = Reflect.get(target, prop, target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}
