/**
 * Reading and writing an agency's settings row. Writes are statements for the AgencyLog's commit
 * (the change and its entry in one batch), conditional on the settings version the form was made
 * from, so two admins' Saves can't silently overwrite each other.
 */
import { and, eq } from "drizzle-orm";
import type { Statement } from "../audit/chained-log";
import type { Db } from "../db";
import { agencies } from "../db/schema";
import type { SettingKey, StoredSettings } from "./form";

export interface AgencySettingsRecord {
  name: string;
  slug: string;
  portalEnabled: boolean;
  settings: StoredSettings;
  version: number;
}

/** The agency's stored settings and their version; null when there is no such agency. */
export async function loadAgencySettings(db: Db, agencyId: number): Promise<AgencySettingsRecord | null> {
  const row = await db.select().from(agencies).where(eq(agencies.id, agencyId)).get();
  if (!row) return null;
  return {
    name: row.name,
    slug: row.slug,
    portalEnabled: row.portalEnabled,
    version: row.settingsVersion,
    settings: {
      portalOrigin: row.portalOrigin,
      timezone: row.timezone,
      lockAfterFailures: row.lockAfterFailures,
      lockMinutes: row.lockMinutes,
      tempPasswordHours: row.tempPasswordHours,
      inviteLinkHours: row.inviteLinkHours,
      defaultCredentialMethod: row.defaultCredentialMethod,
      minorOwnLoginAge: row.minorOwnLoginAge,
      ageOfMajority: row.ageOfMajority,
      requireTwoFactor: row.requireTwoFactor,
    },
  };
}

/**
 * The UPDATE that writes the changed settings and moves the version on — only while the row is
 * still at `expectedVersion` (otherwise it changes no rows, and the log entry after it is not
 * written either).
 */
export function updateSettingsStatement(
  db: Db,
  input: { agencyId: number; expectedVersion: number; values: StoredSettings; changed: SettingKey[] },
): Statement {
  const set: Partial<Record<SettingKey, unknown>> = {};
  for (const key of input.changed) set[key] = input.values[key];
  return db
    .update(agencies)
    .set({ ...(set as Partial<StoredSettings>), settingsVersion: input.expectedVersion + 1 })
    .where(and(eq(agencies.id, input.agencyId), eq(agencies.settingsVersion, input.expectedVersion)))
    .toSQL();
}
