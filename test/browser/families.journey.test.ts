/**
 * One person, several clients (issue 11 item 5), as people meet it on the demo data: a parent's
 * representative login, made for Grace Park, is linked by staff (at a desk, 1280 px) to Emily Chen
 * from her Face Sheet with "Link an existing login". The parent then signs in on a phone (360 px),
 * answers "Whose information?", and switches between the two from the header — each page shows
 * only the chosen one's information, and switching on Activity stays on Activity.
 *
 * With SHOTS=<dir> in the environment, the pages are also saved as screenshots there.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { ROOT, toolEnv } from "../../scripts/local.ts";
import { agencyToday } from "../../src/layout/agency-time";
import { launchChromium } from "./chromium";
import { PORTAL_PASSWORD } from "./portal-accounts";

const base = inject("baseUrl");
const persistTo = inject("persistTo");
const USERNAME = "parent.families.journey";
const GRACE = 11;
const EMILY = 9;

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
  // The parent's representative login for Grace (the demo password, already chosen), with its record.
  const today = agencyToday("America/New_York");
  const sql = `INSERT INTO portal_logins (agency_id, client_id, username, username_key, email, representative, active, password_hash, must_change_password, session_version, created_at)
      SELECT 1, ${GRACE}, '${USERNAME}', '${USERNAME}', 'park.parent@example.com', 1, 1, password_hash, 0, 1, ${Date.now()} FROM staff_users WHERE email = 'staff@riverbend.test';
    INSERT INTO portal_representations (agency_id, login_id, client_id, name, relationship, legal_basis, start_date, end_date, created_at)
      SELECT 1, id, ${GRACE}, 'Jordan Park', 'parent', 'parent-of-minor', '${today}', NULL, ${Date.now()} FROM portal_logins WHERE username_key = '${USERNAME}';`;
  const r = spawnSync("wrangler", ["d1", "execute", "DB", "--local", "--persist-to", persistTo, "--command", sql], { cwd: ROOT, env: toolEnv(), encoding: "utf8" });
  if (r.status !== 0) throw new Error(`creating the parent's login failed:\n${r.stderr}${r.stdout}`);
});
afterAll(async () => {
  await browser?.close();
});

async function shot(page: Page, name: string) {
  if (process.env.SHOTS) await page.screenshot({ path: join(process.env.SHOTS, `${name}.png`), fullPage: true });
}

/** Nothing on the page is wider than the screen (no sideways scrolling). */
async function fitsWidth(page: Page) {
  const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  expect(scroll, page.url()).toBeLessThanOrEqual(client);
}

