/**
 * `npm run bench` (node bench/run.ts, Node 22 type stripping): the per-client log's two numbers.
 *
 *   a. appends/s through ONE client's ClientLog Durable Object with 50 concurrent writers, beside a
 *      baseline measured in the same run: the same D1 batch written one after another straight
 *      from the Worker (what any single serial writer is bounded by);
 *   b. the Face Sheet Change Log's queries at 1,000 and at 100,000 entries for one agency (all on
 *      one client: the worst case for a per-client log), side by side, with the ratio — and a
 *      full-scan control query that shows what the ratio looks like when an index is missing.
 *
 *   c. client search at 1,000 and at 1,000,000 generated clients in one agency (bulk SQL: a
 *      recursive CTE, run with node:sqlite on the local D1 file), p50/p95, with the ratio (target ≤ 1.5×);
 *   d. the whole request path (bench/app.ts): sign-in against its own Argon2id hash, and
 *      authenticated pages against a bare route, sequential and 10 at once.
 *
 * a–c run on a throwaway database under `wrangler dev -c bench/wrangler.bench.toml`; the synthetic
 * rows go in with `wrangler d1 execute` while no server holds the database. d runs the app itself
 * on a throwaway database of its own. Never the demo database. One summary table ends the run.
 *
 * `npm run bench -- --smoke`: every size cut to a token one (1 round, 2,000 log entries, 2,000
 * clients, a few requests), to show on a shared machine that the bench still starts and prints its
 * table. Its figures mean nothing; the table says so.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { GENESIS_HASH, sealWith } from "../src/audit/chain.ts";
import { CLIENT_LOG, clientLogFields, type Actor } from "../src/audit/entry.ts";
import { parseLogKeys } from "../src/audit/keys.ts";
import { prepareDatabase, ROOT, startDev, toolEnv, type DevServer } from "../scripts/local.ts";
import { appFigures, percentile, type Figure } from "./app.ts";

const RIVERBEND = 1;
const LAKESIDE = 2;
/** The client whose Change Log is queried (Riverbend's Robert Hill). */
const QUERY_CLIENT = 10;
/** Lakeside clients the append runs write to, so Riverbend's entry count stays exact. */
const APPEND_CLIENTS = { warmup: 13, baseline: 14, commit: 15, record: 16, probe: 17 };
/** `--smoke`: token sizes (see above). */
const SMOKE = process.argv.includes("--smoke");
const WRITERS = SMOKE ? 10 : 50;
/** Appends per round through the object (50 writers × 10). */
const APPENDS = SMOKE ? 40 : 500;
const ROUNDS = SMOKE ? 1 : 3;
/** The Change Log's and the client search's larger sizes. */
const LARGE_LOG = SMOKE ? 2_000 : 100_000;
const LARGE_CLIENTS = SMOKE ? 2_000 : 1_000_000;
const DAY = 86_400_000;
const SPAN_DAYS = 3 * 365;

