/**
 * The agency of a portal URL: found from the URL's slug, and only while it is contracted for the
 * portal. Every other portal query is scoped by the agency found here.
 */
import { and, eq, type Placeholder } from "drizzle-orm";
import type { Db } from "../db";
import { reusable } from "../db/reusable";
import { agencySettingsColumns, type AgencySettingsRow } from "../db/agency-settings";
import { agencies } from "../db/schema";

/** The agency of a portal URL, with its settings columns (`effectiveSettings(env, agency)`). */
export type PortalAgency = { id: number; name: string; slug: string } & AgencySettingsRow;

/** The agency whose portal this slug is, only when it is contracted for the portal; else null. */
export async function findPortalAgency(db: Db, slug: string): Promise<PortalAgency | null> {
  const [row] = await portalAgencyQuery(db, slug);
  return row ?? null;
}

/** The query behind findPortalAgency, for a batch. */
export function portalAgencyQuery(db: Db, slug: string) {
  return agencyBySlug(db, { slug });
}

const agencyBySlug = reusable((db, p: (name: "slug") => Placeholder) =>
  db
    .select({ id: agencies.id, name: agencies.name, slug: agencies.slug, ...agencySettingsColumns })
    .from(agencies)
    .where(and(eq(agencies.slug, p("slug")), eq(agencies.portalEnabled, true))),
);
