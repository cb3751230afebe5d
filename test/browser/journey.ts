/**
 * What the issue-11 journeys (representatives, families, the representative-family journey) do
 * the same way: sign staff in at a width, sign a portal user in, check nothing is wider than the
 * screen, and today's date in the demo agencies' zone.
 */
import type { Browser, Page } from "playwright-core";
import { expect } from "vitest";
import { agencyToday } from "../../src/layout/agency-time";

/** Today (YYYY-MM-DD) in the demo agencies' time zone, America/New_York. */
export const demoToday = () => agencyToday("America/New_York");

/** The date `years` years after `day` (YYYY-MM-DD), same month and day. */
export const yearsAfter = (day: string, years: number) => `${Number(day.slice(0, 4)) + years}${day.slice(4)}`;

/** A new browser context at `width` (a phone below 500 px) signed in as a demo staff member, on the Main Menu. */
export async function staffPage(browser: Browser, base: string, email: string, width = 1280): Promise<Page> {
  const phone = width < 500;
  const page = await (await browser.newContext({ viewport: { width, height: phone ? 740 : 900 }, isMobile: phone, hasTouch: phone })).newPage();
  await page.goto(base + "/");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("demo-password-2026");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.waitForURL(/\/menu$/);
  return page;
}

/** Fills the agency's portal sign-in form on `page` and submits it. */
export async function portalSignIn(page: Page, base: string, username: string, password: string, slug = "riverbend") {
  await page.goto(`${base}/portal/${slug}`);
  await page.getByLabel("Portal Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

/** Nothing on the page is wider than the screen (no sideways scrolling). */
export async function fitsWidth(page: Page) {
  const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  expect(scroll, page.url()).toBeLessThanOrEqual(client);
}
