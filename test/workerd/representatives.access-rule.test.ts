/**
 * The access rule (src/representatives/access.ts) as a pure function: every denial in its order,
 * the end date as the first day without access, the majority birthday (18th by default, leap-day
 * births), and "today" taken in the agency's time zone — 23:30 in Los Angeles is already the next
 * day in UTC, and the rule must follow Los Angeles.
 */
import { describe, expect, it } from "vitest";
import { ageOn, birthdayAt, portalAccess, representationEnd, type AccessFacts } from "../../src/representatives/access";
import { accessNow } from "../../src/representatives/facts";
import { agencyToday } from "../../src/layout/agency-time";

const SETTINGS = { minorOwnLoginAge: 12, ageOfMajority: 18 };
const rep = (over: Partial<NonNullable<AccessFacts["representation"]>> = {}, facts: Partial<AccessFacts> = {}): AccessFacts => ({
  login: { active: true, blockedAt: null, representative: true },
  clientDateOfBirth: "2010-06-15",
  representation: { legalBasis: "client-authorisation", startDate: "2026-01-01", endDate: "2026-12-01", guardianship: false, endedAt: null, ...over },
  ...facts,
});

describe("access rule: representative's period", () => {
  it("holds from the start date through the day before the end date, and not on the end date", () => {
    expect(portalAccess(rep(), "2025-12-31", SETTINGS)).toEqual({ ok: false, reason: "not-started" });
    expect(portalAccess(rep(), "2026-01-01", SETTINGS)).toEqual({ ok: true });
    expect(portalAccess(rep(), "2026-11-30", SETTINGS)).toEqual({ ok: true });
    expect(portalAccess(rep(), "2026-12-01", SETTINGS)).toEqual({ ok: false, reason: "end-date" });
  });

  it("denies in a fixed order: inactive, blocked, no record, ended by staff", () => {
    expect(portalAccess(rep({}, { login: { active: false, blockedAt: 1, representative: true } }), "2026-06-01", SETTINGS)).toEqual({ ok: false, reason: "inactive" });
    expect(portalAccess(rep({}, { login: { active: true, blockedAt: 1, representative: true } }), "2026-06-01", SETTINGS)).toEqual({ ok: false, reason: "blocked" });
    expect(portalAccess(rep({}, { representation: null }), "2026-06-01", SETTINGS)).toEqual({ ok: false, reason: "no-record" });
    expect(portalAccess(rep({ endedAt: 5 }), "2026-06-01", SETTINGS)).toEqual({ ok: false, reason: "ended" });
  });

  it("leaves the Part 2 verdict to the consent: false denies, null or absent doesn't", () => {
    expect(portalAccess(rep({}, { part2ConsentHolds: false }), "2026-06-01", SETTINGS)).toEqual({ ok: false, reason: "part2-consent" });
    expect(portalAccess(rep({}, { part2ConsentHolds: null }), "2026-06-01", SETTINGS)).toEqual({ ok: true });
  });
});

