/**
 * Times in the agency's own zone: everything is stored in UTC (epoch ms) and read, filtered and
 * exported as the agency's staff and clients see the clock on the wall. One place for every
 * format, so the staff app and the portal never disagree about a time.
 */

const displayFormats = new Map<string, Intl.DateTimeFormat>();
const actionLogFormats = new Map<string, Intl.DateTimeFormat>();
const offsetFormats = new Map<string, Intl.DateTimeFormat>();

// A zone the runtime doesn't know falls back to UTC rather than failing the page.
function cached(map: Map<string, Intl.DateTimeFormat>, timeZone: string, make: (zone: string) => Intl.DateTimeFormat) {
  let f = map.get(timeZone);
  if (!f) {
    try {
      f = make(timeZone);
    } catch {
      f = make("UTC");
    }
    map.set(timeZone, f);
  }
  return f;
}

const partsOf = (f: Intl.DateTimeFormat, epochMs: number) =>
  Object.fromEntries(f.formatToParts(new Date(epochMs)).map((x) => [x.type, x.value])) as Record<string, string>;

/**
 * An instant as the agency reads it, like the seed's "6/16/2022 9:46:48 AM". Built from parts so
 * the separators are plain spaces whatever the ICU version (some put U+202F before AM).
 *
 * @example formatAgencyDateTime(Date.UTC(2022, 5, 16, 13, 46, 48), "America/New_York") // "6/16/2022 9:46:48 AM"
 */
export function formatAgencyDateTime(epochMs: number, timeZone: string): string {
  const f = cached(displayFormats, timeZone, (zone) =>
    new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "2-digit",
      second: "2-digit",
      hour12: true,
    }),
  );
  const p = partsOf(f, epochMs);
  return `${p.month}/${p.day}/${p.year} ${p.hour}:${p.minute}:${p.second} ${p.dayPeriod}`;
}

/**
 * An instant as the portal's Client Action Log shows it, like the seed's "06/16/2022 09:47:16 AM".
 *
 * @example formatActionLogTime(Date.UTC(2022, 5, 16, 13, 47, 16), "America/New_York") // "06/16/2022 09:47:16 AM"
 */
export function formatActionLogTime(epochMs: number, timeZone: string): string {
  const f = cached(actionLogFormats, timeZone, (zone) =>
    new Intl.DateTimeFormat("en-US", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: true }),
  );
  const p = partsOf(f, epochMs);
  return `${p.month}/${p.day}/${p.year} ${p.hour}:${p.minute}:${p.second} ${(p.dayPeriod ?? "").toUpperCase()}`;
}

const zoneAbbreviations = new Map<string, Intl.DateTimeFormat>();

/**
 * The same instant with its zone's short name, for times read away from the agency's context
 * (Last login): "6/16/2022 9:46:48 AM EDT". Zones without an English abbreviation say "GMT+2".
 *
 * @example formatAgencyDateTimeWithZone(Date.UTC(2022, 5, 16, 13, 46, 48), "America/New_York") // "6/16/2022 9:46:48 AM EDT"
 */
export function formatAgencyDateTimeWithZone(epochMs: number, timeZone: string): string {
  const f = cached(zoneAbbreviations, timeZone, (zone) => new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "short" }));
  const zone = partsOf(f, epochMs).timeZoneName ?? "UTC";
  return `${formatAgencyDateTime(epochMs, timeZone)} ${zone}`;
}

/** A time zone as people say it ("Eastern Time"), or its IANA name when that isn't known. */
export function zoneName(timeZone: string): string {
  let name = zoneNames.get(timeZone);
  if (name === undefined) {
    try {
      const part = new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "longGeneric" }).formatToParts(0).find((p) => p.type === "timeZoneName");
      name = part?.value ?? timeZone;
    } catch {
      name = timeZone;
    }
    zoneNames.set(timeZone, name);
  }
  return name;
}

/** Each zone's name as zoneName said it (making a DateTimeFormat costs more than the page's other formatting). */
const zoneNames = new Map<string, string>();

/**
 * Each zone's offset for the UTC minute it was last asked about. Offsets change only on a whole
 * minute (every zone's transitions fall on one), so within that minute the answer is the same, and
 * most pages ask about "now" (agencyToday) once or twice: formatToParts is then skipped.
 */
const lastOffsets = new Map<string, { minute: number; offset: number }>();

/** How far the zone's wall clock is ahead of UTC at an instant, in ms. */
function zoneOffset(epochMs: number, timeZone: string): number {
  const minute = Math.floor(epochMs / 60_000);
  const last = lastOffsets.get(timeZone);
  if (last?.minute === minute) return last.offset;
  const f = cached(offsetFormats, timeZone, (zone) =>
    new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
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
  const offset = wall - Math.floor(epochMs / 1000) * 1000;
  lastOffsets.set(timeZone, { minute, offset });
  return offset;
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

/** MM/DD/YYYY, as US agencies write dates. */
export function usDate(iso: string | null | undefined): string {
  if (!iso) return "";
  const [y, m, d] = iso.split("-");
  return `${m}/${d}/${y}`;
}
