/**
 * Keyboard-only journeys with axe (issue 12): where focus lands after each step — a failed
 * sign-in, Face Sheet Edit / a failed Update / Cancel / Update, the Portal Login window opened
 * with Space, its errors and Esc, Document Center's "Select a Case #", a portal password refused —
 * and axe-core's WCAG 2.0–2.2 A/AA rules on every page and dialog state on the way (errors
 * included). Also: the focus ring is at least 3:1 against what is around it, on the light page and
 * in the dark header; the search count is one status element whose text changes.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { expectNoAxeViolations, focused } from "./axe";
import { launchChromium } from "./chromium";
import { createPortalLogin, PORTAL_PASSWORD } from "./portal-accounts";

const base = inject("baseUrl");
const JAMES = 2; // Okafor, James (Riverbend), no case closed
let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
});
afterAll(async () => {
  await browser?.close();
});

/** Tabs forward until the element named `name` (accessible text or label) has focus; at most 60 presses. */
async function tabTo(name: string | RegExp) {
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press("Tab");
    const f = await focused(page);
    const text = f.text || f.name;
    if (typeof name === "string" ? text === name : name.test(text)) return;
  }
  throw new Error(`Tab never reached ${name}`);
}

/** The contrast ratio of two CSS colours (rgb() strings), as WCAG computes it. */
function contrast(a: string, b: string): number {
  const lum = (c: string) => {
    const [r, g, bl] = (c.match(/[\d.]+/g) ?? []).slice(0, 3).map((v) => Number(v) / 255).map((v) => (v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

/** The focused element's outline colour and the background behind it (the first opaque ancestor's). */
function ringAndBackground(): Promise<{ ring: string; background: string; width: string }> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement;
    const style = getComputedStyle(el);
    let bg = "rgb(255, 255, 255)";
    for (let n: HTMLElement | null = el.parentElement; n; n = n.parentElement) {
      const c = getComputedStyle(n).backgroundColor;
      if (c && c !== "transparent" && !/rgba\(.*, 0\)$/.test(c)) {
        bg = c;
        break;
      }
    }
    return { ring: style.outlineColor, background: bg, width: style.outlineWidth };
  });
}

it("staff: sign-in failure focuses its message; the focus ring is 3:1 or more on the page and in the header", async () => {
  await page.goto(base + "/sign-in");
  await page.waitForLoadState("load");
  await expectNoAxeViolations(page, "the staff sign-in page");
  await page.getByLabel("Email").fill("staff@riverbend.test");
  await page.getByLabel("Password").fill("not the password");
  await page.keyboard.press("Enter");
  await page.getByRole("alert").waitFor();
  await page.waitForLoadState("load");
  expect((await focused(page)).text).toMatch(/^That email and password/);
  expect(await page.title()).toMatch(/^Error: Sign in/);
  await expectNoAxeViolations(page, "the staff sign-in page after a failure");

  // The focus ring, by keyboard: on the light card, at least 3:1.
  await tabTo("Email");
  const light = await ringAndBackground();
  expect(light.width).toBe("3px");
  expect(contrast(light.ring, light.background)).toBeGreaterThanOrEqual(3);

  await page.getByLabel("Email").fill("staff@riverbend.test");
  await page.getByLabel("Password").fill("demo-password-2026");
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { name: "Main Menu" }).waitFor();
  await expectNoAxeViolations(page, "the Main Menu");
  // In the dark header (its Sign out), at least 3:1 too.
  await page.getByRole("button", { name: "Sign out" }).focus();
  await page.keyboard.press("Shift+Tab");
  await page.keyboard.press("Tab");
  const dark = await ringAndBackground();
  expect(contrast(dark.ring, dark.background)).toBeGreaterThanOrEqual(3);
});

