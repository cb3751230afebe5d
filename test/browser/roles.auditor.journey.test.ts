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

it("an auditor sees Maria's Face Sheet and portal logins read-only, with no Edit or Add", async () => {
  // a. Sign in as the demo auditor; open the Face Sheet.
  await page.goto(base + "/");
  await page.getByLabel("Email").fill("auditor@riverbend.test");
  await page.getByLabel("Password").fill("demo-password-2026");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.getByRole("region", { name: "Admissions Menu" }).getByRole("link", { name: "Face Sheet" }).click();
  await page.waitForLoadState("load");
  await page.getByLabel("Search clients").pressSequentially("alvarez, maria");
  await page.getByRole("link", { name: "Alvarez, Maria" }).click();
  await page.getByRole("heading", { name: "Client information" }).waitFor();

  // b. Everything is shown; nothing can be changed.
  await page.getByRole("heading", { name: "Client Portal" }).waitFor();
  expect(await page.getByRole("link", { name: "Edit" }).count()).toBe(0);
  expect(await page.getByRole("button", { name: "Add Client Portal Login" }).count()).toBe(0);
});

it("a control the role can't use (e.g. left on a page from before a role change) shows why, in place", async () => {
  // What the Edit link would have asked for, sent by htmx as that link would.
  await page.waitForFunction(() => "htmx" in window);
  await page.evaluate(() => {
    const url = location.pathname + "/edit";
    return (window as unknown as { htmx: { ajax: (m: string, u: string, o: object) => Promise<void> } }).htmx.ajax("GET", url, { target: "#face-sheet", swap: "outerHTML" });
  });
  await page.getByRole("heading", { name: "Not available to your role" }).waitFor();
  await page.getByText("Your role (Auditor) can view this client's Face Sheet but not change it.").waitFor();
  expect(await page.getByRole("link", { name: "Go to the Main Menu" }).count()).toBe(1);
});

it("typing the Edit address shows the same explanation as a page, status 403", async () => {
  const url = new URL(page.url());
  const res = await page.goto(`${base}${url.pathname}/edit`);
  expect(res?.status()).toBe(403);
  await page.getByText("Your role (Auditor) can view this client's Face Sheet but not change it.").waitFor();
});
