/**
 * Every write to a client's Face Sheet goes through here, so the per-client log can sit under it.
 */
import { and, eq, sql } from "drizzle-orm";
import type { CommitPart } from "../audit/client-log";
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
  // Ours landed if the row is at the next version with exactly these values (an object reset).
  const landed = async () => {
    const row = await db
      .select()
      .from(clients)
      .where(and(eq(clients.id, input.clientId), eq(clients.agencyId, input.agencyId)))
      .get();
    return !!row && row.version === current.version + 1 && diffFaceSheet(pickValues(row), input.values).length === 0;
  };
  const result = await commitChange(
    env,
    {
      agencyId: input.agencyId,
      clientId: input.clientId,
      statements: [update],
      entry: faceSheetEntry(changes, input.actor),
    },
    landed,
  );
  if (!result.committed) return { status: "conflict" };
  return { status: "saved", changes, version: current.version + 1 };
}

/** The editable Face Sheet values of a client row. */
export function pickValues(row: Record<FaceSheetField, unknown>): FaceSheetValues {
  const out = {} as Record<string, unknown>;
  for (const field of Object.keys(FACE_SHEET_FIELDS)) out[field] = row[field as FaceSheetField];
  return out as FaceSheetValues;
}

/**
 * The Face Sheet change "Client Refused Portal Login: Yes → No", to ride in the same batch after
 * a portal login change (CommitRequest.then): it runs only if the entry before it was written
 * (`changes() > 0`) and only while the flag is still set, so a login that wasn't saved never
 * clears it and a flag someone else already cleared isn't logged twice. Bumps the client's
 * version: a Face Sheet Edit opened before can't set the flag back without a conflict.
 */
export function clearRefusedAfter(db: Db, input: { agencyId: number; clientId: number; actor: Actor }): CommitPart {
  return { statements: [clearRefusedStatement(db, input, true)], entry: refusedClearedEntry(input.actor) };
}

/**
 * Clears Client Refused Portal Login on its own (staff confirmed the client changed their mind on
 * a login that needed no other change), with its entry. Answers whether it was still set.
 */
export async function clearRefusedPortalLogin(env: Env, db: Db, input: { agencyId: number; clientId: number; actor: Actor }): Promise<boolean> {
  const result = await commitChange(env, {
    agencyId: input.agencyId,
    clientId: input.clientId,
    statements: [clearRefusedStatement(db, input, false)],
    entry: refusedClearedEntry(input.actor),
  });
  return result.committed;
}

function clearRefusedStatement(db: Db, input: { agencyId: number; clientId: number }, afterAnother: boolean) {
  return db
    .update(clients)
    .set({ refusedPortalLogin: false, version: sql`${clients.version} + 1` })
    .where(
      and(
        eq(clients.id, input.clientId),
        eq(clients.agencyId, input.agencyId),
        eq(clients.refusedPortalLogin, true),
        afterAnother ? sql`changes() > 0` : undefined,
      ),
    )
    .toSQL();
}

function refusedClearedEntry(actor: Actor) {
  const field = "refusedPortalLogin" as const;
  return faceSheetEntry([{ field, ...FACE_SHEET_FIELDS[field], before: true, after: false }], actor);
}
