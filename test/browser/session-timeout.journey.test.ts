/**
 * The idle timeout warning (issue 12, WCAG 2.2.1), on a `wrangler dev` of its own whose sessions
 * time out after 30 s of inactivity (SESSION_IDLE_MINUTES=0.5), so the warning comes 15 s before
 * the end instead of a minute. Staff: a Face Sheet edit in progress; the warning takes focus;
 * Stay signed in keeps the session and gives focus back; left alone, the page goes to sign-in,
 * which returns to the edit and offers back what wasn't saved. Portal: the same warning and the
 * return to the page. axe checks the dialog, the sign-in notice and the restore offer.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { prepareDatabase, startDev, type DevServer } from "../../scripts/local.ts";
import { expectNoAxeViolations, focused } from "./axe";
import { launchChromium } from "./chromium";
import { createPortalLogin, PORTAL_PASSWORD } from "./portal-accounts";

const JAMES = 2; // Okafor, James (Riverbend)
let server: DevServer;
let dir: string;
let browser: Browser;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "portal-timeout-"));
  await prepareDatabase(dir);
  server = await startDev({ port: 8900 + Math.floor(Math.random() * 100), persistTo: dir, vars: { SESSION_IDLE_MINUTES: "0.5" } });
  browser = await launchChromium();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function staffSignIn(page: Page) {
  await page.getByLabel("Email").fill("staff@riverbend.test");
  await page.getByLabel("Password").fill("demo-password-2026");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

it("staff: warned before the timeout, Stay signed in keeps the edit; timed out, sign-in returns to it and offers back what wasn't saved", async () => {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${server.url}/sign-in`);
  await staffSignIn(page);
  await page.getByRole("heading", { name: "Main Menu" }).waitFor();

  // a. Open the Face Sheet, Edit (focus on the editing heading), type a new phone.
  await page.goto(`${server.url}/face-sheet/${JAMES}`);
  await page.getByRole("link", { name: "Edit", exact: true }).click();
  await page.getByRole("heading", { name: "Client information (editing)" }).waitFor();
  await expect.poll(async () => (await focused(page)).text).toBe("Client information (editing)");
  await page.getByLabel("Phone").fill("(518) 555-0199");

  // b. The warning comes (15 s before the end), as a modal dialog with focus on Stay signed in.
  const dialog = page.getByRole("dialog", { name: "Are you still there?" });
  await dialog.waitFor({ timeout: 25_000 });
  await expect.poll(async () => await focused(page)).toMatchObject({ tag: "button", text: "Stay signed in" });
  await expectNoAxeViolations(page, "the staff idle warning");

  // c. Stay signed in (Enter): the dialog closes, focus goes back to the Phone field, the session lives on.
  const refreshed = page.waitForResponse((r) => r.url().endsWith("/session/refresh") && r.status() === 200);
  await page.keyboard.press("Enter");
  await refreshed;
  await dialog.waitFor({ state: "hidden" });
  await expect.poll(async () => (await focused(page)).name).toBe("Phone");

  // d. Left alone again: warned, then sent to sign-in (with the Face Sheet edit as where to return).
  await dialog.waitFor({ timeout: 25_000 });
  await page.waitForURL(/\/sign-in\?timeout&next=/, { timeout: 30_000 });
  expect(decodeURIComponent(new URL(page.url()).searchParams.get("next")!)).toBe(`/face-sheet/${JAMES}/edit`);
  await expect.poll(async () => (await focused(page)).text).toMatch(/^You were signed out because there was no activity for a while\./);
  await expectNoAxeViolations(page, "the sign-in page after a timeout");

  // e. Sign in again: back at the edit, told what wasn't saved (focused), and it can be restored.
  await staffSignIn(page);
  await page.waitForURL(`${server.url}/face-sheet/${JAMES}/edit`);
  const offer = page.getByRole("group", { name: "Your changes were not saved" });
  await offer.waitFor();
  await expect.poll(async () => (await focused(page)).id).toBe("unsaved-changes");
  expect(await offer.textContent()).toContain("these changes to the Face Sheet of Okafor, James were not saved: Phone.");
  await expectNoAxeViolations(page, "the Face Sheet's unsaved-changes offer");
  expect(await page.getByLabel("Phone").inputValue()).not.toBe("(518) 555-0199");
  await page.getByRole("button", { name: "Restore my changes" }).click();
  expect(await page.getByLabel("Phone").inputValue()).toBe("(518) 555-0199");
  await expect.poll(async () => (await focused(page)).text).toBe("Your changes are back in the form. Check them, then choose Update to save them.");

  // f. Update saves it; the message takes focus.
  await page.getByRole("button", { name: "Update" }).click();
  await page.getByText("Face Sheet updated.").waitFor();
  // The swap lands first (focus briefly on the page: the Update button was replaced), then the message takes focus.
  await expect.poll(async () => (await focused(page)).text).toBe("Face Sheet updated.");
  expect(await page.getByText("(518) 555-0199").count()).toBe(1);
  await page.context().close();
}, 150_000);

it("portal: the same warning (Space on Stay signed in), and after the timeout sign-in returns to the page", async () => {
  createPortalLogin(dir, "timeout.user", 1);
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${server.url}/portal/riverbend`);
  await page.getByLabel("Portal Username").fill("timeout.user");
  await page.getByLabel("Password").fill(PORTAL_PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.getByRole("link", { name: "Activity" }).click();
  await page.waitForURL(/\/portal\/riverbend\/activity$/);

  const dialog = page.getByRole("dialog", { name: "Are you still there?" });
  await dialog.waitFor({ timeout: 25_000 });
  expect(await dialog.textContent()).toContain("you will be logged out in");
  await expect.poll(async () => await focused(page)).toMatchObject({ tag: "button", text: "Stay signed in" });
  await expectNoAxeViolations(page, "the portal idle warning");
  const refreshed = page.waitForResponse((r) => r.url().endsWith("/portal/riverbend/session/refresh") && r.status() === 200);
  await page.keyboard.press(" ");
  await refreshed;
  await dialog.waitFor({ state: "hidden" });

  await page.waitForURL(/\/portal\/riverbend\?timeout&next=/, { timeout: 50_000 });
  await expect.poll(async () => (await focused(page)).text).toMatch(/^You were logged out because there was no activity for a while\./);
  await expectNoAxeViolations(page, "the portal sign-in after a timeout");
  await page.getByLabel("Portal Username").fill("timeout.user");
  await page.getByLabel("Password").fill(PORTAL_PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.waitForURL(`${server.url}/portal/riverbend/activity`);
  await page.context().close();
}, 150_000);
