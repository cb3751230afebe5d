/**
 * Finding your way, with the keyboard: the Main Menu bar from several pages (and its compact
 * "Menu" on a phone), Client Portal Accounts (filter, search, next page, open a Face Sheet), the
 * Face Sheet → Change Log click with its old → new line; no sideways scrolling at 360 px, and no
 * axe-core (WCAG 2.2 AA) violations on the new pages.
 */
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { ROOT, toolEnv } from "../../scripts/local.ts";
import { launchChromium } from "./chromium";

const base = inject("baseUrl");
const persistTo = inject("persistTo");
const axePath = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
let browser: Browser;
let page: Page;

/** 30 Riverbend logins, wayfind-00 … wayfind-29, for Thomas Brennan; 03 and 27 inactive. */
function createLogins() {
  const now = Date.now();
  const rows = Array.from({ length: 30 }, (_, i) => {
    const u = `wayfind-${String(i).padStart(2, "0")}`;
    const active = i === 3 || i === 27 ? 0 : 1;
    return `(1, 6, '${u}', '${u}', '${u}@example.com', ${active}, 'not-a-real-hash', 0, 'sent', 1, ${now})`;
  });
  const sql = `INSERT OR IGNORE INTO portal_logins (agency_id, client_id, username, username_key, email, active, password_hash, must_change_password, email_status, session_version, created_at) VALUES ${rows.join(", ")}`;
  const r = spawnSync("wrangler", ["d1", "execute", "DB", "--local", "--persist-to", persistTo, "--command", sql], { cwd: ROOT, env: toolEnv(), encoding: "utf8" });
  if (r.status !== 0) throw new Error(`creating portal logins failed:\n${r.stderr}${r.stdout}`);
}

/** Presses Tab until the focused element is the named link of the Main Menu bar (or fails). */
async function tabToNavLink(name: string) {
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press("Tab");
    const hit = await page.evaluate((n) => {
      const a = document.activeElement;
      return a instanceof HTMLAnchorElement && a.closest('nav[aria-label="Main Menu"]') !== null && a.textContent?.trim() === n;
    }, name);
    if (hit) return;
  }
  throw new Error(`Tab never reached the Main Menu link ${name}`);
}

/** axe-core's WCAG 2.2 AA rules on the page as it is now; the violations' ids and targets. */
async function axeViolations(): Promise<string[]> {
  await page.addScriptTag({ path: axePath });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, o: object) => Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const r = await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] } });
    return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  });
}

const scrollWidth = () => page.evaluate(() => document.documentElement.scrollWidth);

beforeAll(async () => {
  createLogins();
  browser = await launchChromium();
  // Injecting axe-core for the check needs the CSP out of the way; the pages' own scripts are unaffected.
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true })).newPage();
});
afterAll(async () => {
  await browser?.close();
});

it("the Main Menu bar takes the keyboard from page to page, and marks where you are", async () => {
  await page.goto(base + "/sign-in");
  await page.getByLabel("Email").fill("admin@riverbend.test");
  await page.getByLabel("Password").fill("demo-password-2026");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.getByRole("heading", { name: "Main Menu" }).waitFor();
  const nav = page.getByRole("navigation", { name: "Main Menu" });

  // Main Menu → Face Sheet → Document Center → Client Portal Accounts, by Tab and Enter.
  await tabToNavLink("Face Sheet");
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { name: "Face Sheet", exact: true }).waitFor();
  expect(await nav.getByRole("link", { name: "Face Sheet" }).getAttribute("aria-current")).toBe("page");

  await tabToNavLink("Document Center");
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { name: "Document Center" }).waitFor();
  expect(await nav.getByRole("link", { name: "Document Center" }).getAttribute("aria-current")).toBe("page");

  await tabToNavLink("Agency Log");
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { name: "Agency Log" }).waitFor();

  await tabToNavLink("Client Portal Accounts");
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { name: "Client Portal Accounts" }).waitFor();
  expect(await nav.getByRole("link", { name: "Client Portal Accounts" }).getAttribute("aria-current")).toBe("page");

  // The staff 404 page keeps the header, the name, Sign out and the bar.
  await page.goto(base + "/no-such-page");
  await page.getByRole("heading", { name: "Not found" }).waitFor();
  await page.getByText("Dana Whitfield").waitFor();
  await page.getByRole("button", { name: "Sign out" }).waitFor();
  expect(await nav.getByRole("link", { name: "Face Sheet" }).count()).toBe(1);
  expect(await axeViolations()).toEqual([]);
});

