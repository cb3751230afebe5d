/**
 * A bench-only Worker (bench/wrangler.bench.toml), never deployed with the app: it runs the real
 * ClientLog Durable Object and the real Change Log queries from src/, and times them from inside
 * workerd so the figures are not HTTP round trips.
 *
 *   POST /appends  { mode, agencyId, clientId, writers, total }  → appends/s through one ClientLog
 *   POST /query    { shape, agencyId, clientId, iterations }      → ms per Change Log query
 *   POST /search   { agencyId, queries, groups, perGroup }        → ms per client search, per group
 *
 * Workers' clocks only move across I/O; every timed step here awaits D1, so the clock is honest.
 */
import { commitChange, recordStaffEvent, verifyClientLog } from "../src/clients/log";
import { database } from "../src/db";
import { changeLogChoices } from "../src/document-center/change-log-choices";
import { changeLogPage, type ChangeLogScope } from "../src/document-center/queries";
import { searchClients } from "../src/face-sheet/queries";

export { ClientLog } from "../src/audit/client-log";
export { BenchProbe } from "./probe";

type BenchEnv = Pick<Env, "DB" | "CLIENT_LOG" | "LOG_HMAC_KEYS"> & { PROBE: DurableObjectNamespace<import("./probe").BenchProbe> };

interface AppendRequest {
  /** baseline: the same D1 batch written straight from the Worker, one at a time (no Durable Object). */
  mode: "baseline" | "commit" | "record";
  agencyId: number;
  clientId: number;
  writers: number;
  total: number;
}

const ACTOR = { type: "staff" as const, id: 1, name: "Bench Writer" };

async function appends(env: BenchEnv, r: AppendRequest) {
  // src/clients/log.ts takes the app's Env but only reaches for CLIENT_LOG and LOG_HMAC_KEYS, which this Worker has.
  const app = env as unknown as Env;
  const perWriter = Math.ceil(r.total / r.writers);
  const bump = { sql: "UPDATE clients SET version = version + 1 WHERE id = ? AND agency_id = ?", params: [r.clientId, r.agencyId] };
  let failures = 0;

  const one = async (w: number, i: number) => {
    const description = `bench ${w}.${i}`;
    if (r.mode === "baseline") {
      const at = Date.now();
      await env.DB.batch([
        env.DB.prepare(bump.sql).bind(...bump.params),
        env.DB.prepare(
          "INSERT INTO client_log (agency_id, client_id, seq, at, actor_type, actor_id, actor_name, change_type, description, details, prev_hash, hash) " +
            "SELECT ?, ?, COALESCE((SELECT MAX(seq) FROM client_log WHERE client_id = ?), 0) + 1, ?, 'staff', 1, 'Bench Writer', 'Bench', ?, '{}', '', '' WHERE changes() > 0",
        ).bind(r.agencyId, r.clientId, r.clientId, at, description),
      ]);
    } else if (r.mode === "commit") {
      const res = await commitChange(app, {
        agencyId: r.agencyId,
        clientId: r.clientId,
        statements: [bump],
        entry: { actor: ACTOR, changeType: "Bench", description, details: { lines: [description] } },
      });
      if (!res.committed) failures++;
    } else {
      await recordStaffEvent(app, { agencyId: r.agencyId, clientId: r.clientId, actor: ACTOR, changeType: "Bench", description });
    }
  };

  // Baseline: one writer, one D1 batch after another — the ceiling for any single serial writer.
  const writers = r.mode === "baseline" ? 1 : r.writers;
  const count = r.mode === "baseline" ? r.total : perWriter;
  const start = Date.now();
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      for (let i = 0; i < count; i++) await one(w, i);
    }),
  );
  const ms = Date.now() - start;
  const written = writers * count;

  const check = await env.DB.prepare("SELECT COUNT(*) AS n, MIN(seq) AS lo, MAX(seq) AS hi FROM client_log WHERE client_id = ?")
    .bind(r.clientId)
    .first<{ n: number; lo: number; hi: number }>();
  const chain = r.mode === "baseline" ? null : await verifyClientLog(app, database(env.DB), r.agencyId, r.clientId);
  return { mode: r.mode, writers, appends: written, ms, perSecond: (written / ms) * 1000, failures, rows: check, chain };
}

type Shape = "page" | "page-type" | "page-type-range" | "page-actor-range" | "page-actor-rare" | "page-older" | "choices" | "full-page" | "scan-control";

interface QueryRequest {
  shape: Shape;
  agencyId: number;
  clientId: number;
  iterations: number;
  /** Epoch ms: the Date Range used by the range shapes (the last 30 days of the synthetic log). */
  from: number;
  until: number;
}

