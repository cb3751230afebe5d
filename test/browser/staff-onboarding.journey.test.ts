/**
 * A new staff member's first day, end to end in Chromium: an admin invites them (Main Menu ›
 * Administration › Staff › Invite staff); they open the emailed link, set a password, set up an
 * authenticator app (the code is computed here from the key the page shows, as the app would),
 * sign out, and sign in again with the password and a code.
 */
import { decodeBase32IgnorePadding } from "@oslojs/encoding";
import { generateHOTP } from "@oslojs/otp";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { launchChromium } from "./chromium";
import { latestEmailTo } from "./mailbox";
import { localhostUrl } from "./staff-accounts";

const base = localhostUrl(inject("baseUrl"));
const run = Date.now().toString(36);
const email = `ines.${run}@riverbend.test`;
const password = `copper meadow violin ${run} harbor`;

let browser: Browser;
let admin: Page;
let member: Page;

beforeAll(async () => {
  browser = await launchChromium();
  admin = await (await browser.newContext()).newPage();
  member = await (await browser.newContext()).newPage();
});
afterAll(async () => {
  await browser?.close();
});

/** The code an authenticator app shows `offset` steps from now. */
const codeFor = (key: Uint8Array, offset = 0) => generateHOTP(key, BigInt(Math.floor(Date.now() / 30_000) + offset), 6);

async function signIn(page: Page, who: string, secret: string) {
  await page.goto(base + "/sign-in");
  await page.getByLabel("Email").fill(who);
  await page.getByLabel("Password").fill(secret);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

it("invite → set password → set up an authenticator app → sign in with a code", async () => {
  // a. The admin invites Ines as Staff.
  await signIn(admin, "admin@riverbend.test", "demo-password-2026");
  await admin.getByRole("region", { name: "Administration" }).getByRole("link", { name: "Staff" }).click();
  await admin.getByRole("link", { name: "Invite staff" }).click();
  await admin.getByLabel("Name").fill("Ines Moreau");
  await admin.getByLabel("Email").fill(email);
  await admin.getByRole("radio", { name: "Staff" }).check();
  await admin.getByRole("button", { name: "Send invitation" }).click();
  await admin.getByText(`Invitation sent to ${email}.`).waitFor();

  // b. Ines opens the emailed link and sets her password: she is signed in.
  const mail = await latestEmailTo(email);
  const link = /(https?:\/\/\S+\/staff-link\/[A-Za-z0-9_-]+)/.exec(mail.text)![1]!;
  await member.goto(link);
  await member.getByLabel(/^New password/).fill(password);
  await member.getByLabel("Confirm new password").fill(password);
  await member.getByRole("button", { name: "Set password" }).click();
  await member.getByRole("heading", { name: "Main Menu" }).waitFor();

  // c. She sets up an authenticator app from the Main Menu.
  await member.getByRole("region", { name: "Your Account" }).getByRole("link", { name: "Two-factor sign-in" }).click();
  await member.getByRole("button", { name: "Set up authenticator app" }).click();
  const typed = await member.getByText(/^[A-Z2-7]{4}( [A-Z2-7]{4}){7}$/).innerText();
  const key = decodeBase32IgnorePadding(typed.replace(/\s/g, ""));
  await member.getByLabel("6-digit code").fill(codeFor(key));
  await member.getByRole("button", { name: "Turn on" }).click();
  await member.getByRole("heading", { name: /save your recovery codes/ }).waitFor();
  await member.getByRole("link", { name: /I've saved them/ }).click();

  // d. Signed out, she signs in with her password and then a code.
  await member.getByRole("button", { name: "Sign out" }).click();
  await member.getByText("You have signed out.").waitFor();
  await signIn(member, email, password);
  await member.getByRole("heading", { name: "Two-factor sign-in" }).waitFor();
  await member.getByLabel("Code from your authenticator app").fill(codeFor(key, 1));
  await member.getByRole("button", { name: "Verify" }).click();
  await member.getByRole("heading", { name: "Main Menu" }).waitFor();
  expect(new URL(member.url()).pathname).toBe("/menu");

  // e. The admin's staff list shows her Active with two-factor on.
  await admin.getByRole("navigation", { name: "Main Menu" }).getByRole("link", { name: "Staff", exact: true }).click();
  const row = admin.getByRole("row", { name: /Ines Moreau/ });
  await row.getByText("Active").waitFor();
  await row.getByText("On", { exact: true }).waitFor();
});
