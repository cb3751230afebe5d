/**
 * Writing a representative record (portal_representations) together with the Portal Login
 * window's Save: statements for the same commit as the login's change (src/clients/portal-login-create.ts
 * and portal-login-update.ts run them, with the one log entry), the lines that entry names — before → after — and the guard
 * that makes a Save opened on an older record a conflict.
 */
import { sql, type SQL } from "drizzle-orm";
import { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import type { Statement } from "../audit/chained-log";
import type { PortalRepresentation } from "../db/schema";
import { LEGAL_BASIS_LABELS, relationshipText, showDate } from "./labels";
import type { RecordInput } from "./record-form";

export interface RecordDelta {
  field: string;
  before: string | boolean | null;
  after: string | boolean | null;
}

/** What a login Save does to the record, for the login's commit (as a `LoginSideChange`, src/clients/portal-logins.ts). */
export interface RecordWrite {
  /** Run after the login's own statement(s), each only if the one before changed rows. */
  statements: Statement[];
  /** The entry's lines (staff-visible), e.g. "End date: 12/31/2026 → 06/30/2026". */
  lines: string[];
  deltas: RecordDelta[];
  /** For the client's portal Activity: what changed, without the representative's details. */
  portalLine: string | null;
  /** Holds while the record is as the window showed it (its version, or absent): part of the login's update condition. */
  guard: SQL;
}

const endText = (end: string | null) => (end === null ? "at the age of majority" : showDate(end));

/** The lines of a new record, and of each field changed in an existing one. */
export function recordChanges(before: PortalRepresentation | null, after: RecordInput): { lines: string[]; deltas: RecordDelta[] } {
  if (!before || before.endedAt !== null) {
    const guard = after.guardianship ? "; court-ordered guardianship recorded" : "";
    return {
      lines: [
        `Representative record: ${after.name}, ${relationshipText(after)}, ${LEGAL_BASIS_LABELS[after.legalBasis]}, from ${showDate(after.startDate)}, ends ${endText(after.endDate)}${guard}`,
      ],
      deltas: [
        { field: "representative.name", before: null, after: after.name },
        { field: "representative.relationship", before: null, after: relationshipText(after) },
        { field: "representative.legalBasis", before: null, after: after.legalBasis },
        { field: "representative.startDate", before: null, after: after.startDate },
        { field: "representative.endDate", before: null, after: after.endDate },
        { field: "representative.guardianship", before: null, after: after.guardianship },
      ],
    };
  }
  const lines: string[] = [];
  const deltas: RecordDelta[] = [];
  const diff = (field: string, label: string, b: string | boolean | null, a: string | boolean | null, show: (v: never) => string) => {
    if (b === a) return;
    lines.push(`${label}: ${show(b as never)} → ${show(a as never)}`);
    deltas.push({ field: `representative.${field}`, before: b, after: a });
  };
  const yesNo = (v: boolean) => (v ? "Yes" : "No");
  diff("name", "Representative name", before.name, after.name, (v: string) => v);
  diff("relationship", "Relationship", relationshipText(before), relationshipText(after), (v: string) => v);
  diff("legalBasis", "Legal basis", before.legalBasis, after.legalBasis, (v: keyof typeof LEGAL_BASIS_LABELS) => LEGAL_BASIS_LABELS[v]);
  diff("startDate", "Start date", before.startDate, after.startDate, showDate);
  diff("endDate", "End date", before.endDate, after.endDate, endText);
  diff("guardianship", "Court-ordered guardianship", before.guardianship, after.guardianship, yesNo);
  return { lines, deltas };
}

/**
 * The record's upsert, for the login's commit: inserted for a login added in the same batch (found
 * by `loginId`, SQL) or updated in place — a new period also clears a recorded end, so a later end
 * is logged and notified again. Runs only if the statement before it changed rows.
 */
export function upsertRecordStatement(input: { agencyId: number; clientId: number; loginId: SQL; record: RecordInput; now: number }): Statement {
  const r = input.record;
  const q = sql`INSERT INTO portal_representations
      (agency_id, login_id, client_id, name, relationship, relationship_other, legal_basis, start_date, end_date, guardianship, created_at)
    SELECT ${input.agencyId}, (${input.loginId}), ${input.clientId}, ${r.name}, ${r.relationship}, ${r.relationshipOther}, ${r.legalBasis},
      ${r.startDate}, ${r.endDate}, ${r.guardianship ? 1 : 0}, ${input.now}
    WHERE changes() > 0
    ON CONFLICT (login_id, client_id) DO UPDATE SET
      name = excluded.name, relationship = excluded.relationship, relationship_other = excluded.relationship_other,
      legal_basis = excluded.legal_basis, start_date = excluded.start_date, end_date = excluded.end_date,
      guardianship = excluded.guardianship, ended_at = NULL, end_recorded_at = NULL, version = version + 1`;
  return toStatement(q);
}

/** Ends a record (Representative unchecked): the login is then the client's own, and the record stays as history. */
export function endRecordStatement(input: { agencyId: number; clientId: number; loginId: number; now: number }): Statement {
  return toStatement(sql`UPDATE portal_representations SET ended_at = ${input.now}, version = version + 1
    WHERE login_id = ${input.loginId} AND client_id = ${input.clientId} AND agency_id = ${input.agencyId} AND ended_at IS NULL AND changes() > 0`);
}

/** The record is still at `version` (0: there was none), as when the window was opened. */
export function recordGuard(input: { agencyId: number; clientId: number; loginId: number; version: number }): SQL {
  return sql`coalesce((SELECT version FROM portal_representations WHERE login_id = ${input.loginId} AND client_id = ${input.clientId} AND agency_id = ${input.agencyId}), 0) = ${input.version}`;
}

const dialect = new SQLiteSyncDialect();

/** A drizzle SQL fragment as the client log's Statement (the shape `.toSQL()` gives a query). */
function toStatement(q: SQL): Statement {
  const { sql: text, params } = dialect.sqlToQuery(q);
  return { sql: text, params };
}
