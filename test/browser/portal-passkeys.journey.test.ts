/**
 * Portal passkeys and devices in Chromium on a phone-sized screen (360 × 740), with Chromium's
 * virtual authenticator (DevTools protocol: a CTAP2 platform authenticator with resident keys and
 * user verification): sign in with the password, Add a passkey, Log out, Sign in with a passkey
 * (by keyboard), land on Home; Devices shows this device and a laptop signed in meanwhile, whose
 * session it ends (the laptop's next page is the sign-in). Every page fits the screen. A browser
 * without WebAuthn is told it can't use passkeys. Set SCREENSHOT_DIR to keep a PNG of each page.
 */
import { join } from "node:path";
import type { Browser, CDPSession, Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { launchChromium } from "./chromium";
import { createPortalLogin, PORTAL_PASSWORD } from "./portal-accounts";
import { localhostUrl } from "./staff-accounts";

const base = localhostUrl(inject("baseUrl"));
const PORTAL = `${base}/portal/riverbend`;
const USERNAME = "james.passkey.journey";
const JAMES = 2; // James Okafor (scripts/demo-data.ts)
const WINDOWS_EDGE = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0";

let browser: Browser;
let page: Page;
let cdp: CDPSession;
let authenticatorId: string;
beforeAll(async () => {
  createPortalLogin(inject("persistTo"), USERNAME, JAMES);
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
  page = await context.newPage();
  cdp = await context.newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  ({ authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  }));
});
afterAll(async () => {
  await browser?.close();
});

/** Nothing on the page is wider than the phone's screen (no sideways scrolling); a PNG if asked. */
async function fitsWidth(p: Page, name: string) {
  const { scroll, client } = await p.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  expect(scroll, p.url()).toBeLessThanOrEqual(client);
  const dir = process.env.SCREENSHOT_DIR;
  if (dir) await p.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}

it("signs in with the password, adds a passkey, logs out, signs in with the passkey and sees this device", async () => {
  // a. The agency's portal: the password sign-in, and the passkey button beside it.
  await page.goto(PORTAL);
  await page.getByRole("heading", { name: "Sign in to the Riverbend Behavioral Health Client Portal" }).waitFor();
  await page.getByRole("button", { name: "Sign in with a passkey" }).waitFor();
  await fitsWidth(page, "portal-sign-in");
  await page.getByLabel("Portal Username").fill(USERNAME);
  await page.getByLabel("Password").fill(PORTAL_PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.getByText(`Signed in as ${USERNAME}`).waitFor();
  await page.getByText("Signed in on this device since").waitFor();
  await fitsWidth(page, "portal-home");

  // b. Passkeys › name it › Add a passkey: the virtual authenticator answers.
  await page.getByRole("navigation", { name: "Portal" }).getByRole("link", { name: "Passkeys" }).click();
  await page.getByRole("heading", { name: "Passkeys", level: 1 }).waitFor();
  await page.getByText("No passkeys yet.").waitFor();
  await page.getByLabel("Name").fill("My phone");
  await page.getByRole("button", { name: "Add a passkey" }).click();
  await page.getByText("Passkey added.").waitFor();
  const row = page.getByRole("row", { name: /My phone/ });
  expect(await row.getByRole("cell").nth(2).innerText()).toMatch(/Never/);
  await fitsWidth(page, "portal-passkeys");
  const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
  expect(credentials).toHaveLength(1);
  expect(credentials[0]!.isResidentCredential).toBe(true);
  expect(credentials[0]!.rpId).toBe("localhost");

  // c. Rename or remove: the passkey's own page fits too.
  await page.getByRole("link", { name: "Rename or remove My phone" }).click();
  await page.getByRole("heading", { name: "Passkey", level: 1 }).waitFor();
  await fitsWidth(page, "portal-passkey");
  await page.getByRole("link", { name: "Cancel" }).click();

  // d. Log out, then Sign in with a passkey — by keyboard — and land on Home.
  await page.getByRole("button", { name: "Log out" }).click();
  await page.getByText("You have logged out.").waitFor();
  const passkeyButton = page.getByRole("button", { name: "Sign in with a passkey" });
  await passkeyButton.focus();
  await page.keyboard.press("Enter");
  await page.getByText(`Signed in as ${USERNAME}`).waitFor();
  expect(new URL(page.url()).pathname).toBe("/portal/riverbend");

  // e. Activity: the sign-in with the passkey is the newest Login.
  await page.getByRole("link", { name: "Activity" }).click();
  await page.getByRole("heading", { name: "Client Action Log" }).waitFor();
  const first = page.getByRole("table").locator("tbody tr").first().locator("td");
  expect((await first.allInnerTexts()).slice(0, 2).map((t) => t.replace(/^Action\s*|^Description\s*/, "").trim())).toEqual(["Login", `Patient Portal login by ${USERNAME}`]);

  // f. Meanwhile a laptop signs in with the password.
  const laptop = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, userAgent: WINDOWS_EDGE })).newPage();
  await laptop.goto(PORTAL);
  await laptop.getByLabel("Portal Username").fill(USERNAME);
  await laptop.getByLabel("Password").fill(PORTAL_PASSWORD);
  await laptop.getByRole("button", { name: "Sign in", exact: true }).click();
  await laptop.getByText(`Signed in as ${USERNAME}`).waitFor();

  // g. Devices on the phone: this device, marked, with Log out; the laptop, with End this session.
  await page.getByRole("navigation", { name: "Portal" }).getByRole("link", { name: "Devices" }).click();
  await page.getByRole("heading", { name: "Devices", level: 1 }).waitFor();
  const here = page.getByRole("listitem", { name: /\(this device\)$/ });
  expect(await here.innerText()).toContain("with a passkey");
  await here.getByRole("button", { name: "Log out" }).waitFor();
  const other = page.getByRole("listitem", { name: "Edge on Windows" });
  await other.waitFor();
  await page.getByRole("button", { name: "Log out everywhere" }).waitFor();
  await fitsWidth(page, "portal-devices");

  // h. End the laptop's session: the phone stays, the laptop's next page is the sign-in.
  await other.getByRole("button", { name: "End this session on Edge on Windows" }).click();
  await page.getByText("That session has ended.").waitFor();
  expect(await page.getByRole("listitem").filter({ hasText: "Edge on Windows" }).count()).toBe(0);
  await laptop.reload();
  await laptop.getByText("Your session has ended. Please sign in again.").waitFor();
  await laptop.context().close();

  // i. The passkey's list now says when it was last used.
  await page.getByRole("navigation", { name: "Portal" }).getByRole("link", { name: "Passkeys" }).click();
  expect(await page.getByRole("row", { name: /My phone/ }).getByRole("cell").nth(2).innerText()).not.toMatch(/Never/);
});

it("tells a browser without passkeys that it can't use them, and keeps the password sign-in", async () => {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true });
  await context.addInitScript(() => {
    // As in a browser without WebAuthn.
    delete (window as { PublicKeyCredential?: unknown }).PublicKeyCredential;
  });
  const p = await context.newPage();
  await p.goto(PORTAL);
  await p.getByText("This browser can't use passkeys.").waitFor();
  expect(await p.getByRole("button", { name: "Sign in with a passkey" }).count()).toBe(0);
  await p.getByRole("button", { name: "Sign in", exact: true }).waitFor();
  await fitsWidth(p, "portal-sign-in-no-passkeys");
  await context.close();
});
