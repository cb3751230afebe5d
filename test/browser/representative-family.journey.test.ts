/**
 * Issue 11's closing journey, entirely through the UI, on the demo data: the Brooks siblings —
 * Dylan (15, an open case in Adolescent Substance Use, marked 42 CFR Part 2) and Ava (12).
 *
 * 1. Staff (1280 px) add a parent's login from Dylan's Face Sheet with its representative record
 *    (parent of a minor, from today, no end date) and, in the same window and Save, the consent
 *    (every §2.31 element; the purpose left out first: the message next to it, nothing saved).
 *    The temporary password comes through the local mailbox.
 * 2. Staff link the same login to Ava with "Link an existing login" and its own record.
 * 3. The parent, on a phone (360 px), signs in, chooses a password, answers "Whose information?"
 *    with Dylan, switches to Ava from the header and back.
 * 4. Staff revoke Dylan's consent; the Change Log shows it.
 * 5. The parent's next click lands on "Whose information?" saying that access to Dylan's
 *    information has ended; Ava is still there to choose.
 *
 * With SCREENSHOTS=1 the steps are saved under docs/screenshots/issue11/.
 */
import { mkdirSync } from "node:fs";
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { expectNoAxeViolations } from "./axe";
import { launchChromium } from "./chromium";
import { demoToday, fitsWidth, portalSignIn, staffPage, yearsAfter } from "./journey";
import { latestEmailTo, temporaryPasswordFrom } from "./mailbox";

const base = inject("baseUrl");
const DYLAN = { id: 18, full: "Dylan Brooks", short: "Dylan B." };
const AVA = { id: 19, full: "Ava Brooks", short: "Ava B." };
const USERNAME = "jordan.brooks";
const EMAIL = "jordan.brooks@example.com";
const NEW_PASSWORD = "orchard-kite-lantern-2026";
const SHOTS = "docs/screenshots/issue11";

