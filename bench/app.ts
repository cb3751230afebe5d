/**
 * The whole request path, for `npm run bench` (bench/run.ts): the real app (src/index.ts, through
 * bench/app-worker.ts) under `wrangler dev` with its own wrangler.toml, on a throwaway database
 * (migrations + demo data + the rows below), timed from this Node process over HTTP.
 *
 *   a. sign-in (portal and staff) against its own Argon2id hash in the same Worker, interleaved
 *      (GET /__bench/hash runs verifyPassword on the same hash): target ≤ 1.10× at p50 and p95;
 *   b. authenticated pages — the Face Sheet of a client with 5 portal logins and 200 log entries,
 *      the Face Sheet Change Log, portal Home and Activity — against a bare Worker route
 *      (GET /__bench/bare), one at a time (interleaved) and with 10 connections at once (each
 *      page's block in turn, in three rounds, so each is measured across the same stretch of the
 *      run as the bare route): target ≤ 2× at p50.
 *
 * Beside each, its floor: the same baseline plus only the D1 round trips the target allows (two,
 * doing nothing else), so the run shows how much of each ratio the round trips alone take here;
 * and the Face Sheet's own I/O (one D1 round trip and one view entry handed to an agency's log).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureDevVars, prepareDatabase, ROOT, startDev, toolEnv, type DevServer } from "../scripts/local.ts";

export interface Figure {
  label: string;
  p50: number;
  p95: number;
  /** The figure it is measured against, its ratio and the target ratio (p50; sign-in also p95). */
  base?: { label: string; p50: number; p95: number; target: number; p95Too?: boolean };
  note?: string;
}

const DEMO_PASSWORD = "demo-password-2026";
const SLUG = "riverbend";
/** Maria Alvarez (Riverbend): the busy client of the page figures. */
const PAGE_CLIENT = 1;
/** James Okafor: the sign-in figure's login (its Login entries stay off the page client's log). */
const SIGN_IN_CLIENT = 2;

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

