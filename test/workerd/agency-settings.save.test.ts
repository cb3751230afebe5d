/**
 * Main Menu > Administration > Agency settings: an admin's Save writes exactly the settings that
 * changed and one Agency Log entry naming each (before → after), in one batch that keeps the log's
 * chain intact; a Save that changes nothing, bad input (each field), a stale form and a lost race
 * write nothing at all; other roles are refused; another agency's settings are never touched.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { verifyAgencyLog } from "../../src/audit/agency-events";
import { database } from "../../src/db";
import { agencyLogRows, lastAgencyEntry, WaitingBrowser } from "./agency-log.fixtures";
import { agencyRow, settingsForm, type AgencyRow } from "./agency-settings.fixtures";
import { Browser, DEMO } from "./fixtures";
import { fieldError, inputValue, isChecked } from "./helpers";

const PAGE = "/admin/settings";

/** The text of the outcome box at the top of the form (alert or notice), tags stripped. */
function outcome(html: string, kind: "error-summary" | "notice"): string | undefined {
  const m = new RegExp(`<div class="${kind}"[^>]*>([\\s\\S]*?)</div>`).exec(html);
  return m?.[1]!.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim().replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, "&");
}

/** Everything a refused or empty Save must leave as it was: the agency's row and its log. */
async function state(agencyId = DEMO.riverbend): Promise<{ row: AgencyRow; entries: number }> {
  return { row: await agencyRow(agencyId), entries: (await agencyLogRows(agencyId)).length };
}

let dana: WaitingBrowser;
let lee: WaitingBrowser;

beforeAll(async () => {
  dana = await WaitingBrowser.staff("admin@riverbend.test");
  lee = await WaitingBrowser.staff("admin@lakeside.test");
});

describe("the Agency settings page", () => {
  it("is on the Main Menu under Administration, for admins only", async () => {
    expect(await (await dana.get("/menu")).text()).toContain('<a href="/admin/settings">Agency settings</a>');
    const sam = await Browser.staff("staff@riverbend.test");
    expect(await (await sam.get("/menu")).text()).not.toContain("/admin/settings");
  });

  it("shows the agency's settings in groups, empty fields standing for the defaults, each hint with its limits", async () => {
    const res = await dana.get(PAGE);
    expect(res.status).toBe(200);
    const html = await res.text();
    for (const group of ["Agency", "Portal", "Sign-in and lockout", "Credentials", "Minors", "Two-factor"]) expect(html).toContain(`<legend>${group}</legend>`);
    expect(inputValue(html, "version")).toBe("1");
    expect(inputValue(html, "tempPasswordHours")).toBe("");
    expect(html).toContain("1 to 24 hours; leave empty for the default (24).");
    expect(html).toContain("3 to 100 failed sign-ins; leave empty for the default (10).");
    expect(html).toContain("1 to 1440 minutes (24 hours); leave empty for the default (15).");
    expect(html).toContain("1 to 168 hours (7 days); leave empty for the default (24).");
    expect(html).toContain("10 to 17 years old; leave empty for the default (12).");
    expect(html).toContain("16 to 21 years old; leave empty for the default (18).");
    expect(html).toContain('<option value="America/New_York" selected="">Eastern — America/New York</option>');
    expect(html).toContain("Agency Portal URL now: <code>http://localhost/portal/riverbend</code>");
    expect(html).toMatch(/<input id="f-defaultCredentialMethod" type="radio" name="defaultCredentialMethod" value="" checked=""/);
    expect(isChecked(html, "requireTwoFactor")).toBe(false);
  });
});

