import { describe, expect, it } from "vitest";
import { agencyDayStart, agencyToday, zoneName } from "../../src/layout/agency-time";

// zoneOffset keeps each zone's offset for the UTC minute last asked about: these hold it to the
// answer computed afresh, at a day's edge, across DST switches and between zones asked in turn.
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

  it("days that begin either side of a DST switch start at the offset then in force", () => {
    expect(agencyDayStart("2026-03-08", "America/New_York")).toBe(Date.UTC(2026, 2, 8, 5));
    expect(agencyDayStart("2026-03-09", "America/New_York")).toBe(Date.UTC(2026, 2, 9, 4));
    expect(agencyDayStart("2026-03-08", "America/New_York")).toBe(Date.UTC(2026, 2, 8, 5));
    expect(agencyDayStart("2026-11-01", "America/New_York")).toBe(Date.UTC(2026, 10, 1, 4));
    expect(agencyDayStart("2026-11-02", "America/New_York")).toBe(Date.UTC(2026, 10, 2, 5));
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
