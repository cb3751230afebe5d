import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { database } from "../../src/db";
import { clientSearchQueries } from "../../src/face-sheet/queries";

/** SQLite's plan for a query: each line says how a table is reached. */
async function plan(q: { toSQL(): { sql: string; params: unknown[] } } | { getQuery(): { sql: string; params: unknown[] } }): Promise<string[]> {
  const { sql, params } = "toSQL" in q ? q.toSQL() : q.getQuery();
  const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
    .bind(...params)
    .all<{ detail: string }>();
  return results.map((r) => r.detail);
}

// Search must stay an index seek at 100,000 clients per agency: every query of a search reaches
// the clients table by a range on an index (agency_id=? AND key>? AND key<?), never by walking
// all of an agency's clients.
describe("client search plan", () => {
  for (const q of ["alv", "R-100"]) {
    it(`seeks a range on an index for "${q}"`, async () => {
      const queries = clientSearchQueries(database(env.DB), 1, q);
      expect(queries.length).toBeGreaterThan(0);
      for (const query of queries) {
        const lines = await plan(query);
        expect(lines.join("\n")).toMatch(/SEARCH clients USING (COVERING )?INDEX \w+ \(agency_id=\? AND \w+>\? AND \w+<\?\)/);
        expect(lines.filter((l) => /^SCAN /.test(l))).toEqual([]);
      }
    });
  }

  // Two words (first and last name, either order): a skip-scan. Each hop to the next last name in
  // the range is a seek, and each last name's first names are a seek on the same index — never a
  // walk through every client with that last name (nor, of course, the agency's clients).
  for (const q of ["maria alv", "alvarez, maria"]) {
    it(`hops over last names and seeks each one's first names for "${q}"`, async () => {
      const queries = clientSearchQueries(database(env.DB), 1, q);
      expect(queries).toHaveLength(2);
      for (const query of queries) {
        const lines = await plan(query);
        const onClients = lines.filter((l) => /^(SEARCH|SCAN) (clients|c)\b/.test(l));
        expect(onClients.length).toBeGreaterThan(0);
        for (const l of onClients) expect(l).toMatch(/^SEARCH (clients|c) USING (COVERING )?INDEX clients_agency_last \(agency_id=\? AND /);
        expect(onClients).toContain("SEARCH c USING INDEX clients_agency_last (agency_id=? AND last_name_key=? AND first_name_key>? AND first_name_key<?)");
        // The only scan is of the last names found so far (the recursive CTE), not of a table.
        expect(lines.filter((l) => /^SCAN /.test(l) && !/^SCAN (last_names|CONSTANT ROW)$/.test(l))).toEqual([]);
      }
    });
  }
});
