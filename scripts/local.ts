/**
 * Local running, shared by `npm start` and the browser tests: apply D1 migrations, seed the demo
 * data into an empty database, start `wrangler dev` in its own process group and wait until a
 * real route answers.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { appendFileSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import initialize from "@phi-ag/argon2/node";
import { DEMO_PASSWORD, demoPortalStatements, demoStatements } from "./demo-data.ts";

export const ROOT = resolve(import.meta.dirname, "..");

/** The environment for wrangler: Node 22 from node_modules/.bin first, no telemetry. */
export function toolEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PATH: [join(ROOT, "node_modules", ".bin"), process.env.PATH].join(delimiter),
    WRANGLER_SEND_METRICS: "false",
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    ...extra,
  };
}

function wrangler(args: string[], quiet = true): string {
  const r = spawnSync("wrangler", args, { cwd: ROOT, env: toolEnv(), encoding: "utf8", stdio: quiet ? "pipe" : "inherit" });
  if (r.status !== 0) {
    throw new Error(`wrangler ${args.join(" ")} failed:\n${r.stderr ?? ""}${r.stdout ?? ""}`);
  }
  return r.stdout ?? "";
}

/**
 * Copies .dev.vars.example to .dev.vars when there is none (local secrets only); to an existing
 * one, adds the variables the example has gained since (e.g. LOG_HMAC_KEYS), keeping its values.
 */
export function ensureDevVars() {
  const target = join(ROOT, ".dev.vars");
  const example = join(ROOT, ".dev.vars.example");
  if (!existsSync(target)) return copyFileSync(example, target);
  const names = (text: string) => new Set([...text.matchAll(/^([A-Z0-9_]+)=/gm)].map((m) => m[1]));
  const have = names(readFileSync(target, "utf8"));
  const missing = readFileSync(example, "utf8")
    .split("\n")
    .filter((line) => /^[A-Z0-9_]+=/.test(line) && !have.has(line.split("=")[0]));
  if (missing.length > 0) appendFileSync(target, `\n${missing.join("\n")}\n`);
}

/** Applies the D1 migrations to the local database (default `.wrangler/state`, or `persistTo`). */
export function migrateDatabase(persistTo?: string) {
  wrangler(["d1", "migrations", "apply", "DB", "--local", ...(persistTo ? ["--persist-to", persistTo] : [])]);
}

/** Applies migrations to the local D1 and seeds the demo data if the database is empty. */
export async function prepareDatabase(persistTo?: string): Promise<{ seeded: boolean }> {
  const persist = persistTo ? ["--persist-to", persistTo] : [];
  migrateDatabase(persistTo);
  const out = wrangler(["d1", "execute", "DB", "--local", ...persist, "--json", "--command", "SELECT COUNT(*) AS n FROM agencies"]);
  const count = JSON.parse(out)[0].results[0].n as number;
  if (count > 0) return { seeded: false };
  const argon2 = await initialize();
  const hash = argon2.hash(DEMO_PASSWORD, { memoryCost: 19456, timeCost: 2, parallelism: 1, hashLength: 32, type: 2, version: 19 });
  const dir = mkdtempSync(join(tmpdir(), "seed-"));
  const file = join(dir, "seed.sql");
  // The demo agencies are in New York: their "today" for the representatives' dates.
  const today = new Intl.DateTimeFormat("en-CA", { timeZone: "America/New_York" }).format(new Date());
  writeFileSync(file, [...demoStatements(hash.encoded), ...demoPortalStatements(hash.encoded, today, Date.now())].join(";\n") + ";\n");
  try {
    wrangler(["d1", "execute", "DB", "--local", ...persist, "--file", file]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { seeded: true };
}

export interface DevServer {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts `wrangler dev` in its own process group (so stopping it stops workerd too); resolves once
 * `readyPath` (default /sign-in) answers 200. `config` picks another wrangler config (the bench's);
 * `vars` are passed as `--var NAME:value` and win over wrangler.toml and .dev.vars.
 */
export async function startDev(opts: {
  port: number;
  persistTo?: string;
  inheritOutput?: boolean;
  config?: string;
  /** Another entry point than the config's `main` (the bench's wrapper of the app). */
  script?: string;
  readyPath?: string;
  vars?: Record<string, string>;
}): Promise<DevServer> {
  const args = ["dev", ...(opts.script ? [opts.script] : []), "--port", String(opts.port), "--ip", "127.0.0.1", "--show-interactive-dev-session=false"];
  if (opts.config) args.push("-c", opts.config);
  if (opts.persistTo) args.push("--persist-to", opts.persistTo);
  for (const [name, value] of Object.entries(opts.vars ?? {})) args.push("--var", `${name}:${value}`);
  const child = spawn("wrangler", args, {
    cwd: ROOT,
    env: toolEnv(),
    detached: true,
    stdio: opts.inheritOutput ? "inherit" : "ignore",
  });
  const url = `http://127.0.0.1:${opts.port}`;
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    try {
      process.kill(-child.pid!, "SIGTERM");
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {}
    }, 5000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with ${child.exitCode}`);
    try {
      const res = await fetch(`${url}${opts.readyPath ?? "/sign-in"}`);
      if (res.status === 200) return { url, process: child, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  throw new Error("wrangler dev did not answer within 60 s");
}
