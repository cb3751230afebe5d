/**
 * Every write to a client's Face Sheet goes through here, so the per-client log can sit under it.
 */
import { and, eq } from "drizzle-orm";
import type { Db } from "../db";
import { clients } from "../db/schema";
import { diffFaceSheet, FACE_SHEET_FIELDS, type FaceSheetField, type FaceSheetValues, type FieldChange } from "./face-sheet-fields";
import { commitChange, faceSheetEntry, type Actor } from "./log";

export type FaceSheetUpdate =
  | { status: "saved"; changes: FieldChange[]; version: number }
  | { status: "unchanged" }
  | { status: "conflict" }
  | { status: "not-found" };

/**
 * Applies an Update of a client's Face Sheet made from `expectedVersion`, with its log entry in
 * the same D1 batch. Writes nothing when nothing changed, and nothing when someone else saved in
 * between (conflict). Throws when D1 fails (nothing written).
 */
export async function updateFaceSheet(
  env: Env,
  db: Db,
  input: { agencyId: number; clientId: number; expectedVersion: number; values: FaceSheetValues; actor: Actor },
): Promise<FaceSheetUpdate> {
  const current = await db
    .select()
    .from(clients)
    .where(and(eq(clients.id, input.clientId), eq(clients.agencyId, input.agencyId)))
    .get();
  if (!current) return { status: "not-found" };
  if (current.version !== input.expectedVersion) return { status: "conflict" };
  const before = pickValues(current);
  const changes = diffFaceSheet(before, input.values);
  if (changes.length === 0) return { status: "unchanged" };
  const update = db
    .update(clients)
    .set({
      ...input.values,
      firstNameKey: input.values.firstName.toLowerCase(),
      lastNameKey: input.values.lastName.toLowerCase(),
      version: current.version + 1,
    })
    .where(and(eq(clients.id, input.clientId), eq(clients.agencyId, input.agencyId), eq(clients.version, input.expectedVersion)))
    .toSQL();
  const result = await commitChange(env, {
    agencyId: input.agencyId,
    clientId: input.clientId,
    statements: [update],
    entry: faceSheetEntry(changes, input.actor),
  });
  if (!result.committed) return { status: "conflict" };
  return { status: "saved", changes, version: current.version + 1 };
}

/** The editable Face Sheet values of a client row. */
export function pickValues(row: Record<FaceSheetField, unknown>): FaceSheetValues {
  const out = {} as Record<string, unknown>;
  for (const field of Object.keys(FACE_SHEET_FIELDS)) out[field] = row[field as FaceSheetField];
  return out as FaceSheetValues;
}
