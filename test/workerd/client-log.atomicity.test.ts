import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { commitChange, verifyClientLog } from "../../src/clients/log";
import { database } from "../../src/db";
import { Browser, DEMO } from "./fixtures";
import { clientRow, faceSheetForm, logRows, text } from "./document-center.helpers";

// Each test uses its own client, so their logs don't mix (storage is shared within this file).
const PRIYA = 3;
const DANIEL = 4;
const AISHA = 5;
const THOMAS = 6;
const SOFIA = 7;
const MARCUS = 8;
const EMILY = 9;
const ROBERT = 10;

let dana: Browser;
beforeAll(async () => {
  dana = await Browser.staff("admin@riverbend.test");
});

describe("a Face Sheet change and its log entry are one D1 batch", () => {
  it("when D1 refuses the entry, the Update saves nothing, says so (503), and the next Update gets #1", async () => {
    const before = await clientRow(PRIYA);
    await env.DB.exec("CREATE TRIGGER injected_log_failure BEFORE INSERT ON client_log BEGIN SELECT RAISE(ABORT, 'injected'); END");
    try {
      // a. The Update through the real route, as htmx sends it.
      const res = await dana.post(`/face-sheet/${PRIYA}`, await faceSheetForm(PRIYA, { residenceHomeless: "on", residenceCity: "Troy" }), { htmx: true });
      expect(res.status).toBe(503);
      const html = text(await res.text());
      expect(html).toContain("could not be saved");
      // The form comes back with what was typed.
      expect(html).toMatch(/name="residenceCity"[^>]*value="Troy"/);

      // b. Neither the change nor an entry reached D1.
      expect(await clientRow(PRIYA)).toEqual(before);
      expect(await logRows(PRIYA)).toEqual([]);

      // c. Without JavaScript the answer is the same.
      const plain = await dana.post(`/face-sheet/${PRIYA}`, await faceSheetForm(PRIYA, { residenceHomeless: "on" }));
      expect(plain.status).toBe(503);
      expect(text(await plain.text())).toContain("could not be saved");
      expect(await clientRow(PRIYA)).toEqual(before);
    } finally {
      await env.DB.exec("DROP TRIGGER IF EXISTS injected_log_failure");
    }

    // d. Once D1 accepts writes again, the next Update is entry #1: no sequence number was used up.
    const ok = await dana.post(`/face-sheet/${PRIYA}`, await faceSheetForm(PRIYA, { residenceHomeless: "on" }));
    expect(ok.status).toBe(303);
    const rows = await logRows(PRIYA);
    expect(rows.map((r) => r.seq)).toEqual([1]);
    expect(rows[0]!.description).toBe("Updated the following dynamic fields: Current Residence");
    expect((await clientRow(PRIYA)).residence_homeless).toBe(1);
    expect(await verifyClientLog(env, database(env.DB), DEMO.riverbend, PRIYA)).toEqual({ intact: true, verified: 1 });
  });

  it("a stale Update (someone saved in between) is a 409 and writes no entry", async () => {
    const stale = await faceSheetForm(DANIEL, { residencePhone: "(518) 555-0001" });
    expect((await dana.post(`/face-sheet/${DANIEL}`, await faceSheetForm(DANIEL, { residencePhone: "(518) 555-0002" }))).status).toBe(303);
    expect((await logRows(DANIEL)).length).toBe(1);

    const res = await dana.post(`/face-sheet/${DANIEL}`, stale, { htmx: true });
    expect(res.status).toBe(409);
    expect((await clientRow(DANIEL)).residence_phone).toBe("(518) 555-0002");
    expect((await logRows(DANIEL)).map((r) => r.seq)).toEqual([1]);
  });

  it("a change that loses the race inside the batch logs nothing and uses no sequence number", async () => {
    const db = database(env.DB);
    const entry = { actor: { type: "staff" as const, id: 1, name: "Dana Whitfield" }, changeType: "Face Sheet", description: "lost race", details: {} };
    // The version check in the UPDATE matches no row: changes() = 0, so the guarded entry is skipped.
    const lost = await commitChange(env, {
      agencyId: DEMO.riverbend,
      clientId: AISHA,
      statements: [{ sql: "UPDATE clients SET residence_city = 'Nowhere', version = version + 1 WHERE id = ? AND version = ?", params: [AISHA, 999] }],
      entry,
    });
    expect(lost).toMatchObject({ committed: false });
    expect(await logRows(AISHA)).toEqual([]);
    expect((await clientRow(AISHA)).residence_city).toBe("Albany");

    const won = await commitChange(env, {
      agencyId: DEMO.riverbend,
      clientId: AISHA,
      statements: [{ sql: "UPDATE clients SET residence_city = 'Cohoes', version = version + 1 WHERE id = ? AND version = ?", params: [AISHA, 1] }],
      entry: { ...entry, description: "won" },
    });
    expect(won).toMatchObject({ committed: true, seq: 1, parts: 1 });
    expect(await verifyClientLog(env, db, DEMO.riverbend, AISHA)).toEqual({ intact: true, verified: 1 });
  });

  it("an Update that changes nothing writes no entry and keeps the version", async () => {
    const before = await clientRow(THOMAS);
    const res = await dana.post(`/face-sheet/${THOMAS}`, await faceSheetForm(THOMAS), { htmx: true });
    expect(res.status).toBe(200);
    expect(text(await res.text())).toContain("No changes to save.");
    expect(await logRows(THOMAS)).toEqual([]);
    expect((await clientRow(THOMAS)).version).toBe(before.version);
    // Re-typing the same value differently (spaces, phone punctuation) is still no change.
    const same = await faceSheetForm(THOMAS, { residenceCity: "  Delmar ", residencePhone: "518.555.0191" });
    expect((await dana.post(`/face-sheet/${THOMAS}`, same)).status).toBe(303);
    expect(await logRows(THOMAS)).toEqual([]);
  });

  it("one Update that changes several fields writes one entry listing every one", async () => {
    const res = await dana.post(
      `/face-sheet/${SOFIA}`,
      await faceSheetForm(SOFIA, { residenceHomeless: "on", residenceCity: "Troy", residenceEmail: "", refusedPortalLogin: "on", firstName: "Sophia" }),
    );
    expect(res.status).toBe(303);
    const rows = await logRows(SOFIA);
    expect(rows.length).toBe(1);
    const [entry] = rows;
    expect(entry).toMatchObject({ seq: 1, actor_type: "staff", actor_name: "Dana Whitfield", change_type: "Face Sheet", agency_id: DEMO.riverbend });
    expect(entry!.description).toBe("Updated the following dynamic fields: Demographics, Current Residence, Client Portal");
    const details = JSON.parse(entry!.details);
    expect(details.lines).toEqual([
      "Demographics - {Set entry: FirstName to value: Sophia}",
      "Current Residence - {Set entry: CurrentCity to value: Troy}",
      "Current Residence - {Set entry: CurrentEmail to value: (blank)}",
      "Current Residence - {Set entry: CurrentHomeless to value: Yes}",
      "Client Portal - {Set entry: ClientRefusedPortalLogin to value: Yes}",
    ]);
    expect(details.changes).toEqual([
      { field: "FirstName", before: "Sofia", after: "Sophia" },
      { field: "CurrentCity", before: "Albany", after: "Troy" },
      { field: "CurrentEmail", before: "sofia.rossi@example.com", after: "" },
      { field: "CurrentHomeless", before: false, after: true },
      { field: "ClientRefusedPortalLogin", before: false, after: true },
    ]);

    // Clearing the flag again is the seed's example line.
    await dana.post(`/face-sheet/${SOFIA}`, await faceSheetForm(SOFIA, { residenceHomeless: undefined }));
    const second = (await logRows(SOFIA))[1]!;
    expect(second.seq).toBe(2);
    expect(second.description).toBe("Updated the following dynamic fields: Current Residence");
    expect(JSON.parse(second.details).lines).toEqual(["Current Residence - {Set entry: CurrentHomeless to value: No}"]);
    expect(second.prev_hash).toBe(entry!.hash);
  });
});

