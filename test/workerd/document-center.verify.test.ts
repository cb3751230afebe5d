import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { Browser } from "./fixtures";
import { faceSheetForm, logRows, text } from "./document-center.helpers";

// Emily Chen (9), case RB-25-0501 (id 11).
const EMILY = 9;
const LOG = `/document-center/clients/${EMILY}/cases/11/face-sheet-log`;

let dana: Browser;
beforeAll(async () => {
  dana = await Browser.staff("admin@riverbend.test");
  // Three real Updates through the Face Sheet, so the entries come from the ClientLog.
  for (const overrides of [{ residenceHomeless: "on" }, { residenceCity: "Troy" }, { residenceHomeless: undefined }]) {
    const res = await dana.post(`/face-sheet/${EMILY}`, await faceSheetForm(EMILY, overrides));
    expect(res.status).toBe(303);
  }
});

describe("Verify log", () => {
  it("says the log is intact, as a fragment for htmx", async () => {
    const res = await dana.post(`${LOG}/verify`, {}, { htmx: true });
    expect(res.status).toBe(200);
    // Only the inside of the live region (swapped innerHTML): the region itself stays on the page.
    expect(await res.text()).toBe('<p class="notice">Log intact: 3 entries verified.</p>');
  });

  it("without JavaScript answers with the whole Change Log page and the result", async () => {
    const res = await dana.post(`${LOG}/verify`, {});
    expect(res.status).toBe(200);
    const html = text(await res.text());
    expect(html).toContain("<h1>Face Sheet Change Log");
    // Focused, so the browser scrolls to it in the reloaded page.
    expect(html).toContain('<p class="notice" tabindex="-1" autofocus="">Log intact: 3 entries verified.</p>');
    expect(html).toContain("Current Residence - {Set entry: CurrentHomeless to value: Yes}");
  });

  it("says where the chain breaks after a row is altered directly in D1", async () => {
    await env.DB.prepare("UPDATE client_log SET description = 'Updated the following dynamic fields: Demographics' WHERE client_id = ? AND seq = 2")
      .bind(EMILY)
      .run();
    const html = await (await dana.post(`${LOG}/verify`, {}, { htmx: true })).text();
    expect(html).toContain('<p class="error-summary">Log broken at entry #2: its contents no longer match its seal');
    expect(html).toContain("Entry #1 is intact.");
  });

  it("and after a row is deleted, the gap", async () => {
    const row = (await logRows(EMILY))[1]!;
    await env.DB.prepare("DELETE FROM client_log WHERE id = ?").bind(row.id).run();
    const html = await (await dana.post(`${LOG}/verify`, {}, { htmx: true })).text();
    expect(html).toContain("Log broken at entry #2: it is missing");
  });

  it("and after the newest entry is deleted, that the log was cut short", async () => {
    // Robert Hill (10), case RB-24-0333 (id 12): a log of two Updates, then the newest deleted.
    const ROBERT = 10;
    for (const city of ["Cohoes", "Troy"]) expect((await dana.post(`/face-sheet/${ROBERT}`, await faceSheetForm(ROBERT, { residenceCity: city }))).status).toBe(303);
    const last = (await logRows(ROBERT)).at(-1)!;
    await env.DB.prepare("DELETE FROM client_log WHERE id = ?").bind(last.id).run();
    const html = await (await dana.post(`/document-center/clients/${ROBERT}/cases/12/face-sheet-log/verify`, {}, { htmx: true })).text();
    expect(html).toContain("Log broken at entry #2: entry #2 is missing");
  });

  it("is refused to other agencies' staff (404) and to anyone signed out", async () => {
    const lee = await Browser.staff("admin@lakeside.test");
    expect((await lee.post(`${LOG}/verify`, {}, { htmx: true })).status).toBe(404);
    expect((await new Browser().post(`${LOG}/verify`, {})).status).toBe(302);
  });
});