let browser: Browser;
let desk: Page;
let phone: Page;
/** The temporary password the welcome email brought. */
let temporary: string;
beforeAll(async () => {
  if (process.env.SCREENSHOTS === "1") mkdirSync(SHOTS, { recursive: true });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/**
 * Saves the page as docs/screenshots/issue11/<name>.png when SCREENSHOTS=1: the whole page, or —
 * for the Portal Login window, which scrolls inside itself — the screen with `part` scrolled into view.
 */
async function shot(page: Page, name: string, part?: Locator) {
  if (process.env.SCREENSHOTS !== "1") return;
  const path = `${SHOTS}/${name}.png`;
  if (part) {
    await part.evaluate((e) => e.scrollIntoView({ block: "start" }));
    await page.screenshot({ path });
  } else await page.screenshot({ path, fullPage: true });
}

/** Main Menu › Face Sheet, search by last name, open the client. */
async function openFaceSheet(page: Page, client: { full: string }) {
  await page.goto(`${base}/menu`);
  await page.getByRole("link", { name: "Face Sheet", exact: true }).first().click();
  await page.getByLabel("Search clients").fill("Brooks");
  await page.getByLabel("Search clients").press("Enter");
  const [first, last] = client.full.split(" ");
  await page.getByRole("link", { name: `${last}, ${first}` }).click();
  await page.getByRole("heading", { name: "Client Portal" }).waitFor();
  await page.waitForLoadState("load");
}

it("staff add a parent's login for Dylan (15, Part 2) with its record and consent; the table shows it", async () => {
  desk = await staffPage(browser, base, "staff@riverbend.test", 1280);
  await openFaceSheet(desk, DYLAN);
  const section = desk.getByRole("region", { name: "Client Portal" });
  await section.getByRole("button", { name: "Add Client Portal Login" }).click();
  const dialog = desk.getByRole("dialog", { name: "Portal Login" });
  await dialog.waitFor();
  await dialog.getByLabel("Portal Username").fill(USERNAME);
  await dialog.getByLabel("Representative", { exact: true }).check();
  await dialog.getByLabel("Full name").fill("Jordan Brooks");
  await dialog.getByRole("combobox", { name: /^Relationship/ }).selectOption("parent");
  await dialog.getByLabel("Legal basis").selectOption("parent-of-minor");
  await dialog.getByLabel("Start date").fill(demoToday());
  await dialog.getByLabel("Portal User Email").fill(EMAIL);
  await dialog.getByText("access ends on Dylan's 18th birthday (06/14/2029)").first().waitFor();

  // The consent, in the same window: Dylan has an open case in a Part 2 programme.
  const consent = dialog.getByRole("group", { name: "42 CFR Part 2 consent" });
  expect(await consent.getByLabel("Client's name").inputValue()).toBe("Dylan Brooks");
  await consent.getByLabel("Recipient").fill("Jordan Brooks");
  await consent.getByLabel("How much and what kind of information").fill("Appointments, attendance and treatment progress; no counselling notes");
  await consent.getByLabel("Expiry date").fill(yearsAfter(demoToday(), 1));
  await consent.getByLabel("Signature date").fill(demoToday());
  await consent.getByLabel("The form states the client's right to revoke this consent").check();
  await expectNoAxeViolations(desk, "the Portal Login window with the consent section open");
  // The purpose left out: the message next to it, nothing saved, everything typed kept.
  await dialog.getByRole("button", { name: "Save", exact: true }).click();
  await dialog.locator("#f-purpose-error").getByText("Enter the purpose of the disclosure, as on the form.").waitFor();
  expect(await dialog.getByLabel("Full name").inputValue()).toBe("Jordan Brooks");
  expect(await consent.getByLabel("Recipient").inputValue()).toBe("Jordan Brooks");
  await shot(desk, "1-staff-add-window-consent-1280", consent);
  await consent.getByLabel("Purpose of the disclosure").fill("So Dylan's parent can follow his treatment");
  const saved = new Date();
  await dialog.getByRole("button", { name: "Save", exact: true }).click();
  await section.getByText(`Portal login ${USERNAME} added.`, { exact: false }).waitFor();
  temporary = temporaryPasswordFrom((await latestEmailTo(EMAIL, { after: new Date(saved.getTime() - 1000) })).text);

  // Edit shows the consent in force, with Revoke consent.
  await section.getByRole("button", { name: `Edit portal login ${USERNAME}` }).click();
  const inForce = dialog.getByRole("region", { name: "42 CFR Part 2 consent" });
  await inForce.getByText("Consent in force").waitFor();
  await expectNoAxeViolations(desk, "the Portal Login window with a consent in force");
  await shot(desk, "2-staff-consent-in-force-1280", inForce);
  await dialog.getByRole("link", { name: "Cancel" }).click();

  // The table: the login, active, with its record.
  const row = section.getByRole("row").filter({ has: desk.getByRole("cell", { name: USERNAME, exact: true }) });
  const list = await row.getByRole("cell").allInnerTexts();
  expect(list[2], "Active").toBe("Yes");
  const cells = list.join(" | ");
  expect(cells).toContain("Jordan Brooks");
  expect(cells).toContain("Parent · Parent of a minor");
  expect(cells).toContain("ends 06/14/2029 (18th birthday)");
  await section.scrollIntoViewIfNeeded();
  await shot(desk, "3-staff-table-1280", section);
});

it("staff link the same login to Ava (12) with her own record", async () => {
  await openFaceSheet(desk, AVA);
  await desk.getByRole("link", { name: "Link an existing login" }).click();
  await desk.getByLabel("Portal Username or email").fill("jordan.b");
  await desk.getByRole("button", { name: "Find" }).click();
  await desk.getByText("Created for Dylan B.").waitFor();
  await desk.getByRole("link", { name: `Choose ${USERNAME}` }).click();
  await desk.getByLabel("Full name").fill("Jordan Brooks");
  await desk.getByRole("combobox", { name: "Relationship" }).selectOption("parent");
  await desk.getByLabel("Legal basis").selectOption("parent-of-minor");
  await shot(desk, "4-staff-link-ava-1280");
  await desk.getByRole("button", { name: "Link login" }).click();
  await desk.waitForURL(new RegExp(`/face-sheet/${AVA.id}`));
  const row = desk.getByRole("row").filter({ has: desk.getByRole("cell", { name: USERNAME, exact: true }) });
  await row.getByText("Linked", { exact: true }).waitFor();
});

it("the parent signs in on a phone, chooses a password, answers Whose information? and switches between the two", async () => {
  phone = await (await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true })).newPage();
  await portalSignIn(phone, base, USERNAME, temporary);
  await phone.getByRole("heading", { name: "Choose your password" }).waitFor();
  await fitsWidth(phone);
  await phone.getByLabel(/^New password/).fill(NEW_PASSWORD);
  await phone.getByLabel(/^Confirm new password/).fill(NEW_PASSWORD);
  await phone.getByRole("button", { name: "Change password" }).click();

  await phone.getByRole("heading", { name: "Whose information?" }).waitFor();
  await fitsWidth(phone);
  await shot(phone, "5-portal-whose-360");
  await phone.getByRole("button", { name: DYLAN.short }).click();
  await phone.getByText(`Representative for ${DYLAN.full}`).waitFor();
  await fitsWidth(phone);
  await shot(phone, "6-portal-home-dylan-360");

  const switcher = phone.getByLabel("Whose information");
  await switcher.selectOption({ label: AVA.short });
  await phone.getByRole("button", { name: "Switch" }).click();
  await phone.getByText(`Representative for ${AVA.full}`).waitFor();
  expect(await phone.getByText(DYLAN.full).count()).toBe(0);
  await phone.getByRole("link", { name: "Activity" }).click();
  await phone.getByRole("cell", { name: `Patient Portal login by ${USERNAME} (representative: parent)` }).first().waitFor();
  await fitsWidth(phone);

  await phone.getByLabel("Whose information").selectOption({ label: DYLAN.short });
  await phone.getByRole("button", { name: "Switch" }).click();
  await phone.waitForURL(/\/portal\/riverbend\/activity$/);
  await expect.poll(() => phone.getByLabel("Whose information").inputValue()).toBe(String(DYLAN.id));
  await phone.getByRole("link", { name: "Home" }).click();
  await phone.getByText(`Representative for ${DYLAN.full}`).waitFor();
});

