/**
 * The soak Worker: the app exactly as src/index.ts builds it, with faults in front of its bindings
 * and a few soak-only routes under /__soak. Built only by `npm run soak` (bench/soak/run.ts, from a
 * config derived from wrangler.toml with `main` pointing here); never deployed, so nothing here is
 * reachable in the production build.
 *
 * Faults (bench/soak/faults.ts): D1 refusing a share of writes and answering slowly (the Worker's
 * and both Durable Objects' DB), the EMAIL binding refusing, and a client's ClientLog object reset
 * (ctx.abort) on request. A response whose request met an injected fault that made it fail says
 * so in `X-Soak-Injected`, so the checker can tell injected 5xx from real ones.
 *
 *   POST /__soak/faults                          body: the plan string → the plan now in force
 *   GET  /__soak/faults                          → the plan and faults injected so far, by kind
 *   POST /__soak/client-log/:clientId/reset      → the client's ClientLog aborted (reset)
 *   GET  /__soak/verify/:agencyId/:clientId      → Verify log for the client (head + chain), JSON
 *
 * Module state (plan, counts) is shared by the Worker and its Durable Objects: locally they run in
 * one isolate (GET /__soak/faults reports the objects' counts too, which shows it).
 */
import { AsyncLocalStorage } from "node:async_hooks";
import appWorker, { AgencyLog as AppAgencyLog, ClientLog as AppClientLog } from "../../src/index";
import { clientLogFor, verifyClientLog } from "../../src/clients/log";
import { database } from "../../src/db";
import { faultyD1 } from "./faulty-d1";
import { formatFaultPlan, INJECTED_EMAIL, INJECTED_RESET, NO_FAULTS, parseFaultPlan, type FaultKind, type FaultPlan } from "./faults";

type SoakEnv = Env & { SOAK_FAULTS?: string };

let plan: FaultPlan | undefined;
const injected: Record<FaultKind, number> = { "d1-refused": 0, "d1-slow": 0, "email-refused": 0, "client-log-reset": 0 };
const currentPlan = () => plan ?? NO_FAULTS;

/** Faults met while answering one request (those that can make it fail). */
const request = new AsyncLocalStorage<Set<FaultKind>>();
const count = (kind: FaultKind) => {
  injected[kind]++;
  if (kind !== "d1-slow") request.getStore()?.add(kind);
};
const isInjected = (text: string) => text.includes("soak-injected");

/** A Durable Object namespace whose stubs note injected faults in their answers on the request. */
function watchedNamespace<T extends DurableObjectNamespace<any>>(ns: T): T {
  const watch = (stub: object) =>
    new Proxy(stub, {
      get(target, prop) {
        const v = Reflect.get(target, prop);
        if (typeof v !== "function" || typeof prop !== "string" || prop === "fetch" || prop === "then") return v;
        return async (...args: unknown[]) => {
          try {
            const answer: unknown = await Reflect.apply(v as (...a: unknown[]) => Promise<unknown>, target, args);
            if (answer && typeof answer === "object" && "failed" in answer && isInjected(String(answer.failed))) request.getStore()?.add("d1-refused");
            return answer;
          } catch (err) {
            const text = String((err as Error)?.message ?? err);
            if (isInjected(text) || /reset|abort|disconnect|broken/i.test(text)) request.getStore()?.add("client-log-reset");
            throw err;
          }
        };
      },
    });
  return new Proxy(ns, {
    get(target, prop) {
      if (prop === "get" || prop === "getByName") return (...args: unknown[]) => watch(Reflect.apply(Reflect.get(target, prop) as Function, target, args));
      const v = Reflect.get(target, prop);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

/** The EMAIL binding, refusing a share of sends. */
function faultyEmail(email: SendEmail): SendEmail {
  return new Proxy(email, {
    get(target, prop) {
      if (prop === "send") {
        return async (...args: unknown[]) => {
          if (currentPlan().refuseEmail > 0 && Math.random() < currentPlan().refuseEmail) {
            count("email-refused");
            throw new Error(INJECTED_EMAIL);
          }
          return Reflect.apply(target.send as (...a: unknown[]) => unknown, target, args);
        };
      }
      const v = Reflect.get(target, prop);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

let workerEnv: { from: SoakEnv; env: Env } | undefined;
/** The Worker's env with faults in front of DB and EMAIL, and watched Durable Object stubs. */
function faultyEnv(env: SoakEnv): Env {
  plan ??= parseFaultPlan(env.SOAK_FAULTS);
  if (workerEnv?.from !== env) {
    workerEnv = {
      from: env,
      env: {
        ...env,
        DB: faultyD1(env.DB, currentPlan, count),
        EMAIL: faultyEmail(env.EMAIL),
        CLIENT_LOG: watchedNamespace(env.CLIENT_LOG),
        AGENCY_LOG: watchedNamespace(env.AGENCY_LOG),
      },
    };
  }
  return workerEnv.env;
}

/** The objects' env: the same faulty DB. */
function objectEnv(env: SoakEnv): Env {
  plan ??= parseFaultPlan(env.SOAK_FAULTS);
  return { ...env, DB: faultyD1(env.DB, currentPlan, count) };
}

export class ClientLog extends AppClientLog {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, objectEnv(env));
  }

  /** Resets the object as a crash would: in-memory state gone, in-flight calls fail. */
  soakReset(): void {
    injected["client-log-reset"]++;
    this.ctx.abort(INJECTED_RESET);
  }
}

export class AgencyLog extends AppAgencyLog {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, objectEnv(env));
  }
}

async function soakRoute(req: Request, env: SoakEnv): Promise<Response> {
  const url = new URL(req.url);
  const parts = url.pathname.split("/").filter(Boolean); // ["__soak", ...]
  plan ??= parseFaultPlan(env.SOAK_FAULTS);
  if (parts[1] === "faults" && req.method === "POST") {
    plan = parseFaultPlan(await req.text());
    return Response.json({ plan: formatFaultPlan(plan) });
  }
  if (parts[1] === "faults") return Response.json({ plan: formatFaultPlan(currentPlan()), injected });
  if (parts[1] === "client-log" && parts[3] === "reset" && req.method === "POST") {
    const stub = clientLogFor(env, Number(parts[2])) as unknown as { soakReset(): Promise<void> };
    try {
      await stub.soakReset();
    } catch {
      // The abort ends the call that asked for it too.
    }
    return Response.json({ reset: Number(parts[2]) });
  }
  if (parts[1] === "verify" && parts.length === 4) {
    const [agencyId, clientId] = [Number(parts[2]), Number(parts[3])];
    const result = await verifyClientLog(env, database(env.DB), agencyId, clientId);
    const pending = await clientLogFor(env, clientId).pending();
    return Response.json({ clientId, result, pending });
  }
  return Response.json({ error: "no such soak route" }, { status: 404 });
}

export default {
  async fetch(req, env, ctx) {
    if (new URL(req.url).pathname.startsWith("/__soak/")) return soakRoute(req, env);
    const faults = new Set<FaultKind>();
    const res = await request.run(faults, () => appWorker.fetch(req, faultyEnv(env), ctx));
    if (faults.size === 0) return res;
    const marked = new Response(res.body, res);
    marked.headers.set("X-Soak-Injected", [...faults].join(","));
    return marked;
  },
  scheduled: appWorker.scheduled,
} satisfies ExportedHandler<SoakEnv>;