describe("Save", () => {
  it("writes the changed settings and one Agency Log entry naming each change, and the chain stays intact", async () => {
    const before = await state();
    const res = await dana.post(
      PAGE,
      settingsForm(before.row, { timezone: "America/Chicago", lockAfterFailures: " 5 ", portalOrigin: "HTTPS://Care.Riverbend.Example/" }),
      { htmx: true, headers: { "CF-Connecting-IP": "198.51.100.7", "User-Agent": "Settings test" } },
    );
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(outcome(html, "notice")).toContain("Settings saved.");
    expect(outcome(html, "notice")).toContain("Time zone: America/New_York → America/Chicago");
    // The form comes back with the new values and version, ready for the next Save.
    expect(inputValue(html, "version")).toBe(String(before.row.settings_version + 1));
    expect(inputValue(html, "portalOrigin")).toBe("https://care.riverbend.example");
    expect(html).toContain("Agency Portal URL now: <code>https://care.riverbend.example/portal/riverbend</code>");

    const after = await agencyRow(DEMO.riverbend);
    expect(after).toEqual({
      ...before.row,
      timezone: "America/Chicago",
      lock_after_failures: 5,
      portal_origin: "https://care.riverbend.example",
      settings_version: before.row.settings_version + 1,
    });
    const entries = await agencyLogRows(DEMO.riverbend);
    expect(entries).toHaveLength(before.entries + 1);
    expect(entries.at(-1)).toMatchObject({
      actor_type: "staff",
      actor_name: "Dana Whitfield",
      action: "Settings changed",
      description:
        "Agency Portal URL origin: default (none) → https://care.riverbend.example; Time zone: America/New_York → America/Chicago; Lock after (failed sign-ins): default (10) → 5",
      ip_address: "198.51.100.7",
      user_agent: "Settings test",
    });
    expect(JSON.parse(entries.at(-1)!.details)).toEqual({ settings: ["portalOrigin", "timezone", "lockAfterFailures"], version: before.row.settings_version + 1 });
    expect(await verifyAgencyLog(env, database(env.DB), DEMO.riverbend)).toMatchObject({ intact: true });
  });

  it("with every field, stores each setting (and an emptied field goes back to the default)", async () => {
    const before = await state();
    const all = {
      lockMinutes: "30",
      tempPasswordHours: "12",
      inviteLinkHours: "168",
      defaultCredentialMethod: "link",
      minorOwnLoginAge: "14",
      ageOfMajority: "19",
      lockAfterFailures: "",
    };
    expect((await dana.post(PAGE, settingsForm(before.row, all), { htmx: true })).status).toBe(200);
    expect(await agencyRow(DEMO.riverbend)).toMatchObject({
      lock_minutes: 30,
      temp_password_hours: 12,
      invite_link_hours: 168,
      default_credential_method: "link",
      minor_own_login_age: 14,
      age_of_majority: 19,
      lock_after_failures: null,
    });
    expect((await lastAgencyEntry(DEMO.riverbend))!.description).toBe(
      "Lock after (failed sign-ins): 5 → default (10); Lock for (minutes): default (15) → 30; Temporary password lifetime (hours): default (24) → 12; " +
        "Invitation link lifetime (hours): default (24) → 168; Default first credential: default (Emailed temporary password) → Invitation link; " +
        "Minimum age for a minor's own login: default (12) → 14; Age of majority: default (18) → 19",
    );
  });

  it("that changes nothing writes nothing and says so", async () => {
    const before = await state();
    const res = await dana.post(PAGE, settingsForm(before.row), { htmx: true });
    expect(res.status).toBe(200);
    expect(outcome(await res.text(), "notice")).toBe("No changes to save.");
    expect(await state()).toEqual(before);
  });

  it("without JavaScript redirects to the page, which says it was saved", async () => {
    const before = await state();
    const res = await dana.post(PAGE, settingsForm(before.row, { lockMinutes: "45" }));
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/admin/settings?saved");
    const page = await (await dana.get(res.headers.get("Location")!)).text();
    expect(outcome(page, "notice")).toBe("Settings saved. They apply from now on, and the change is in the Agency Log.");
    expect(inputValue(page, "lockMinutes")).toBe("45");
  });
});

