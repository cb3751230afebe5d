/**
 * `npm run soak` (node bench/soak/run.ts, Node 22 type stripping): the app under sustained mixed
 * load with faults injected, then counted.
 *
 *   npm run soak                          60 s, every fault on
 *   npm run soak -- --seconds 300         5 minutes
 *   npm run soak -- --faults none         no faults; or any of d1-refuse,d1-slow,email,reset
 *   npm run soak -- --portal-users 80     more virtual portal users (default 60; also --staff, --victims)
 *   npm run soak -- --server-output       show wrangler dev's output (--keep-db keeps the database)
 *
 * 1. A throwaway database (never .wrangler/state): migrations, the demo data, the soak's staff and
 *    portal logins (seed.ts).
 * 2. The soak Worker (worker.ts: the app with faults in front of its bindings) under `wrangler dev`,
 *    from a config made from wrangler.toml with `main` pointing at it.
 * 3. The virtual users (driver.ts) for --seconds; ClientLog resets asked for every few seconds.
 * 4. Faults off; each client's Verify log (which also writes entries still waiting); the server
 *    stopped; the database read back.
 * 5. The checker (check.ts); the table; every request in a JSONL file; exit 1 on any violation.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ensureDevVars, prepareDatabase, ROOT, startDev, toolEnv, type DevServer } from "../../scripts/local.ts";
import { checkSoak, markdownTable, summaryTable, type CheckInput, type LogRow } from "./check.ts";
import { drive } from "./driver.ts";
import { formatFaultPlan, NO_FAULTS, type FaultPlan } from "./faults.ts";
import { SOAK_AGENCY, SOAK_CLIENTS, soakPeople, soakSeedStatements } from "./seed.ts";

const { values: args } = parseArgs({
  options: {
    seconds: { type: "string", default: "60" },
    faults: { type: "string", default: "d1-refuse,d1-slow,email,reset" },
    "portal-users": { type: "string", default: "60" },
    victims: { type: "string", default: "6" },
    staff: { type: "string", default: "8" },
    "keep-db": { type: "boolean", default: false },
    "server-output": { type: "boolean", default: false },
  },
});
const seconds = Number(args.seconds);
const on = new Set(args.faults === "none" ? [] : args.faults!.split(",").map((s) => s.trim()));
for (const f of on) if (!["d1-refuse", "d1-slow", "email", "reset"].includes(f)) throw new Error(`unknown fault ${f}: use d1-refuse, d1-slow, email, reset or none`);
const plan: FaultPlan = {
  ...NO_FAULTS,
  ...(on.has("d1-refuse") ? { refuseWrites: 0.03 } : {}),
  ...(on.has("d1-slow") ? { slowShare: 0.05, slowMs: 200 } : {}),
  ...(on.has("email") ? { refuseEmail: 0.25 } : {}),
};
const RESET_EVERY_MS = on.has("reset") ? 1_500 : 0;

const started = Date.now();
const log = (msg: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${msg}`);

function wrangler(args: string[]): string {
  const r = spawnSync("wrangler", args, { cwd: ROOT, env: toolEnv(), encoding: "utf8", maxBuffer: 1024 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`wrangler ${args.join(" ")} failed:\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

const query = <T>(dir: string, sql: string): T[] => JSON.parse(wrangler(["d1", "execute", "DB", "--local", "--persist-to", dir, "--json", "--command", sql]))[0].results as T[];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

/**
 * The soak config: wrangler.toml as it is (every binding, var and migration the app has today),
 * with `main` → bench/soak/worker.ts and paths made absolute, next to a copy of .dev.vars.
 */
function soakConfig(dir: string): string {
  const text = readFileSync(join(ROOT, "wrangler.toml"), "utf8")
    .replace(/^name = .*$/m, 'name = "client-portal-soak"')
    .replace(/^main = .*$/m, `main = ${JSON.stringify(join(ROOT, "bench", "soak", "worker.ts"))}`)
    .replace(/^directory = "\.\/public"$/m, `directory = ${JSON.stringify(join(ROOT, "public"))}`)
    .replace(/^migrations_dir = .*$/m, `migrations_dir = ${JSON.stringify(join(ROOT, "migrations"))}`);
  const file = join(dir, "wrangler.soak.toml");
  writeFileSync(file, text);
  copyFileSync(join(ROOT, ".dev.vars"), join(dir, ".dev.vars"));
  return file;
}

