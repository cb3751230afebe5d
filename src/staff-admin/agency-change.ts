/**
 * The one way staff administration writes: a change (its D1 statements) and the entry that records
 * it in the agency's audit log, shaped like a client log commit (src/clients/log.ts). Every
 * invitation, role change, deactivation, reactivation, unlock, resent invitation, "sign out
 * everywhere" and ended session goes through `commitAgencyChange`, so moving them all to the
 * agency log is a change to this file only.
 *
 * The contract callers rely on (the same as ClientLog.commit's): the statements run in order in
 * one D1 batch — all or nothing; the change counts as made (`committed`) only if the LAST
 * statement changed rows, so a change guarded by a condition (the last active admin, a state that
 * moved meanwhile) puts that guarded write last; statements before it carry the same guard.
 */
import type { Statement } from "../audit/client-log";
import type { Actor, FieldDelta } from "../audit/entry";

export type { Statement };

/** What the agency log entry says: who, what kind of change, in words, and the detail lines. */
export interface AgencyEntry {
  actor: Actor;
  /** A stable name for filtering, e.g. "staff.invited". */
  action: string;
  /** Human, e.g. "Invited Sam Ortiz (sam@example.org) as Staff". */
  description: string;
  details: { lines?: string[]; changes?: FieldDelta[] };
}

export interface AgencyChange {
  agencyId: number;
  /** The data change, as drizzle's `.toSQL()` gives it (it crosses to a Durable Object later). */
  statements: Statement[];
  entry: AgencyEntry;
}

/**
 * Commits a staff-administration change with its agency log entry. Throws if D1 fails (nothing
 * written); `committed: false` when the last statement changed no rows.
 */
export async function commitAgencyChange(env: Env, change: AgencyChange): Promise<{ committed: boolean }> {
  // TODO(agency log, at merge): replace this body with the agency's AgencyLog Durable Object, as
  // commitChange does with a client's ClientLog — e.g.
  //   const answer = await agencyLogFor(env, change.agencyId).commit(change.statements, change.entry);
  // so that `change.entry` (actor, action, description, details) is sealed into the agency's hash
  // chain and written in the same batch, only when the last statement changed rows. Until then
  // the change is made and the entry is not stored anywhere.
  const db = env.DB;
  const results = await db.batch(change.statements.map((s) => db.prepare(s.sql).bind(...s.params)));
  return { committed: (results.at(-1)?.meta.changes ?? 0) > 0 };
}
