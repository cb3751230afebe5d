/**
 * The agency's programmes for Administration › Programmes: every name its cases carry plus every
 * `programs` row, with the Part 2 mark and how many open cases each has; and the write that marks
 * or unmarks one (an upsert that changes a row only when the mark really changes, so a repeated
 * click writes nothing and logs nothing).
 */
import { sql } from "drizzle-orm";
import type { Statement } from "../audit/chained-log";
import type { Db } from "../db";

export interface Programme {
  name: string;
  part2: boolean;
  openCases: number;
}

/** The agency's programmes by name (case-sensitive, as cases carry them), A–Z. */
export async function listProgrammes(db: Db, agencyId: number): Promise<Programme[]> {
  const rows = await db.all<{ name: string; part2: number; open_cases: number }>(sql`
    SELECT n.name AS name, COALESCE(p.part2, 0) AS part2,
      (SELECT COUNT(*) FROM cases k WHERE k.agency_id = ${agencyId} AND k.program = n.name AND k.closed_on IS NULL) AS open_cases
    FROM (SELECT program AS name FROM cases WHERE agency_id = ${agencyId} UNION SELECT name FROM programs WHERE agency_id = ${agencyId}) n
    LEFT JOIN programs p ON p.agency_id = ${agencyId} AND p.name = n.name
    ORDER BY n.name`);
  return rows.map((r) => ({ name: r.name, part2: r.part2 === 1, openCases: r.open_cases }));
}

/** Marks or unmarks a programme as Part 2: changes a row only when the mark differs. */
export function markProgrammeStatement(agencyId: number, name: string, part2: boolean): Statement {
  const flag = part2 ? 1 : 0;
  return {
    sql: `INSERT INTO programs (agency_id, name, part2) VALUES (?, ?, ?)
      ON CONFLICT (agency_id, name) DO UPDATE SET part2 = excluded.part2 WHERE programs.part2 <> excluded.part2`,
    params: [agencyId, name, flag],
  };
}
