import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { launchChromium } from "./chromium";

// Emily Chen only: the other journeys use other clients on the same server.
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

it("staff mark Emily Chen homeless, then find that change in the Document Center with the filters", async () => {
  // a. Sign in.
  await page.goto(base + "/");
  await page.getByLabel("Email").fill("admin@riverbend.test");
  await page.getByLabel("Password").fill("demo-password-2026");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.getByRole("heading", { name: "Main Menu" }).waitFor();

  // b. Main Menu > Admissions Menu > Face Sheet: Emily Chen, Edit, Homeless, Update.
  await page.getByRole("region", { name: "Admissions Menu" }).getByRole("link", { name: "Face Sheet" }).click();
  // Search as you type needs htmx running: wait for the page to finish loading, as a person would.
  await page.waitForLoadState("load");
  await page.getByLabel("Search clients").pressSequentially("Chen");
  await page.getByRole("link", { name: "Chen, Emily" }).click();
  await page.getByRole("link", { name: "Edit", exact: true }).click();
  await page.getByLabel("Homeless").check();
  await page.getByRole("button", { name: "Update" }).click();
  await page.getByText("Face Sheet updated.").waitFor();

  // c. Main Menu > Reports Menu > Document Center.
  await page.getByRole("navigation", { name: "Breadcrumb" }).getByRole("link", { name: "Main Menu" }).click();
  await page.getByRole("region", { name: "Reports Menu" }).getByRole("link", { name: "Document Center" }).click();
  await page.getByRole("heading", { name: "Document Center" }).waitFor();
  await page.waitForLoadState("load");

  // d. Search for and select the client.
  await page.getByLabel("Search clients").pressSequentially("Chen");
  await page.getByRole("link", { name: "Chen, Emily" }).click();

  // e. Select the Case # radio button, Open Case.
  await page.getByRole("group", { name: "Case #" }).getByRole("radio", { name: "RB-25-0501" }).check();
  await page.getByRole("button", { name: "Open Case" }).click();

  // f. Under Face Sheet Change Log, select "Changes to this Client's face sheet", Open Form.
  await page.getByRole("heading", { name: "Face Sheet Change Log" }).waitFor();
  await page.getByRole("radio", { name: "Changes to this Client's face sheet" }).check();
  await page.getByRole("button", { name: "Open Form" }).click();
  await page.getByRole("heading", { name: /^Face Sheet Change Log/, level: 1 }).waitFor();
  await page.waitForLoadState("load");

  // g. Change Type filter, Apply Filter: the results are swapped in place.
  await page.getByLabel("Change Type").selectOption("Face Sheet");
  await page.getByRole("button", { name: "Apply Filter" }).click();
  await page.getByRole("heading", { name: /Filtered changes/ }).waitFor();
  expect(new URL(page.url()).searchParams.get("changeType")).toBe("Face Sheet");

  const entries = page.getByRole("list", { name: /Filtered changes/ }).getByRole("listitem").filter({ hasText: "Updated the following dynamic fields" });
  expect(await entries.count()).toBe(1);
  const entry = entries.first();
  await entry.getByText("Updated the following dynamic fields: Current Residence").waitFor();
  await entry.getByText("Current Residence - {Set entry: CurrentHomeless to value: Yes}").waitFor();
  expect(await entry.getByRole("definition").first().textContent()).toBe("Dana Whitfield");
  expect(await entry.getByRole("time").textContent()).toMatch(/^\d{1,2}\/\d{1,2}\/\d{4} \d{1,2}:\d{2}:\d{2} (AM|PM)$/);

  // h. An End Date before the Start Date: the message beside End Date, and the entries on screen
  //    (which answered the previous filter) make way for what to correct.
  await page.getByLabel("Change Type").selectOption("All");
  await page.getByLabel("Changes By").selectOption("Dana Whitfield");
  await page.getByLabel("Start Date").fill("2020-01-02");
  await page.getByLabel("End Date").fill("2020-01-01");
  await page.getByRole("button", { name: "Apply Filter" }).click();
  await page.getByText("End Date must be on or after the Start Date.").waitFor();
  await page.getByText("Correct the Date Range above, then Apply Filter.").waitFor();
  expect(await entries.count()).toBe(0);

  // i. Verify log.
  await page.getByRole("button", { name: "Verify log" }).click();
  // Other journeys on the shared server may add entries to this client's log (families links a login to her).
  await page.getByText(/^Log intact: \d+ (entry|entries) verified\.$/).waitFor();
});