describe("a commit of several parts (CommitRequest.then): each change with its own entry, one batch", () => {
  const entry = (description: string) => ({ actor: { type: "staff" as const, id: 1, name: "Dana Whitfield" }, changeType: "Test", description, details: {} });
  const setCity = (clientId: number, city: string, guard = "") => ({
    sql: `UPDATE clients SET residence_city = ?, version = version + 1 WHERE id = ?${guard}`,
    params: [city, clientId],
  });
  const AFTER_LANDED = " AND changes() > 0";

  it("both parts land: consecutive entries, chained, and the next commit follows them", async () => {
    const result = await commitChange(env, {
      agencyId: DEMO.riverbend,
      clientId: MARCUS,
      statements: [setCity(MARCUS, "Troy")],
      entry: entry("first"),
      then: [{ statements: [{ sql: "UPDATE clients SET residence_zip = '12180' WHERE id = ? AND changes() > 0", params: [MARCUS] }], entry: entry("second") }],
    });
    expect(result).toMatchObject({ committed: true, seq: 1, parts: 2 });
    expect((await logRows(MARCUS)).map((r) => [r.seq, r.description])).toEqual([
      [1, "first"],
      [2, "second"],
    ]);
    expect(await clientRow(MARCUS)).toMatchObject({ residence_city: "Troy", residence_zip: "12180" });
    await commitChange(env, { agencyId: DEMO.riverbend, clientId: MARCUS, statements: [setCity(MARCUS, "Cohoes")], entry: entry("third") });
    expect((await logRows(MARCUS)).map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(await verifyClientLog(env, database(env.DB), DEMO.riverbend, MARCUS)).toEqual({ intact: true, verified: 3 });
  });

  it("the first part changes nothing: the guarded later part doesn't run either, and no seq is used", async () => {
    const before = await clientRow(EMILY);
    const result = await commitChange(env, {
      agencyId: DEMO.riverbend,
      clientId: EMILY,
      statements: [{ sql: "UPDATE clients SET residence_city = 'Nowhere' WHERE id = ? AND version = 999", params: [EMILY] }],
      entry: entry("lost"),
      then: [{ statements: [setCity(EMILY, "Also nowhere", AFTER_LANDED)], entry: entry("never") }],
    });
    expect(result).toMatchObject({ committed: false });
    expect(await clientRow(EMILY)).toEqual(before);
    expect(await logRows(EMILY)).toEqual([]);
    await commitChange(env, { agencyId: DEMO.riverbend, clientId: EMILY, statements: [setCity(EMILY, "Troy")], entry: entry("next") });
    expect((await logRows(EMILY)).map((r) => [r.seq, r.description])).toEqual([[1, "next"]]);
  });

  it("a later part that changes nothing is skipped with its entry; the first stands, and the next seq follows it", async () => {
    const result = await commitChange(env, {
      agencyId: DEMO.riverbend,
      clientId: ROBERT,
      statements: [setCity(ROBERT, "Troy")],
      entry: entry("kept"),
      then: [{ statements: [{ sql: "UPDATE clients SET residence_zip = 'x' WHERE id = ? AND version = 999 AND changes() > 0", params: [ROBERT] }], entry: entry("skipped") }],
    });
    expect(result).toMatchObject({ committed: true, seq: 1, parts: 1 });
    expect((await logRows(ROBERT)).map((r) => r.description)).toEqual(["kept"]);
    await commitChange(env, { agencyId: DEMO.riverbend, clientId: ROBERT, statements: [setCity(ROBERT, "Cohoes")], entry: entry("next") });
    expect((await logRows(ROBERT)).map((r) => r.seq)).toEqual([1, 2]);
    expect(await verifyClientLog(env, database(env.DB), DEMO.riverbend, ROBERT)).toEqual({ intact: true, verified: 2 });
  });

  it("many concurrent multi-part commits (group commit) keep every pair together and the chain intact", async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        commitChange(env, {
          agencyId: DEMO.riverbend,
          clientId: MARCUS,
          statements: [setCity(MARCUS, `City ${i}`)],
          entry: entry(`a${i}`),
          then: [{ statements: [setCity(MARCUS, `City ${i}b`, AFTER_LANDED)], entry: entry(`b${i}`) }],
        }),
      ),
    );
    expect(results.every((r) => r.committed && r.parts === 2)).toBe(true);
    const rows = (await logRows(MARCUS)).slice(3);
    expect(rows.length).toBe(20);
    for (let k = 0; k < rows.length; k += 2) expect(rows[k + 1]!.description).toBe(rows[k]!.description.replace("a", "b"));
    expect(await verifyClientLog(env, database(env.DB), DEMO.riverbend, MARCUS)).toEqual({ intact: true, verified: 23 });
  });
});
