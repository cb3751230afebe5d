/**
 * Email that fails is not lost. The real local send_email binding refuses recipients outside its
 * `allowed_destination_addresses` (as production refuses unverified destinations), so this file
 * runs its own `wrangler dev` from a copy of wrangler.toml whose EMAIL binding allows only
 * DELIVERABLE. Adding a login for another address: the login is saved, the row says "Email not
 * sent" with Resend; after the address is corrected, Resend issues a fresh password that arrives.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureDevVars, prepareDatabase, ROOT, toolEnv } from "../../scripts/local.ts";
import { latestEmailTo, temporaryPasswordFrom } from "./mailbox";
import { inputValue, loginIdOf, StaffClient, statusText } from "./portal-logins.staff-client";

const DELIVERABLE = "verified.family@example.com";
const UNDELIVERABLE = "typo.family@exmaple.com";
const MARIA = 1;

/** wrangler.toml with absolute paths and an EMAIL binding that only reaches DELIVERABLE. */
function restrictedConfig(): string {
  let toml = readFileSync(join(ROOT, "wrangler.toml"), "utf8");
  const swaps: [RegExp, string][] = [
    [/^main = "src\/index.ts"$/m, `main = "${join(ROOT, "src/index.ts")}"`],
    [/^directory = "\.\/public"$/m, `directory = "${join(ROOT, "public")}"`],
    [/^migrations_dir = "migrations"$/m, `migrations_dir = "${join(ROOT, "migrations")}"`],
    [/^\[\[send_email\]\]\nname = "EMAIL"$/m, `[[send_email]]\nname = "EMAIL"\nallowed_destination_addresses = ["${DELIVERABLE}"]`],
  ];
  for (const [pattern, replacement] of swaps) {
    if (!pattern.test(toml)) throw new Error(`wrangler.toml changed: ${pattern} not found; update this test`);
    toml = toml.replace(pattern, replacement);
  }
  return toml;
}

let dir: string;
let child: ChildProcess | undefined;
let base: string;
let staff: StaffClient;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "portal-email-failure-"));
  await prepareDatabase(dir);
  writeFileSync(join(dir, "wrangler.toml"), restrictedConfig());
  // Every local secret (SESSION_SECRET, LOG_HMAC_KEYS, THROTTLE_KEY, TWO_FACTOR_KEY…): wrangler
  // reads .dev.vars next to the config, so a secret added later can't be missing here.
  ensureDevVars();
  copyFileSync(join(ROOT, ".dev.vars"), join(dir, ".dev.vars"));
  const port = 8900 + Math.floor(Math.random() * 90);
  base = `http://127.0.0.1:${port}`;
  child = spawn(
    "wrangler",
    ["dev", "--config", join(dir, "wrangler.toml"), "--port", String(port), "--ip", "127.0.0.1", "--persist-to", dir, "--show-interactive-dev-session=false"],
    { cwd: dir, env: toolEnv(), detached: true, stdio: "ignore" },
  );
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with ${child.exitCode}`);
    const ok = await fetch(`${base}/sign-in`).then((r) => r.status === 200, () => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error("wrangler dev did not answer within 60 s");
    await new Promise((r) => setTimeout(r, 200));
  }
  staff = await StaffClient.signIn(base, "admin@riverbend.test");
});

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child!.once("exit", r));
    process.kill(-child.pid!, "SIGTERM");
    await exited;
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const username = "alvarez.family";
/** A representative's record (src/representatives/): from today (the demo agency's zone) for a year. */
const today = new Intl.DateTimeFormat("en-CA", { timeZone: "America/New_York" }).format(new Date());
const RECORD = { repName: "Rosa Alvarez", relationship: "parent", legalBasis: "client-authorisation", startDate: today, endDate: `${Number(today.slice(0, 4)) + 1}${today.slice(4)}` };
const sectionRow = async () => {
  const html = (await (await staff.get(`/face-sheet/${MARIA}`)).text()).replace(/<wbr\/>/g, "");
  return { html, id: loginIdOf(html, username) };
};

describe("a welcome email the binding refuses", () => {
  it("leaves the login saved, says so, and offers Resend", async () => {
    const res = await staff.post(`/face-sheet/${MARIA}/portal-logins`, { username, email: UNDELIVERABLE, resetPassword: "on", representative: "on", active: "on", ...RECORD }, { htmx: true });
    expect(res.status).toBe(200);
    const answer = await res.text();
    expect(statusText(answer)).toBe(`Portal login ${username} saved, but the email could not be sent. Use Resend.`);
    const { html, id } = await sectionRow();
    expect(html.replaceAll("<wbr/>", "")).toMatch(new RegExp(`<span class="email breakable">${UNDELIVERABLE.replaceAll(".", "\\.")}</span><span class="resend"><span class="badge bad"[^>]*>Email not sent</span>`));
    expect(html).toContain(`id="resend-portal-login-${id}" aria-label="Resend email to ${username}">Resend</button>`);
  });

  it("Resend to the same bad address fails again and says so", async () => {
    const { id } = await sectionRow();
    const res = await staff.post(`/face-sheet/${MARIA}/portal-logins/${id}/resend`, {}, { htmx: true });
    expect(res.status).toBe(200);
    expect(statusText(await res.text())).toBe(`The email to ${UNDELIVERABLE} could not be sent. Check the Portal User Email (Edit), then Resend.`);
  });

  it("after the address is corrected in Edit, Resend issues a fresh password that arrives", async () => {
    const { id } = await sectionRow();
    const window = await (await staff.get(`/face-sheet/${MARIA}/portal-logins/${id}/edit`, { htmx: true })).text();
    const saved = await staff.post(
      `/face-sheet/${MARIA}/portal-logins/${id}`,
      { seen: inputValue(window, "seen")!, email: DELIVERABLE, representative: "on", active: "on", ...RECORD, recordVersion: inputValue(window, "recordVersion")! },
      { htmx: true },
    );
    expect(statusText(await saved.text())).toBe(`Portal login ${username} saved. Changes: Email: ${UNDELIVERABLE} → ${DELIVERABLE}.`);
    expect((await sectionRow()).html).toContain(`id="resend-portal-login-${id}"`); // still not sent

    const before = new Date();
    const res = await staff.post(`/face-sheet/${MARIA}/portal-logins/${id}/resend`, {}, { htmx: true });
    expect(statusText(await res.text())).toBe(`A new temporary password for ${username} was emailed to ${DELIVERABLE}.`);
    const mail = await latestEmailTo(DELIVERABLE, { after: before });
    expect(mail.subject).toBe("Your new temporary password for the Riverbend Behavioral Health Client Portal");
    expect(mail.text.split("\n")).toContain(`Username: ${username}`);
    expect(temporaryPasswordFrom(mail.text)).toMatch(/^[a-km-np-z2-9]{4}(-[a-km-np-z2-9]{4}){3}$/);
    const { html } = await sectionRow();
    expect(html.replaceAll("<wbr/>", "")).toContain(`<span class="email breakable">${DELIVERABLE}</span><span class="meta">Email sent</span>`);
    expect(html).not.toContain(`id="resend-portal-login-${id}"`);
  });
});
