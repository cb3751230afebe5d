/**
 * `node scripts/screenshots.ts`: refreshes the README's screenshots in docs/screenshots/ from the
 * app as it is. Starts `wrangler dev` on a fresh temporary database with the demo data (as the
 * browser tests do), adds portal logins (Maria through the Face Sheet, a few more written
 * straight into the local D1 so Client Portal Accounts has rows in several states), drives
 * Debian's Chromium through the staff pages at 1280 px and the portal at 360 px, then stops.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { launchChromium } from "../test/browser/chromium.ts";
import { latestEmailTo, temporaryPasswordFrom } from "../test/browser/mailbox.ts";
import { DEMO_PASSWORD } from "./demo-data.ts";
import { ROOT, ensureDevVars, prepareDatabase, startDev, toolEnv } from "./local.ts";

const OUT = join(ROOT, "docs", "screenshots");
const USERNAME = "maria.alvarez";
const EMAIL = "maria.alvarez@example.com";
const NEW_PASSWORD = "lantern orchard velvet compass";

/** More Riverbend logins, for the Accounts list: [clientId, username, active, mustChange, emailStatus, lastLoginAgoMs]. */
const OTHERS: [number, string, number, number, string, number | null][] = [
  [2, "james.okafor", 1, 0, "sent", 3 * 3600_000],
  [3, "priya.n", 1, 1, "sent", null],
  [4, "d.kowalski", 0, 0, "sent", 40 * 86400_000],
  [5, "aisha.m", 1, 1, "failed", null],
  [7, "sofia.rossi", 1, 0, "sent", 26 * 3600_000],
];

function seedOthers(persistTo: string) {
  const now = Date.now();
  const q = (s: string) => `'${s.replace(/'/g, "''")}'`;
  const sql = OTHERS.map(
    ([clientId, u, active, must, status, ago]) =>
      `INSERT INTO portal_logins (agency_id, client_id, username, username_key, email, active, password_hash, must_change_password, temp_password_expires_at, session_version, email_status, last_login_at, created_at)
       SELECT 1, ${clientId}, ${q(u)}, ${q(u)}, COALESCE(NULLIF(residence_email, ''), ${q(`${u}@example.com`)}), ${active}, (SELECT password_hash FROM staff_users WHERE email = 'staff@riverbend.test'), ${must}, ${must ? now + 7 * 86400_000 : "NULL"}, 1, ${q(status)}, ${ago === null ? "NULL" : now - ago}, ${now}
       FROM clients WHERE id = ${clientId} AND agency_id = 1`,
  ).join(";\n");
  const r = spawnSync("wrangler", ["d1", "execute", "DB", "--local", "--persist-to", persistTo, "--command", sql], { cwd: ROOT, env: toolEnv(), encoding: "utf8" });
  if (r.status !== 0) throw new Error(`seeding portal logins failed:\n${r.stderr}${r.stdout}`);
}

const shot = (page: Page, name: string, fullPage = false) => page.screenshot({ path: join(OUT, `${name}.png`), fullPage });

const dir = mkdtempSync(join(tmpdir(), "portal-shots-"));
ensureDevVars();
await prepareDatabase(dir);
seedOthers(dir);
const server = await startDev({ port: 8900 + Math.floor(Math.random() * 90), persistTo: dir });
const base = server.url;
const browser = await launchChromium();
try {
  // Staff at a desk: sign in, Face Sheet for Maria Alvarez.
  const desk = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await desk.goto(base + "/");
  await desk.getByLabel("Email").fill("admin@riverbend.test");
  await desk.getByLabel("Password").fill(DEMO_PASSWORD);
  await desk.getByRole("button", { name: "Sign in", exact: true }).click();
  await desk.getByRole("region", { name: "Admissions Menu" }).getByRole("link", { name: "Face Sheet" }).click();
  await desk.waitForURL(/\/face-sheet$/);
  await desk.waitForLoadState("load");
  await desk.getByLabel("Search clients").pressSequentially("alvarez");
  await desk.getByRole("link", { name: "Alvarez, Maria" }).click();
  await desk.getByRole("heading", { name: /Face Sheet/ }).waitFor();
  await desk.waitForLoadState("load");
  const faceSheetUrl = desk.url();

  // The Portal Login window, filled in.
  await desk.getByRole("button", { name: "Add Client Portal Login" }).click();
  const dialog = desk.getByRole("dialog", { name: "Portal Login" });
  await dialog.getByLabel("Portal Username").fill(USERNAME);
  await dialog.getByRole("button", { name: "Populate Email from Current Residence Block" }).click();
  for (let i = 0; (await dialog.getByLabel("Portal User Email").inputValue()) !== EMAIL; i++) {
    if (i > 100) throw new Error("Populate Email did not fill the email");
    await desk.waitForTimeout(100);
  }
  // Populate moves focus (and the window's scroll) down: show the window from its heading.
  await dialog.evaluate((d) => d.querySelectorAll("*").forEach((e: unknown) => ((e as { scrollTop: number }).scrollTop = 0)));
  await dialog.getByRole("heading").first().scrollIntoViewIfNeeded();
  await shot(desk, "portal-login-window");
  const savedAt = new Date();
  await dialog.getByRole("button", { name: "Save", exact: true }).click();
  await desk.getByRole("cell", { name: USERNAME, exact: true }).waitFor();
  const temporary = temporaryPasswordFrom((await latestEmailTo(EMAIL, { after: savedAt })).text);

  // Maria on her phone: sign in, choose a password, Home, Activity.
  const phone = await (await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 1 })).newPage();
  await phone.goto(base + "/portal/riverbend");
  await phone.getByRole("heading", { name: /Sign in to the/ }).waitFor();
  await shot(phone, "portal-sign-in");
  await phone.getByLabel("Portal Username").fill(USERNAME);
  await phone.getByLabel("Password").fill(temporary);
  await phone.getByRole("button", { name: "Sign in", exact: true }).click();
  await phone.getByRole("heading", { name: "Choose your password" }).waitFor();
  await phone.getByLabel(/^New password/).fill(NEW_PASSWORD);
  await phone.getByLabel(/^Confirm new password/).fill(NEW_PASSWORD);
  await phone.getByRole("button", { name: "Change password" }).click();
  await phone.getByText(`Signed in as ${USERNAME}`).waitFor();
  await shot(phone, "portal-home", true);
  await phone.getByRole("link", { name: "Activity" }).click();
  await phone.getByRole("heading", { name: "Client Action Log" }).waitFor();
  await shot(phone, "portal-activity");

  // Back at the desk: the Face Sheet and its Client Portal section, now "In use".
  await desk.goto(faceSheetUrl);
  await desk.waitForLoadState("load");
  await shot(desk, "face-sheet", true);
  const section = desk.getByRole("region", { name: "Client Portal" });
  await section.scrollIntoViewIfNeeded();
  await section.screenshot({ path: join(OUT, "client-portal-section.png") });

  // Main Menu › Reports Menu › Client Portal Accounts, at 1280 and 360.
  await desk.goto(base + "/portal-accounts");
  await desk.getByRole("heading", { name: /Client Portal Accounts/ }).first().waitFor();
  await shot(desk, "portal-accounts", true);
  await desk.setViewportSize({ width: 360, height: 740 });
  await shot(desk, "portal-accounts-360", true);
  await desk.screenshot({ path: join(tmpdir(), "portal-accounts-360-detail.png"), fullPage: true, clip: { x: 0, y: 900, width: 360, height: 600 } });
} finally {
  await browser.close();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
console.log(`Screenshots written to ${OUT}`);
