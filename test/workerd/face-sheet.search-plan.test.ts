import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { database } from "../../src/db";
import { clientSearchQueries } from "../../src/face-sheet/queries";

/** SQLite's plan for a query: each line says how a table is reached. */
async function plan(q: { toSQL(): { sql: string; params: unknown[] } }): Promise<string[]> {
  const { sql, params } = q.toSQL();
  const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
    .bind(...params)
    .all<{ detail: string }>();
  return results.map((r) => r.detail);
}

// Search must stay an index seek at 100,000 clients per agency: every query of a search reaches
// the clients table by a range on an index (agency_id=? AND key>? AND key<?), never by walking
// all of an agency's clients.
describe("client search plan", () => {
  for (const q of ["alv", "maria alv", "alvarez, maria", "R-100"]) {
    it(`seeks a range on an index for "${q}"`, async () => {
      const queries = clientSearchQueries(database(env.DB), 1, q);
      expect(queries.length).toBeGreaterThan(0);
      for (const query of queries) {
        const lines = await plan(query);
        expect(lines.join("\n")).toMatch(/SEARCH clients USING INDEX \w+ \(agency_id=\? AND \w+>\? AND \w+<\?\)/);
        expect(lines.filter((l) => /^SCAN /.test(l))).toEqual([]);
      }
    });
  }
});
