import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { ensureDevVars, prepareDatabase, startDev, type DevServer } from "../../scripts/local.ts";

let server: DevServer | undefined;
let dir: string | undefined;

/**
 * Starts `wrangler dev` on a fresh database with the demo data, in its own process group, with a
 * one-off OPERATOR_TOKEN for the operator API (whatever .dev.vars says).
 */
export async function setup(project: TestProject) {
  dir = mkdtempSync(join(tmpdir(), "portal-e2e-"));
  ensureDevVars();
  await prepareDatabase(dir);
  const port = 8800 + Math.floor(Math.random() * 100);
  const operatorToken = crypto.randomUUID() + crypto.randomUUID();
  server = await startDev({ port, persistTo: dir, vars: { OPERATOR_TOKEN: operatorToken } });
  project.provide("baseUrl", server.url);
  project.provide("persistTo", dir);
  project.provide("operatorToken", operatorToken);
}

export async function teardown() {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
    persistTo: string;
    operatorToken: string;
  }
}