it("staff: the search count is one status element whose text changes", async () => {
  await page.goto(`${base}/face-sheet`);
  await page.waitForLoadState("load");
  const status = page.locator("#search-count");
  await status.evaluate((el) => ((el as HTMLElement & { marker?: string }).marker = "same"));
  await page.getByLabel("Search clients").pressSequentially("okaf");
  await expect.poll(() => status.textContent()).toBe("1 client matches.");
  await page.getByLabel("Search clients").fill("zzzz");
  await page.getByLabel("Search clients").press("Space"); // an input event
  await expect.poll(() => status.textContent()).toMatch(/^No clients match/);
  expect(await status.evaluate((el) => (el as HTMLElement & { marker?: string }).marker)).toBe("same");
  expect(await status.getAttribute("role")).toBe("status");
  await expectNoAxeViolations(page, "the Face Sheet search with no match");
});

it("staff: Face Sheet Edit, a failed Update, Cancel and Update each put focus on the outcome", async () => {
  await page.goto(`${base}/face-sheet/${JAMES}`);
  await page.waitForLoadState("load");
  await expectNoAxeViolations(page, "a Face Sheet");

  // a. Edit (Enter): focus on the editing heading; the title says so.
  await page.getByRole("link", { name: "Edit", exact: true }).focus();
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { name: "Client information (editing)" }).waitFor();
  await expect.poll(async () => (await focused(page)).text).toBe("Client information (editing)");
  expect(await page.title()).toMatch(/^Edit Face Sheet: Okafor, James · /);
  await expectNoAxeViolations(page, "the Face Sheet in Edit mode");

  // b. A bad ZIP and no first name, Update by Enter: the summary has focus, links each field.
  await page.getByLabel("First name").fill("");
  await page.getByLabel("ZIP").fill("12");
  await page.keyboard.press("Enter");
  const summary = page.locator(".error-summary");
  await summary.waitFor();
  await expect.poll(async () => (await focused(page)).text).toMatch(/^Nothing was saved\. Correct the fields marked below\./);
  expect(await page.title()).toMatch(/^Error: Edit Face Sheet: Okafor, James · /);
  await expectNoAxeViolations(page, "the Face Sheet with errors");
  await page.keyboard.press("Tab");
  expect((await focused(page)).text).toBe("First name: Enter the first name.");
  await page.keyboard.press("Enter");
  expect((await focused(page)).name).toBe("First name");

  // c. Cancel (Enter): focus on "Edit cancelled. Nothing was saved."
  await page.getByRole("link", { name: "Cancel" }).focus();
  await page.keyboard.press("Enter");
  await page.getByText("Edit cancelled. Nothing was saved.").waitFor();
  await expect.poll(async () => (await focused(page)).text).toBe("Edit cancelled. Nothing was saved.");
  expect(await page.title()).toMatch(/^Face Sheet: Okafor, James · /);

  // d. Edit, then Update with nothing changed: focus on its message; the next Tab goes on from there.
  await page.getByRole("link", { name: "Edit", exact: true }).focus();
  await page.keyboard.press("Enter");
  await page.getByRole("button", { name: "Update" }).waitFor();
  await page.getByRole("button", { name: "Update" }).focus();
  await page.keyboard.press("Enter");
  await page.getByText("No changes to save.").waitFor();
  await expect.poll(async () => (await focused(page)).text).toBe("No changes to save.");
});

