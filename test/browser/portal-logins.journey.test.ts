/**
 * The seed's flows in Chromium on the demo data: sign in as admin@riverbend.test, open Maria
 * Alvarez's Face Sheet, Edit, Add Client Portal Login, fill the username, Populate Email, Save,
 * see the row; then Edit it, clear Active, Save, see it inactive. Also: the Portal Login window
 * is a real dialog (focus moves in, Esc and Cancel close it, focus returns to the opener).
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { launchChromium } from "./chromium";

const base = inject("baseUrl");
let browser: Browser;
let page: Page;
const cspViolations: string[] = [];

beforeAll(async () => {
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  page.on("console", (m) => {
    if (m.text().includes("Content Security Policy")) cspViolations.push(m.text());
  });
});
afterAll(async () => {
  await browser?.close();
});

const dialog = () => page.getByRole("dialog", { name: "Portal Login" });
const section = () => page.getByRole("region", { name: "Client Portal" });
const row = (username: string) => section().getByRole("row").filter({ hasText: username });
const activeElementId = () => page.evaluate(() => document.activeElement?.id ?? "");

it("adds a portal login for Maria Alvarez from her Face Sheet", async () => {
  // a. Sign in; Main Menu › Admissions Menu › Face Sheet; find Maria Alvarez.
  await page.goto(base + "/");
  await page.getByLabel("Email").fill("admin@riverbend.test");
  await page.getByLabel("Password").fill("demo-password-2026");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.getByRole("region", { name: "Admissions Menu" }).getByRole("link", { name: "Face Sheet" }).click();
  // Search as you type needs htmx running: wait for the new page to finish loading.
  await page.waitForURL(/\/face-sheet$/);
  await page.waitForLoadState("load");
  await page.getByLabel("Search clients").pressSequentially("alvarez");
  await page.getByRole("link", { name: "Alvarez, Maria" }).click();
  await page.getByRole("heading", { name: /Face Sheet/ }).waitFor();

  // b. Edit; scroll to the Client Portal section; Add Client Portal Login opens the window.
  await page.getByRole("link", { name: "Edit", exact: true }).click();
  await page.getByRole("button", { name: "Update" }).waitFor();
  await expect(section().getByText("Agency Portal URL:")).toBeDefined();
  await section().getByRole("button", { name: "Add Client Portal Login" }).click();
  await dialog().waitFor();
  expect(await activeElementId()).toBe("f-username");
  expect(await dialog().getByLabel("Reset Password").isChecked()).toBe(true);
  expect(await dialog().getByLabel("Active").isChecked()).toBe(true);
  expect(await dialog().getByLabel("Representative").isChecked()).toBe(false);

  // c. Fill the username; Populate Email from Current Residence Block.
  await dialog().getByLabel("Portal Username").fill("maria.alvarez.journey");
  await dialog().getByRole("button", { name: "Populate Email from Current Residence Block" }).click();
  await dialog().getByText("Filled from the Current Residence block.").waitFor();
  expect(await dialog().getByLabel("Portal User Email").inputValue()).toBe("maria.alvarez@example.com");
  expect(await dialog().getByLabel("Portal Username").inputValue()).toBe("maria.alvarez.journey");

  // d. Save: the dialog closes, the table shows the row, the outcome is announced, focus returns.
  await dialog().getByRole("button", { name: "Save" }).click();
  await section().getByText("Portal login maria.alvarez.journey added. Welcome email sent to maria.alvarez@example.com.").waitFor();
  await dialog().waitFor({ state: "detached" });
  expect(await row("maria.alvarez.journey").getByRole("cell").allInnerTexts()).toEqual(
    expect.arrayContaining(["maria.alvarez.journey", "No", "Yes", "Invited"]),
  );
  expect(await activeElementId()).toBe("add-portal-login");
  // The Face Sheet's own edit form is still open underneath, untouched.
  expect(await page.getByRole("button", { name: "Update" }).count()).toBe(1);
});

it("makes the login inactive with Edit › clear Active › Save", async () => {
  const edit = row("maria.alvarez.journey").getByRole("button", { name: "Edit portal login maria.alvarez.journey" });
  const editId = await edit.getAttribute("id");
  await edit.click();
  await dialog().waitFor();
  expect(await dialog().getByLabel("Reset Password").isChecked()).toBe(false);
  expect(await dialog().getByLabel("Portal User Email").inputValue()).toBe("maria.alvarez@example.com");
  await dialog().getByLabel("Active").uncheck();
  await dialog().getByRole("button", { name: "Save" }).click();
  await section().getByText("Portal login maria.alvarez.journey saved. Changes: Active: Yes → No.").waitFor();
  await dialog().waitFor({ state: "detached" });
  const cells = await row("maria.alvarez.journey").getByRole("cell").allInnerTexts();
  expect(cells[2]).toBe("No");
  expect(cells[3]).toBe("Inactive");
  expect(await activeElementId()).toBe(editId); // focus back on the row's Edit, though the table was redrawn

  // Still inactive after a reload.
  await page.reload();
  expect((await row("maria.alvarez.journey").getByRole("cell").allInnerTexts())[3]).toBe("Inactive");
});

it("shows bad input inside the window and keeps it open", async () => {
  await section().getByRole("button", { name: "Add Client Portal Login" }).click();
  await dialog().waitFor();
  await dialog().getByLabel("Portal Username").fill("MARIA.ALVAREZ.JOURNEY");
  await dialog().getByLabel("Portal User Email").fill("maria@");
  await dialog().getByLabel("Portal User Email").press("Enter"); // Enter saves (not Populate)
  // Each message beside its field (the error summary above lists them again, as links).
  await dialog().locator("#f-username-error").getByText("is already in use in this agency").waitFor();
  await dialog().locator("#f-email-error").getByText("Enter an email address like name@example.com.").waitFor();
  expect(await dialog().getByLabel("Portal Username").inputValue()).toBe("MARIA.ALVAREZ.JOURNEY");
  expect(await dialog().isVisible()).toBe(true);
  await dialog().getByRole("link", { name: "Cancel" }).click();
  await dialog().waitFor({ state: "detached" });
  expect(await activeElementId()).toBe("add-portal-login");
});

it("closes the window with Esc and returns focus to the button that opened it", async () => {
  await section().getByRole("button", { name: "Add Client Portal Login" }).focus();
  await page.keyboard.press("Enter");
  await dialog().waitFor();
  expect(await activeElementId()).toBe("f-username");
  // The page behind is inert while the dialog is open.
  expect(await page.evaluate(() => (document.querySelector("dialog") as HTMLDialogElement).matches(":modal"))).toBe(true);
  await page.keyboard.press("Escape");
  await dialog().waitFor({ state: "detached" });
  expect(await activeElementId()).toBe("add-portal-login");
});

it("Copy puts the Agency Portal URL on the clipboard and says so", async () => {
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
  await section().getByRole("button", { name: "Copy Agency Portal URL" }).click();
  await section().getByText("Copied.").waitFor();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`${base}/portal/riverbend`);
});

it("ran under the Content-Security-Policy without a violation (no inline scripts or styles)", () => {
  expect(cspViolations).toEqual([]);
});
