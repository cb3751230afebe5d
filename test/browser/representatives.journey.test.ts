/**
 * Representatives in Chromium on the demo data, at 1280 and 360 px: staff add a parent's login for
 * Grace Park (17) with its representative record (bad input first: an end date before the start,
 * shown next to the field), see the record in the Client Portal table; the demo parent signs in to
 * the portal; Reports Menu › Representative expiries lists the demo case worker ending in 10 days.
 * SCREENSHOTS_DIR set: the window and the table are saved there.
 */
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { launchChromium } from "./chromium";

const base = inject("baseUrl");
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

async function shot(page: Page, name: string) {
  const dir = process.env.SCREENSHOTS_DIR;
  if (dir) await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}

async function fitsWidth(page: Page) {
  const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  expect(scroll, page.url()).toBeLessThanOrEqual(client);
}

const today = new Intl.DateTimeFormat("en-CA", { timeZone: "America/New_York" }).format(new Date());

async function staffPage(width: number): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width, height: 900 }, isMobile: width < 500, hasTouch: width < 500 })).newPage();
  await page.goto(base + "/");
  await page.getByLabel("Email").fill("admin@riverbend.test");
  await page.getByLabel("Password").fill("demo-password-2026");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.waitForURL(/\/menu$/);
  return page;
}

for (const width of [1280, 360]) {
  it(`adds a parent's login with its record for Grace Park at ${width} px`, async () => {
    const page = await staffPage(width);
    await page.goto(`${base}/face-sheet/11`);
    await page.waitForLoadState("load");
    const section = page.getByRole("region", { name: "Client Portal" });
    await section.getByRole("button", { name: "Add Client Portal Login" }).click();
    const dialog = page.getByRole("dialog", { name: "Portal Login" });
    await dialog.waitFor();
    await dialog.getByLabel("Portal Username").fill(`grace.father.${width}`);
    await dialog.getByLabel("Representative", { exact: true }).check();
    await dialog.getByLabel("Full name").fill("Daniel Park");
    await dialog.getByRole("combobox", { name: /^Relationship/ }).selectOption("parent");
    await dialog.getByLabel("Legal basis").selectOption("parent-of-minor");
    await dialog.getByLabel("Start date").fill(today);
    // An end date before the start: the message next to the field, nothing saved, values kept.
    await dialog.getByLabel("End date").fill("2020-01-01");
    await dialog.getByLabel("Portal User Email").fill(`daniel.park.${width}@example.com`);
    await dialog.getByRole("button", { name: "Save" }).click();
    await dialog.locator("#f-endDate-error").getByText("The end date must be after the start date: access ends on the end date.").waitFor();
    expect(await dialog.getByLabel("Full name").inputValue()).toBe("Daniel Park");
    await shot(page, `representative-record-window-error-${width}`);
    await dialog.getByLabel("End date").fill("");
    await dialog.getByText("access ends on Grace's 18th birthday (05/19/2027)").first().waitFor();
    await shot(page, `representative-record-window-${width}`);
    if (width === 360) await fitsWidth(page);
    await dialog.getByRole("button", { name: "Save" }).click();
    await section.getByText(`Portal login grace.father.${width} added.`).waitFor();
    const row = section.getByRole("row").filter({ hasText: `grace.father.${width}` });
    const cells = (await row.getByRole("cell").allInnerTexts()).join(" | ");
    expect(cells).toContain("Daniel Park");
    expect(cells).toContain("Parent · Parent of a minor");
    expect(cells).toContain("ends 05/19/2027 (18th birthday)");
    await section.scrollIntoViewIfNeeded();
    await shot(page, `representative-record-table-${width}`);
    if (width === 360) await fitsWidth(page);
    await page.context().close();
  });
}

it("the demo parent signs in to the portal; the expiries list shows the demo case worker", async () => {
  const portal = await (await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true })).newPage();
  await portal.goto(`${base}/portal/riverbend`);
  await portal.getByLabel("Portal Username").fill("helen.park");
  await portal.getByLabel("Password").fill("demo-password-2026");
  await portal.getByRole("button", { name: "Sign in", exact: true }).click();
  await portal.getByText("Representative for").first().waitFor();

  const page = await staffPage(1280);
  await page.getByRole("region", { name: "Reports Menu" }).getByRole("link", { name: "Representative expiries" }).click();
  await page.getByRole("heading", { name: /Representative expiries/ }).waitFor();
  const text = await page.getByRole("table").innerText();
  expect(text).toContain("Dev Patel");
  expect(text).toContain("(in 10 days)");
  await shot(page, "representative-expiries");
});
