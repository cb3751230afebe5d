/**
 * Portal links in Chromium, on the demo data, with the client on a phone (360 × 740):
 *
 * 1. Staff add a login for Priya Natarajan with *Invitation link*; the email (where the local
 *    send_email binding leaves it) carries the link; on her phone the link asks her date of birth
 *    (one wrong try first), then a password, and she lands signed in on Home; the Face Sheet shows
 *    her Active.
 * 2. Forgot password? on the phone: her username, the email's link, the date of birth, a new
 *    password; she logs out and signs in with it.
 *
 * Every portal page is checked for sideways scrolling. With SCREENSHOTS_DIR set, each is saved
 * there as a PNG (for the README and for looking at them).
 */
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { launchChromium } from "./chromium";
import { latestEmailTo } from "./mailbox";

const base = inject("baseUrl");
const USERNAME = "priya.invited";
const EMAIL = "priya.n@example.com";
const FIRST_PASSWORD = "harbor lantern juniper violet";
const SECOND_PASSWORD = "meadow copper thistle orbit";

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** Nothing on the page is wider than the phone's screen (no sideways scrolling). */
async function fitsWidth(page: Page) {
  const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  expect(scroll, page.url()).toBeLessThanOrEqual(client);
}

async function shot(page: Page, name: string) {
  const dir = process.env.SCREENSHOTS_DIR;
  if (dir) await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}

const phone = async () => (await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true })).newPage();

/** The portal link in an email's text. */
function linkIn(text: string): string {
  const m = /https?:\/\/\S+\/portal\/riverbend\/link\/[A-Za-z0-9_-]{43}/.exec(text);
  if (!m) throw new Error("no portal link in the email");
  return m[0];
}

/** Step 1 and 2 of a link on the phone: the date of birth (after `wrongFirst`, if given), then the password. */
async function completeLink(page: Page, link: string, password: string, opts: { name: string; wrongFirst?: boolean }) {
  await page.goto(link);
  // The secret left the address bar at once.
  expect(page.url()).toBe(`${base}/portal/riverbend/link`);
  await page.getByText("Step 1 of 2: confirm it's you").waitFor();
  await fitsWidth(page);
  await shot(page, `${opts.name}-date-of-birth`);
  const dob = async (month: string, day: string, year: string) => {
    await page.getByLabel("Month").fill(month);
    await page.getByLabel("Day").fill(day);
    await page.getByLabel("Year").fill(year);
    await page.getByRole("button", { name: "Continue" }).click();
  };
  if (opts.wrongFirst) {
    await dob("06", "22", "1992");
    await page.getByText("That date of birth doesn't match our records.").waitFor();
    await fitsWidth(page);
    await shot(page, `${opts.name}-date-of-birth-wrong`);
  }
  await dob("06", "21", "1992");
  await page.getByText("Step 2 of 2: choose a password").waitFor();
  await page.getByText(`Your Portal Username is ${USERNAME}.`).waitFor();
  await fitsWidth(page);
  await shot(page, `${opts.name}-choose-password`);
  await page.getByLabel(/^New password/).fill(password);
  await page.getByLabel(/^Confirm new password/).fill(password);
  await page.getByRole("button", { name: /and sign in$/ }).click();
}

