import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { launchChromium } from "./chromium";

const base = inject("baseUrl");
let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launchChromium();
  page = await (await browser.newContext()).newPage();
});
afterAll(async () => {
  await browser?.close();
});

it("staff sign in, find a client, edit the Current Residence phone and see it saved", async () => {
  // a. Sign in.
  await page.goto(base + "/");
  await page.getByLabel("Email").fill("staff@riverbend.test");
  await page.getByLabel("Password").fill("demo-password-2026");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Main Menu" })).toBeDefined();
  // The session cookie is __Host- prefixed (Secure, Path=/): Chromium keeps it on http://127.0.0.1.
  const session = (await page.context().cookies()).find((c) => c.name === "__Host-staff_session");
  expect(session).toMatchObject({ secure: true, path: "/", httpOnly: true });

  // b. Main Menu > Admissions Menu > Face Sheet.
  await page.getByRole("region", { name: "Admissions Menu" }).getByRole("link", { name: "Face Sheet" }).click();
  await page.getByRole("heading", { name: "Face Sheet" }).waitFor();
  await page.waitForLoadState("load"); // htmx is loaded, so typing searches as you type

  // c. Search as you type; open the Face Sheet.
  await page.getByLabel("Search clients").pressSequentially("okaf");
  await page.getByRole("link", { name: "Okafor, James" }).click();
  await page.getByRole("heading", { name: /Face Sheet/ }).waitFor();

  // d. Edit, change the phone, Update.
  await page.getByRole("link", { name: "Edit", exact: true }).click();
  await page.getByLabel("Phone").fill("518-555-0100");
  await page.getByRole("button", { name: "Update" }).click();
  await page.getByText("Face Sheet updated.").waitFor();
  expect(await page.getByText("(518) 555-0100").count()).toBe(1);

  // e. Still there after a reload.
  await page.reload();
  expect(await page.getByText("(518) 555-0100").count()).toBe(1);
});

it("shows a bad ZIP next to the field and keeps what was typed", async () => {
  await page.getByRole("link", { name: "Edit", exact: true }).click();
  await page.getByLabel("City").fill("Cohoes");
  await page.getByLabel("ZIP").fill("1220");
  await page.getByRole("button", { name: "Update" }).click();
  await page.locator("#f-residenceZip-error").getByText(/Enter a 5-digit ZIP code/).waitFor();
  expect(await page.getByLabel("City").inputValue()).toBe("Cohoes");
  await page.getByRole("link", { name: "Cancel" }).click();
  await page.getByRole("link", { name: "Edit", exact: true }).waitFor();
  expect(await page.getByText("Cohoes").count()).toBe(0);
});