async function query(env: BenchEnv, r: QueryRequest) {
  const db = database(env.DB);
  const base: ChangeLogScope = { agencyId: r.agencyId, clientId: r.clientId };
  const run: Record<Shape, () => Promise<number>> = {
    page: async () => (await changeLogPage(db, base, {}, 25)).entries.length,
    "page-type": async () => (await changeLogPage(db, { ...base, changeType: "Login" }, {}, 25)).entries.length,
    "page-type-range": async () => (await changeLogPage(db, { ...base, changeType: "Face Sheet", from: r.from, until: r.until }, {}, 25)).entries.length,
    "page-actor-range": async () => (await changeLogPage(db, { ...base, changedBy: "Dana Whitfield", from: r.from, until: r.until }, {}, 25)).entries.length,
    "page-actor-rare": async () => (await changeLogPage(db, { ...base, changedBy: "Pat Rarely" }, {}, 25)).entries.length,
    "page-older": async () => {
      const first = await changeLogPage(db, { ...base, changeType: "Face Sheet" }, {}, 25);
      return (await changeLogPage(db, { ...base, changeType: "Face Sheet" }, { before: first.olderFrom }, 25)).entries.length;
    },
    choices: async () => {
      const c = await changeLogChoices(db, r.agencyId, r.clientId);
      return c.changeTypes.length + c.actors.length;
    },
    // What the Change Log page itself reads with Change Type + Changes By + Date Range applied.
    "full-page": async () => {
      const [page, choices] = await Promise.all([
        changeLogPage(db, { ...base, changeType: "Face Sheet", changedBy: "Dana Whitfield", from: r.from, until: r.until }, {}, 25),
        changeLogChoices(db, r.agencyId, r.clientId),
      ]);
      return page.entries.length + choices.changeTypes.length;
    },
    // Control: a query that must visit every row of the client's log. Shows what a scan would cost.
    "scan-control": async () =>
      (await env.DB.prepare("SELECT COUNT(*) AS n FROM client_log WHERE client_id = ? AND description LIKE '%nothing%'").bind(r.clientId).first<{ n: number }>())!.n,
  };
  const fn = run[r.shape];
  await fn(); // warm: first use prepares statements and pages the index in
  let rows = 0;
  const start = Date.now();
  for (let i = 0; i < r.iterations; i++) rows = await fn();
  const ms = Date.now() - start;
  return { shape: r.shape, iterations: r.iterations, msPerQuery: ms / r.iterations, rows };
}

interface SearchRequest {
  agencyId: number;
  /** What staff type: each group runs every one of these `perGroup` times. */
  queries: string[];
  groups: number;
  perGroup: number;
}

/**
 * The Face Sheet's client search (the app's own searchClients), timed in groups: a Worker's clock
 * moves only across I/O, in whole milliseconds, so one sub-millisecond query can't be timed alone;
 * a group's average is. Returns the ms per search of each group (p50/p95 are taken over groups).
 */
async function search(env: BenchEnv, r: SearchRequest) {
  const db = database(env.DB);
  // Warm, and what each search finds (the same at both sizes is what makes the ratio like for like).
  const hitsPerQuery: Record<string, number> = {};
  for (const q of r.queries) hitsPerQuery[q] = (await searchClients(db, r.agencyId, q)).length;
  const perSearch: number[] = [];
  let hits = 0;
  for (let g = 0; g < r.groups; g++) {
    const start = Date.now();
    for (let i = 0; i < r.perGroup; i++) for (const q of r.queries) hits += (await searchClients(db, r.agencyId, q)).length;
    perSearch.push((Date.now() - start) / (r.perGroup * r.queries.length));
  }
  // Each search on its own too (ms per search over a group of 20), to show which one costs what.
  const msPerQuery: Record<string, number> = {};
  for (const q of r.queries) {
    const start = Date.now();
    for (let i = 0; i < 20; i++) await searchClients(db, r.agencyId, q);
    msPerQuery[q] = (Date.now() - start) / 20;
  }
  const clients = await env.DB.prepare("SELECT COUNT(*) AS n FROM clients WHERE agency_id = ?").bind(r.agencyId).first<{ n: number }>();
  return { perSearch, hits, hitsPerQuery, msPerQuery, clients: clients!.n };
}

export default {
  async fetch(request: Request, env: BenchEnv): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/health") return new Response("ok");
    if (request.method === "POST" && url.pathname === "/appends") return Response.json(await appends(env, await request.json<AppendRequest>()));
    if (request.method === "POST" && url.pathname === "/query") return Response.json(await query(env, await request.json<QueryRequest>()));
    if (request.method === "POST" && url.pathname === "/search") return Response.json(await search(env, await request.json<SearchRequest>()));
    if (request.method === "POST" && url.pathname === "/probe") {
      const { clientId, agencyId, n } = await request.json<{ clientId: number; agencyId: number; n: number }>();
      const stub = env.PROBE.get(env.PROBE.idFromName("probe"));
      // The round trip of an RPC that does nothing: what each append pays to reach its object.
      const rpcStart = Date.now();
      for (let i = 0; i < n; i++) await stub.noop();
      const rpc = (Date.now() - rpcStart) / n;
      return Response.json({ rpcMs: rpc, ...(await stub.parts(agencyId, clientId, n)) });
    }
    if (url.pathname === "/count") {
      const row = await env.DB.prepare("SELECT COUNT(*) AS n FROM client_log WHERE agency_id = ?").bind(Number(url.searchParams.get("agency"))).first<{ n: number }>();
      return Response.json(row);
    }
    return new Response("not found", { status: 404 });
  },
} satisfies ExportedHandler<BenchEnv>;
