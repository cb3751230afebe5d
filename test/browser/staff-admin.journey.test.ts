/**
 * Staff administration in Chromium, two people at once: an admin invites a new member (Main Menu ›
 * Administration › Staff › Invite staff); the member opens the emailed link, sets a password and
 * is signed in; they see their session under Sessions; the admin deactivates them, and the
 * member's next click lands at sign-in.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { launchChromium } from "./chromium";
import { latestEmailTo } from "./mailbox";

const base = inject("baseUrl");
const run = Date.now().toString(36);
const email = `noor.${run}@riverbend.test`;
const password = `quiet harbour lantern ${run} maple`;

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

it("an admin invites Noor from the Main Menu; the invitation is emailed", async () => {
  // a. Sign in as the demo admin; Main Menu › Administration › Staff.
  await admin.goto(base + "/sign-in");
  await admin.getByLabel("Email").fill("admin@riverbend.test");
  await admin.getByLabel("Password").fill("demo-password-2026");
  await admin.getByRole("button", { name: "Sign in", exact: true }).click();
  await admin.getByRole("region", { name: "Administration" }).getByRole("link", { name: "Staff" }).click();
  await admin.getByRole("heading", { name: "Staff", level: 1 }).waitFor();

  // b. Invite staff: a bad email first (shown next to the field), then the right one.
  await admin.getByRole("link", { name: "Invite staff" }).click();
  await admin.getByLabel("Name").fill("Noor Haddad");
  await admin.getByLabel("Email").fill("noor at riverbend");
  await admin.getByRole("button", { name: "Send invitation" }).click();
  await admin.locator("#f-email-error").getByText("Enter an email address, like name@example.org.").waitFor();
  expect(await admin.getByLabel("Name").inputValue()).toBe("Noor Haddad");
  await admin.getByLabel("Email").fill(email);
  await admin.getByRole("radio", { name: "Auditor" }).check();
  await admin.getByRole("button", { name: "Send invitation" }).click();

  // c. Noor's page: Invited, the email sent.
  await admin.getByRole("heading", { name: "Noor Haddad" }).waitFor();
  await admin.getByText(`Invitation sent to ${email}.`).waitFor();
  await admin.getByText("Invited", { exact: true }).first().waitFor();
});

it("Noor opens the emailed link, sets a password, is signed in, and sees this session", async () => {
  const mail = await latestEmailTo(email);
  expect(mail.subject).toBe("Set up your Riverbend Behavioral Health staff account");
  const link = /(https?:\/\/\S+\/staff-link\/[A-Za-z0-9_-]+)/.exec(mail.text)![1]!;

  await member.goto(link);
  await member.getByRole("heading", { name: /Set your password/ }).waitFor();
  expect(new URL(member.url()).pathname).toBe("/staff-link");
  await member.getByLabel(/^New password/).fill(password);
  await member.getByLabel("Confirm new password").fill(password);
  await member.getByRole("button", { name: "Set password" }).click();
  await member.getByRole("heading", { name: "Main Menu" }).waitFor();
  await member.getByText("Your password has been set and you are signed in.").waitFor();
  // An auditor has no Administration menu.
  expect(await member.getByRole("region", { name: "Administration" }).count()).toBe(0);

  await member.getByRole("link", { name: "Sessions" }).click();
  await member.getByRole("heading", { name: "Your sessions" }).waitFor();
  await member.getByText("This device").waitFor();
  await member.getByText("Chrome on Linux").waitFor();
});

it("the admin sees Noor Active with a last sign-in, deactivates her, and her next click lands at sign-in", async () => {
  await admin.getByRole("navigation", { name: "Main Menu" }).getByRole("link", { name: "Staff", exact: true }).click();
  const row = admin.getByRole("row", { name: /Noor Haddad/ });
  await row.getByText("Active").waitFor();
  expect(await row.getByText("Never").count()).toBe(0);
  await row.getByRole("link", { name: "Noor Haddad" }).click();
  await admin.getByText("Open sessions").waitFor();
  await admin.getByRole("button", { name: "Deactivate" }).click();
  await admin.getByText("Noor Haddad was deactivated and signed out everywhere.").waitFor();
  await admin.getByRole("button", { name: "Reactivate" }).waitFor();

  // Noor, still on her sessions page, clicks Main Menu.
  await member.getByRole("navigation", { name: "Breadcrumb" }).getByRole("link", { name: "Main Menu" }).click();
  await member.getByRole("heading", { name: "Sign in" }).waitFor();
  expect(new URL(member.url()).pathname).toBe("/sign-in");
  // And can't sign back in.
  await member.getByLabel("Email").fill(email);
  await member.getByLabel("Password").fill(password);
  await member.getByRole("button", { name: "Sign in", exact: true }).click();
  await member.getByText("That email and password don't match an active account.").waitFor();
});
