/**
 * Main Menu > Administration > Agency Log: admins of an agency read, filter, page, export and
 * verify their own agency's log — nobody else's, and no one but admins.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { agencyLogRowsQuery } from "../../src/agency-log/queries";
import { database } from "../../src/db";
import { DEMO } from "./fixtures";
import { agencyLogRows, lastAgencyEntry, seedAgencyLog, WaitingBrowser } from "./agency-log.fixtures";
import { DANA, SAM, text } from "./document-center.helpers";

const PAGE = "/admin/agency-log";
const noon = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d, 16);

/** The sequence numbers of the table's rows, in the order shown. */
const shownSeqs = (html: string) => [...html.matchAll(/<tr><td>(\d+)<\/td>/g)].map((m) => Number(m[1]));
/** The href of the pager link with this id, entities decoded. */
const linkHref = (html: string, id: string) => {
  const m = new RegExp(`<a id="${id}"[^>]*\\bhref="([^"]*)"`).exec(html);
  return m ? text(m[1]!) : undefined;
};

let dana: WaitingBrowser;
let sam: WaitingBrowser;
let lee: WaitingBrowser;

beforeAll(async () => {
  // a. Riverbend: 30 Face Sheet views in March 2025, then 30 sign-ins in June 2025 (one from a
  //    browser whose user agent a spreadsheet would run as a formula).
  await seedAgencyLog(DEMO.riverbend, [
    ...Array.from({ length: 30 }, (_, i) => ({ at: noon(2025, 3, 1 + i), actor: SAM, action: "Face Sheet view" as const, description: `Viewed ${i + 1}` })),
    ...Array.from({ length: 30 }, (_, i) => ({
      at: noon(2025, 6, 1 + i),
      actor: DANA,
      action: "Sign-in" as const,
      description: "Signed in.",
      ipAddress: "198.51.100.4",
      userAgent: i === 29 ? '=HYPERLINK("http://evil.example","x")' : "Mozilla/5.0",
    })),
  ]);
  // b. Lakeside: three entries of its own.
  await seedAgencyLog(
    DEMO.lakeside,
    [1, 2, 3].map((i) => ({ at: noon(2025, 6, i), actor: { type: "staff" as const, id: 3, name: "Lee Harper" }, action: "Sign-in" as const, description: `Lakeside only ${i}` })),
  );
  // c. Signing in appends #61 (Dana), #62 (Sam) and Lakeside's #4 through the AgencyLog.
  dana = await WaitingBrowser.staff("admin@riverbend.test");
  sam = await WaitingBrowser.staff("staff@riverbend.test");
  lee = await WaitingBrowser.staff("admin@lakeside.test");
});

