/**
 * Vitest global setup for the workerd tests: a local HTTP server that answers the Pwned Passwords
 * range API's format (GET /range/<5 hex>, "SUFFIX:COUNT" lines, CRLF, padded with count-0 lines
 * when asked with Add-Padding: true) from the small fixture in test/workerd/pwned-passwords.fixture.ts.
 * Its origin reaches the Worker as PWNED_PASSWORDS_ORIGIN (vitest.config.ts).
 *
 * Other paths stand for an API that fails, so tests can check the fail-open:
 *   /slow/range/…     never answers (until the Worker gives up and closes the connection)
 *   /down/range/…     503
 *   /garbage/range/…  200 with an HTML page instead of range lines
 *   /hangup/range/…   closes the connection without answering
 *   /requests         what the server was sent (paths and headers), for the "only the prefix" tests
 */
import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { TestProject } from "vitest/node";
import { PWNED_FIXTURE } from "../workerd/pwned-passwords.fixture.ts";

const PADDED_LINES = 800; // the real API pads every answer to 800–1,000 lines

const sha1 = (s: string) => createHash("sha1").update(s, "utf8").digest("hex").toUpperCase();
const byPrefix = new Map<string, string[]>();
for (const { password, count } of [PWNED_FIXTURE.breached, PWNED_FIXTURE.paddingOnly]) {
  const hash = sha1(password);
  byPrefix.set(hash.slice(0, 5), [...(byPrefix.get(hash.slice(0, 5)) ?? []), `${hash.slice(5)}:${count}`]);
}

function rangeAnswer(prefix: string, padded: boolean): string {
  const lines = [...(byPrefix.get(prefix) ?? [])];
  while (padded && lines.length < PADDED_LINES) lines.push(`${randomBytes(18).toString("hex").slice(0, 35).toUpperCase()}:0`);
  return lines.sort().join("\r\n");
}

let server: Server | undefined;
const requests: { path: string; headers: IncomingHttpHeaders }[] = [];

export async function setup(project: TestProject) {
  server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://fixture").pathname;
    if (path === "/requests") {
      res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(requests));
      return;
    }
    const m = /^\/(?:(slow|down|garbage|hangup)\/)?range\/([0-9A-F]{5})$/i.exec(path);
    if (!m) {
      res.writeHead(404).end();
      return;
    }
    requests.push({ path, headers: req.headers });
    if (m[1] === "slow") return; // no answer: the Worker's timeout ends it
    if (m[1] === "hangup") {
      req.socket.destroy();
      return;
    }
    if (m[1] === "down") {
      res.writeHead(503, { "Content-Type": "text/plain" }).end("Service Unavailable");
      return;
    }
    if (m[1] === "garbage") {
      res.writeHead(200, { "Content-Type": "text/html" }).end("<html><body>Please wait…</body></html>");
      return;
    }
    res.writeHead(200, { "Content-Type": "text/plain" }).end(rangeAnswer(m[2]!.toUpperCase(), req.headers["add-padding"] === "true"));
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  project.provide("pwnedPasswordsOrigin", `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
}

export async function teardown() {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
}

declare module "vitest" {
  export interface ProvidedContext {
    pwnedPasswordsOrigin: string;
  }
}
