import { describe, expect, it } from "vitest";
import { agencyDayStart, agencyToday, formatAgencyDateTime, zoneName } from "../../src/layout/agency-time";

// zoneOffset keeps each zone's offset for the UTC minute last asked about: these hold it to the
// answer computed afresh, at a day's edge and between zones asked in turn (DST days: below).
describe("agency time: the zone offset kept for a minute", () => {
  it("today turns at the zone's midnight, not a minute late", () => {
    const midnight = Date.UTC(2026, 10, 30, 5); // 00:00 EST on 30 November
    expect(agencyToday("America/New_York", midnight - 1)).toBe("2026-11-29");
    expect(agencyToday("America/New_York", midnight - 1)).toBe("2026-11-29");
    expect(agencyToday("America/New_York", midnight)).toBe("2026-11-30");
    expect(agencyToday("America/New_York", midnight + 59_999)).toBe("2026-11-30");
  });

  it("each zone keeps its own offset when zones are asked in turn in the same minute", () => {
    const t = Date.UTC(2026, 10, 30, 11, 30);
    for (let i = 0; i < 3; i++) {
      expect(agencyToday("Pacific/Chatham", t)).toBe("2026-12-01"); // UTC+13:45
      expect(agencyToday("Pacific/Honolulu", t)).toBe("2026-11-30"); // UTC−10
      expect(agencyToday("UTC", t)).toBe("2026-11-30");
    }
  });
});

describe("agency time: zone names", () => {
  it("names a zone as people say it, the same each time, and an unknown one by what was given", () => {
    expect(zoneName("America/New_York")).toBe("Eastern Time");
    expect(zoneName("America/New_York")).toBe("Eastern Time");
    expect(zoneName("America/Chicago")).toBe("Central Time");
    expect(zoneName("Not/AZone")).toBe("Not/AZone");
    expect(zoneName("Not/AZone")).toBe("Not/AZone");
  });
});

describe("agency time", () => {
  it("formats like the seed, in the agency's zone", () => {
    expect(formatAgencyDateTime(Date.UTC(2022, 5, 16, 13, 46, 48), "America/New_York")).toBe("6/16/2022 9:46:48 AM");
    expect(formatAgencyDateTime(Date.UTC(2022, 5, 16, 13, 46, 48), "America/Los_Angeles")).toBe("6/16/2022 6:46:48 AM");
    expect(formatAgencyDateTime(Date.UTC(2022, 0, 1, 0, 5, 0), "America/New_York")).toBe("12/31/2021 7:05:00 PM");
  });

  it("starts each day at local midnight, across daylight-saving changes", () => {
    expect(agencyDayStart("2026-06-16", "America/New_York")).toBe(Date.UTC(2026, 5, 16, 4));
    expect(agencyDayStart("2026-12-01", "America/New_York")).toBe(Date.UTC(2026, 11, 1, 5));
    // The day the clocks go forward (2 AM) and back (2 AM) begin at the old offset.
    expect(agencyDayStart("2026-03-08", "America/New_York")).toBe(Date.UTC(2026, 2, 8, 5));
    expect(agencyDayStart("2026-11-01", "America/New_York")).toBe(Date.UTC(2026, 10, 1, 4));
    expect(agencyDayStart("2026-03-09", "America/New_York")).toBe(Date.UTC(2026, 2, 9, 4));
    expect(agencyDayStart("2026-11-02", "America/New_York")).toBe(Date.UTC(2026, 10, 2, 5));
    // Asked again after another day (the offset kept for a minute is the asked instant's, not the last one's).
    expect(agencyDayStart("2026-03-08", "America/New_York")).toBe(Date.UTC(2026, 2, 8, 5));
    expect(agencyDayStart("2026-06-16", "Asia/Kolkata")).toBe(Date.UTC(2026, 5, 15, 18, 30));
  });
});
