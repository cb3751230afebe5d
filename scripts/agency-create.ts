/**
 * `npm run agency:create`: creates an agency and its first admin, who is emailed a single-use link
 * (24 hours) to set a password. No SQL: it calls the Worker's operator API (POST /operator/agencies,
 * src/operator/routes.ts), so the Worker's own code writes the database — local or deployed — and
 * sends the email through its EMAIL binding.
 *
 *   npm run agency:create -- --name "Hillcrest Family Services" --slug hillcrest --portal yes \
 *     --admin-name "Avery Stone" --admin-email avery@hillcrest.example [--timezone America/Chicago]
 *
 * Where it writes:
 *   (no --url)      the local database `npm start` uses (.wrangler/state): migrations applied (no
 *                   demo data), then its own `wrangler dev` on a free port with a one-off
 *                   OPERATOR_TOKEN, links pointing at http://localhost:8787 (PORT changes it). wrangler
 *                   deletes its copies of sent emails when it stops, so the email is copied to
 *                   .wrangler/outbox/ first. Then `npm start` and open the link from that file.
 *   --url <origin>  a Worker already running, e.g. `npm start`'s http://localhost:8787 (the token
 *                   comes from OPERATOR_TOKEN in the environment, else from .dev.vars).
 *   --remote --url https://<your worker>
 *                   the deployed Worker, hence the deployed D1 and real email. The token comes from
 *                   the OPERATOR_TOKEN environment variable (the value of `wrangler secret put
 *                   OPERATOR_TOKEN`), never from the command line.
 *
 * Exit status: 0 created and emailed; 1 nothing created (bad input, taken, refused); 2 created but
 * the email was not sent (the admin can use "Forgot password?" once email works).
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import { ensureDevVars, migrateDatabase, ROOT, startDev, type DevServer } from "./local.ts";

const USAGE = `Usage: npm run agency:create -- --name <agency name> --slug <slug> --portal yes|no
         --admin-name <name> --admin-email <email> [--timezone <IANA zone>]
         [--url <origin of a running Worker>] [--remote --url https://<deployed Worker>]`;

/** The API's field names as the command's flags, for its messages. */
const FLAG: Record<string, string> = {
  name: "--name",
  slug: "--slug",
  portalEnabled: "--portal",
  timezone: "--timezone",
  adminName: "--admin-name",
  adminEmail: "--admin-email",
};

interface Created {
  agency: { id: number; name: string; slug: string; portalEnabled: boolean; timezone: string };
  admin: { id: number; name: string; email: string };
  invite: { expiresAt: string; validFor: string };
  email: { sent: true; messageId?: string } | { sent: false; reason: string };
}

/** Ends the command with a message and an exit status (after the local Worker, if any, stops). */
class Refusal extends Error {
  readonly code: number;
  constructor(message: string, code = 1) {
    super(message);
    this.code = code;
  }
}

function fail(message: string, code = 1): never {
  throw new Refusal(message, code);
}

