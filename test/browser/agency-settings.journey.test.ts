/**
 * An admin changes the agency's settings in Chromium, as a person would: a value over its limit is
 * answered beside the field (focus on the summary, what was typed kept), a good Save says what
 * changed and the Agency Log has it. Lakeside (not a portal agency) so no other journey's portal
 * flow sees the change; its settings are put back at the end.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { launchChromium } from "./chromium";

const base = inject("baseUrl");
let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launchChromium();
  page = await (await browser.newContext()).newPage();
});
afterAll(async () => {
  await browser?.close();
});

const lifetime = () => page.getByLabel("Temporary password lifetime (hours)");
const timeZone = () => page.getByLabel("Time zone", { exact: true });
const save = () => page.getByRole("button", { name: "Save", exact: true }).click();

it("a lifetime over 24 hours is refused beside the field, with focus on the summary and the value kept", async () => {
  // a. Sign in as Lakeside's admin; Main Menu › Administration › Agency settings.
  await page.goto(base + "/");
  await page.getByLabel("Email").fill("admin@lakeside.test");
  await page.getByLabel("Password").fill("demo-password-2026");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.getByRole("region", { name: "Administration" }).getByRole("link", { name: "Agency settings" }).click();
  await page.getByRole("heading", { name: /Agency settings/ }).waitFor();
  await page.waitForFunction(() => "htmx" in window);

  // b. 72 hours: not allowed for an emailed password.
  await lifetime().fill("72");
  await save();
  await page.getByText("Enter a number of hours from 1 to 24, or leave it empty for the default (24).").first().waitFor();
  expect(await page.evaluate(() => document.activeElement?.classList.contains("error-summary"))).toBe(true);
  expect(await lifetime().inputValue()).toBe("72");
  expect(await lifetime().getAttribute("aria-invalid")).toBe("true");
});

it("a good Save says what changed, and the Agency Log has the entry", async () => {
  await lifetime().fill("12");
  await timeZone().selectOption("America/Chicago");
  await save();
  const notice = page.getByRole("status").filter({ hasText: "Settings saved." });
  await notice.waitFor();
  await notice.getByText("Time zone: America/New_York → America/Chicago").waitFor();
  await notice.getByText("Temporary password lifetime (hours): default (24) → 12").waitFor();
  expect(await lifetime().inputValue()).toBe("12");

  await page.goto(base + "/admin/agency-log?action=Settings+changed");
  await page.getByRole("cell", { name: /Time zone: America\/New_York → America\/Chicago/ }).waitFor();
});

it("emptying the fields goes back to the defaults (and leaves Lakeside as it was)", async () => {
  await page.goto(base + "/admin/settings");
  await lifetime().fill("");
  await timeZone().selectOption("America/New_York");
  await save();
  await page.getByRole("status").getByText("Temporary password lifetime (hours): 12 → default (24)").waitFor();
});