describe("the Agency Log page", () => {
  it("is on the Main Menu under Administration for admins only", async () => {
    const menu = await (await dana.get("/menu")).text();
    expect(menu).toContain('<h2 id="administration">Administration</h2>');
    expect(menu).toContain('<a href="/admin/agency-log">Agency Log</a>');
    const staffMenu = await (await sam.get("/menu")).text();
    expect(staffMenu).not.toContain("Administration");
    expect(staffMenu).not.toContain("/admin/agency-log");
  });

  it("lists the agency's entries newest first, 50 a page; Older continues where the page ended, Newest returns", async () => {
    const res = await dana.get(PAGE);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("<h1>Agency Log</h1>");
    const first = shownSeqs(html);
    expect(first).toEqual(Array.from({ length: 50 }, (_, i) => 62 - i));
    expect(text(html)).toContain("Sam Ortiz");
    expect(html).toContain("6/30/2025 12:00:00 PM");
    const older = linkHref(html, "page-older")!;
    expect(older).toBe(`${PAGE}?before=13`);
    const second = await (await dana.get(older, { htmx: true })).text();
    expect(second.startsWith('<div id="agency-log-view">')).toBe(true);
    expect(shownSeqs(second)).toEqual(Array.from({ length: 12 }, (_, i) => 12 - i));
    expect(linkHref(second, "page-older")).toBeUndefined();
    expect(linkHref(second, "page-newest")).toBe(PAGE);
  });

  it("filters by Action Type and Date Range (whole days in the agency's zone), with or without htmx", async () => {
    const html = await (await dana.get(`${PAGE}?action=Sign-in&start=2025-06-10&end=06/12/2025`)).text();
    expect(shownSeqs(html)).toEqual([42, 41, 40]);
    expect(html).toMatch(/<option value="Sign-in" selected="">Sign-in<\/option>/);
    expect(html).toMatch(/name="start"[^>]*value="2025-06-10"/);
    const views = await (await dana.get(`${PAGE}?action=Face+Sheet+view&end=2025-03-02`, { htmx: true })).text();
    expect(shownSeqs(views)).toEqual([2, 1]);
    const none = await (await dana.get(`${PAGE}?action=Sign-out`)).text();
    expect(none).toContain("No entries match these filters.");
  });

  it.each([
    ["an Action Type not on the list", "action=Delete+everything", "action", "Choose an Action Type from the list."],
    ["a Start Date that isn't a date", "start=2025-13-45", "start", "Enter the Start Date as a date, e.g. 06/16/2022."],
    ["an End Date before the Start Date", "start=2025-06-10&end=2025-06-01", "end", "End Date must be on or after the Start Date."],
    ["a page position that isn't one", "before=abc", null, "That page link is not valid."],
  ])("bad input — %s — answers 422 with the message beside the field, what was typed kept, nothing listed", async (_name, query, field, message) => {
    for (const htmx of [false, true]) {
      const res = await dana.get(`${PAGE}?${query}`, { htmx });
      expect(res.status).toBe(422);
      const html = text(await res.text());
      if (field) expect(html).toContain(`<p class="error" id="f-${field}-error">${message}</p>`);
      else expect(html).toContain(`<span>${message} </span>`);
      expect(html).toContain("The filter was not applied:");
      expect(shownSeqs(html)).toEqual([]);
      if (field === "start") expect(html).toMatch(/name="start"[^>]*value="2025-13-45"/);
    }
    expect((await dana.get(`${PAGE}.csv?${query}`)).status).toBe(422);
  });

  it("Export CSV: every filtered entry, formula cells made inert, and the export itself is logged", async () => {
    const res = await dana.get(`${PAGE}.csv?action=Sign-in&start=2025-06-29`);
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("Content-Disposition")).toMatch(/^attachment; filename="agency-log-riverbend-\d{4}-\d{2}-\d{2}\.csv"$/);
    const csv = await res.text();
    const lines = csv.split("\r\n");
    // (Response.text() drops the byte-order mark the file starts with.)
    expect(lines[0]).toBe("Sequence,Date and Time,User,Action,Description,Details,IP Address,User Agent");
    // Newest first: Sam's and Dana's sign-ins today, then June 30 and June 29.
    expect(lines.slice(1, -1).map((l) => l.split(",")[0])).toEqual(["62", "61", "60", "59"]);
    expect(lines).toContain(`60,6/30/2025 12:00:00 PM,Dana Whitfield,Sign-in,Signed in.,{},198.51.100.4,"'=HYPERLINK(""http://evil.example"",""x"")"`);
    expect(await lastAgencyEntry(DEMO.riverbend)).toMatchObject({ actor_name: "Dana Whitfield", action: "CSV export", description: "Exported the Agency Log as CSV." });
  });

  it("Verify log: intact, then where a deleted entry breaks the chain; each Verify is logged", async () => {
    const n = (await agencyLogRows(DEMO.riverbend)).length;
    const ok = await dana.post(`${PAGE}/verify`, {}, { htmx: true });
    expect(ok.status).toBe(200);
    // Only the inside of the live region: the region stays on the page and its new text is read.
    expect(await ok.text()).toBe(`<p class="notice">Log intact: ${n} entries verified.</p>`);
    expect(await lastAgencyEntry(DEMO.riverbend)).toMatchObject({ action: "Verify log", description: `Verify log on the Agency Log: Log intact: ${n} entries verified.` });

    await env.DB.prepare("DELETE FROM agency_log WHERE agency_id = ? AND seq = 30").bind(DEMO.riverbend).run();
    const page = text(await (await dana.post(`${PAGE}/verify`, {})).text());
    expect(page).toContain("<h1>Agency Log</h1>");
    expect(page).toContain("Log broken at entry #30: it is missing (the log goes from entry #29 to a later one). Entries #1 to #29 are intact.");
  });

  it("is refused to staff who aren't admins (403), on every route; signed out, it asks to sign in", async () => {
    const before = (await agencyLogRows(DEMO.riverbend)).length;
    for (const res of [await sam.get(PAGE), await sam.get(`${PAGE}.csv`), await sam.post(`${PAGE}/verify`, {}), await sam.get(PAGE, { htmx: true })]) {
      expect(res.status).toBe(403);
      // The permission table's refusal (src/auth/authorize.tsx), which names what is missing.
      expect(await res.text()).toContain("Your role (Staff) can&#39;t open agency administration (staff, agency settings, the agency log); only an Administrator can.");
    }
    // Nothing was exported or verified by the refused requests: each only left its "Access denied".
    const refused = (await agencyLogRows(DEMO.riverbend)).slice(before);
    expect(refused.map((r) => [r.action, r.actor_name])).toEqual(Array(4).fill(["Access denied", "Sam Ortiz"]));
    const n = before + refused.length;
    expect((await new WaitingBrowser().get(PAGE)).status).toBe(302);
    expect(await agencyLogRows(DEMO.riverbend)).toHaveLength(n);
  });

  it("never shows another agency's entries: page, page positions, CSV and Verify are the admin's own agency's", async () => {
    const html = text(await (await lee.get(PAGE)).text());
    expect(shownSeqs(html)).toEqual([4, 3, 2, 1]);
    expect(html).toContain("Lakeside only 1");
    expect(html).not.toContain("Dana Whitfield");
    expect(html).not.toContain("Viewed");
    // A position from Riverbend's log means nothing in Lakeside's.
    expect(shownSeqs(await (await lee.get(`${PAGE}?before=40`)).text())).toEqual([]);
    const csv = await (await lee.get(`${PAGE}.csv`)).text();
    expect(csv).not.toContain("Dana Whitfield");
    const rows = csv.split("\r\n").slice(1, -1);
    expect(rows.slice(-4).map((l) => l.split(",")[0])).toEqual(["4", "3", "2", "1"]);
    expect(rows.every((l) => /Lee Harper/.test(l))).toBe(true);
    const n = (await agencyLogRows(DEMO.lakeside)).length;
    const verified = await (await lee.post(`${PAGE}/verify`, {}, { htmx: true })).text();
    expect(verified).toContain(`Log intact: ${n} entries verified.`);
  });
});

describe("Agency Log queries are index range reads", () => {
  async function plan(query: { toSQL(): { sql: string; params: unknown[] } }) {
    const q = query.toSQL();
    const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${q.sql}`)
      .bind(...q.params)
      .all<{ detail: string }>();
    return results.map((r) => r.detail).join(" | ");
  }
  const db = database(env.DB);

  it.each([
    ["no filter", {}, undefined, "agency_log_agency_at"],
    ["Date Range, older page", { from: noon(2025, 6, 1), until: noon(2025, 7, 1) }, 40, "agency_log_agency_at"],
    ["Action Type", { action: "Sign-in" }, undefined, "agency_log_agency_action_at"],
    ["Action Type + Date Range, older page", { action: "Sign-in", from: noon(2025, 6, 1) }, 40, "agency_log_agency_action_at"],
  ])("%s", async (_name, filter, before, index) => {
    const steps = await plan(agencyLogRowsQuery(db, { agencyId: DEMO.riverbend, ...filter }, before, 51));
    expect(steps).toContain(`USING INDEX ${index} (agency_id=?`);
    expect(steps).not.toMatch(/SCAN agency_log|TEMP B-TREE/);
  });
});
