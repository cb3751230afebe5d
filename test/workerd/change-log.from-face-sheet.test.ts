/**
 * From a Face Sheet to its Change Log in one click — also for a client with no case — and the
 * log's old → new values in plain words under the seed's line, which stays as it is. The old and
 * new values were already in each Face Sheet entry (details.changes), sealed with it: nothing in
 * the chain changes, and Verify log still finds it intact.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { Browser, DEMO } from "./fixtures";
import { clientRow, faceSheetForm } from "./helpers";

// Writes: Maria (1) — a phone and homeless change; client 90 — a Riverbend client with no case.
const NO_CASE = 90;
const clientLog = (id: number) => `/document-center/clients/${id}/face-sheet-log`;

/** The text of each entry's lists, in order (seed lines, then the plain old → new lines). */
const entryLists = (html: string) =>
  [...html.matchAll(/<li class="log-entry">([\s\S]*?)<\/li>\s*(?=<li class="log-entry">|<\/ol>)/g)].map((m) =>
    [...m[1]!.matchAll(/<ul class="detail( plain-changes)?"[^>]*>([\s\S]*?)<\/ul>/g)].map((u) => ({
      plain: Boolean(u[1]),
      items: [...u[2]!.matchAll(/<li>([\s\S]*?)<\/li>/g)].map((li) => li[1]!.replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'")),
    })),
  );

beforeAll(async () => {
  await env.DB.prepare(
    `INSERT INTO clients (id, agency_id, client_number, first_name, last_name, first_name_key, last_name_key, date_of_birth)
     VALUES (?, 1, 'R-1090', 'Nia', 'Caseless', 'nia', 'caseless', '1990-01-02')`,
  )
    .bind(NO_CASE)
    .run();
});

describe("Face Sheet → Change Log", () => {
  it("the Face Sheet links straight to the client's Change Log, for every role that may open it", async () => {
    for (const email of ["admin@riverbend.test", "staff@riverbend.test", "auditor@riverbend.test"]) {
      const b = await Browser.staff(email);
      const html = await (await b.get(`/face-sheet/${DEMO.maria}`)).text();
      expect(html, email).toContain(`<a href="${clientLog(DEMO.maria)}" class="link">Face Sheet Change Log</a>`);
    }
  });

  it("shows old → new in plain words under the seed's line, which is unchanged, by either path to the log", async () => {
    const b = await Browser.staff("staff@riverbend.test");
    const saved = await b.post(`/face-sheet/${DEMO.maria}`, faceSheetForm(await clientRow(DEMO.maria), { residencePhone: "555-010-1234", residenceHomeless: "on" }));
    expect(saved.status).toBe(303);

    for (const path of [clientLog(DEMO.maria), `/document-center/clients/${DEMO.maria}/cases/1/face-sheet-log`]) {
      const res = await b.get(path);
      expect(res.status, path).toBe(200);
      const html = await res.text();
      expect(html).toContain("Updated the following dynamic fields: Current Residence");
      expect(entryLists(html)[0]).toEqual([
        {
          plain: false,
          items: ["Current Residence - {Set entry: CurrentPhone to value: (555) 010-1234}", "Current Residence - {Set entry: CurrentHomeless to value: Yes}"],
        },
        { plain: true, items: ["Phone: (518) 555-0142 → (555) 010-1234", "Homeless: No → Yes"] },
      ]);
    }
    // Without a case the crumbs go Document Center › the client › Face Sheet Change Log.
    const html = await (await b.get(clientLog(DEMO.maria))).text();
    expect(html).toMatch(/<a href="\/document-center\/clients\/1">Alvarez, Maria<\/a><\/li><li><span aria-current="page">Face Sheet Change Log<\/span>/);
  });

  it("keeps the chain intact: Verify log on the client's own path", async () => {
    const b = await Browser.staff("auditor@riverbend.test");
    const res = await b.post(`${clientLog(DEMO.maria)}/verify`, {}, { htmx: true });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/Log intact: \d+ entr(y|ies) verified\./);
  });

  it("a client with no case still has a reachable log, with filters, CSV and Verify log", async () => {
    const b = await Browser.staff("staff@riverbend.test");
    const face = await (await b.get(`/face-sheet/${NO_CASE}`)).text();
    expect(face).toContain(`href="${clientLog(NO_CASE)}"`);
    const saved = await b.post(`/face-sheet/${NO_CASE}`, faceSheetForm(await clientRow(NO_CASE), { residenceCity: "Troy" }));
    expect(saved.status).toBe(303);
    const res = await b.get(clientLog(NO_CASE));
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("Face Sheet Change Log");
    expect(entryLists(html)[0]![1]).toEqual({ plain: true, items: ["City: (blank) → Troy"] });
    expect(html).toContain(`action="${clientLog(NO_CASE)}"`);
    const csv = await b.get(`${clientLog(NO_CASE)}.csv`);
    expect(csv.status).toBe(200);
    expect(await csv.text()).toContain("Current Residence - {Set entry: CurrentCity to value: Troy}");
    expect((await b.post(`${clientLog(NO_CASE)}/verify`, {}, { htmx: true })).status).toBe(200);
  });

  it("bad filter input on the client's path: 422 with the message, nothing stale", async () => {
    const b = await Browser.staff("staff@riverbend.test");
    const res = await b.get(`${clientLog(DEMO.maria)}?start=2026-13-45`);
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('id="f-start-error"');
    expect(html).not.toContain('<li class="log-entry">');
  });

  it("another agency's client, or a signed-out visitor, gets nothing", async () => {
    const lakeside = await Browser.staff("admin@lakeside.test");
    for (const path of [clientLog(DEMO.maria), `${clientLog(DEMO.maria)}.csv`]) {
      expect((await lakeside.get(path)).status, path).toBe(404);
    }
    expect((await lakeside.post(`${clientLog(DEMO.maria)}/verify`, {})).status).toBe(404);
    const out = await new Browser().get(clientLog(DEMO.maria));
    expect(out.status).toBe(302);
    expect(out.headers.get("Location")).toMatch(/^\/sign-in/);
  });
});
