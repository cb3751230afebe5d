/**
 * 42 CFR Part 2 in Chromium: an admin marks "Substance Use IOP" as Part 2 (Administration ›
 * Programmes); Luis Ortega's representative can no longer sign in ("access has ended"); staff
 * record the consent in the Portal Login window; the representative signs in and reads the
 * Consent page; staff Revoke consent, and the representative's next click ends at sign-in, where
 * the page says their access has ended.
 * Screenshots of the window's consent section and the portal's Consent page at 1280 and 360 px
 * go to docs/screenshots/ when SCREENSHOTS=1.
 *
 * The representative's record (portal_representations) is written straight into D1 here: the
 * window's representative fields are another change (issue 11, item 1).
 */
import { spawnSync } from "node:child_process";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { ROOT, toolEnv } from "../../scripts/local.ts";
import { launchChromium } from "./chromium";
import { createPortalLogin, PORTAL_PASSWORD } from "./portal-accounts";

const base = inject("baseUrl");
const persistTo = inject("persistTo");
const REP = "rosa.ortega.part2";
const LUIS = 12;
const shots = process.env.SCREENSHOTS === "1";
let browser: Browser;
let staff: Page;
let rep: Page;

function d1(sql: string) {
  const r = spawnSync("wrangler", ["d1", "execute", "DB", "--local", "--persist-to", persistTo, "--command", sql], { cwd: ROOT, env: toolEnv(), encoding: "utf8" });
  if (r.status !== 0) throw new Error(`d1 failed:\n${r.stderr}${r.stdout}`);
}

beforeAll(async () => {
  createPortalLogin(persistTo, REP, LUIS);
  d1(`UPDATE portal_logins SET representative = 1 WHERE username_key = '${REP}'`);
  d1(`INSERT INTO portal_representations (agency_id, login_id, client_id, name, relationship, legal_basis, start_date, created_at)
      SELECT 1, id, ${LUIS}, 'Rosa Ortega', 'spouse-partner', 'client-authorisation', '2026-01-01', 0 FROM portal_logins WHERE username_key = '${REP}'
      AND NOT EXISTS (SELECT 1 FROM portal_representations r JOIN portal_logins l ON l.id = r.login_id WHERE l.username_key = '${REP}')`);
  browser = await launchChromium();
  staff = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  rep = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
});
afterAll(async () => {
  await browser?.close();
});

async function repSignIn() {
  await rep.goto(`${base}/portal/riverbend`);
  await rep.getByLabel("Portal Username").fill(REP);
  await rep.getByLabel("Password").fill(PORTAL_PASSWORD);
  await rep.getByRole("button", { name: "Sign in", exact: true }).click();
}

async function shoot(page: Page, name: string, locator?: ReturnType<Page["locator"]>) {
  if (!shots) return;
  for (const width of [1280, 360]) {
    await page.setViewportSize({ width, height: 900 });
    const path = `docs/screenshots/${name}-${width}.png`;
    if (locator) await locator.screenshot({ path });
    else await page.screenshot({ path, fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

it("an admin marks Substance Use IOP as Part 2; the representative's sign-in then says access has ended", async () => {
  await staff.goto(base + "/");
  await staff.getByLabel("Email").fill("admin@riverbend.test");
  await staff.getByLabel("Password").fill("demo-password-2026");
  await staff.getByRole("button", { name: "Sign in", exact: true }).click();
  await staff.getByRole("navigation", { name: "Main Menu" }).getByRole("link", { name: "Programmes" }).click();
  await staff.waitForLoadState("load");
  await staff.getByRole("button", { name: "Mark Substance Use IOP as 42 CFR Part 2" }).click();
  await staff.getByText(/^Substance Use IOP is now marked 42 CFR Part 2/).waitFor();
  await shoot(staff, "programmes");

  await repSignIn();
  await rep.getByText("Your access to the Riverbend Behavioral Health Client Portal has ended. Contact Riverbend Behavioral Health if you think this is a mistake.").waitFor();
});

it("staff record the consent in the Portal Login window; the representative signs in and reads the Consent page", async () => {
  await staff.goto(`${base}/face-sheet/${LUIS}`);
  await staff.waitForLoadState("load");
  await staff.getByRole("button", { name: `Edit portal login ${REP}` }).click();
  const dialog = staff.getByRole("dialog", { name: "Portal Login" });
  await dialog.waitFor();
  const section = dialog.getByRole("region", { name: "42 CFR Part 2 consent" });
  expect(await section.getByLabel("Recipient").inputValue()).toBe("Rosa Ortega");
  // Save without the elements: the messages come next to the fields, nothing saved.
  await section.getByRole("button", { name: "Save consent" }).click();
  await section.getByText("Enter the purpose of the disclosure, as on the form.").waitFor();
  await section.getByLabel("Purpose of the disclosure").fill("To support Luis in his recovery");
  await section.getByLabel("How much and what kind of information").fill("Attendance and treatment progress; no counselling notes");
  await section.getByLabel("Expiry event").fill("discharge from the programme");
  // Today in Riverbend's zone (YYYY-MM-DD): a signature can't be in the future.
  await section.getByLabel("Signature date").fill(new Intl.DateTimeFormat("en-CA", { timeZone: "America/New_York" }).format(new Date()));
  await section.getByLabel("The form states the client's right to revoke this consent").check();
  await shoot(staff, "part2-consent-form", dialog);
  await section.getByRole("button", { name: "Save consent" }).click();
  await section.getByText("Consent recorded. Rosa Ortega may see the client's records while it is in force.").waitFor();
  await shoot(staff, "part2-consent-window", dialog);

  await repSignIn();
  await rep.getByRole("link", { name: "Consent" }).click();
  await rep.getByRole("heading", { name: "What you may see, and why" }).waitFor();
  expect(await rep.getByText("To support Luis in his recovery").count()).toBe(1);
  await rep.getByText(/may revoke this consent at any time by telling Riverbend Behavioral Health/).waitFor();
  await shoot(rep, "portal-consent");
});

it("Revoke consent: the representative's next click ends at sign-in, saying access has ended", async () => {
  const dialog = staff.getByRole("dialog", { name: "Portal Login" });
  staff.once("dialog", (d) => void d.accept());
  await dialog.getByRole("button", { name: "Revoke consent" }).click();
  await dialog.getByText(/^Consent revoked\. Rosa Ortega can no longer sign in/).waitFor();

  await rep.getByRole("link", { name: "Activity" }).click();
  await rep.getByText("Your access to the Riverbend Behavioral Health Client Portal has ended. Contact Riverbend Behavioral Health if you think this is a mistake.").waitFor();
  expect(new URL(rep.url()).pathname).toBe("/portal/riverbend");
});