const run = Date.now().toString(36);
const work = mkdtempSync(join(tmpdir(), "client-portal-soak-"));
const db = join(work, "state");
let server: DevServer | undefined;
let exitCode = 1;
try {
  // 1. Database.
  ensureDevVars();
  await prepareDatabase(db);
  const people = soakPeople({ portalUsers: Number(args["portal-users"]), victims: Number(args.victims), staff: Number(args.staff) });
  const seedFile = join(work, "soak-seed.sql");
  writeFileSync(seedFile, (await soakSeedStatements(people)).join(";\n") + ";\n");
  wrangler(["d1", "execute", "DB", "--local", "--persist-to", db, "--file", seedFile]);
  log(`database ready in ${work}: ${people.portal.length} portal users, ${people.victims.length} locking logins, ${people.staff.length} staff`);

  // 2. Server.
  const port = await freePort();
  server = await startDev({ port, persistTo: db, config: soakConfig(work), inheritOutput: args["server-output"], vars: { SOAK_FAULTS: formatFaultPlan(plan) } });
  log(`soak Worker on ${server.url}; faults: ${formatFaultPlan(plan)}${RESET_EVERY_MS ? `, ClientLog reset every ${RESET_EVERY_MS / 1000} s` : ""}`);

  // 3. Load.
  const { requests, resets } = await drive({ base: server.url, people, seconds, resetEveryMs: RESET_EVERY_MS, run });
  log(`${requests.length} requests in ${seconds} s; ${resets} ClientLog resets`);

  // 4. Faults off, Verify (which writes what is still waiting), then read back.
  await fetch(`${server.url}/__soak/faults`, { method: "POST", body: formatFaultPlan(NO_FAULTS) }).then((r) => r.text());
  const injected = (await (await fetch(`${server.url}/__soak/faults`)).json()) as { injected: Record<string, number> };
  const verify: CheckInput["verify"] = [];
  for (const clientId of SOAK_CLIENTS) {
    // Deferred work (failed sign-in entries, notices) finishes after the answers: Verify until settled.
    let last = "";
    for (let i = 0; i < 20; i++) {
      const v = (await (await fetch(`${server.url}/__soak/verify/${SOAK_AGENCY.id}/${clientId}`)).json()) as {
        result: { intact: boolean; verified: number; brokenAt?: number; reason?: string; headSeq?: number };
        pending: number;
      };
      const now = JSON.stringify(v);
      if (now === last && v.pending === 0) break;
      last = now;
      await new Promise((r) => setTimeout(r, 500));
    }
    const v = JSON.parse(last) as { result: { intact: boolean; verified: number; brokenAt?: number; reason?: string; headSeq?: number }; pending: number };
    verify.push({
      clientId,
      intact: v.result.intact,
      detail: v.result.intact ? `intact, ${v.result.verified} entries` : `broken at #${v.result.brokenAt}: ${v.result.reason} (head #${v.result.headSeq})`,
      pending: v.pending,
    });
  }
  await server.stop();
  server = undefined;

  const input: CheckInput = {
    requests,
    verify,
    log: query<LogRow>(
      db,
      "SELECT client_id AS clientId, seq, change_type AS changeType, description, details, actor_type AS actorType, actor_id AS actorId FROM client_log ORDER BY client_id, seq",
    ),
    clients: query(db, `SELECT id, residence_address AS residenceAddress FROM clients WHERE agency_id = ${SOAK_AGENCY.id}`),
    logins: query(db, `SELECT id, username, email, email_status AS emailStatus FROM portal_logins WHERE agency_id = ${SOAK_AGENCY.id}`),
    emails: query(db, `SELECT id, login_id AS loginId, kind, status, error FROM portal_emails WHERE agency_id = ${SOAK_AGENCY.id}`),
  };

  // 5. Check and report.
  const result = checkSoak(input);
  const recordFile = join(tmpdir(), `client-portal-soak-${run}.jsonl`);
  writeFileSync(recordFile, requests.map((r) => JSON.stringify(r)).join("\n") + "\n");
  console.log(`\n## Soak ${run}: ${seconds} s, faults ${on.size ? [...on].join(", ") : "none"}\n`);
  console.log(summaryTable(requests, seconds));
  console.log(`\nFaults injected: ${Object.entries(injected.injected).map(([k, n]) => `${k} ${n}`).join(", ")}; ClientLog resets asked: ${resets}`);
  console.log(`Entries checked: ${result.entriesChecked} in ${result.clientsChecked} client logs; Verify: ${verify.filter((v) => v.intact).length}/${verify.length} intact`);
  console.log(`Every request: ${recordFile}`);
  if (result.violations.length === 0) {
    console.log("\nViolations: 0");
    exitCode = 0;
  } else {
    const byCheck = new Map<string, number>();
    for (const v of result.violations) byCheck.set(v.check, (byCheck.get(v.check) ?? 0) + 1);
    console.log(`\nViolations: ${result.violations.length}`);
    console.log(markdownTable([["check", "violations"], ...[...byCheck].map(([k, n]) => [k, String(n)])]));
    for (const v of result.violations.slice(0, 40)) console.log(`- ${v.check}: ${v.detail}`);
    if (result.violations.length > 40) console.log(`- … ${result.violations.length - 40} more`);
  }
} finally {
  await server?.stop();
  if (!args["keep-db"]) rmSync(work, { recursive: true, force: true });
  else log(`database kept: ${db}`);
}
process.exit(exitCode);
