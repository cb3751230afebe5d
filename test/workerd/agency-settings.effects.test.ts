/**
 * A saved setting takes effect at once — on the very next request, with nothing cached: the time
 * zone changes the times staff read (the Change Log); the temporary-password lifetime changes a new
 * password's expiry, the email's wording and the Portal Login window's hint; the Agency Portal URL
 * origin changes the URL on the Face Sheet and in the email, and counts as set on a deployed host
 * without PORTAL_ORIGIN; Require two-factor sends staff to the second step; the lock thresholds are
 * stored where the portal's sign-in reads its agency.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { effectiveSettings } from "../../src/db/agency-settings";
import { database } from "../../src/db";
import { formatAgencyDateTime } from "../../src/layout/agency-time";
import { findPortalAgency } from "../../src/portal/portal-agency";
import { agencyRow, settingsForm } from "./agency-settings.fixtures";
import { logRows } from "./document-center.helpers";
import { DEMO, DEMO_PASSWORD } from "./fixtures";
import { clientRow, faceSheetForm, STAFF_COOKIE } from "./helpers";
import { loginRow, loginsPath, windowForm } from "./portal-logins.helpers";
import { mailTo, outbox, StaffBrowser } from "./staff-credentials.fixtures";
import { createStaff, passwordStep } from "./two-factor.fixtures";

const HOUR = 3_600_000;
const MARIA_CASE = 1;
const CHANGE_LOG = `/document-center/clients/${DEMO.maria}/cases/${MARIA_CASE}/face-sheet-log`;

let dana: StaffBrowser;

/** Saves the settings form with these changes (from the row as it is now; undefined: unchecked); fails loudly otherwise. */
async function saveSettings(changes: Record<string, string | undefined>) {
  const res = await dana.post("/admin/settings", settingsForm(await agencyRow(DEMO.riverbend), changes));
  expect(res.status, await res.clone().text()).toBe(303);
}

beforeAll(async () => {
  dana = new StaffBrowser();
  expect((await dana.signIn("admin@riverbend.test", DEMO_PASSWORD)).status).toBe(303);
});

describe("the time zone", () => {
  it("changes the times in the Change Log on the next request, also for entries written before", async () => {
    expect((await dana.post(`/face-sheet/${DEMO.maria}`, faceSheetForm(await clientRow(DEMO.maria), { residenceCity: "Troy" }))).status).toBe(303);
    const at = (await logRows(DEMO.maria)).at(-1)!.at;
    const eastern = formatAgencyDateTime(at, "America/New_York");
    const pacific = formatAgencyDateTime(at, "America/Los_Angeles");
    expect(eastern).not.toBe(pacific);
    expect(await (await dana.get(CHANGE_LOG)).text()).toContain(eastern);

    await saveSettings({ timezone: "America/Los_Angeles" });
    const html = await (await dana.get(CHANGE_LOG)).text();
    expect(html).toContain(pacific);
    expect(html).not.toContain(eastern);
  });
});

describe("the temporary-password lifetime", () => {
  it("is 24 hours by default: the window's hint, the stored expiry and the email say so", async () => {
    expect(await (await dana.get(`${loginsPath(DEMO.maria)}/new`)).text()).toContain("expires in 24 hours.");
    const mark = outbox.length;
    const started = Date.now();
    expect((await dana.post(loginsPath(DEMO.maria), windowForm({ username: "lifetime.default", email: "lifetime.default@example.com" }))).status).toBe(303);
    const row = (await loginRow("lifetime.default"))!;
    expect(row.temp_password_expires_at! - started).toBeGreaterThanOrEqual(24 * HOUR);
    expect(row.temp_password_expires_at! - Date.now()).toBeLessThanOrEqual(24 * HOUR);
    expect(mailTo("lifetime.default@example.com", mark)[0]!.text).toContain("It expires in 24 hours.");
  });

  it("set to 6 hours, gives a new login's password 6 hours, and the email and the window say 6", async () => {
    await saveSettings({ tempPasswordHours: "6" });
    expect(await (await dana.get(`${loginsPath(DEMO.maria)}/new`)).text()).toContain("expires in 6 hours.");
    const mark = outbox.length;
    const started = Date.now();
    expect((await dana.post(loginsPath(DEMO.maria), windowForm({ username: "lifetime.six", email: "lifetime.six@example.com" }))).status).toBe(303);
    const row = (await loginRow("lifetime.six"))!;
    expect(row.temp_password_expires_at! - started).toBeGreaterThanOrEqual(6 * HOUR);
    expect(row.temp_password_expires_at! - Date.now()).toBeLessThanOrEqual(6 * HOUR);
    const [mail] = mailTo("lifetime.six@example.com", mark);
    expect(mail!.text).toContain("It expires in 6 hours.");
    expect(mail!.html).toContain("It expires in 6 hours.");
  });

  it("set to 1 hour, gives a reset password 1 hour and says so in the singular; passwords issued before keep their expiry", async () => {
    const earlier = (await loginRow("lifetime.six"))!;
    await saveSettings({ tempPasswordHours: "1" });
    expect((await loginRow("lifetime.six"))!.temp_password_expires_at).toBe(earlier.temp_password_expires_at);
    const mark = outbox.length;
    const started = Date.now();
    const res = await dana.post(`${loginsPath(DEMO.maria)}/${earlier.id}`, windowForm({ email: "lifetime.six@example.com", resetPassword: true }));
    expect(res.status).toBe(303);
    const row = (await loginRow("lifetime.six"))!;
    expect(row.temp_password_expires_at! - started).toBeGreaterThanOrEqual(HOUR);
    expect(row.temp_password_expires_at! - Date.now()).toBeLessThanOrEqual(HOUR);
    expect(mailTo("lifetime.six@example.com", mark)[0]!.text).toContain("It expires in 1 hour.");
  });
});