it("staff invite Priya by link; on her phone she confirms her date of birth, chooses a password and lands on Home", async () => {
  // a. Staff, at a desk: Priya Natarajan's Face Sheet, Add Client Portal Login, Invitation link.
  const desk = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await desk.goto(base + "/");
  await desk.getByLabel("Email").fill("admin@riverbend.test");
  await desk.getByLabel("Password").fill("demo-password-2026");
  await desk.getByRole("button", { name: "Sign in", exact: true }).click();
  await desk.goto(base + "/face-sheet");
  await desk.waitForLoadState("load");
  await desk.getByLabel("Search clients").pressSequentially("natarajan");
  await desk.getByRole("link", { name: "Natarajan, Priya" }).click();
  await desk.getByRole("button", { name: "Add Client Portal Login" }).click();
  const dialog = desk.getByRole("dialog", { name: "Portal Login" });
  await dialog.getByLabel("Portal Username").fill(USERNAME);
  expect(await dialog.getByLabel("Temporary password").isChecked()).toBe(true);
  await dialog.getByLabel("Invitation link").check();
  await dialog.getByRole("button", { name: "Populate Email from Current Residence Block" }).click();
  await expect.poll(() => dialog.getByLabel("Portal User Email").inputValue()).toBe(EMAIL);
  expect(await dialog.getByLabel("Invitation link").isChecked()).toBe(true);
  await shot(desk, "portal-login-window-invitation");
  const savedAt = new Date();
  await dialog.getByRole("button", { name: "Save", exact: true }).click();
  await desk.getByText(`Portal login ${USERNAME} added. Invitation link emailed to ${EMAIL}.`).waitFor();
  const row = desk.getByRole("region", { name: "Client Portal" }).getByRole("row").filter({ hasText: USERNAME });
  await row.getByText(/Link sent .+, expires .+/).waitFor();
  await row.getByRole("button", { name: `Resend invitation to ${USERNAME}` }).waitFor();
  await shot(desk, "client-portal-section-invited");
  // The same section on a phone-sized window: staff may check it away from a desk too.
  await desk.setViewportSize({ width: 360, height: 740 });
  await fitsWidth(desk);
  if (process.env.SCREENSHOTS_DIR) await row.screenshot({ path: join(process.env.SCREENSHOTS_DIR, "client-portal-row-invited-360.png") });
  await desk.setViewportSize({ width: 1280, height: 900 });

  // b. The invitation email: a link, her username, no password.
  const mail = await latestEmailTo(EMAIL, { after: savedAt });
  expect(mail.subject).toBe("Your Riverbend Behavioral Health Client Portal invitation");
  expect(mail.text).not.toContain("Temporary password");
  const link = linkIn(mail.text);

  // c. Priya, on her phone: the link, her date of birth (one slip first), a password, Home.
  const page = await phone();
  await completeLink(page, link, FIRST_PASSWORD, { name: "portal-invitation", wrongFirst: true });
  await page.getByText("Welcome. Your password is set").waitFor();
  await page.getByText(`Signed in as ${USERNAME}`).waitFor();
  await fitsWidth(page);
  await shot(page, "portal-invitation-home");

  // d. The link is spent: opened again, the one clear page.
  await page.goto(link);
  await page.getByRole("heading", { name: "This link can't be used" }).waitFor();
  await fitsWidth(page);
  await shot(page, "portal-link-unusable");

  // e. Staff see her login in use (the status beside the seed's Active column reads "In use").
  await desk.reload();
  await row.getByText("In use", { exact: true }).first().waitFor();
});

it("Forgot password? on a phone: the email's link, the date of birth, a new password; then she signs in with it", async () => {
  const page = await phone();
  await page.goto(`${base}/portal/riverbend`);
  await fitsWidth(page);
  await shot(page, "portal-sign-in");
  await page.getByRole("link", { name: "Forgot password?" }).click();
  await page.getByRole("heading", { name: /Forgot your password\?/ }).waitFor();
  await fitsWidth(page);
  await shot(page, "portal-forgot-password");
  await page.getByLabel("Portal Username or email").fill(USERNAME);
  const askedAt = new Date();
  await page.getByRole("button", { name: "Email me a link" }).click();
  await page.getByText(`If an account matches “${USERNAME}”, we sent a link`).waitFor();
  await fitsWidth(page);
  await shot(page, "portal-forgot-password-sent");

  const mail = await latestEmailTo(EMAIL, { after: askedAt });
  expect(mail.subject).toBe("Reset your Riverbend Behavioral Health Client Portal password");
  await completeLink(page, linkIn(mail.text), SECOND_PASSWORD, { name: "portal-reset" });
  await page.getByText("Your password has been changed.").waitFor();
  await page.getByText(`Signed in as ${USERNAME}`).waitFor();

  // Activity: the reset, in the seed's words.
  await page.getByRole("link", { name: "Activity" }).click();
  await page.getByRole("cell", { name: `Password changed by ${USERNAME}` }).first().waitFor();

  // Log out; the old password no longer works, the new one does.
  await page.getByRole("button", { name: "Log out" }).click();
  await page.getByText("You have logged out.").waitFor();
  await page.getByLabel("Portal Username").fill(USERNAME);
  await page.getByLabel("Password").fill(FIRST_PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.getByRole("alert").getByText("don't match an active login").waitFor();
  await page.getByLabel("Password").fill(SECOND_PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.getByText(`Signed in as ${USERNAME}`).waitFor();
  await fitsWidth(page);
});
