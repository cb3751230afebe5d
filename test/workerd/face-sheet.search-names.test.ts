import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { database } from "../../src/db";
import { searchClients } from "../../src/face-sheet/queries";
import { DEMO } from "./fixtures";

// A first and a last name, in either order, across several last names that share the typed
// beginning: the skip-scan must find them all, in name order, within the agency, and stop at the limit.
const NAMES: [first: string, last: string][] = [
  ["Hannah", "Okafor"],
  ["Hannah", "Okafor-Reyes"],
  ["Hanna", "Okaforo"],
  ["Hannah", "Okafo"], // not an "okafor…"
  ["Henry", "Okafor"], // not a "hannah…"
  ["Hannah", "Okafor-Bell"],
];

beforeAll(async () => {
  const insert = env.DB.prepare(
    "INSERT INTO clients (agency_id, client_number, first_name, last_name, first_name_key, last_name_key, date_of_birth) VALUES (?, ?, ?, ?, lower(?), lower(?), '1990-01-01')",
  );
  await env.DB.batch([
    ...NAMES.map(([f, l], i) => insert.bind(DEMO.lakeside, `SK-${i}`, f, l, f, l)),
    // Another agency's Hannah Okafor is never found by Lakeside.
    insert.bind(DEMO.riverbend, "SK-R", "Hannah", "Okafor", "Hannah", "Okafor"),
    // 25 more for the limit.
    ...Array.from({ length: 25 }, (_, i) => insert.bind(DEMO.lakeside, `SK-L${i}`, "Hannah", `Okaforz${String(i).padStart(2, "0")}`, "Hannah", `Okaforz${String(i).padStart(2, "0")}`)),
  ]);
});

const names = (hits: { firstName: string; lastName: string }[]) => hits.map((h) => `${h.lastName}, ${h.firstName}`);

describe("client search by first and last name", () => {
  it("finds every last name that starts with the typed one, in name order, only in the agency, at most 20", async () => {
    for (const q of ["okafor, hann", "hann okafor", "Okafor Hann"]) {
      const hits = await searchClients(database(env.DB), DEMO.lakeside, q);
      expect(hits).toHaveLength(20);
      expect(names(hits).slice(0, 5)).toEqual(["Okafor, Hannah", "Okafor-Bell, Hannah", "Okafor-Reyes, Hannah", "Okaforo, Hanna", "Okaforz00, Hannah"]);
      expect(names(hits).at(-1)).toBe("Okaforz15, Hannah"); // 4 above + Okaforz00..15
      expect(names(hits)).not.toContain("Okafo, Hannah");
      expect(names(hits)).not.toContain("Okafor, Henry");
    }
  });

  it("finds nobody when no one has both names, however many share the last name", async () => {
    expect(await searchClients(database(env.DB), DEMO.lakeside, "okafor, zelda")).toEqual([]);
    expect(await searchClients(database(env.DB), DEMO.lakeside, "zelda okaf")).toEqual([]);
  });

  it("finds the other agency's Hannah Okafor only there", async () => {
    const hits = await searchClients(database(env.DB), DEMO.riverbend, "hannah okafor");
    expect(names(hits)).toEqual(["Okafor, Hannah"]);
  });
});