describe("the Agency Portal URL origin", () => {
  const OWN = "https://care.riverbend.example";
  const DEPLOYED = "https://ehr.example.org";

  it("changes the URL on the Face Sheet and in the welcome email", async () => {
    expect(await (await dana.get(`/face-sheet/${DEMO.maria}`)).text()).toContain('data-copy="http://localhost/portal/riverbend"');
    await saveSettings({ portalOrigin: OWN });
    expect(await (await dana.get(`/face-sheet/${DEMO.maria}`)).text()).toContain(`data-copy="${OWN}/portal/riverbend"`);
    const mark = outbox.length;
    expect((await dana.post(loginsPath(DEMO.maria), windowForm({ username: "origin.own", email: "origin.own@example.com" }))).status).toBe(303);
    expect(mailTo("origin.own@example.com", mark)[0]!.text.split("\n")).toContain(`Agency Portal URL: ${OWN}/portal/riverbend`);
  });

  it("wins over PORTAL_ORIGIN, and counts as set on a deployed host without PORTAL_ORIGIN (never the Host header)", async () => {
    const withVar = new StaffBrowser(undefined, { PORTAL_ORIGIN: "https://portal.example.org" });
    withVar.cookies = dana.cookies;
    expect(await (await withVar.get(`${DEPLOYED}/face-sheet/${DEMO.maria}`)).text()).toContain(`data-copy="${OWN}/portal/riverbend"`);

    const withoutVar = new StaffBrowser(undefined, { PORTAL_ORIGIN: "" });
    withoutVar.cookies = dana.cookies;
    const page = await withoutVar.get(`${DEPLOYED}/face-sheet/${DEMO.maria}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(`data-copy="${OWN}/portal/riverbend"`);
    expect(html).not.toContain(`${DEPLOYED}/portal/`);
  });

  it("emptied, goes back to the default: on a deployed host without PORTAL_ORIGIN, portal links are refused again", async () => {
    await saveSettings({ portalOrigin: "" });
    const withoutVar = new StaffBrowser(undefined, { PORTAL_ORIGIN: "" });
    withoutVar.cookies = dana.cookies;
    const page = await withoutVar.get(`${DEPLOYED}/face-sheet/${DEMO.maria}`);
    expect(page.status).toBe(500);
    expect(await page.text()).toContain("PORTAL_ORIGIN");
    // The settings page itself still opens there, and says why no URL can be made.
    const settings = await withoutVar.get(`${DEPLOYED}/admin/settings`);
    expect(settings.status).toBe(200);
    expect(await settings.text()).toContain("No Agency Portal URL can be made");
  });
});

describe("Require two-factor", () => {
  it("on, sends a member without a second factor to set one up at sign-in; off again, signs them straight in", async () => {
    const member = await createStaff(DEMO.riverbend, "settings-2fa");
    await saveSettings({ requireTwoFactor: "on" });
    const required = await passwordStep(member.email);
    expect(required.res.headers.get("Location")).toBe("/sign-in/two-factor");
    expect(required.b.cookies.has(STAFF_COOKIE)).toBe(false);

    await saveSettings({ requireTwoFactor: undefined });
    expect((await agencyRow(DEMO.riverbend)).require_two_factor).toBe(0);
    const free = await passwordStep(member.email);
    expect(free.res.headers.get("Location")).toBe("/menu");
    expect(free.b.cookies.has(STAFF_COOKIE)).toBe(true);
  });
});

describe("the portal lock thresholds", () => {
  it("are stored where the portal's sign-in reads its agency, and resolved from there", async () => {
    const portalAgency = async () => effectiveSettings(env, (await findPortalAgency(database(env.DB), "riverbend"))!);
    expect(await portalAgency()).toMatchObject({ lockAfterFailures: 10, lockMinutes: 15 });
    await saveSettings({ lockAfterFailures: "5", lockMinutes: "30" });
    expect(await portalAgency()).toMatchObject({ lockAfterFailures: 5, lockMinutes: 30 });
  });
});
