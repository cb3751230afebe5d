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

/** A variable from the top-level [vars] table of a wrangler.toml, or "" when absent. */
export function tomlVar(toml: string, name: string): string {
  let inVars = false;
  for (const raw of toml.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith("[")) inVars = line === "[vars]";
    const m = inVars ? new RegExp(`^${name}\\s*=\\s*"([^"]*)"`).exec(line) : null;
    if (m) return m[1]!;
  }
  return "";
}

/** PORTAL_ORIGIN from the top-level [vars] table of a wrangler.toml, or "" when absent. */
export const portalOriginVar = (toml: string) => tomlVar(toml, "PORTAL_ORIGIN");

const toml = readFileSync(join(ROOT, "wrangler.toml"), "utf8");
// Both origins go into emailed links: portal credentials and staff invitations/resets.
for (const name of ["PORTAL_ORIGIN", "STAFF_ORIGIN"]) {
  const value = tomlVar(toml, name).trim();
  try {
    if (!value) throw new Error(`${name} is empty in wrangler.toml [vars].`);
    console.log(`${name}: ${parsePortalOrigin(value, name)}`);
  } catch (err) {
    console.error(`Not deploying: ${(err as Error).message}`);
    console.error(`Set ${name} = "https://<its public host>" under [vars] in wrangler.toml (README › Deploying).`);
    process.exit(1);
  }
}