describe("bad input", () => {
  it.each([
    ["portalOrigin", "portal.example.org", "Enter the portal's address as https:// and a host name, e.g. https://portal.example.org, or leave it empty for the default."],
    ["portalOrigin", "https://portal.example.org/clients", "Enter only the scheme and host (and port, if any), with no path: e.g. https://portal.example.org."],
    ["portalOrigin", "http://portal.example.org", "Use an https:// address (plain http works only for localhost)."],
    ["portalOrigin", "https://portal\u202E.example.org", "Agency Portal URL origin contains a hidden character (U+202E) that can disguise what it says. Type it again rather than pasting it."],
    ["timezone", "Mars/Olympus_Mons", "Choose a time zone from the list."],
    ["lockAfterFailures", "2", "Enter a number of failed sign-ins from 3 to 100, or leave it empty for the default (10)."],
    ["lockAfterFailures", "101", "Enter a number of failed sign-ins from 3 to 100, or leave it empty for the default (10)."],
    ["lockAfterFailures", "ten", "Enter a number of failed sign-ins from 3 to 100, or leave it empty for the default (10)."],
    ["lockMinutes", "0", "Enter a number of minutes from 1 to 1440 (24 hours), or leave it empty for the default (15)."],
    ["lockMinutes", "1441", "Enter a number of minutes from 1 to 1440 (24 hours), or leave it empty for the default (15)."],
    ["tempPasswordHours", "72", "Enter a number of hours from 1 to 24, or leave it empty for the default (24)."],
    ["tempPasswordHours", "2.5", "Enter a number of hours from 1 to 24, or leave it empty for the default (24)."],
    ["tempPasswordHours", "0", "Enter a number of hours from 1 to 24, or leave it empty for the default (24)."],
    ["inviteLinkHours", "169", "Enter a number of hours from 1 to 168 (7 days), or leave it empty for the default (24)."],
    ["defaultCredentialMethod", "sms", "Choose one of the options."],
    ["minorOwnLoginAge", "9", "Enter an age in years from 10 to 17, or leave it empty for the default (12)."],
    ["ageOfMajority", "22", "Enter an age in years from 16 to 21, or leave it empty for the default (18)."],
  ])("%s = %j: 422 with the message beside the field, what was typed kept, nothing written", async (field, value, message) => {
    const before = await state();
    const other = field === "lockMinutes" ? "inviteLinkHours" : "lockMinutes";
    const res = await dana.post(PAGE, settingsForm(before.row, { [field]: value, [other]: "50" }), { htmx: true });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(fieldError(html, field)).toBe(message);
    expect(outcome(html, "error-summary")).toContain("Nothing was saved. Correct the fields marked below.");
    expect(html).toContain(`href="#f-${field}"`);
    // A valid change typed in the same Save is kept on the form too, and not saved either.
    expect(inputValue(html, other)).toBe("50");
    if (field !== "timezone" && field !== "defaultCredentialMethod") expect(inputValue(html, field)).toBe(value);
    expect(await state()).toEqual(before);
  });

  it("a minor's own-login age at or above the age of majority (defaults counted) is refused beside the minimum age", async () => {
    const before = await state();
    const res = await dana.post(PAGE, settingsForm(before.row, { minorOwnLoginAge: "17", ageOfMajority: "16" }), { htmx: true });
    expect(res.status).toBe(422);
    expect(fieldError(await res.text(), "minorOwnLoginAge")).toBe("The minimum age for a minor's own login (17) must be below the age of majority (16).");
    expect(await state()).toEqual(before);
  });

  it("a form without its version asks for a reload, without JavaScript too", async () => {
    const before = await state();
    const res = await dana.post(PAGE, settingsForm(before.row, { version: undefined, lockMinutes: "20" }));
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(outcome(html, "error-summary")).toContain("Reload the page and try again.");
    expect(html).toContain("<h1>Agency settings");
    expect(await state()).toEqual(before);
  });
});