function parse() {
  const { values } = parseArgs({
    options: {
      name: { type: "string" },
      slug: { type: "string" },
      portal: { type: "string" },
      timezone: { type: "string" },
      "admin-name": { type: "string" },
      "admin-email": { type: "string" },
      url: { type: "string" },
      remote: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const missing = ["name", "slug", "portal", "admin-name", "admin-email"].filter((k) => !values[k as keyof typeof values]);
  if (missing.length) fail(`Missing ${missing.map((k) => `--${k}`).join(", ")}.\n${USAGE}`);
  const portal = values.portal!.toLowerCase();
  if (!["yes", "no", "true", "false"].includes(portal)) fail("--portal must be yes or no.");
  if (values.remote && !values.url) fail("--remote needs --url https://<your deployed Worker> (the Worker writes its own D1 and sends the email).");
  if (values.remote && !values.url!.startsWith("https://")) fail("--remote needs an https:// --url.");
  return {
    body: {
      name: values.name!,
      slug: values.slug!,
      portalEnabled: portal === "yes" || portal === "true",
      ...(values.timezone ? { timezone: values.timezone } : {}),
      adminName: values["admin-name"]!,
      adminEmail: values["admin-email"]!,
    },
    url: values.url?.replace(/\/+$/, ""),
    remote: values.remote!,
  };
}

/** OPERATOR_TOKEN from the environment, else (local only) from .dev.vars. */
function tokenFor(remote: boolean): string {
  if (process.env.OPERATOR_TOKEN) return process.env.OPERATOR_TOKEN;
  if (remote) fail("Set OPERATOR_TOKEN in the environment to the Worker's secret (wrangler secret put OPERATOR_TOKEN).");
  const file = join(ROOT, ".dev.vars");
  const line = existsSync(file) ? readFileSync(file, "utf8").split("\n").find((l) => l.startsWith("OPERATOR_TOKEN=")) : undefined;
  if (!line) fail("No OPERATOR_TOKEN: set it in the environment, or add the line from .dev.vars.example to .dev.vars and restart the Worker.");
  return line.slice("OPERATOR_TOKEN=".length).trim().replace(/^"(.*)"$/, "$1");
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function answers(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(1000) });
    return true;
  } catch {
    return false;
  }
}

/** The files a local `wrangler dev` wrote for a message (text and HTML), if they are there. */
function localEmailFiles(messageId: string): string[] {
  const id = messageId.replace(/^<|>$/g, "");
  const root = join(ROOT, ".wrangler", "tmp", "email");
  if (!existsSync(root)) return [];
  const found: string[] = [];
  for (const instance of readdirSync(root)) {
    for (const [dir, ext] of [["email-text", "txt"], ["email-html", "html"]] as const) {
      const file = join(root, instance, dir, `${id}.${ext}`);
      if (existsSync(file)) found.push(file);
    }
  }
  return found;
}

/** Waits briefly for wrangler to write a message's files (it does so just after sending). */
async function waitForEmailFiles(messageId: string): Promise<string[]> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const files = localEmailFiles(messageId);
    if (files.length >= 2 || Date.now() > deadline) return files;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function main() {
  const { body, url, remote } = parse();
  let server: DevServer | undefined;
  let origin = url;
  let token: string;
  if (origin) {
    token = tokenFor(remote);
  } else {
    // The local database, through a Worker of our own: refuse to run beside `npm start`, so two
    // local Workers never write the same database files at once.
    const appPort = Number(process.env.PORT) || 8787;
    if (await answers(`http://localhost:${appPort}/sign-in`)) {
      fail(`Something is already answering on http://localhost:${appPort} (npm start?). Run again with --url http://localhost:${appPort}.`);
    }
    ensureDevVars();
    migrateDatabase();
    token = crypto.randomUUID() + crypto.randomUUID();
    const port = await freePort();
    console.log("Starting a local Worker on the local database…");
    server = await startDev({ port, vars: { OPERATOR_TOKEN: token, STAFF_ORIGIN: `http://localhost:${appPort}` } });
    origin = server.url;
  }

  try {
    let res: Response;
    try {
      res = await fetch(`${origin}/operator/agencies`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
      });
    } catch (err) {
      fail(`Could not reach ${origin}: ${(err as Error).message}`);
    }
    const answer = (await res.json().catch(() => ({}))) as Partial<Created> & { errors?: Record<string, string>; error?: string };
    if (res.status === 422 && answer.errors) {
      const lines = Object.entries(answer.errors).map(([field, message]) => `  ${FLAG[field] ?? field}: ${message}`);
      fail(`Nothing was created:\n${lines.join("\n")}`);
    }
    if (res.status === 404) fail(`${origin} has no operator API: OPERATOR_TOKEN is not set on that Worker (wrangler secret put OPERATOR_TOKEN), or it is not this project's Worker.`);
    if (res.status === 401) fail(`${origin} refused the operator token: OPERATOR_TOKEN differs from the Worker's secret.`);
    if (res.status !== 201 || !answer.agency || !answer.admin || !answer.email || !answer.invite) {
      fail(`Unexpected answer from ${origin} (${res.status}): ${answer.error ?? JSON.stringify(answer)}`);
    }

    const { agency, admin, email, invite } = answer;
    const where = remote ? "the deployed database" : server ? "the local database (.wrangler/state)" : origin;
    console.log(`Created in ${where}:`);
    console.log(`  agency  ${agency.name} — slug ${agency.slug}, id ${agency.id}, Client Portal: ${agency.portalEnabled ? "yes" : "no"}, time zone ${agency.timezone}`);
    console.log(`  admin   ${admin.name} <${admin.email}> — id ${admin.id}, no password yet`);
    if (!email.sent) {
      fail(
        `The invitation email could NOT be sent: ${email.reason}\n` +
          `Fix email (EMAIL_FROM, Email Routing), then the admin can use "Forgot password?" on the sign-in page to get a link.`,
        2,
      );
    }
    console.log(`  email   invitation sent to ${admin.email}; its link works once, for ${invite.validFor} (until ${invite.expiresAt}).`);
    if (!remote && email.messageId) {
      const files = await waitForEmailFiles(email.messageId);
      if (server && files.length) {
        // wrangler deletes its copies when it stops: keep one where the operator can open it.
        const outbox = join(ROOT, ".wrangler", "outbox");
        mkdirSync(outbox, { recursive: true });
        for (const file of files) copyFileSync(file, join(outbox, file.split("/").pop()!));
        const text = files.find((f) => f.endsWith(".txt"))!.split("/").pop()!;
        console.log(`  Locally nothing is delivered; the email is in ${relative(process.cwd(), join(outbox, text))} (and .html).`);
        console.log(`  Start the app with \`npm start\` and open the link from it.`);
      } else if (files.length) {
        console.log(`  Locally nothing is delivered; the email is in ${relative(process.cwd(), files.find((f) => f.endsWith(".txt")) ?? files[0]!)} while that Worker runs.`);
      }
    }
  } finally {
    await server?.stop();
  }
}

try {
  await main();
} catch (err) {
  if (!(err instanceof Refusal)) throw err;
  console.error(err.message);
  process.exitCode = err.code;
}
