/**
 * Saving the Agency settings form: the changed settings and one Agency Log entry naming each
 * change ("Time zone: America/New_York → America/Chicago") in one D1 batch, through the agency's
 * AgencyLog. Nothing is written when nothing changed, and nothing when the settings moved on since
 * the form was opened (another admin's Save): a conflict, so a stale form never overwrites.
 */
import type { Context } from "hono";
import type { AppEnv } from "../app";
import { commitStaffChange } from "../audit/agency-events";
import type { SettingDefaults } from "../db/agency-settings";
import { diffSettings, type SettingChange } from "./changes";
import type { StoredSettings } from "./form";
import { updateSettingsStatement, type AgencySettingsRecord } from "./queries";

export type SaveOutcome = { status: "saved"; changes: SettingChange[]; version: number } | { status: "unchanged" } | { status: "conflict" };

/**
 * Saves `values` for the signed-in admin's agency, made from the form at `expectedVersion` over
 * `current` (the row as read for this request). Throws when D1 fails (nothing written).
 */
export async function saveAgencySettings(
  c: Context<AppEnv>,
  input: { current: AgencySettingsRecord; expectedVersion: number; values: StoredSettings; defaults: SettingDefaults },
): Promise<SaveOutcome> {
  // 1. A form made from an older version is stale, whatever it would change.
  if (input.current.version !== input.expectedVersion) return { status: "conflict" };
  // 2. Only what differs is written; a Save that changes nothing writes nothing.
  const changes = diffSettings(input.current.settings, input.values, input.defaults);
  if (changes.length === 0) return { status: "unchanged" };
  // 3. The update (conditional on the version) and its entry, one batch: the entry lands only if
  //    the update did, so a Save that lost a race since step 1 writes neither.
  const result = await commitStaffChange(c, {
    statements: [
      updateSettingsStatement(c.var.db, {
        agencyId: c.var.staff.agency.id,
        expectedVersion: input.expectedVersion,
        values: input.values,
        changed: changes.map((ch) => ch.key),
      }),
    ],
    action: "Settings changed",
    description: changes.map((ch) => ch.line).join("; "),
    details: { settings: changes.map((ch) => ch.key), version: input.expectedVersion + 1 },
  });
  if (!result.committed) return { status: "conflict" };
  return { status: "saved", changes, version: input.expectedVersion + 1 };
}
