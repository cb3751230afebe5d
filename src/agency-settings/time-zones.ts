/**
 * The time zones an admin can choose: Intl's list of IANA zones (what the runtime can format
 * times in), with the zones of the United States first under names people use.
 */

let known: Set<string> | undefined;
/** The IANA zones this runtime knows (Intl's canonical list). */
function knownZones(): Set<string> {
  known ??= new Set(Intl.supportedValuesOf("timeZone"));
  return known;
}

/** Whether the zone is one of Intl's (canonical) IANA zones. */
export function isKnownTimeZone(zone: string): boolean {
  return knownZones().has(zone);
}

/** The United States' zones, first in the list, named as people there say them (short: the list fits a phone). */
const UNITED_STATES: [zone: string, label: string][] = [
  ["America/New_York", "Eastern"],
  ["America/Chicago", "Central"],
  ["America/Denver", "Mountain"],
  ["America/Phoenix", "Arizona"],
  ["America/Los_Angeles", "Pacific"],
  ["America/Anchorage", "Alaska"],
  ["Pacific/Honolulu", "Hawaii"],
  ["America/Puerto_Rico", "Puerto Rico"],
  ["Pacific/Guam", "Guam"],
  ["Pacific/Pago_Pago", "American Samoa"],
];

export interface ZoneGroup {
  label: string;
  zones: { value: string; label: string }[];
}

const readable = (zone: string) => zone.replace(/_/g, " ");

/**
 * The select's groups: the United States, then every zone by region ("Africa", "America", …).
 * `current` is listed first on its own when Intl doesn't know it (an alias the agency was created
 * with), so the page can still show it as chosen.
 */
export function timeZoneGroups(current: string): ZoneGroup[] {
  const groups: ZoneGroup[] = [];
  const all = [...knownZones()];
  if (!knownZones().has(current)) groups.push({ label: "Current", zones: [{ value: current, label: readable(current) }] });
  groups.push({
    label: "United States",
    zones: UNITED_STATES.filter(([zone]) => knownZones().has(zone)).map(([zone, label]) => ({ value: zone, label: `${label} — ${readable(zone)}` })),
  });
  const byRegion = new Map<string, string[]>();
  for (const zone of all) {
    const region = zone.includes("/") ? zone.slice(0, zone.indexOf("/")) : "Other";
    const list = byRegion.get(region) ?? [];
    list.push(zone);
    byRegion.set(region, list);
  }
  for (const [region, zones] of [...byRegion].sort(([a], [b]) => (a === "Other" ? 1 : b === "Other" ? -1 : a.localeCompare(b)))) {
    groups.push({ label: region, zones: zones.map((z) => ({ value: z, label: readable(z) })) });
  }
  return groups;
}
