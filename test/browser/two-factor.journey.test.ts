/**
 * Two-factor sign-in in Chromium, as a staff member meets it: set up an authenticator app from
 * the Main Menu (the code is computed here from the key the page shows, as the app would), sign
 * out, and sign in again with the password and a fresh code.
 */
import { generateHOTP } from "@oslojs/otp";
import { decodeBase32IgnorePadding } from "@oslojs/encoding";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { launchChromium } from "./chromium";
import { createStaffMember, localhostUrl } from "./staff-accounts";

const base = localhostUrl(inject("baseUrl"));
const EMAIL = "totp.journey@riverbend.test";
const PASSWORD = "demo-password-2026";

let browser: Browser;
let page: Page;
beforeAll(async () => {
  createStaffMember(inject("persistTo"), EMAIL, "Tess Journey");
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
});
afterAll(async () => {
  await browser?.close();
});

/** The code an authenticator app shows `offset` steps from now. */
const codeFor = (key: Uint8Array, offset = 0) => generateHOTP(key, BigInt(Math.floor(Date.now() / 30_000) + offset), 6);

async function signInWithPassword() {
  await page.goto(base + "/sign-in");
  await page.getByLabel("Email").fill(EMAIL);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

it("sets up an authenticator app, then signs in with the password and a code", async () => {
  // a. Sign in (no second factor yet) and open Two-factor sign-in from the Main Menu.
  await signInWithPassword();
  await page.getByRole("heading", { name: "Main Menu" }).waitFor();
  await page.getByRole("region", { name: "Your Account" }).getByRole("link", { name: "Two-factor sign-in" }).click();
  await page.getByRole("heading", { name: "Two-factor sign-in", level: 1 }).waitFor();

  // b. Set up: the QR code is there; read the key as a person would type it.
  await page.getByRole("button", { name: "Set up authenticator app" }).click();
  await page.getByRole("heading", { name: "Set up authenticator app" }).waitFor();
  expect(await page.getByRole("img", { name: /QR code/ }).isVisible()).toBe(true);
  const typed = await page.getByText(/^[A-Z2-7]{4}( [A-Z2-7]{4}){7}$/).innerText();
  const key = decodeBase32IgnorePadding(typed.replace(/\s/g, ""));

  // c. A wrong code first: the message is next to the field.
  const right = codeFor(key);
  await page.getByLabel("6-digit code").fill(right === "000000" ? "111111" : "000000");
  await page.getByRole("button", { name: "Turn on" }).click();
  await page.getByText("That code isn't right.").waitFor();

  // d. The right code turns it on and shows ten recovery codes.
  await page.getByLabel("6-digit code").fill(codeFor(key));
  await page.getByRole("button", { name: "Turn on" }).click();
  await page.getByRole("heading", { name: /save your recovery codes/ }).waitFor();
  expect(await page.getByRole("list", { name: "10 recovery codes" }).getByRole("listitem").count()).toBe(10);
  await page.getByRole("link", { name: /I've saved them/ }).click();
  await page.getByText("On", { exact: true }).waitFor();

  // e. Sign out; signing in now asks for a code after the password.
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByText("You have signed out.").waitFor();
  await signInWithPassword();
  await page.getByRole("heading", { name: "Two-factor sign-in" }).waitFor();
  // The code used to turn it on is spent; the next step's code (the app a little ahead) works.
  await page.getByLabel("Code from your authenticator app").fill(codeFor(key, 1));
  await page.getByRole("button", { name: "Verify" }).click();
  await page.getByRole("heading", { name: "Main Menu" }).waitFor();
  expect(new URL(page.url()).pathname).toBe("/menu");
});
