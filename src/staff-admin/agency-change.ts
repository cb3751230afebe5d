/**
 * The one way staff administration writes: a change (its D1 statements) and the entry that records
 * it in the agency's hash-chained log, committed together by the agency's AgencyLog Durable Object
 * (as a client's changes go through its ClientLog). Every invitation, role change, deactivation,
 * reactivation, unlock, resent invitation, "sign out everywhere" and ended session goes through
 * `commitAgencyChange`.
 *
 * The contract callers rely on (the same as ClientLog.commit's): the statements run in order in
 * one D1 batch — all or nothing; the change counts as made (`committed`) only if the LAST
 * statement changed rows, so a change guarded by a condition (the last active admin, a state that
 * moved meanwhile) puts that guarded write last; statements before it carry the same guard.
 */
import { agencyLogFor } from "../audit/agency-events";
import type { AgencyAction } from "../audit/agency-log";
import type { Statement } from "../audit/client-log";
import type { Actor, FieldDelta } from "../audit/entry";

export type { Statement };

/** What the agency log entry says: who, what kind of change, in words, and the detail lines. */
export interface AgencyEntry {
  actor: Actor;
  /** The Agency Log's action type, e.g. "Staff invited". */
  action: AgencyAction;
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
  const { actor, action, description, details } = change.entry;
  const answer = await agencyLogFor(env, change.agencyId).commit({
    agencyId: change.agencyId,
    statements: change.statements,
    entry: {
      actor,
      action,
      description,
      // The structured before/after goes in as JSON text beside the human lines.
      details: { lines: details.lines, ...(details.changes ? { changes: JSON.stringify(details.changes) } : {}) },
      ipAddress: null,
      userAgent: null,
    },
  });
  if ("failed" in answer) throw new Error(answer.failed);
  return { committed: answer.committed };
}
