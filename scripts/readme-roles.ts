/**
 * `npm run readme:roles`: rewrites the README's Roles table from src/auth/permissions.ts (a test
 * fails while the two differ). The permission module is bundled with esbuild first, since it
 * imports the schema without file extensions.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, toolEnv } from "./local.ts";

const bundled = spawnSync("esbuild", ["src/auth/permissions.ts", "--bundle", "--format=esm", "--platform=neutral"], {
  cwd: ROOT,
  env: toolEnv(),
  encoding: "utf8",
});
if (bundled.status !== 0) throw new Error(bundled.stderr);
const mod = await import(`data:text/javascript;base64,${Buffer.from(bundled.stdout).toString("base64")}`);
const readme = join(ROOT, "README.md");
const text = readFileSync(readme, "utf8");
const next = text.replace(
  /(<!-- roles-table:start[^>]*-->\n)[\s\S]*?(\n<!-- roles-table:end -->)/,
  (_, start: string, end: string) => start + mod.rolesTableMarkdown() + end,
);
writeFileSync(readme, next);
console.log(next === text ? "README roles table already up to date" : "README roles table rewritten");
