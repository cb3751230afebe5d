/**
 * effectiveSettings: an agency's stored setting wins; where it has none (null), the Worker var is
 * the default; a var that is unset or not a number gives the built-in default; and nothing — var
 * or row — gets past a setting's limits (e.g. 24 hours for an emailed temporary password).
 * diffSettings: the Agency Log's wording of a Save.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { diffSettings } from "../../src/agency-settings/changes";
import type { StoredSettings } from "../../src/agency-settings/form";
import { effectiveSettings, settingDefaults } from "../../src/db/agency-settings";
import { UNSET_SETTINGS } from "./agency-settings.fixtures";

describe("the deployment's defaults", () => {
  it("come from wrangler.toml's vars", () => {
    expect(settingDefaults(env)).toEqual({
      portalOrigin: null,
      lockAfterFailures: 10,
      lockMinutes: 15,
      tempPasswordHours: 24,
      inviteLinkHours: 24,
      defaultCredentialMethod: "password",
      minorOwnLoginAge: 12,
      ageOfMajority: 18,
    });
  });

  it("fall back to the built-in values when a var is unset or not a whole number", () => {
    expect(settingDefaults({})).toMatchObject({ lockAfterFailures: 10, lockMinutes: 15, tempPasswordHours: 24, inviteLinkHours: 24, defaultCredentialMethod: "password" });
    expect(settingDefaults({ PORTAL_LOCK_MINUTES: "ten", PORTAL_TEMP_PASSWORD_HOURS: "2.5", PORTAL_DEFAULT_CREDENTIAL_METHOD: "sms" })).toMatchObject({
      lockMinutes: 15,
      tempPasswordHours: 24,
      defaultCredentialMethod: "password",
    });
  });

  it("are held within the limits: a 72-hour var still gives 24 hours, 1000 failures gives 100", () => {
    expect(settingDefaults({ PORTAL_TEMP_PASSWORD_HOURS: "72", PORTAL_LOCK_AFTER_FAILURES: "1000", PORTAL_INVITE_LINK_HOURS: "0" })).toMatchObject({
      tempPasswordHours: 24,
      lockAfterFailures: 100,
      inviteLinkHours: 1,
    });
  });
});

describe("an agency's settings in force", () => {
  it("are the defaults where the agency has set nothing", () => {
    expect(effectiveSettings({ ...env, PORTAL_ORIGIN: "https://portal.example.org" }, UNSET_SETTINGS)).toEqual({
      portalOrigin: "https://portal.example.org",
      timezone: "America/New_York",
      lockAfterFailures: 10,
      lockMinutes: 15,
      tempPasswordHours: 24,
      inviteLinkHours: 24,
      requireTwoFactor: false,
      defaultCredentialMethod: "password",
      minorOwnLoginAge: 12,
      ageOfMajority: 18,
    });
  });

  it("are the agency's own where it has set them", () => {
    const own = {
      timezone: "America/Chicago",
      requireTwoFactor: true,
      portalOrigin: "https://care.riverbend.example",
      lockAfterFailures: 5,
      lockMinutes: 60,
      tempPasswordHours: 6,
      inviteLinkHours: 168,
      defaultCredentialMethod: "link" as const,
      minorOwnLoginAge: 14,
      ageOfMajority: 19,
    };
    expect(effectiveSettings({ ...env, PORTAL_ORIGIN: "https://portal.example.org" }, own)).toEqual(own);
  });

  it("hold a row edited by hand within the limits", () => {
    expect(effectiveSettings(env, { ...UNSET_SETTINGS, tempPasswordHours: 72, lockAfterFailures: 1 })).toMatchObject({ tempPasswordHours: 24, lockAfterFailures: 3 });
  });
});

describe("the Agency Log's wording of a Save", () => {
  const before: StoredSettings = { ...UNSET_SETTINGS };
  const defaults = settingDefaults(env);

  it("names each changed setting, before → after, a default shown as such", () => {
    const after: StoredSettings = { ...before, timezone: "America/Chicago", lockAfterFailures: 5, requireTwoFactor: true, defaultCredentialMethod: "link" };
    expect(diffSettings(before, after, defaults).map((c) => c.line)).toEqual([
      "Time zone: America/New_York → America/Chicago",
      "Lock after (failed sign-ins): default (10) → 5",
      "Default first credential: default (Emailed temporary password) → Invitation link",
      "Require two-factor for staff: No → Yes",
    ]);
    expect(diffSettings(after, before, defaults).map((c) => c.line)[1]).toBe("Lock after (failed sign-ins): 5 → default (10)");
  });

  it("says a default origin that isn't set is none", () => {
    const changes = diffSettings(before, { ...before, portalOrigin: "https://care.riverbend.example" }, defaults);
    expect(changes).toEqual([{ key: "portalOrigin", line: "Agency Portal URL origin: default (none) → https://care.riverbend.example" }]);
  });

  it("is empty when nothing changed", () => {
    expect(diffSettings(before, { ...before }, defaults)).toEqual([]);
  });
});