it("staff revoke Dylan's consent; it is in the Change Log", async () => {
  await openFaceSheet(desk, DYLAN);
  await desk.getByRole("button", { name: `Edit portal login ${USERNAME}` }).click();
  const dialog = desk.getByRole("dialog", { name: "Portal Login" });
  const consent = dialog.getByRole("region", { name: "42 CFR Part 2 consent" });
  desk.once("dialog", (d) => void d.accept());
  await consent.getByRole("button", { name: "Revoke consent" }).click();
  await consent.getByText("Consent revoked. Jordan Brooks can no longer see this client's records; their login still reaches the other clients it is linked to.").waitFor();
  await shot(desk, "7-staff-consent-revoked-1280", consent);
  await dialog.getByRole("link", { name: "Cancel" }).click();

  await desk.getByRole("link", { name: "Face Sheet Change Log" }).click();
  await desk.getByText(/42 CFR Part 2 consent revoked: Jordan Brooks \(portal login jordan\.brooks\)/).first().waitFor();
});

it("the parent's next click ends at Whose information?, saying Dylan's access has ended; Ava is still there", async () => {
  await phone.getByRole("link", { name: "Activity" }).click();
  await phone.getByRole("heading", { name: "Whose information?" }).waitFor();
  const alert = phone.getByRole("alert");
  expect(await alert.innerText()).toBe("Your access to Dylan's information has ended. Contact Riverbend Behavioral Health if you think this is a mistake.");
  expect(await phone.getByRole("button", { name: DYLAN.short }).count()).toBe(0);
  await fitsWidth(phone);
  await expectNoAxeViolations(phone, "Whose information? after Dylan's access ended");
  await shot(phone, "8-portal-access-ended-360");

  await phone.getByRole("button", { name: AVA.short }).click();
  await phone.getByText(`Representative for ${AVA.full}`).waitFor();
  await phone.getByRole("link", { name: "Activity" }).click();
  await phone.getByRole("cell", { name: `Patient Portal login by ${USERNAME} (representative: parent)` }).first().waitFor();
  expect(new URL(phone.url()).pathname).toBe("/portal/riverbend/activity");
  await fitsWidth(phone);
  await shot(phone, "9-portal-activity-ava-360");
});
