/**
 * `npm test`: every test — the workerd suite and the browser journeys — in one vitest run,
 * closing with the line `N passed, N failed`.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { ROOT, toolEnv } from "./local.ts";

if (!existsSync(process.env.CHROMIUM_PATH ?? "/usr/bin/chromium")) {
  console.error("Browser tests need Chromium: apt-get install -y chromium (or set CHROMIUM_PATH).");
  process.exit(1);
}
const r = spawnSync("vitest", ["run", ...process.argv.slice(2)], { cwd: ROOT, env: toolEnv(), stdio: "inherit" });
process.exit(r.status ?? 1);