it("staff: the Portal Login window opens with Space, its errors take focus, Esc returns focus to the button", async () => {
  await page.goto(`${base}/face-sheet/${JAMES}`);
  await page.waitForLoadState("load");
  const add = page.getByRole("button", { name: "Add Client Portal Login" });
  await add.focus();
  await page.keyboard.press(" ");
  const dialog = page.getByRole("dialog", { name: "Portal Login" });
  await dialog.waitFor();
  expect((await focused(page)).name).toBe("Portal Username");
  expect(await page.title()).toMatch(/^Portal Login: Okafor, James · /);
  await expectNoAxeViolations(page, "the Portal Login window");

  await dialog.getByLabel("Portal Username").fill("x");
  await dialog.getByRole("button", { name: "Save", exact: true }).focus();
  await page.keyboard.press("Enter");
  await dialog.locator(".error-summary").waitFor();
  await expect.poll(async () => (await focused(page)).text).toMatch(/^Nothing was saved/);
  expect(await page.title()).toMatch(/^Error: Portal Login: Okafor, James · /);
  await expectNoAxeViolations(page, "the Portal Login window with errors");

  await page.keyboard.press("Escape");
  await dialog.waitFor({ state: "detached" });
  expect((await focused(page)).text).toBe("Add Client Portal Login");
  expect(await page.title()).toMatch(/^Face Sheet: Okafor, James · /);
});

it("staff: Document Center's 'Select a Case #' focuses its message after the reload", async () => {
  await page.goto(`${base}/document-center/clients/${JAMES}`);
  await page.waitForLoadState("load");
  await expectNoAxeViolations(page, "the Document Center's cases");
  await page.getByRole("button", { name: "Open Case" }).focus();
  await page.keyboard.press("Enter");
  await page.waitForURL(/open=case/);
  await page.waitForLoadState("load");
  await expect.poll(async () => (await focused(page)).text).toMatch(/^No case was opened\.\s*Case #: Select a Case # to open\./);
  expect(await page.title()).toMatch(/^Error: Document Center: Okafor, James/);
  await expectNoAxeViolations(page, "the Document Center with 'Select a Case #'");
});

it("portal: sign-in failure, then a refused new password: focus on the summary, the new password kept when the rules accept it", async () => {
  createPortalLogin(inject("persistTo"), "a11y.journey", 3);
  const portal = await (await browser.newContext({ viewport: { width: 360, height: 800 } })).newPage();
  page = portal;
  await portal.goto(`${base}/portal/riverbend`);
  await portal.waitForLoadState("load");
  await expectNoAxeViolations(portal, "the portal sign-in page");
  await portal.getByLabel("Portal Username").fill("a11y.journey");
  await portal.getByLabel("Password").fill("wrong password");
  await portal.keyboard.press("Enter");
  await portal.getByRole("alert").waitFor();
  await portal.waitForLoadState("load");
  expect((await focused(portal)).text).toMatch(/^That Portal Username and password don't match/);
  expect(await portal.title()).toMatch(/^Error: Sign in · /);
  await expectNoAxeViolations(portal, "the portal sign-in after a failure");

  await portal.getByLabel("Portal Username").fill("a11y.journey");
  await portal.getByLabel("Password").fill(PORTAL_PASSWORD);
  await portal.keyboard.press("Enter");
  await portal.getByRole("link", { name: "Change password" }).click();
  await portal.waitForURL(/\/change-password$/);
  await portal.waitForLoadState("load");
  await expectNoAxeViolations(portal, "the portal's Change password");
  // The rules describe New password.
  expect(await portal.locator("#f-newPassword").getAttribute("aria-describedby")).toContain("password-rules");
  await portal.getByLabel("Current password").fill(PORTAL_PASSWORD);
  await portal.locator("#f-newPassword").fill("lantern orchard velvet compass");
  await portal.locator("#f-confirmPassword").fill("lantern orchard velvet");
  await portal.keyboard.press("Enter");
  await portal.getByRole("alert").waitFor();
  await portal.waitForLoadState("load");
  expect((await focused(portal)).text).toMatch(/^Your password was not changed/);
  expect(await portal.locator("#f-newPassword").inputValue()).toBe("lantern orchard velvet compass");
  expect(await portal.locator("#f-confirmPassword").inputValue()).toBe("");
  await expectNoAxeViolations(portal, "the portal's Change password with errors");
  const width = await portal.evaluate(() => document.documentElement.scrollWidth);
  expect(width).toBeLessThanOrEqual(360);
  await portal.context().close();
});