describe("access rule: minors and the age of majority", () => {
  const parent = (dob: string, guardianship = false, endDate: string | null = null) =>
    rep({ legalBasis: "parent-of-minor", endDate, guardianship, startDate: "2020-01-01" }, { clientDateOfBirth: dob });

  it("ends a parent's access on the 18th birthday, not the day before", () => {
    expect(portalAccess(parent("2008-12-01"), "2026-11-30", SETTINGS)).toEqual({ ok: true });
    expect(portalAccess(parent("2008-12-01"), "2026-12-01", SETTINGS)).toEqual({ ok: false, reason: "majority" });
  });

  it("keeps a parent's access past majority when a court-ordered guardianship is recorded", () => {
    expect(portalAccess(parent("2008-12-01", true), "2030-01-01", SETTINGS)).toEqual({ ok: true });
    expect(portalAccess(parent("2008-12-01", true, "2031-01-01"), "2031-01-01", SETTINGS)).toEqual({ ok: false, reason: "end-date" });
  });

  it("takes the earlier of an end date and the majority birthday", () => {
    expect(representationEnd({ legalBasis: "parent-of-minor", endDate: "2026-06-01", guardianship: false }, "2008-12-01", 18)).toEqual({ date: "2026-06-01", reason: "end-date" });
    expect(representationEnd({ legalBasis: "parent-of-minor", endDate: "2027-06-01", guardianship: false }, "2008-12-01", 18)).toEqual({ date: "2026-12-01", reason: "majority" });
  });

  it("follows the agency's age of majority (21)", () => {
    expect(portalAccess(parent("2008-12-01"), "2026-12-01", { ...SETTINGS, ageOfMajority: 21 })).toEqual({ ok: true });
    expect(portalAccess(parent("2008-12-01"), "2029-12-01", { ...SETTINGS, ageOfMajority: 21 })).toEqual({ ok: false, reason: "majority" });
  });

  it("a leap-day birth comes of age on 1 March in a common year, on 29 February in a leap year", () => {
    expect(birthdayAt("2008-02-29", 18)).toBe("2026-03-01");
    expect(birthdayAt("2010-02-29".replace("2010", "2012"), 16)).toBe("2028-02-29");
    expect(portalAccess(parent("2008-02-29"), "2026-02-28", SETTINGS)).toEqual({ ok: true });
    expect(portalAccess(parent("2008-02-29"), "2026-03-01", SETTINGS)).toEqual({ ok: false, reason: "majority" });
    expect(ageOn("2008-02-29", "2026-02-28")).toBe(17);
    expect(ageOn("2008-02-29", "2026-03-01")).toBe(18);
  });

  it("a client's own login: none under the minimum age, and it keeps working at majority", () => {
    const own = (dob: string): AccessFacts => ({ login: { active: true, blockedAt: null, representative: false }, clientDateOfBirth: dob, representation: null });
    expect(portalAccess(own("2015-06-15"), "2027-06-14", SETTINGS)).toEqual({ ok: false, reason: "under-age" });
    expect(portalAccess(own("2015-06-15"), "2027-06-15", SETTINGS)).toEqual({ ok: true });
    expect(portalAccess(own("2008-12-01"), "2026-12-01", SETTINGS)).toEqual({ ok: true });
  });
});

describe("access rule: today in the agency's time zone", () => {
  // 2026-12-01 07:30 UTC is 2026-11-30 23:30 in Los Angeles (PST, UTC-8).
  const lateEvening = Date.UTC(2026, 11, 1, 7, 30);

  it("at 23:30 in Los Angeles the UTC date is already the end date, but access still holds", () => {
    expect(agencyToday("America/Los_Angeles", lateEvening)).toBe("2026-11-30");
    expect(agencyToday("UTC", lateEvening)).toBe("2026-12-01");
    const agency = { timezone: "America/Los_Angeles", minorOwnLoginAge: null, ageOfMajority: null };
    expect(accessNow({}, agency, rep(), lateEvening)).toEqual({ ok: true });
    // Thirty-one minutes later it is the end date in Los Angeles too.
    expect(accessNow({}, agency, rep(), lateEvening + 31 * 60_000)).toEqual({ ok: false, reason: "end-date" });
  });

  it("an agency in UTC has already ended the same access at that instant", () => {
    expect(accessNow({}, { timezone: "UTC", minorOwnLoginAge: null, ageOfMajority: null }, rep(), lateEvening)).toEqual({ ok: false, reason: "end-date" });
  });

  it("the 18th birthday begins at local midnight in the agency's zone", () => {
    const parent = rep({ legalBasis: "parent-of-minor", endDate: null, startDate: "2020-01-01" }, { clientDateOfBirth: "2008-12-01" });
    const la = { timezone: "America/Los_Angeles", minorOwnLoginAge: null, ageOfMajority: null };
    expect(accessNow({}, la, parent, lateEvening)).toEqual({ ok: true });
    expect(accessNow({}, la, parent, Date.UTC(2026, 11, 1, 8, 0))).toEqual({ ok: false, reason: "majority" });
  });

  it("uses the deployment's default age of majority (PORTAL_AGE_OF_MAJORITY) when the agency sets none", () => {
    const parent = rep({ legalBasis: "parent-of-minor", endDate: null, startDate: "2020-01-01" }, { clientDateOfBirth: "2008-12-01" });
    expect(accessNow({ PORTAL_AGE_OF_MAJORITY: "19" }, { timezone: "UTC", minorOwnLoginAge: null, ageOfMajority: null }, parent, Date.UTC(2026, 11, 2))).toEqual({ ok: true });
  });
});
