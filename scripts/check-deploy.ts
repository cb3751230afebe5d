/**
 * `npm run deploy` runs this first: a deployed Worker must know its portal's public origin,
 * because it never builds portal links (the ones in credentials emails) from a request's Host
 * header. Refuses to go on while wrangler.toml's [vars] PORTAL_ORIGIN is empty or not an https
 * origin, with the same rules the Worker applies (src/portal-logins/portal-url.ts).
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parsePortalOrigin } from "../src/portal-logins/portal-url.ts";

const ROOT = resolve(import.meta.dirname, "..");

/** PORTAL_ORIGIN from the top-level [vars] table of a wrangler.toml, or "" when absent. */
export function portalOriginVar(toml: string): string {
  let inVars = false;
  for (const raw of toml.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith("[")) inVars = line === "[vars]";
    const m = inVars ? /^PORTAL_ORIGIN\s*=\s*"([^"]*)"/.exec(line) : null;
    if (m) return m[1]!;
  }
  return "";
}

const value = portalOriginVar(readFileSync(join(ROOT, "wrangler.toml"), "utf8")).trim();
try {
  if (!value) throw new Error("PORTAL_ORIGIN is empty in wrangler.toml [vars].");
  console.log(`PORTAL_ORIGIN: ${parsePortalOrigin(value)}`);
} catch (err) {
  console.error(`Not deploying: ${(err as Error).message}`);
  console.error('Set PORTAL_ORIGIN = "https://<the portal\'s public host>" under [vars] in wrangler.toml (README › Deploying).');
  process.exit(1);
}
