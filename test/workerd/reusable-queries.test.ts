/**
 * src/db/reusable.ts: a query built once and bound per call gives what the builder's query gives —
 * in a batch and awaited alone, with each call's own values, on each call's own D1 session — and
 * maps rows to fields as Drizzle does (aliases, booleans, nested objects).
 */
import { env } from "cloudflare:test";
import { and, asc, eq, sql, type Placeholder } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { database } from "../../src/db";
import { reusable } from "../../src/db/reusable";
import { agencies, cases, clients } from "../../src/db/schema";
import { DEMO } from "./fixtures";

const clientRow = reusable((db, p: (name: "agencyId" | "clientId") => Placeholder) =>
  db
    .select()
    .from(clients)
    .where(and(eq(clients.id, p("clientId")), eq(clients.agencyId, p("agencyId")))),
);
const builtClientRow = (db: ReturnType<typeof database>, agencyId: number, clientId: number) =>
  db.select().from(clients).where(and(eq(clients.id, clientId), eq(clients.agencyId, agencyId)));

const casesWithAgency = reusable((db, p: (name: "clientId") => Placeholder) =>
  db
    .select({ id: cases.id, agency: { id: sql<number>`${agencies.id}`.as("agency_pk"), portalEnabled: agencies.portalEnabled } })
    .from(cases)
    .innerJoin(agencies, eq(agencies.id, cases.agencyId))
    .where(eq(cases.clientId, p("clientId")))
    .orderBy(asc(cases.id)),
);

describe("reusable queries", () => {
  it("give the builder's rows, in a batch and alone, with each call's values", async () => {
    const db = database(env.DB);
    for (const [agencyId, clientId] of [
      [DEMO.riverbend, DEMO.maria],
      [DEMO.riverbend, DEMO.hannah],
      [DEMO.lakeside, DEMO.hannah],
    ] as const) {
      const [reused, built] = await db.batch([clientRow(db, { agencyId, clientId }), builtClientRow(db, agencyId, clientId)]);
      expect(reused).toEqual(built);
      expect(await clientRow(db, { agencyId, clientId })).toEqual(built);
    }
    expect((await clientRow(db, { agencyId: DEMO.riverbend, clientId: DEMO.maria }))[0]).toMatchObject({ id: DEMO.maria, agencyId: DEMO.riverbend });
    expect(await clientRow(db, { agencyId: DEMO.lakeside, clientId: DEMO.maria })).toEqual([]);
  });

  it("map aliased and nested fields and booleans as Drizzle does, on any session", async () => {
    const session = database(env.DB.withSession("first-primary"));
    const [rows] = await session.batch([casesWithAgency(session, { clientId: DEMO.maria })]);
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(r).toEqual({ id: expect.any(Number), agency: { id: DEMO.riverbend, portalEnabled: expect.any(Boolean) } });
  });

  it("refuse a call without one of its values", async () => {
    const db = database(env.DB);
    expect(() => clientRow(db, { agencyId: DEMO.riverbend } as never)).toThrow(/clientId/);
  });
});
