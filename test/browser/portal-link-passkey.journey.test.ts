/**
 * An invitation finished with a passkey instead of a password, in Chromium on a phone (360 × 740)
 * with Chromium's virtual authenticator (DevTools protocol: a CTAP2 platform authenticator with
 * resident keys and user verification). Staff invite Daniel Kowalski by link (at localhost: a
 * browser refuses an IP address as the passkey's RP ID); on his phone the link asks his date of
 * birth, then he chooses **Create a passkey instead** and lands signed in on Home; he logs out and
 * signs in with the passkey. Every page fits the screen. Set SCREENSHOT_DIR to keep a PNG of each.
 * Daniel Kowalski only: the other journeys use other clients on the same server.
 */
import { join } from "node:path";
import type { Browser, CDPSession, Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { launchChromium } from "./chromium";
import { latestEmailTo } from "./mailbox";
import { localhostUrl } from "./staff-accounts";

const base = localhostUrl(inject("baseUrl"));
const PORTAL = `${base}/portal/riverbend`;
const USERNAME = "daniel.passkey";
const EMAIL = "daniel.passkey@example.net";

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
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

/** A phone with a virtual platform authenticator that verifies its user. */
async function phoneWithAuthenticator(): Promise<{ page: Page; cdp: CDPSession; authenticatorId: string }> {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  return { page, cdp, authenticatorId };
}

/** The portal link in an email's text. */
function linkIn(text: string): string {
  const m = /https?:\/\/\S+\/portal\/riverbend\/link\/[A-Za-z0-9_-]{43}/.exec(text);
  if (!m) throw new Error("no portal link in the email");
  return m[0];
}

it("invitation link → date of birth → Create a passkey → Home; then Log out and Sign in with a passkey", async () => {
  // a. Staff, at a desk: Daniel Kowalski's Face Sheet, Add Client Portal Login, Invitation link.
  const desk = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await desk.goto(base + "/");
  await desk.getByLabel("Email").fill("admin@riverbend.test");
  await desk.getByLabel("Password").fill("demo-password-2026");
  await desk.getByRole("button", { name: "Sign in", exact: true }).click();
  await desk.goto(base + "/face-sheet");
  await desk.waitForLoadState("load");
  await desk.getByLabel("Search clients").pressSequentially("kowalski");
  await desk.getByRole("link", { name: "Kowalski, Daniel" }).click();
  await desk.getByRole("button", { name: "Add Client Portal Login" }).click();
  const dialog = desk.getByRole("dialog", { name: "Portal Login" });
  await dialog.getByLabel("Portal Username").fill(USERNAME);
  await dialog.getByLabel("Invitation link").check();
  await dialog.getByLabel("Portal User Email").fill(EMAIL);
  const savedAt = new Date();
  await dialog.getByRole("button", { name: "Save", exact: true }).click();
  await desk.getByText(`Portal login ${USERNAME} added. Invitation link emailed to ${EMAIL}.`).waitFor();
  const link = linkIn((await latestEmailTo(EMAIL, { after: savedAt })).text);
  expect(new URL(link).hostname).toBe("localhost");

  // b. Daniel, on his phone: the link, his date of birth.
  const { page, cdp, authenticatorId } = await phoneWithAuthenticator();
  await page.goto(link);
  expect(page.url()).toBe(`${PORTAL}/link`);
  await page.getByLabel("Month").fill("01");
  await page.getByLabel("Day").fill("30");
  await page.getByLabel("Year").fill("1968");
  await page.getByRole("button", { name: "Continue" }).click();

  // c. Step 2 offers a passkey instead of a password; the pointer at the top leads to it.
  await page.getByText("Step 2 of 2: choose a password or a passkey").waitFor();
  await fitsWidth(page, "portal-link-choose");
  await page.getByRole("link", { name: "Create a passkey instead" }).click();
  const choice = page.getByRole("region", { name: "Create a passkey instead" });
  await choice.getByLabel("Passkey name").fill("My phone");
  await choice.getByRole("button", { name: "Create a passkey", exact: true }).click();

  // d. Home, signed in; the passkey is on the authenticator, for this portal's host.
  await page.getByText("Welcome. Your passkey is set").waitFor();
  await page.getByText(`Signed in as ${USERNAME}`).waitFor();
  await fitsWidth(page, "portal-link-passkey-home");
  const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
  expect(credentials).toHaveLength(1);
  expect(credentials[0]!.isResidentCredential).toBe(true);
  expect(credentials[0]!.rpId).toBe("localhost");

  // e. The link is spent.
  const other = await (await browser.newContext({ viewport: { width: 360, height: 740 } })).newPage();
  await other.goto(link);
  await other.getByRole("heading", { name: "This link can't be used" }).waitFor();
  await other.context().close();

  // f. Log out, then Sign in with a passkey: Home again.
  await page.getByRole("button", { name: "Log out" }).click();
  await page.getByText("You have logged out.").waitFor();
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await page.getByText(`Signed in as ${USERNAME}`).waitFor();
  expect(new URL(page.url()).pathname).toBe("/portal/riverbend");

  // g. No password to change: Set a password, without a current one.
  await page.getByRole("navigation", { name: "Portal" }).getByRole("link", { name: "Change password" }).click();
  await page.getByRole("heading", { name: "Set a password", level: 1 }).waitFor();
  expect(await page.getByLabel(/^Current password/).count()).toBe(0);
  await fitsWidth(page, "portal-set-password");

  // h. Staff see him Active, with a passkey and no password.
  await desk.reload();
  const row = desk.getByRole("region", { name: "Client Portal" }).getByRole("row").filter({ hasText: USERNAME });
  await row.getByText("Passkey chosen by the user (no password)").waitFor();
  await row.getByText("Passkeys: 1").waitFor();
});