it("Client Portal Accounts: filter, search, next page, and a row opens the client's Face Sheet", async () => {
  await page.goto(base + "/portal-accounts");
  await page.getByRole("heading", { name: "Client Portal Accounts" }).waitFor();
  expect(await axeViolations()).toEqual([]);

  // Search, then the next page.
  await page.getByLabel("Search").fill("wayfind-");
  await page.getByRole("button", { name: "Apply Filter" }).click();
  await page.getByText("Showing 25 portal logins").waitFor();
  const rows = page.getByRole("table").getByRole("row");
  expect(await rows.count()).toBe(26);
  await page.getByRole("link", { name: "Next ›" }).click();
  await page.getByText("Showing 5 portal logins").waitFor();
  expect(await page.getByRole("cell", { name: "wayfind-25", exact: true }).count()).toBe(1);
  await page.getByRole("link", { name: "‹ Previous" }).click();
  await page.getByText("Showing 25 portal logins").waitFor();

  // Filter by status: the two inactive ones.
  await page.getByLabel("Status").selectOption("Inactive");
  await page.getByRole("button", { name: "Apply Filter" }).click();
  await page.getByText("Showing 2 portal logins").waitFor();
  expect(await page.getByRole("cell", { name: "Inactive", exact: true }).count()).toBe(2);

  // A bad page link: the message, no stale list; axe-clean too.
  await page.goto(base + "/portal-accounts?after=%27bad");
  await page.getByText("That page link is damaged or out of date.").first().waitFor();
  expect(await page.getByRole("table").count()).toBe(0);
  expect(await axeViolations()).toEqual([]);

  // Open a Face Sheet from a row.
  await page.goto(base + "/portal-accounts?q=wayfind-0");
  await page.getByRole("row", { name: /wayfind-00/ }).getByRole("link", { name: "Brennan, Thomas" }).click();
  await page.getByRole("heading", { name: /Face Sheet/ }).waitFor();
  expect(new URL(page.url()).pathname).toBe("/face-sheet/6");
});

it("from the Face Sheet to its Change Log in one click, with the old → new value", async () => {
  await page.waitForLoadState("load");
  const before = (await page.locator("dt:text-is('Phone') + dd").textContent())!.trim();
  await page.getByRole("link", { name: "Edit", exact: true }).click();
  await page.getByLabel("Phone").fill("555-010-1234");
  await page.getByRole("button", { name: "Update" }).click();
  await page.getByText("Face Sheet updated.").waitFor();
  await page.getByRole("link", { name: "Face Sheet Change Log" }).click();
  await page.getByRole("heading", { name: /Face Sheet Change Log/ }).waitFor();
  await page.getByText(`Phone: ${before} → (555) 010-1234`).waitFor();
  await page.getByText("Current Residence - {Set entry: CurrentPhone to value: (555) 010-1234}").waitFor();
  expect(await axeViolations()).toEqual([]);
});

it("at 360 px: no sideways scrolling, and the compact Menu opens and works from the keyboard", async () => {
  await page.setViewportSize({ width: 360, height: 740 });
  for (const path of ["/menu", "/portal-accounts", "/portal-accounts?q=wayfind-", "/face-sheet/6", "/document-center/clients/6/face-sheet-log", "/no-such-page"]) {
    await page.goto(base + path);
    expect(await scrollWidth(), path).toBeLessThanOrEqual(360);
  }
  await page.goto(base + "/face-sheet/6");
  const menu = page.getByRole("navigation", { name: "Main Menu" });
  // The bar's links are hidden; the Menu disclosure is there instead.
  expect(await menu.getByRole("link", { name: "Document Center" }).isVisible()).toBe(false);
  await page.locator("summary", { hasText: "Menu" }).focus();
  await page.keyboard.press("Enter");
  await menu.getByRole("link", { name: "Client Portal Accounts" }).waitFor({ state: "visible" });
  expect(await axeViolations()).toEqual([]);
  await tabToNavLink("Client Portal Accounts");
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { name: "Client Portal Accounts" }).waitFor();
  expect(await scrollWidth()).toBeLessThanOrEqual(360);
  expect(await axeViolations()).toEqual([]);
  await page.setViewportSize({ width: 1280, height: 900 });
});
