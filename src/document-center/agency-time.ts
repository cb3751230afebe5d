/**
 * Times in the agency's own zone: log entries are stored in UTC (epoch ms) and read, filtered and
 * exported as the agency's staff see the clock on the wall.
 */

const displayFormats = new Map<string, Intl.DateTimeFormat>();
const offsetFormats = new Map<string, Intl.DateTimeFormat>();

function cached(map: Map<string, Intl.DateTimeFormat>, timeZone: string, make: () => Intl.DateTimeFormat) {
  let f = map.get(timeZone);
  if (!f) map.set(timeZone, (f = make()));
  return f;
}

/**
 * An instant as the agency reads it, like the seed's "6/16/2022 9:46:48 AM". Built from parts so
 * the separators are plain spaces whatever the ICU version (some put U+202F before AM).
 *
 * @example formatAgencyDateTime(Date.UTC(2022, 5, 16, 13, 46, 48), "America/New_York") // "6/16/2022 9:46:48 AM"
 */
export function formatAgencyDateTime(epochMs: number, timeZone: string): string {
  const f = cached(displayFormats, timeZone, () =>
    new Intl.DateTimeFormat("en-US", {
      timeZone,
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "2-digit",
      second: "2-digit",
      hour12: true,
    }),
  );
  const p = Object.fromEntries(f.formatToParts(new Date(epochMs)).map((x) => [x.type, x.value]));
  return `${p.month}/${p.day}/${p.year} ${p.hour}:${p.minute}:${p.second} ${p.dayPeriod}`;
}

/** How far the zone's wall clock is ahead of UTC at an instant, in ms. */
function zoneOffset(epochMs: number, timeZone: string): number {
  const f = cached(offsetFormats, timeZone, () =>
    new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    }),
  );
  const p = Object.fromEntries(f.formatToParts(new Date(epochMs)).map((x) => [x.type, Number(x.value)]));
  const wall = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  return wall - Math.floor(epochMs / 1000) * 1000;
}

/**
 * The UTC instant at which a calendar day (YYYY-MM-DD) begins in the zone: the bound of an
 * inclusive date range. Takes the offset in force at that moment, so DST days come out right.
 *
 * @example agencyDayStart("2026-03-08", "America/New_York") // Date.UTC(2026, 2, 8, 5) — EST, before the switch
 */
export function agencyDayStart(isoDate: string, timeZone: string): number {
  const [y, m, d] = isoDate.split("-").map(Number) as [number, number, number];
  const midnightUtc = Date.UTC(y, m - 1, d);
  const first = midnightUtc - zoneOffset(midnightUtc, timeZone);
  const second = midnightUtc - zoneOffset(first, timeZone);
  return second;
}

/** The day after a YYYY-MM-DD date, as YYYY-MM-DD. */
export function nextDay(isoDate: string): string {
  const [y, m, d] = isoDate.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

/** Today's date in the zone, as YYYY-MM-DD (for file names). */
export function agencyToday(timeZone: string, now = Date.now()): string {
  return new Date(now + zoneOffset(now, timeZone)).toISOString().slice(0, 10);
}
