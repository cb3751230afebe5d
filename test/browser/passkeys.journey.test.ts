/**
 * Passkeys in Chromium with its virtual authenticator (DevTools protocol: a CTAP2 platform
 * authenticator with resident keys and user verification): add a passkey from the Main Menu,
 * sign out, sign in with the passkey alone; then use it as the second step after the password.
 */
import type { Browser, CDPSession, Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { launchChromium } from "./chromium";
import { createStaffMember, localhostUrl } from "./staff-accounts";

const base = localhostUrl(inject("baseUrl"));
const EMAIL = "passkey.journey@riverbend.test";
const PASSWORD = "demo-password-2026";

let browser: Browser;
let page: Page;
let cdp: CDPSession;
let authenticatorId: string;
beforeAll(async () => {
  createStaffMember(inject("persistTo"), EMAIL, "Pat Journey");
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
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

it("adds a passkey, signs out, and signs in with the passkey alone", async () => {
  // a. Sign in with the password; Main Menu › Your Account › Passkeys.
  await page.goto(base + "/sign-in");
  await page.getByLabel("Email").fill(EMAIL);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.getByRole("region", { name: "Your Account" }).getByRole("link", { name: "Passkeys" }).click();
  await page.getByRole("heading", { name: "Passkeys", level: 1 }).waitFor();
  await page.getByText("No passkeys yet.").waitFor();

  // b. Name it and add it: the virtual authenticator answers.
  await page.getByLabel("Name").fill("Test laptop");
  await page.getByRole("button", { name: "Add a passkey" }).click();
  await page.getByText("Passkey added.").waitFor();
  const row = page.getByRole("row", { name: /Test laptop/ });
  expect(await row.getByRole("cell").nth(2).innerText()).toBe("Never");
  const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
  expect(credentials).toHaveLength(1);
  expect(credentials[0]!.isResidentCredential).toBe(true);

  // c. Sign out, then Sign in with a passkey: no email, no password.
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByText("You have signed out.").waitFor();
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await page.getByRole("heading", { name: "Main Menu" }).waitFor();

  // d. The list now shows when it was last used.
  await page.goto(base + "/account/passkeys");
  expect(await page.getByRole("row", { name: /Test laptop/ }).getByRole("cell").nth(2).innerText()).not.toBe("Never");
});

it("asks for the passkey as the second step after the password", async () => {
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByLabel("Email").fill(EMAIL);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.getByRole("heading", { name: "Two-factor sign-in" }).waitFor();
  await page.getByRole("button", { name: "Use a passkey" }).click();
  await page.getByRole("heading", { name: "Main Menu" }).waitFor();
});
