/**
 * The portal as a client meets it, on the demo data: staff add a portal login for Maria Alvarez;
 * she reads the welcome email (where the local send_email binding leaves it), opens the Agency
 * Portal URL on a phone (360 × 740), signs in with the temporary password, chooses her own, sees
 * Login and Reset Password in Activity, logs out, signs in again and sees Logout.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { launchChromium } from "./chromium";
import { latestEmailTo, temporaryPasswordFrom } from "./mailbox";

const base = inject("baseUrl");
const USERNAME = "maria.portal.journey";
const EMAIL = "maria.alvarez@example.com";
const NEW_PASSWORD = "lantern orchard velvet compass";

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

/** The Client Action Log's rows as "Action | Description". */
async function actionLog(page: Page): Promise<string[]> {
  const table = page.getByRole("table");
  await table.waitFor();
  const rows = await table.locator("tbody tr").all();
  return Promise.all(rows.map(async (r) => (await r.locator("td").allInnerTexts()).slice(0, 2).join(" | ")));
}

it("staff add a login for Maria; she signs in on a phone, chooses a password, sees Activity, logs out and back in", async () => {
  // a. Staff, at a desk: sign in and open Maria Alvarez's Face Sheet.
  const desk = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await desk.goto(base + "/");
  await desk.getByLabel("Email").fill("admin@riverbend.test");
  await desk.getByLabel("Password").fill("demo-password-2026");
  await desk.getByRole("button", { name: "Sign in", exact: true }).click();
  await desk.getByRole("region", { name: "Admissions Menu" }).getByRole("link", { name: "Face Sheet" }).click();
  // Search as you type needs htmx, which loads deferred: wait for the page's load event first.
  await desk.waitForURL(/\/face-sheet$/);
  await desk.waitForLoadState("load");
  await desk.getByLabel("Search clients").pressSequentially("alvarez");
  await desk.getByRole("link", { name: "Alvarez, Maria" }).click();

  // b. Add Client Portal Login: username, email from the Current Residence block, Save.
  await desk.getByRole("button", { name: "Add Client Portal Login" }).click();
  const dialog = desk.getByRole("dialog", { name: "Portal Login" });
  await dialog.getByLabel("Portal Username").fill(USERNAME);
  await dialog.getByRole("button", { name: "Populate Email from Current Residence Block" }).click();
  await expect.poll(() => dialog.getByLabel("Portal User Email").inputValue()).toBe(EMAIL);
  const savedAt = new Date();
  await dialog.getByRole("button", { name: "Save", exact: true }).click();
  await desk.getByRole("cell", { name: USERNAME, exact: true }).waitFor();
  const portalUrl = (await desk.getByText(`${base}/portal/riverbend`, { exact: true }).first().textContent())!.trim();
  expect(portalUrl).toBe(`${base}/portal/riverbend`);

  // c. The welcome email (the newest to Maria's address since Save): username and temporary password.
  const mail = await latestEmailTo(EMAIL, { after: savedAt });
  expect(mail.text.split("\n")).toContain(`Username: ${USERNAME}`);
  const temporary = temporaryPasswordFrom(mail.text);

  // d. Maria, on her phone: the Agency Portal URL, sign in with the temporary password.
  const phone = await (await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true })).newPage();
  await phone.goto(portalUrl);
  await phone.getByRole("heading", { name: "Sign in to the Riverbend Behavioral Health Client Portal" }).waitFor();
  await fitsWidth(phone);
  await phone.getByLabel("Portal Username").fill(USERNAME);
  await phone.getByLabel("Password").fill(temporary);
  await phone.getByRole("button", { name: "Sign in", exact: true }).click();

  // e. First sign-in: choose her own password (the rules are on the page).
  await phone.getByRole("heading", { name: "Choose your password" }).waitFor();
  await phone.getByText("At least 15 characters, up to 128.", { exact: false }).waitFor();
  await fitsWidth(phone);
  await phone.getByLabel(/^New password/).fill(NEW_PASSWORD);
  await phone.getByLabel(/^Confirm new password/).fill(NEW_PASSWORD);
  await phone.getByRole("button", { name: "Change password" }).click();
  await phone.getByText("Your password has been changed.").waitFor();
  await phone.getByText(`Signed in as ${USERNAME}`).waitFor();
  // The agency's own __Host- cookie (Secure, Path=/), kept by Chromium over http://127.0.0.1.
  const session = (await phone.context().cookies()).find((c) => c.name === "__Host-portal_session-riverbend");
  expect(session).toMatchObject({ secure: true, path: "/", httpOnly: true });
  expect(await phone.getByText("03/14/1987").count()).toBe(1);
  await fitsWidth(phone);

  // f. Activity: Reset Password, then Login (newest first).
  await phone.getByRole("link", { name: "Activity" }).click();
  await phone.getByRole("heading", { name: "Client Action Log" }).waitFor();
  const first = await actionLog(phone);
  expect(first.slice(0, 2)).toEqual([`Reset Password | Password changed by ${USERNAME}`, `Login | Patient Portal login by ${USERNAME}`]);
  await fitsWidth(phone);

  // g. Log out; the temporary password no longer works; sign in with her own.
  await phone.getByRole("button", { name: "Log out" }).click();
  await phone.getByText("You have logged out.").waitFor();
  await phone.getByLabel("Portal Username").fill(USERNAME);
  await phone.getByLabel("Password").fill(temporary);
  await phone.getByRole("button", { name: "Sign in", exact: true }).click();
  await phone.getByRole("alert").getByText("don't match an active login").waitFor();
  await phone.getByLabel("Password").fill(NEW_PASSWORD);
  await phone.getByRole("button", { name: "Sign in", exact: true }).click();
  await phone.getByText(`Signed in as ${USERNAME}`).waitFor();

  // h. Activity now shows the Logout, between the two sign-ins.
  await phone.getByRole("link", { name: "Activity" }).click();
  const second = await actionLog(phone);
  expect(second.slice(0, 4)).toEqual([
    `Login | Patient Portal login by ${USERNAME}`,
    `Logout | Patient Portal logout by ${USERNAME}`,
    `Reset Password | Password changed by ${USERNAME}`,
    `Login | Patient Portal login by ${USERNAME}`,
  ]);
});