describe("two admins", () => {
  it("a Save from a form opened before another admin's Save is refused (409), entries kept, nothing written", async () => {
    const opened = await agencyRow(DEMO.riverbend);
    const other = await WaitingBrowser.staff("admin@riverbend.test");
    expect((await other.post(PAGE, settingsForm(opened, { timezone: "America/Denver" }), { htmx: true })).status).toBe(200);
    const before = await state();
    const res = await dana.post(PAGE, settingsForm(opened, { timezone: "America/Los_Angeles", tempPasswordHours: "3" }), { htmx: true });
    expect(res.status).toBe(409);
    const html = await res.text();
    expect(outcome(html, "error-summary")).toContain("Another administrator changed these settings after you opened this page, so nothing was saved.");
    expect(html).toContain('<a href="/admin/settings">Open the current settings</a>');
    expect(inputValue(html, "tempPasswordHours")).toBe("3");
    expect(await state()).toEqual(before);
    expect(before.row.timezone).toBe("America/Denver");
  });

  it("saving at the same moment from the same version: exactly one Save lands, with exactly one entry", async () => {
    const other = await WaitingBrowser.staff("admin@riverbend.test");
    const opened = await agencyRow(DEMO.riverbend);
    const entries = (await agencyLogRows(DEMO.riverbend)).length;
    const [a, b] = await Promise.all([
      dana.post(PAGE, settingsForm(opened, { lockMinutes: "61" }), { htmx: true }),
      other.post(PAGE, settingsForm(opened, { lockMinutes: "63" }), { htmx: true }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const row = await agencyRow(DEMO.riverbend);
    expect(row.settings_version).toBe(opened.settings_version + 1);
    expect([61, 63]).toContain(row.lock_minutes);
    const after = await agencyLogRows(DEMO.riverbend);
    expect(after).toHaveLength(entries + 1);
    expect(after.at(-1)!.description).toBe(`Lock for (minutes): ${opened.lock_minutes} → ${row.lock_minutes}`);
    expect(await verifyAgencyLog(env, database(env.DB), DEMO.riverbend)).toMatchObject({ intact: true });
  });
});

describe("access", () => {
  it.each(["staff@riverbend.test", "auditor@riverbend.test"])("%s gets 403 for the page and for Save, and nothing is written", async (email) => {
    const b = await Browser.staff(email);
    const before = await agencyRow(DEMO.riverbend);
    expect((await b.get(PAGE)).status).toBe(403);
    const res = await b.post(PAGE, settingsForm(before, { timezone: "Europe/London" }));
    expect(res.status).toBe(403);
    expect(await agencyRow(DEMO.riverbend)).toEqual(before);
  });

  it("without a session, the page sends the browser to sign in", async () => {
    const res = await new Browser().get(PAGE);
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe("/sign-in?next=%2Fadmin%2Fsettings");
  });

  it("another agency's admin sees and saves only their own agency's settings", async () => {
    const riverbend = await state(DEMO.riverbend);
    const page = await (await lee.get(PAGE)).text();
    expect(page).toContain("Lakeside Recovery Center is not contracted for the Client Portal");
    expect(inputValue(page, "portalOrigin")).toBe("");
    const lakeside = await agencyRow(DEMO.lakeside);
    const res = await lee.post(PAGE, settingsForm(lakeside, { timezone: "America/Phoenix", portalOrigin: "https://care.lakeside.example" }), { htmx: true });
    expect(res.status).toBe(200);
    expect(await agencyRow(DEMO.lakeside)).toMatchObject({ timezone: "America/Phoenix", portal_origin: "https://care.lakeside.example" });
    expect((await lastAgencyEntry(DEMO.lakeside))!.actor_name).toBe("Lee Harper");
    expect(await state(DEMO.riverbend)).toEqual(riverbend);
    expect(await verifyAgencyLog(env, database(env.DB), DEMO.lakeside)).toMatchObject({ intact: true });
  });
});

describe("a request without the form's fields", () => {
  it("is answered like empty fields: the time zone and the version asked for, nothing written", async () => {
    const before = await state();
    const res = await dana.post(PAGE, {}, { htmx: true });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(fieldError(html, "timezone")).toBe("Choose a time zone from the list.");
    expect(fieldError(html, "lockAfterFailures")).toBeUndefined();
    expect(await state()).toEqual(before);
  });
});
