/**
 * Security notices and the staff view, in Chromium on a phone-sized screen (360 px), on the demo
 * data (Sofia Rossi): staff add a login; Sofia signs in with the emailed temporary password and
 * chooses her own — the "password was set" notice arrives, without a link or a secret; staff see
 * how the login was given and its state in the row, open its Email history, change the address —
 * a notice to the old and the new address — and Resend the notice to the old one; a Resend of the
 * welcome email asks first (it would replace the password Sofia chose). Nothing is wider than the
 * screen, and nothing breaks the Content-Security-Policy.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { launchChromium } from "./chromium";
import { latestEmailTo, sentEmails, temporaryPasswordFrom } from "./mailbox";

const base = inject("baseUrl");
const SOFIA = 7; // Sofia Rossi, Riverbend (scripts/demo-data.ts)
const USERNAME = "sofia.rossi.notices";
const EMAIL = "sofia.rossi@example.com";
const NEW_EMAIL = "sofia.elsewhere@example.com";
const PASSWORD = "harbour lantern quietly folding maps";

let browser: Browser;
let desk: Page;
const cspViolations: string[] = [];

beforeAll(async () => {
  browser = await launchChromium();
  desk = await (await browser.newContext({ viewport: { width: 360, height: 800 }, isMobile: true, hasTouch: true })).newPage();
  desk.on("console", (m) => {
    if (m.text().includes("Content Security Policy")) cspViolations.push(m.text());
  });
  await desk.goto(base + "/");
  await desk.getByLabel("Email").fill("admin@riverbend.test");
  await desk.getByLabel("Password").fill("demo-password-2026");
  await desk.getByRole("button", { name: "Sign in", exact: true }).click();
  await desk.waitForURL(/\/menu$/);
});
afterAll(async () => {
  await browser?.close();
});

const section = () => desk.getByRole("region", { name: "Client Portal" });
const dialog = () => desk.getByRole("dialog", { name: "Portal Login" });
// The login's own row is the one with its Edit link (the row under it holds its Email history).
const loginRow = () => section().getByRole("row").filter({ has: desk.getByRole("button", { name: `Edit portal login ${USERNAME}` }) });
// Sofia has one login: its Email history is the section's only one.
const history = () => section().locator("tr.email-history-row");

/** Nothing on the page is wider than the screen (no sideways scrolling). */
async function fitsWidth(page: Page) {
  const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  expect(scroll, page.url()).toBeLessThanOrEqual(client);
}

/** The cell under a column, as the stacked table shows it. */
const cell = (label: string) => loginRow().locator(`td[data-label="${label}"]`);

it("staff add a login; Sofia chooses her password; the notice reaches her without a link or a secret", async () => {
  await desk.goto(`${base}/face-sheet/${SOFIA}`);
  await desk.waitForLoadState("load");
  await section().getByRole("button", { name: "Add Client Portal Login" }).click();
  await dialog().getByLabel("Portal Username").fill(USERNAME);
  await dialog().getByLabel("Portal User Email").fill(EMAIL);
  const savedAt = new Date();
  await dialog().getByRole("button", { name: "Save", exact: true }).click();
  await dialog().waitFor({ state: "detached" });
  expect(await cell("Credential").innerText()).toMatch(/^Temporary password\nSent .+\nExpires .+\nPasskeys: 0$/);
  const temporary = temporaryPasswordFrom((await latestEmailTo(EMAIL, { after: savedAt })).text);

  const phone = await (await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true })).newPage();
  await phone.goto(`${base}/portal/riverbend`);
  await phone.getByLabel("Portal Username").fill(USERNAME);
  await phone.getByLabel("Password").fill(temporary);
  await phone.getByRole("button", { name: "Sign in", exact: true }).click();
  await phone.getByRole("heading", { name: "Choose your password" }).waitFor();
  await phone.getByLabel(/^New password/).fill(PASSWORD);
  await phone.getByLabel(/^Confirm new password/).fill(PASSWORD);
  const changedAt = new Date();
  await phone.getByRole("button", { name: "Change password" }).click();
  await phone.getByText("Your password has been changed.").waitFor();

  const notice = await latestEmailTo(EMAIL, { after: changedAt });
  expect(notice.subject).toBe("Your Riverbend Behavioral Health Client Portal password was set");
  expect(notice.text).toContain(`login ${USERNAME} on `);
  expect(notice.text).toContain("If you didn't do this");
  expect(notice.text + notice.html).not.toMatch(/https?:|href=/);
  expect(notice.text + notice.html).not.toContain(PASSWORD);
  expect(notice.text + notice.html).not.toContain(temporary);
});

