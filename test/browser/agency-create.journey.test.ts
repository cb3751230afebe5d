/**
 * Operator start-up, end to end: `npm run agency:create` (the real script, against the running
 * Worker with --url) creates an agency and its first admin; the admin opens the emailed link in
 * Chromium — the secret leaves the address bar at once — chooses a password, and lands signed in
 * on the new agency's Main Menu. Then the same link no longer works.
 */
import { spawnSync } from "node:child_process";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { ROOT, toolEnv } from "../../scripts/local.ts";
import { launchChromium } from "./chromium";
import { latestEmailTo } from "./mailbox";

const base = inject("baseUrl");
const ADMIN = `avery.${Date.now()}@hillcrest.example`;
const SLUG = `hillcrest-${Date.now().toString(36)}`;
const PASSWORD = "granite meadow teapot violin sunrise";

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

function agencyCreate(args: string[]) {
  return spawnSync("node", ["scripts/agency-create.ts", ...args], {
    cwd: ROOT,
    env: toolEnv({ OPERATOR_TOKEN: inject("operatorToken") }),
    encoding: "utf8",
  });
}

it("an operator-created admin opens the emailed link, sets a password and lands signed in", async () => {
  // a. The operator's command.
  const startedAt = new Date();
  const args = ["--url", base, "--name", "Hillcrest Family Services", "--slug", SLUG, "--portal", "yes", "--admin-name", "Avery Stone", "--admin-email", ADMIN];
  const run = agencyCreate(args);
  expect(run.status, run.stderr).toBe(0);
  expect(run.stdout).toContain(`agency  Hillcrest Family Services — slug ${SLUG}`);
  expect(run.stdout).toContain(`admin   Avery Stone <${ADMIN}>`);
  expect(run.stdout).toContain(`invitation sent to ${ADMIN}; its link works once, for 24 hours`);
  expect(run.stdout).not.toMatch(/staff-link\//);

  // b. The invitation, as the binding sent it.
  const mail = await latestEmailTo(ADMIN, { after: startedAt });
  expect(mail.subject).toBe("Set up your Hillcrest Family Services staff account");
  const link = /(http:\/\/\S+\/staff-link\/[A-Za-z0-9_-]{43})/.exec(mail.text)?.[1];
  expect(link).toBeDefined();

  // c. The admin opens it: the address bar no longer holds the secret.
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await page.goto(link!);
  await expect.poll(() => new URL(page.url()).pathname).toBe("/staff-link");
  await expect.poll(() => page.getByRole("heading", { level: 1 }).innerText()).toContain("Set your password");

  // d. A weak password is refused next to the field; then a good one.
  await page.getByLabel(/^New password/).fill("short");
  await page.getByLabel(/^Confirm new password/).fill("short");
  await page.getByRole("button", { name: "Set password" }).click();
  // Beside the field (the error summary above lists it again, as a link to the field).
  await expect.poll(() => page.locator("#f-newPassword-error").getByText("Use at least 15 characters (this one has 5).").count()).toBe(1);
  await page.getByLabel(/^New password/).fill(PASSWORD);
  await page.getByLabel(/^Confirm new password/).fill(PASSWORD);
  await page.getByRole("button", { name: "Set password" }).click();

  // e. Signed in, on the new agency's Main Menu.
  await page.waitForURL(/\/menu\?password=set$/);
  await expect.poll(() => page.getByRole("status").innerText()).toBe("Your password has been set and you are signed in.");
  await expect.poll(() => page.locator("header").innerText()).toContain("Hillcrest Family Services");
  await expect.poll(() => page.locator("header").innerText()).toContain("Avery Stone");

  // f. The link is spent; the same command again refuses the taken slug and email.
  const again = await (await browser.newContext()).newPage();
  const res = await again.goto(link!);
  expect(res?.status()).toBe(410);
  await expect.poll(() => again.getByRole("alert").innerText()).toContain("This link can't be used.");
  const rerun = agencyCreate(args);
  expect(rerun.status).toBe(1);
  expect(rerun.stderr).toContain(`--slug: An agency with the slug "${SLUG}" already exists.`);
  expect(rerun.stderr).toContain("--admin-email: A staff account with this email already exists");
});
