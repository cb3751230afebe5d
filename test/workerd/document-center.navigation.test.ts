import { SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { Browser, DEMO } from "./fixtures";
import { text } from "./document-center.helpers";

// Demo data: Maria Alvarez (1) has case RB-24-0101; James Okafor (2) has RB-23-0458 and RB-25-0032.
// Case ids follow insertion order: 1 = RB-24-0101, 2 = RB-23-0458, 3 = RB-25-0032.
const MARIA_CASE = 1;
const JAMES_CASES = [2, 3];
const HANNAH_CASE = 16; // Lakeside's first case (after Riverbend's 14).

let dana: Browser;
beforeAll(async () => {
  dana = await Browser.staff("admin@riverbend.test");
});

describe("Document Center: search, select the client, Case #, Open Case, Open Form", () => {
  it("is reached from the Reports Menu and searches the agency's clients", async () => {
    const menu = await (await dana.get("/menu")).text();
    expect(menu).toMatch(/<a href="\/document-center">Document Center<\/a>/);
    const page = await dana.get("/document-center?q=alvarez");
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("<h1>Document Center</h1>");
    expect(html).toContain(`href="/document-center/clients/${DEMO.maria}"`);
    // Lakeside's Marta Alvarez is another agency's client.
    expect(html).not.toContain(`/document-center/clients/${DEMO.marta}`);
  });

  it("answers htmx searches with just the results", async () => {
    const res = await dana.get("/document-center?q=okaf", { htmx: true });
    expect(res.headers.get("Vary")).toContain("HX-Request");
    const html = await res.text();
    expect(html.startsWith('<div id="search-results"')).toBe(true);
    expect(html).toContain(`href="/document-center/clients/${DEMO.james}"`);
  });

  it("lists the client's cases as Case # radio buttons labelled by case number", async () => {
    const html = await (await dana.get(`/document-center/clients/${DEMO.james}`)).text();
    expect(html).toContain("<legend>Case #</legend>");
    for (const [id, number] of [
      [JAMES_CASES[0], "RB-23-0458"],
      [JAMES_CASES[1], "RB-25-0032"],
    ] as const) {
      expect(html).toMatch(new RegExp(`<input type="radio" id="case-${id}" name="case" value="${id}"`));
      expect(html).toContain(`<label for="case-${id}">${number}</label>`);
    }
    expect(html).toMatch(/<button type="submit" class="primary" name="open" value="case">Open Case<\/button>/);
  });

  it("Open Case goes to the chosen case; without a choice it says so (422)", async () => {
    const open = await dana.get(`/document-center/clients/${DEMO.james}?case=${JAMES_CASES[1]}&open=case`);
    expect(open.status).toBe(303);
    expect(open.headers.get("Location")).toBe(`/document-center/clients/${DEMO.james}/cases/${JAMES_CASES[1]}`);

    const none = await dana.get(`/document-center/clients/${DEMO.james}?open=case`);
    expect(none.status).toBe(422);
    const html = await none.text();
    expect(html).toContain('<p class="error" id="case-error">Select a Case # to open.</p>');
    expect(html).toContain('aria-describedby="case-error"');

    // Another client's case (Maria's) is not one of James's.
    const wrong = await dana.get(`/document-center/clients/${DEMO.james}?case=${MARIA_CASE}&open=case`);
    expect(wrong.status).toBe(422);
    const junk = await dana.get(`/document-center/clients/${DEMO.james}?case=abc&open=case`);
    expect(junk.status).toBe(422);
  });

  it("the case shows the Face Sheet Change Log heading, its radio and Open Form", async () => {
    const res = await dana.get(`/document-center/clients/${DEMO.james}/cases/${JAMES_CASES[0]}`);
    expect(res.status).toBe(200);
    const html = text(await res.text());
    expect(html).toContain('<h2 id="fscl-h">Face Sheet Change Log</h2>');
    expect(html).toContain(`<label for="form-face-sheet-log">Changes to this Client's face sheet</label>`);
    expect(html).toContain(">Open Form</button>");

    const open = await dana.get(`/document-center/clients/${DEMO.james}/cases/${JAMES_CASES[0]}?form=face-sheet-log&open=form`);
    expect(open.status).toBe(303);
    expect(open.headers.get("Location")).toBe(`/document-center/clients/${DEMO.james}/cases/${JAMES_CASES[0]}/face-sheet-log`);

    const bad = await dana.get(`/document-center/clients/${DEMO.james}/cases/${JAMES_CASES[0]}?form=other&open=form`);
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain("Select a form to open.");
  });

  it("the form page has the seed's filters and an empty log", async () => {
    const res = await dana.get(`/document-center/clients/${DEMO.maria}/cases/${MARIA_CASE}/face-sheet-log`);
    expect(res.status).toBe(200);
    const html = await res.text();
    for (const label of ["Change Type", "Changes By", "Start Date", "End Date"]) expect(html).toContain(`>${label}</label>`);
    expect(html).toContain("<legend>Date Range</legend>");
    expect(html).toContain(">Apply Filter</button>");
    expect(html).toContain('<option value="" selected="">All</option>');
    expect(html).toContain('<option value="" selected="">Anyone</option>');
    expect(html).toContain("No changes have been logged for this client yet.");
    expect(html).toContain(">Verify log</button>");
  });
});

describe("Document Center scoping", () => {
  const riverbendUrls = [
    `/document-center/clients/${DEMO.maria}`,
    `/document-center/clients/${DEMO.maria}?case=${MARIA_CASE}&open=case`,
    `/document-center/clients/${DEMO.maria}/cases/${MARIA_CASE}`,
    `/document-center/clients/${DEMO.maria}/cases/${MARIA_CASE}?form=face-sheet-log&open=form`,
    `/document-center/clients/${DEMO.maria}/cases/${MARIA_CASE}/face-sheet-log`,
    `/document-center/clients/${DEMO.maria}/cases/${MARIA_CASE}/face-sheet-log?changeType=Face+Sheet`,
    `/document-center/clients/${DEMO.maria}/cases/${MARIA_CASE}/face-sheet-log.csv`,
  ];

  it("Lakeside staff get 404 on every Riverbend Document Center URL", async () => {
    const lee = await Browser.staff("admin@lakeside.test");
    for (const url of riverbendUrls) {
      const res = await lee.get(url);
      expect(res.status, url).toBe(404);
      const frag = await lee.get(url, { htmx: true });
      expect(frag.status, `${url} (htmx)`).toBe(404);
    }
    const verify = await lee.post(`/document-center/clients/${DEMO.maria}/cases/${MARIA_CASE}/face-sheet-log/verify`, {});
    expect(verify.status).toBe(404);
    // Their search never lists Riverbend's clients.
    expect(await (await lee.get("/document-center?q=alvarez")).text()).not.toContain(`/document-center/clients/${DEMO.maria}"`);
  });

  it("a case opened under the wrong client is 404, even within the agency", async () => {
    for (const url of [
      `/document-center/clients/${DEMO.james}/cases/${MARIA_CASE}`,
      `/document-center/clients/${DEMO.james}/cases/${MARIA_CASE}/face-sheet-log`,
      `/document-center/clients/${DEMO.james}/cases/${MARIA_CASE}/face-sheet-log.csv`,
      `/document-center/clients/${DEMO.maria}/cases/${HANNAH_CASE}/face-sheet-log`,
      `/document-center/clients/999999/cases/1/face-sheet-log`,
    ]) {
      expect((await dana.get(url)).status, url).toBe(404);
    }
    expect((await dana.post(`/document-center/clients/${DEMO.james}/cases/${MARIA_CASE}/face-sheet-log/verify`, {})).status).toBe(404);
  });

  it("ids that aren't ids are 404, and an overlong search is cut short", async () => {
    for (const url of ["/document-center/clients/abc", "/document-center/clients/0", "/document-center/clients/99999999999999999999", "/document-center/clients/1/cases/-1"]) {
      expect((await dana.get(url)).status, url).toBe(404);
    }
    const res = await dana.get(`/document-center?q=${"a".repeat(5000)}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain(`value="${"a".repeat(100)}"`);
  });

  it("sends someone not signed in to sign-in (and htmx via HX-Redirect)", async () => {
    for (const url of riverbendUrls) {
      const res = await SELF.fetch(new URL(url, "http://localhost"), { redirect: "manual" });
      expect(res.status, url).toBe(302);
      expect(res.headers.get("Location")).toMatch(/^\/sign-in\?next=/);
    }
    const htmx = await new Browser().get(`/document-center/clients/${DEMO.maria}/cases/${MARIA_CASE}/face-sheet-log`, { htmx: true });
    expect(htmx.headers.get("HX-Redirect")).toMatch(/^\/sign-in/);
    const verify = await new Browser().post(`/document-center/clients/${DEMO.maria}/cases/${MARIA_CASE}/face-sheet-log/verify`, {});
    expect(verify.status).toBe(302);
  });

  it("refuses a Verify log POST from another site (CSRF)", async () => {
    const res = await dana.fetch(`/document-center/clients/${DEMO.maria}/cases/${MARIA_CASE}/face-sheet-log/verify`, {
      method: "POST",
      body: new URLSearchParams({}),
      headers: { Origin: "https://evil.example", "Content-Type": "application/x-www-form-urlencoded" },
    });
    expect(res.status).toBe(403);
  });
});