it("staff link a parent's login to a second child; the parent signs in on a phone, answers Whose information? and switches between the two", async () => {
  // a. Staff, at a desk: Emily Chen's Face Sheet › Link an existing login.
  const desk = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await desk.goto(base + "/");
  await desk.getByLabel("Email").fill("staff@riverbend.test");
  await desk.getByLabel("Password").fill("demo-password-2026");
  await desk.getByRole("button", { name: "Sign in", exact: true }).click();
  await desk.waitForURL(/\/menu$/);
  await desk.goto(`${base}/face-sheet/${EMILY}`);
  await desk.getByRole("link", { name: "Link an existing login" }).click();

  // b. Find the parent's login by its username, choose it, enter the record for Emily.
  await desk.getByLabel("Portal Username or email").fill("parent.families");
  await desk.getByRole("button", { name: "Find" }).click();
  await desk.getByText("Created for Grace P.").waitFor();
  await shot(desk, "1-staff-find-1280");
  await desk.getByRole("link", { name: `Choose ${USERNAME}` }).click();
  await desk.getByLabel("Full name").fill("Jordan Park");
  await desk.getByRole("combobox", { name: "Relationship" }).selectOption("parent");
  // Emily is an adult (born 1999): "Parent of a minor" is refused for her (the Portal Login
  // window's record rules), so her parent acts on her authorisation, for a year.
  await desk.getByLabel("Legal basis").selectOption("client-authorisation");
  const today = agencyToday("America/New_York");
  await desk.getByLabel("End date").fill(`${Number(today.slice(0, 4)) + 1}${today.slice(4)}`);
  await shot(desk, "2-staff-record-1280");
  await desk.getByRole("button", { name: "Link login" }).click();

  // c. Back on Emily's Face Sheet: the login is in her Client Portal table, marked Linked.
  await desk.waitForURL(new RegExp(`/face-sheet/${EMILY}`));
  const row = desk.getByRole("row").filter({ has: desk.getByRole("cell", { name: USERNAME, exact: true }) });
  await row.getByText("Linked", { exact: true }).waitFor();
  await expect.poll(() => row.getByText("Created for Grace P.").count()).toBe(1);
  await desk.locator("#client-portal-section").scrollIntoViewIfNeeded();
  await shot(desk, "3-staff-face-sheet-1280");
  // Its window says that edits reach the person, on every client.
  await desk.getByRole("button", { name: `Edit portal login ${USERNAME}` }).click();
  const dialog = desk.getByRole("dialog", { name: "Portal Login" });
  await dialog.getByText("it is one person's login").waitFor();
  await shot(desk, "3b-staff-window-1280");
  await dialog.getByRole("link", { name: "Cancel" }).click();
  // The table at 360 px: nothing wider than the screen.
  await desk.setViewportSize({ width: 360, height: 800 });
  await fitsWidth(desk);
  await desk.locator("#client-portal-section").screenshot(process.env.SHOTS ? { path: join(process.env.SHOTS, "3c-staff-face-sheet-360.png") } : {});

  // d. The parent, on a phone: sign in, and the portal asks whose information.
  const phone = await (await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true })).newPage();
  await phone.goto(`${base}/portal/riverbend`);
  await phone.getByLabel("Portal Username").fill(USERNAME);
  await phone.getByLabel("Password").fill(PORTAL_PASSWORD);
  await phone.getByRole("button", { name: "Sign in", exact: true }).click();
  await phone.getByRole("heading", { name: "Whose information?" }).waitFor();
  await fitsWidth(phone);
  await shot(phone, "4-portal-whose-360");
  await phone.getByRole("button", { name: "Grace P." }).click();

  // e. Grace's Home, with the switcher in the header.
  await phone.getByText("Representative for Grace Park").waitFor();
  await fitsWidth(phone);
  await shot(phone, "5-portal-home-grace-360");
  const switcher = phone.getByLabel("Whose information");
  await expect.poll(() => switcher.inputValue()).toBe(String(GRACE));

  // f. Switch to Emily: her Home, nothing of Grace's.
  await switcher.selectOption({ label: "Emily C." });
  await phone.getByRole("button", { name: "Switch" }).click();
  await phone.getByText("Representative for Emily Chen").waitFor();
  expect(await phone.getByText("Grace Park").count()).toBe(0);
  await fitsWidth(phone);

  // g. Emily's Activity names the parent as a representative; switching there stays on Activity, for Grace.
  await phone.getByRole("link", { name: "Activity" }).click();
  await phone.getByRole("cell", { name: `Patient Portal login by ${USERNAME} (representative: parent)` }).first().waitFor();
  await fitsWidth(phone);
  await shot(phone, "6-portal-activity-emily-360");
  await phone.getByLabel("Whose information").selectOption({ label: "Grace P." });
  await phone.getByRole("button", { name: "Switch" }).click();
  await phone.waitForURL(/\/portal\/riverbend\/activity$/);
  await expect.poll(() => phone.getByLabel("Whose information").inputValue()).toBe(String(GRACE));
  await phone.getByRole("cell", { name: `Patient Portal login by ${USERNAME} (representative: parent)` }).first().waitFor();
  await shot(phone, "7-portal-activity-grace-360");

  // h. The same at a desk (1280 px): the switcher sits under the header there too.
  const wide = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await wide.goto(`${base}/portal/riverbend`);
  await wide.getByLabel("Portal Username").fill(USERNAME);
  await wide.getByLabel("Password").fill(PORTAL_PASSWORD);
  await wide.getByRole("button", { name: "Sign in", exact: true }).click();
  await shot(wide, "8-portal-whose-1280");
  await wide.getByRole("button", { name: "Emily C." }).click();
  await wide.getByText("Representative for Emily Chen").waitFor();
  await fitsWidth(wide);
  await shot(wide, "9-portal-home-emily-1280");
});