it("staff see the password chosen and the Email history, at 360 px", async () => {
  await desk.reload();
  await desk.waitForLoadState("load");
  expect(await cell("Credential").innerText()).toBe("Own password\nPassword chosen by the user\nPasskeys: 0");
  await section().getByText("Email history (2)").click();
  const items = history().getByRole("listitem");
  await expect.poll(() => items.count()).toBe(2);
  expect(await items.nth(0).innerText()).toMatch(/Notice: password changed\s+to sofia\.rossi@example\.com\s+Sent/);
  expect(await items.nth(1).innerText()).toMatch(/Welcome \(temporary password\)\s+to sofia\.rossi@example\.com\s+Sent/);
  await fitsWidth(desk);
});

it("a new address: notices to the old and the new one; Resend of the old one's notice keeps the history open on it", async () => {
  await loginRow().getByRole("button", { name: `Edit portal login ${USERNAME}` }).click();
  await dialog().waitFor();
  // The window shows the same state above the form.
  await dialog().getByText("Password chosen by the user").waitFor();
  await fitsWidth(desk);
  await dialog().getByLabel("Portal User Email").fill(NEW_EMAIL);
  const savedAt = new Date();
  await dialog().getByRole("button", { name: "Save", exact: true }).click();
  await section().getByText(`Portal login ${USERNAME} saved. Changes: Email: ${EMAIL} → ${NEW_EMAIL}.`).waitFor();
  expect((await latestEmailTo(EMAIL, { after: savedAt })).subject).toBe("The email address of your Riverbend Behavioral Health Client Portal login was changed");
  expect((await latestEmailTo(NEW_EMAIL, { after: savedAt })).subject).toBe("This is now the email address of a Riverbend Behavioral Health Client Portal login");

  await section().getByText("Email history (4)").click();
  const resendAt = new Date();
  await history().getByRole("button", { name: `Resend Notice: email address changed to ${EMAIL}` }).click();
  await section().getByText(`The notice “Notice: email address changed” was sent again to ${EMAIL}.`).waitFor();
  expect((await latestEmailTo(EMAIL, { after: resendAt })).subject).toBe("The email address of your Riverbend Behavioral Health Client Portal login was changed");
  // The history stayed open, with the resend on top.
  await expect.poll(() => history().getByRole("listitem").first().innerText()).toMatch(/Notice: email address changed \(sent again\)\s+to sofia\.rossi@example\.com\s+Sent/);
  await fitsWidth(desk);
});

it("a Resend that would replace the password Sofia chose asks first; dismissed, nothing is sent", async () => {
  const asked: string[] = [];
  desk.once("dialog", (d) => {
    asked.push(d.message());
    void d.dismiss();
  });
  const before = await history().getByRole("listitem").count();
  await history().getByRole("button", { name: `Resend Welcome (temporary password) to ${EMAIL}` }).click();
  await expect.poll(() => asked).toEqual([`${USERNAME} has chosen their own password. Replace it with a new temporary password, sent to ${NEW_EMAIL}?`]);
  expect(await history().getByRole("listitem").count()).toBe(before);

  desk.once("dialog", (d) => void d.accept());
  const resendAt = new Date();
  await history().getByRole("button", { name: `Resend Welcome (temporary password) to ${EMAIL}` }).click();
  await section().getByText(`A new temporary password for ${USERNAME} was emailed to ${NEW_EMAIL}. The earlier temporary password no longer works.`).waitFor();
  // The new temporary password, and the notice that it replaced hers, both to the current address.
  await latestEmailTo(NEW_EMAIL, { after: resendAt });
  await expect
    .poll(() => sentEmails().filter((m) => m.sentAt >= resendAt && m.to.includes(NEW_EMAIL)).map((m) => m.subject).sort())
    .toEqual(["Your Riverbend Behavioral Health Client Portal login", "Your Riverbend Behavioral Health Client Portal password was reset"]);
  expect(await cell("Credential").innerText()).toMatch(/^Temporary password\nSent .+\nExpires .+\nPasskeys: 0$/);
});

it("ran under the Content-Security-Policy without a violation", () => {
  expect(cspViolations).toEqual([]);
});