function wrangler(args: string[]): string {
  const r = spawnSync("wrangler", args, { cwd: ROOT, env: toolEnv(), encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`wrangler ${args.join(" ")} failed:\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** 6 portal logins (password: the demo password), 5 of them on the page client, and 200 log entries on it. */
function setupSql(now: number): string {
  // One own login per client; the page client's other four are representative logins (listed on
  // its Face Sheet, never signed in with: a representative needs a record to sign in).
  const login = (i: number, clientId: number, name: string, representative = i > 0) =>
    `INSERT INTO portal_logins (agency_id, client_id, username, username_key, email, representative, active, password_hash, must_change_password, temp_password_expires_at, session_version, failed_attempts, created_at)
     SELECT 1, ${clientId}, '${name}', '${name}', '${name}@example.com', ${representative ? 1 : 0}, 1, password_hash, 0, NULL, 1, 0, ${now + i} FROM staff_users WHERE email = 'staff@riverbend.test';`;
  const logins = [0, 1, 2, 3, 4].map((i) => login(i, PAGE_CLIENT, `bench.page${i}`));
  // Unsealed rows are fine here: the pages only show them (Verify is not run on this database).
  const entries = `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200)
    INSERT INTO client_log (agency_id, client_id, seq, at, actor_type, actor_id, actor_name, change_type, description, details, prev_hash, key_id, hash)
    SELECT 1, ${PAGE_CLIENT}, (SELECT COALESCE(MAX(seq), 0) FROM client_log WHERE client_id = ${PAGE_CLIENT}) + i, ${now - 200 * 60_000} + i * 60000,
      'staff', 1, 'Dana Whitfield', CASE WHEN i % 2 THEN 'Face Sheet' ELSE 'Login' END, 'bench entry ' || i,
      CASE WHEN i % 2 THEN '{"lines":["Current Residence - {Set entry: CurrentHomeless to value: No}"]}'
           ELSE '{"portal":{"action":"Login","description":"Patient Portal login by bench.page0"}}' END,
      '', 'bench', lower(hex(randomblob(32))) FROM n;`;
  return [...logins, login(9, SIGN_IN_CLIENT, "bench.signin", false), entries].join("\n") + "\n";
}

/** One request, timed to its last byte. */
async function timed(url: string, init: RequestInit = {}): Promise<{ ms: number; res: Response }> {
  const started = performance.now();
  const res = await fetch(url, { redirect: "manual", ...init });
  await res.arrayBuffer();
  return { ms: performance.now() - started, res };
}

const cookiesOf = (res: Response) =>
  res.headers
    .getSetCookie()
    .map((l) => l.split(";")[0]!)
    .filter((c) => !c.endsWith("="));

const form = (fields: Record<string, string>, cookie?: string): RequestInit => ({
  method: "POST",
  body: new URLSearchParams(fields),
  headers: { "Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "same-origin", ...(cookie ? { Cookie: cookie } : {}) },
});

/** Runs the app's figures; `log` reports progress. The server and its database are gone afterwards. */
export async function appFigures(log: (msg: string) => void, opts: { signIns: number; sequential: number; concurrent: number }): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), "app-bench-"));
  let server: DevServer | undefined;
  try {
    log("app: preparing a throwaway database (migrations, demo data, 6 portal logins, 200 log entries)…");
    ensureDevVars(); // the app's local secrets (.dev.vars from .dev.vars.example), as npm start does
    await prepareDatabase(dir);
    const file = join(dir, "setup.sql");
    writeFileSync(file, setupSql(Date.now()));
    wrangler(["d1", "execute", "DB", "--local", "--persist-to", dir, "--file", file]);
    const caseId = JSON.parse(
      wrangler(["d1", "execute", "DB", "--local", "--persist-to", dir, "--json", "--command", `SELECT id FROM cases WHERE client_id = ${PAGE_CLIENT} ORDER BY id LIMIT 1`]),
    )[0].results[0].id as number;

    const port = 8800 + Math.floor(Math.random() * 90);
    server = await startDev({ port, persistTo: dir, script: "bench/app-worker.ts", readyPath: "/__bench/bare" });
    const base = server.url;
    log(`app: the app Worker up at ${base}`);

    // Warm every path once (first use compiles, opens objects, pages indexes in).
    const staffSignIn = () => timed(`${base}/sign-in`, form({ email: "staff@riverbend.test", password: DEMO_PASSWORD, next: "/menu" }));
    const portalSignIn = (username: string) => timed(`${base}/portal/${SLUG}/sign-in`, form({ username, password: DEMO_PASSWORD }));
    const hash = () => timed(`${base}/__bench/hash`);
    const hashFloor = () => timed(`${base}/__bench/hash?trips=2`);
    const staffCookie = cookiesOf((await staffSignIn()).res).join("; ");
    const portal = await portalSignIn("bench.page0");
    if (portal.res.status !== 303) throw new Error(`portal sign-in answered ${portal.res.status}`);
    const portalCookie = cookiesOf(portal.res).join("; ");
    if (!staffCookie.includes("__Host-staff_session")) throw new Error("staff sign-in gave no session");

    // a. Sign-in vs its hash, interleaved (order rotated each round).
    log(`app: sign-in vs hash, ${opts.signIns} interleaved rounds…`);
    const runs: Record<"hash" | "floor" | "portal" | "staff", number[]> = { hash: [], floor: [], portal: [], staff: [] };
    const steps = {
      hash: async () => {
        const r = await hash();
        if (r.res.status !== 200) throw new Error(`hash answered ${r.res.status}`);
        return r.ms;
      },
      floor: async () => {
        const r = await hashFloor();
        if (r.res.status !== 200) throw new Error(`hash with round trips answered ${r.res.status}`);
        return r.ms;
      },
      portal: async () => {
        const r = await portalSignIn("bench.signin");
        if (r.res.status !== 303) throw new Error(`portal sign-in answered ${r.res.status}`);
        return r.ms;
      },
      staff: async () => {
        const r = await staffSignIn();
        if (r.res.status !== 303) throw new Error(`staff sign-in answered ${r.res.status}`);
        return r.ms;
      },
    };
    for (let i = 0; i < 3; i++) for (const step of Object.values(steps)) await step();
    const order = ["hash", "floor", "portal", "staff"] as const;
    for (let i = 0; i < opts.signIns; i++) {
      for (let k = 0; k < order.length; k++) {
        const name = order[(i + k) % order.length]!;
        runs[name].push(await steps[name]());
      }
    }

    // b. Pages vs the bare route, sequential (interleaved) and 10 at once.
    const pages = {
      bare: { url: `${base}/__bench/bare`, cookie: "" },
      floor: { url: `${base}/__bench/bare?trips=2`, cookie: "" },
      viewFloor: { url: `${base}/__bench/bare?trips=1&entry=1`, cookie: "" },
      faceSheet: { url: `${base}/face-sheet/${PAGE_CLIENT}`, cookie: staffCookie },
      changeLog: { url: `${base}/document-center/clients/${PAGE_CLIENT}/cases/${caseId}/face-sheet-log`, cookie: staffCookie },
      home: { url: `${base}/portal/${SLUG}`, cookie: portalCookie },
      activity: { url: `${base}/portal/${SLUG}/activity`, cookie: portalCookie },
    };
    type Page = keyof typeof pages;
    const get = async (p: Page) => {
      const r = await timed(pages[p].url, { headers: pages[p].cookie ? { Cookie: pages[p].cookie } : {} });
      if (r.res.status !== 200) throw new Error(`${p} answered ${r.res.status}`);
      return r.ms;
    };
    const names = Object.keys(pages) as Page[];
    for (const p of names) await get(p);
    log(`app: pages vs bare route, ${opts.sequential} sequential rounds…`);
    const seq = Object.fromEntries(names.map((p) => [p, [] as number[]])) as Record<Page, number[]>;
    for (let i = 0; i < opts.sequential; i++) for (let k = 0; k < names.length; k++) {
      const p = names[(i + k) % names.length]!;
      seq[p].push(await get(p));
    }
    log(`app: pages vs bare route, 10 connections at once, ${opts.concurrent} requests each…`);
    // In rounds, each page's block in a rotated order, so a page and the bare route are measured
    // across the same stretch of the run: this VM's share of its cores drifts from minute to minute.
    const ROUNDS = 3;
    const conc = Object.fromEntries(names.map((p) => [p, { ms: [] as number[], elapsed: 0 }])) as Record<Page, { ms: number[]; elapsed: number }>;
    for (let r = 0; r < ROUNDS; r++) {
      for (let k = 0; k < names.length; k++) {
        const p = names[(r + k) % names.length]!;
        const started = performance.now();
        await Promise.all(
          Array.from({ length: 10 }, async () => {
            for (let i = 0; i < Math.ceil(opts.concurrent / 10 / ROUNDS); i++) conc[p].ms.push(await get(p));
          }),
        );
        conc[p].elapsed += performance.now() - started;
      }
    }
    const perSecond = (p: Page) => (conc[p].ms.length / conc[p].elapsed) * 1000;

    const fig = (label: string, xs: number[]) => ({ label, p50: percentile(xs, 50), p95: percentile(xs, 95) });
    const hashFig = fig("Argon2id hash alone (GET /__bench/hash)", runs.hash);
    const vsHash = { label: "hash", p50: hashFig.p50, p95: hashFig.p95, target: 1.1, p95Too: true };
    const bareSeq = fig("bare Worker route, sequential", seq.bare);
    const bareConc = fig("bare Worker route, 10 at once", conc.bare.ms);
    const LABELS: Record<Exclude<Page, "bare" | "floor" | "viewFloor">, string> = {
      faceSheet: "staff Face Sheet (5 logins, 200 entries)",
      changeLog: "Face Sheet Change Log form",
      home: "portal Home",
      activity: "portal Activity",
    };
    const out: Figure[] = [
      hashFig,
      { ...fig("floor: hash + 2 D1 round trips, nothing else", runs.floor), base: vsHash, note: "what the allowed round trips cost alone" },
      { ...fig("portal sign-in (POST, 303)", runs.portal), base: vsHash },
      { ...fig("staff sign-in (POST, 303)", runs.staff), base: vsHash },
      bareSeq,
    ];
    out.push({ ...fig("floor: bare + 2 D1 round trips, sequential", seq.floor), base: { label: "bare", p50: bareSeq.p50, p95: bareSeq.p95, target: 2 }, note: "what 2 round trips cost alone" });
    out.push({ ...fig("floor: bare + 1 D1 trip + 1 view entry, sequential", seq.viewFloor), base: { label: "bare", p50: bareSeq.p50, p95: bareSeq.p95, target: 2 }, note: "the Face Sheet's I/O alone" });
    for (const p of Object.keys(LABELS) as (keyof typeof LABELS)[]) {
      out.push({ ...fig(`${LABELS[p]}, sequential`, seq[p]), base: { label: "bare", p50: bareSeq.p50, p95: bareSeq.p95, target: 2 } });
    }
    out.push({ ...bareConc, note: `${perSecond("bare").toFixed(0)} req/s` });
    out.push({
      ...fig("floor: bare + 2 D1 round trips, 10 at once", conc.floor.ms),
      base: { label: "bare", p50: bareConc.p50, p95: bareConc.p95, target: 2 },
      note: `${perSecond("floor").toFixed(0)} req/s; what 2 round trips cost alone`,
    });
    out.push({
      ...fig("floor: bare + 1 D1 trip + 1 view entry, 10 at once", conc.viewFloor.ms),
      base: { label: "bare", p50: bareConc.p50, p95: bareConc.p95, target: 2 },
      note: `${perSecond("viewFloor").toFixed(0)} req/s; the Face Sheet's I/O alone`,
    });
    for (const p of Object.keys(LABELS) as (keyof typeof LABELS)[]) {
      out.push({
        ...fig(`${LABELS[p]}, 10 at once`, conc[p].ms),
        base: { label: "bare", p50: bareConc.p50, p95: bareConc.p95, target: 2 },
        note: `${perSecond(p).toFixed(0)} req/s`,
      });
    }
    return out;
  } finally {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