const started = Date.now();
const log = (msg: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${msg}`);

function wrangler(args: string[]): string {
  const r = spawnSync("wrangler", args, { cwd: ROOT, env: toolEnv(), encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`wrangler ${args.join(" ")} failed:\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

// ---- synthetic log rows ------------------------------------------------------------------------

const ACTORS: Actor[] = [
  { type: "staff", id: 1, name: "Dana Whitfield" },
  { type: "staff", id: 2, name: "Sam Ortiz" },
  { type: "portal", id: 1, name: "rhill" },
  { type: "portal", id: 2, name: "hill.family" },
];
/** Someone who changed the client's log four times at any size (a Changes By filter that must not walk the log to find them). */
const RARE_ACTOR: Actor = { type: "staff", id: 3, name: "Pat Rarely" };
const TYPES = ["Face Sheet", "Face Sheet", "Face Sheet", "Login", "Logout", "Profile Updated", "Portal Login Added", "Reset Password"];

/** The bench Worker's log key (bench/wrangler.bench.toml [vars]): synthetic rows must verify like real ones. */
const KEYS = parseLogKeys(/^LOG_HMAC_KEYS = "(.*)"$/m.exec(readFileSync(join(ROOT, "bench", "wrangler.bench.toml"), "utf8"))![1]);

const q = (v: string | number | null) => (v === null ? "NULL" : typeof v === "number" ? String(v) : `'${v.replace(/'/g, "''")}'`);

/**
 * SQL that replaces the client's log with `n` hash-chained entries spread evenly over the last
 * three years (same span at every size, so a date range selects the same share of the log).
 */
function syntheticLogSql(n: number, now: number): string {
  const out = [`DELETE FROM client_log WHERE client_id = ${QUERY_CLIENT};`];
  const step = (SPAN_DAYS * DAY) / n;
  const first = now - SPAN_DAYS * DAY;
  let prevHash = GENESIS_HASH;
  let values: string[] = [];
  const flush = () => {
    if (values.length === 0) return;
    out.push(
      "INSERT INTO client_log (agency_id, client_id, seq, at, actor_type, actor_id, actor_name, change_type, description, details, prev_hash, key_id, hash) VALUES\n" +
        values.join(",\n") +
        ";",
    );
    values = [];
  };
  for (let i = 0; i < n; i++) {
    const actor = i % Math.floor(n / 4) === 7 ? RARE_ACTOR : ACTORS[i % ACTORS.length]!;
    const changeType = TYPES[(i * 7) % TYPES.length]!;
    const homeless = i % 2 === 0 ? "Yes" : "No";
    const fields = clientLogFields(RIVERBEND, {
      actor,
      changeType,
      description: changeType === "Face Sheet" ? "Updated the following dynamic fields: Current Residence" : `${changeType} by ${actor.name}`,
      details: { lines: [`Current Residence - {Set entry: CurrentHomeless to value: ${homeless}}`] },
    });
    const e = sealWith(CLIENT_LOG, KEYS, fields, { stream: QUERY_CLIENT, seq: i + 1, at: Math.floor(first + i * step), prevHash });
    prevHash = e.hash;
    const f = e.fields;
    values.push(
      `(${[f.agencyId, e.stream, e.seq, e.at, q(f.actorType), q(f.actorId), q(f.actorName), q(f.changeType), q(f.description), q(f.details), q(e.prevHash), q(e.keyId), q(e.hash)].join(",")})`,
    );
    if (values.length === 250) flush();
  }
  flush();
  return out.join("\n") + "\n";
}

function loadSyntheticLog(dir: string, n: number, now: number) {
  const file = join(dir, `log-${n}.sql`);
  writeFileSync(file, syntheticLogSql(n, now));
  wrangler(["d1", "execute", "DB", "--local", "--persist-to", dir, "--file", file]);
  rmSync(file);
}

// ---- generated clients for search --------------------------------------------------------------

/** The agency the search figures generate their clients in (none of the demo's). */
const SEARCH_AGENCY = 3;
const FIRST = ["Maria", "James", "Hannah", "Luis", "Aisha", "Robert", "Mei", "Daniel", "Sofia", "Omar", "Grace", "Pavel", "Nia", "Ethan", "Lucia", "Kwame", "Ines", "Tomas", "Yara", "Owen"];
const LAST = ["Alvarez", "Okafor", "Hill", "Ortega", "Nguyen", "Smith", "Johnson", "Kowalski", "Haddad", "Brown", "Garcia", "Lee", "Martin", "Novak", "Silva", "Walker", "Young", "Khan", "Rossi", "Dubois", "Mensah", "Tanaka", "Ivanova", "Murphy", "Schmidt", "Costa", "Park", "Reyes", "Ahmed", "Fischer"];
/**
 * What staff type into the search: a last-name prefix, a first name, "first last", "last, first"
 * and a client number. Chosen to find as many rows at 1,000 clients as at 1,000,000 (20, the page
 * size, for the prefixes; 16 and 20 for "maria alv"; none for "okafor, hannah", a pair the
 * generator never makes; 1 for the number), so the ratio compares like with like — the run prints
 * the counts. (A number prefix such as "G-00042" finds nothing at 1,000 and 20 at 1,000,000.)
 */
const SEARCHES = ["smi", "maria", "maria alv", "okafor, hannah", "G-0000420"];

/**
 * SQL that adds clients `from`..`to` (1-based) to the search agency in one statement: a recursive
 * CTE. CROSS JOIN keeps the counter as the outer loop: with a plain JOIN SQLite may put the name
 * lists outside and run the recursive CTE once per name (hours at 1,000,000).
 */
function generatedClientsSql(from: number, to: number): string {
  const names = (list: string[]) => list.map((n, i) => `(${i}, '${n}')`).join(", ");
  return `WITH RECURSIVE n(i) AS (SELECT ${from} UNION ALL SELECT i + 1 FROM n WHERE i < ${to}),
    f(k, name) AS (VALUES ${names(FIRST)}), l(k, name) AS (VALUES ${names(LAST)})
    INSERT INTO clients (agency_id, client_number, first_name, last_name, first_name_key, last_name_key, date_of_birth)
    SELECT ${SEARCH_AGENCY}, 'G-' || printf('%07d', i), f.name, l.name || CASE WHEN i % 3 = 0 THEN '' ELSE '-' || (i % 97) END,
      lower(f.name), lower(l.name || CASE WHEN i % 3 = 0 THEN '' ELSE '-' || (i % 97) END), date('1950-01-01', '+' || (i % 20000) || ' days')
    FROM n CROSS JOIN f CROSS JOIN l WHERE f.k = (i * 7) % ${FIRST.length} AND l.k = (i * 13) % ${LAST.length};`;
}

/**
 * Adds the generated clients, straight into the local D1's SQLite file with Node's own SQLite
 * (node:sqlite) while no server holds the database: no wrangler start-up per call, no D1
 * simulation in between (1,000,000 rows in ~70 s on a 2-core machine at load 17).
 */
function loadClients(dir: string, from: number, to: number) {
  const d1 = join(dir, "v3", "d1", "miniflare-D1DatabaseObject");
  const file = readdirSync(d1).find((f) => f.endsWith(".sqlite"));
  if (!file) throw new Error(`no local D1 database under ${d1}`);
  const db = new DatabaseSync(join(d1, file));
  try {
    if (from === 1) db.exec(`INSERT INTO agencies (id, name, slug, portal_enabled, timezone) VALUES (${SEARCH_AGENCY}, 'Search Bench Agency', 'search-bench', 0, 'America/New_York')`);
    db.exec(generatedClientsSql(from, to));
  } finally {
    db.close();
  }
}

async function measureSearch(server: Server) {
  return post<{ perSearch: number[]; hits: number; hitsPerQuery: Record<string, number>; msPerQuery: Record<string, number>; clients: number }>(server, "/search", { agencyId: SEARCH_AGENCY, queries: SEARCHES, groups: 40, perGroup: 4 });
}

// ---- the bench Worker --------------------------------------------------------------------------

type Server = DevServer;

/** The bench Worker under `wrangler dev`, on the given database. */
function startBenchWorker(dir: string, port: number): Promise<Server> {
  return startDev({ port, persistTo: dir, config: "bench/wrangler.bench.toml", readyPath: "/health" });
}

async function post<T>(server: Server, path: string, body: unknown): Promise<T> {
  const res = await fetch(server.url + path, { method: "POST", body: JSON.stringify(body), headers: { "Content-Type": "application/json" } });
  if (!res.ok) throw new Error(`${path} → ${res.status}: ${await res.text()}`);
  return res.json() as Promise<T>;
}

interface AppendResult {
  mode: string;
  writers: number;
  appends: number;
  ms: number;
  perSecond: number;
  failures: number;
  rows: { n: number; lo: number; hi: number };
  chain: { intact: boolean; verified: number } | null;
}

const appendRun = (server: Server, mode: "baseline" | "commit" | "record", clientId: number, total: number, writers = WRITERS) =>
  post<AppendResult>(server, "/appends", { mode, agencyId: LAKESIDE, clientId, writers, total });

interface Probe {
  rpcMs: number;
  d1BatchMs: number;
  storageSyncMs: number;
  batchThenSyncMs: number;
  groupOf50PerAppendMs: number;
}

const SHAPES = [
  ["page", "page 1, no filter", 200],
  ["page-type", "page 1, Change Type", 200],
  ["page-type-range", "page 1, Change Type + Date Range (30 days)", 200],
  ["page-actor-range", "page 1, Changes By + Date Range (30 days)", 200],
  ["page-actor-rare", "page 1, Changes By someone with 4 entries", 200],
  ["page-older", "pages 1 and 2 (Older), Change Type", 100],
  ["choices", "filter choices (Change Types, Changes By)", 100],
  ["full-page", "the page's reads: all three filters + choices", 100],
  ["scan-control", "CONTROL: a query that walks the client's log", 10],
] as const;

async function measureQueries(server: Server, now: number) {
  const out: Record<string, number> = {};
  for (const [shape, , iterations] of SHAPES) {
    const r = await post<{ msPerQuery: number }>(server, "/query", {
      shape,
      agencyId: RIVERBEND,
      clientId: QUERY_CLIENT,
      iterations,
      from: now - 30 * DAY,
      until: now + DAY,
    });
    out[shape] = r.msPerQuery;
  }
  return out;
}

const fmt = (n: number, digits = 2) => n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

// ---- the run -----------------------------------------------------------------------------------

const dir = mkdtempSync(join(tmpdir(), "client-log-bench-"));
const port = 8900 + Math.floor(Math.random() * 90);
let server: Server | undefined;
const stopServer = async () => {
  await server?.stop();
  server = undefined;
};
process.on("SIGINT", () => void stopServer().then(() => process.exit(130)));

try {
  const now = Date.now();
  log("preparing a throwaway database (migrations + demo data)…");
  await prepareDatabase(dir);
  log("loading 1,000 log entries for one Riverbend client…");
  loadSyntheticLog(dir, 1_000, now);
  server = await startBenchWorker(dir, port);
  log(`bench Worker up at ${server.url}`);

  // a. Appends. A short warm-up first, so start-up (the object, compiled statements) isn't timed.
  // Then ROUNDS rounds of every mode, interleaved, so a busy machine slows them all alike; the
  // median round is reported.
  await appendRun(server, "commit", APPEND_CLIENTS.warmup, 100);
  const runs: Record<"baseline" | "commit" | "record" | "single", AppendResult[]> = { baseline: [], commit: [], record: [], single: [] };
  for (let round = 1; round <= ROUNDS; round++) {
    log(`appends, round ${round}/${ROUNDS}: baseline, commit × ${WRITERS} writers, record × ${WRITERS} writers, commit × 1 writer…`);
    runs.baseline.push(await appendRun(server, "baseline", APPEND_CLIENTS.baseline, APPENDS / 4));
    runs.commit.push(await appendRun(server, "commit", APPEND_CLIENTS.commit, APPENDS));
    runs.record.push(await appendRun(server, "record", APPEND_CLIENTS.record, APPENDS));
    runs.single.push(await appendRun(server, "commit", APPEND_CLIENTS.warmup, APPENDS / 5, 1));
  }
  const median = (rs: AppendResult[]) => [...rs].sort((x, y) => x.perSecond - y.perSecond)[Math.floor(rs.length / 2)]!;
  const [baseline, commit, record, single] = [median(runs.baseline), median(runs.commit), median(runs.record), median(runs.single)];
  const last = (rs: AppendResult[]) => rs.at(-1)!;
  const total = (rs: AppendResult[]) => rs.reduce((n, r) => n + r.appends, 0);
  log("where an append's time goes…");
  const probe = await post<Probe>(server, "/probe", { agencyId: LAKESIDE, clientId: APPEND_CLIENTS.probe, n: 100 });

  // b. Queries at 1,000 entries.
  log("Change Log queries at 1,000 entries…");
  const small = await measureQueries(server, now);
  const smallCount = (await (await fetch(`${server.url}/count?agency=${RIVERBEND}`)).json()) as { n: number };
  await stopServer();

  // … and at 100,000.
  log(`loading ${LARGE_LOG.toLocaleString("en-US")} log entries for the same client…`);
  loadSyntheticLog(dir, LARGE_LOG, now);
  server = await startBenchWorker(dir, port);
  log(`Change Log queries at ${LARGE_LOG.toLocaleString("en-US")} entries…`);
  const large = await measureQueries(server, now);
  const largeCount = (await (await fetch(`${server.url}/count?agency=${RIVERBEND}`)).json()) as { n: number };
  await stopServer();

  // c. Client search at 1,000 and at 1,000,000 clients in one agency.
  log("generating 1,000 clients in one agency…");
  loadClients(dir, 1, 1_000);
  server = await startBenchWorker(dir, port);
  log("client search at 1,000 clients…");
  const search1k = await measureSearch(server);
  await stopServer();
  log(`generating ${(LARGE_CLIENTS - 1_000).toLocaleString("en-US")} more clients in the same agency (one INSERT … SELECT over a recursive CTE)…`);
  const genStart = Date.now();
  loadClients(dir, 1_001, LARGE_CLIENTS);
  const genSeconds = (Date.now() - genStart) / 1000;
  server = await startBenchWorker(dir, port);
  log(`client search at ${LARGE_CLIENTS.toLocaleString("en-US")} clients (generated in ${genSeconds.toFixed(0)} s)…`);
  const search1m = await measureSearch(server);
  await stopServer();

  // d. The whole request path, on the app itself.
  const app = await appFigures(log, SMOKE ? { signIns: 3, sequential: 3, concurrent: 10 } : { signIns: 60, sequential: 100, concurrent: 300 });

  // ---- report ----
  const line = "─".repeat(96);
  console.log(`\n${line}\nA. Appends through ONE client's ClientLog, ${WRITERS} concurrent writers (wrangler dev, local D1)\n${line}`);
  console.log(`${"".padEnd(58)}${"appends".padStart(9)}${"ms".padStart(9)}${"appends/s".padStart(11)}${"vs base".padStart(9)}`);
  console.log(`median of ${ROUNDS} interleaved rounds (all rounds, appends/s: commit ${runs.commit.map((r) => fmt(r.perSecond, 0)).join(", ")}; record ${runs.record.map((r) => fmt(r.perSecond, 0)).join(", ")})`);
  for (const [label, r] of [
    ["baseline: same D1 batch, serially, no Durable Object", baseline],
    ["ClientLog.commit (change + entry, Face Sheet path)", commit],
    ["ClientLog.record (event entry, portal path)", record],
    ["ClientLog.commit with 1 writer instead of 50", single],
  ] as const) {
    console.log(
      `${label.padEnd(58)}${String(r.appends).padStart(9)}${String(r.ms).padStart(9)}${fmt(r.perSecond, 0).padStart(11)}${(fmt(r.perSecond / baseline.perSecond) + "×").padStart(9)}`,
    );
  }
  for (const [mode, rs] of [
    ["commit", runs.commit],
    ["record", runs.record],
  ] as const) {
    const r = last(rs);
    const n = total(rs);
    const gapless = r.rows.n === n && r.rows.lo === 1 && r.rows.hi === n;
    const failures = rs.reduce((k, x) => k + x.failures, 0);
    console.log(
      `  ${mode}: seq 1..${r.rows.hi}, ${r.rows.n} rows for ${n} appends, ${gapless ? "no gap or duplicate" : "GAP OR DUPLICATE"}; chain ${r.chain?.intact ? "intact" : "BROKEN"}; ${failures} uncommitted`,
    );
  }
  const slowest = Math.min(commit.perSecond, record.perSecond);
  // Issue 8 keeps the keyed chain and durable head at ≥ 1,000 appends/s with 50 writers.
  console.log(`Target ≥ 1,000 appends/s: ${slowest >= 1000 ? "met" : "NOT met"} (slowest path ${fmt(slowest, 0)}/s)`);
  const perAppend = 1000 / commit.perSecond;
  console.log(`\nWhere one commit's ${fmt(perAppend, 1)} ms goes (timed part by part inside a Durable Object, ms per append):`);
  for (const [label, ms] of [
    ["RPC round trip Worker → object (no work)", probe.rpcMs],
    ["D1 batch (change + entry) sent from the object", probe.d1BatchMs],
    ["storage write made durable (what the output gate waits for)", probe.storageSyncMs],
    ["the two in commit()'s order, one after the other", probe.batchThenSyncMs],
    ["one D1 batch + one storage write carrying 50 appends, per append", probe.groupOf50PerAppendMs],
  ] as const) {
    console.log(`  ${label.padEnd(70)}${fmt(ms, 2).padStart(8)} ms`);
  }

  console.log(`\n${line}\nB. Face Sheet Change Log queries, one agency (all entries on one client), ms per query\n${line}`);
  console.log(`${"".padEnd(50)}${`${smallCount.n.toLocaleString("en-US")} entries`.padStart(16)}${`${largeCount.n.toLocaleString("en-US")} entries`.padStart(18)}${"ratio".padStart(9)}`);
  let worst = 0;
  for (const [shape, label] of SHAPES) {
    const ratio = large[shape]! / small[shape]!;
    if (shape !== "scan-control") worst = Math.max(worst, ratio);
    console.log(`${label.padEnd(50)}${fmt(small[shape]!, 3).padStart(16)}${fmt(large[shape]!, 3).padStart(18)}${(fmt(ratio) + "×").padStart(9)}`);
  }
  console.log(`Target: ${LARGE_LOG.toLocaleString("en-US")} within 3× of 1,000: ${worst <= 3 ? "met" : "NOT met"} (worst ratio ${fmt(worst)}×, the control excluded)`);

  // ---- one summary table ----
  const searchFig = (label: string, r: { perSearch: number[] }) => ({ label, p50: percentile(r.perSearch, 50), p95: percentile(r.perSearch, 95) });
  const s1k = searchFig(`client search, ${search1k.clients.toLocaleString("en-US")} clients (ms per search)`, search1k);
  const s1m = searchFig(`client search, ${search1m.clients.toLocaleString("en-US")} clients (ms per search)`, search1m);
  const appends = (label: string, rs: AppendResult[]) => {
    const per = rs.map((r) => r.ms / r.appends);
    return { label, p50: percentile(per, 50), p95: percentile(per, 95), note: `${fmt(median(rs).perSecond, 0)} appends/s (median round)` };
  };
  console.log(`\n${line}\nC. Client search, one agency: rows found and ms per search (like for like when the rows are equal)\n${line}`);
  for (const q of SEARCHES) {
    const at = (r: typeof search1k) => `${r.hitsPerQuery[q]} rows, ${fmt(r.msPerQuery[q]!)} ms at ${r.clients.toLocaleString("en-US")}`;
    console.log(`${JSON.stringify(q).padEnd(20)}${at(search1k).padStart(30)}${at(search1m).padStart(36)}`);
  }
  const summary: Figure[] = [
    appends(`ClientLog.commit, ${WRITERS} writers (ms per append, per round)`, runs.commit),
    appends(`ClientLog.record, ${WRITERS} writers (ms per append, per round)`, runs.record),
    { label: "Change Log page at 1,000 entries (ms per query)", p50: small["full-page"]!, p95: small["full-page"]! },
    {
      label: `Change Log page at ${LARGE_LOG.toLocaleString("en-US")} entries (ms per query)`,
      p50: large["full-page"]!,
      p95: large["full-page"]!,
      base: { label: "1,000", p50: small["full-page"]!, p95: small["full-page"]!, target: 3 },
    },
    s1k,
    { ...s1m, base: { label: "1,000 clients", p50: s1k.p50, p95: s1k.p95, target: 1.5, p95Too: true } },
    ...app,
  ];
  const cores = availableParallelism();
  const [load1] = loadavg();
  if (SMOKE) console.log(`\n--smoke: token sizes, to show the bench runs; these figures mean nothing.`);
  console.log(`\n${line}\nSUMMARY — ${cores} cores (${cpus()[0]?.model ?? "unknown CPU"}), load average ${load1!.toFixed(1)} at the end; wrangler dev, local D1; ms\n${line}`);
  console.log(`${"figure".padEnd(56)}${"p50".padStart(9)}${"p95".padStart(9)}   ${"ratio p50 / p95 (target)".padEnd(62)}note`);
  let missed = 0;
  for (const f of summary) {
    let ratio = "";
    if (f.base) {
      const r50 = f.p50 / f.base.p50;
      const r95 = f.p95 / f.base.p95;
      const ok = r50 <= f.base.target && (!f.base.p95Too || r95 <= f.base.target);
      if (!ok) missed++;
      ratio = `${fmt(r50)}× / ${fmt(r95)}× vs ${f.base.label} (≤ ${f.base.target}×) ${ok ? "met" : "NOT met"}`;
    }
    console.log(`${f.label.padEnd(56)}${fmt(f.p50).padStart(9)}${fmt(f.p95).padStart(9)}   ${ratio.padEnd(62)}${f.note ?? ""}`);
  }
  console.log(`${missed === 0 ? "Every ratio target met." : `${missed} ratio target(s) NOT met (see README: Performance for why).`} Appends target ≥ 1,000/s: ${slowest >= 1000 ? "met" : "NOT met"}.`);
  log("done");
} finally {
  await stopServer();
  rmSync(dir, { recursive: true, force: true });
}
