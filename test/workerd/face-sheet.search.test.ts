import { describe, expect, it } from "vitest";
import { Browser, DEMO } from "./fixtures";
import { resultIds } from "./helpers";

// Read-only file: nothing here changes data.

async function search(email: string, q: string, htmx = false) {
  const b = await Browser.staff(email);
  const res = await b.get(`/face-sheet?q=${encodeURIComponent(q)}`, { htmx });
  const html = await res.text();
  return { res, html, ids: resultIds(html) };
}

const RIVERBEND = "staff@riverbend.test";
const LAKESIDE = "admin@lakeside.test";

describe("Face Sheet client search", () => {
  it("finds only the signed-in agency's clients: Riverbend's 'alvarez' is Maria, not Lakeside's Marta", async () => {
    const { res, html, ids } = await search(RIVERBEND, "alvarez");
    expect(res.status).toBe(200);
    expect(ids).toEqual([DEMO.maria]);
    expect(html).toContain("Alvarez, Maria");
    expect(html).toContain("R-1001");
    expect(html).not.toContain("Marta");
    expect(html).not.toContain("L-2005");
  });

  it("finds only Lakeside's Marta for Lakeside staff", async () => {
    const { html, ids } = await search(LAKESIDE, "alvarez");
    expect(ids).toEqual([DEMO.marta]);
    expect(html).toContain("Alvarez, Marta");
    expect(html).not.toContain("Maria");
  });

  it.each([
    ["first name", "maria"],
    ["first-name prefix", "mar"],
    ["last name", "Alvarez"],
    ["last-name prefix", "alv"],
    ["first last", "Maria Alvarez"],
    ["first last-prefix", "maria alv"],
    ["last, first", "Alvarez, Maria"],
    ["last,first without a space", "alvarez,maria"],
    ["extra spaces", "  maria   alvarez  "],
    ["client number", "R-1001"],
    ["client number, lower case", "r-1001"],
  ])("finds Maria by %s (%j)", async (_, q) => {
    const { ids } = await search(RIVERBEND, q);
    expect(ids).toContain(DEMO.maria);
  });

  it("'mar' as a first-name prefix finds Maria and Marcus, not Lakeside's Marta", async () => {
    const { ids } = await search(RIVERBEND, "mar");
    expect(ids.sort((a, b) => a - b)).toEqual([1, 8]);
  });

  it("a client number prefix lists every client whose number starts with it, in name order", async () => {
    const { ids, html } = await search(RIVERBEND, "R-100");
    // R-1001 .. R-1009 are clients 1..9.
    expect([...ids].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const names = [...html.matchAll(/href="\/face-sheet\/\d+">([^<]+)</g)].map((m) => m[1]!);
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
    expect(html).not.toContain("R-1010");
  });

  it("does not find another agency's client by its client number", async () => {
    const { html, ids } = await search(RIVERBEND, "L-2005");
    expect(ids).toEqual([]);
    expect(html).toContain("No clients match");
  });

  it("finds a two-word name only as first+last or last+first, not across two people", async () => {
    // "maria okafor" mixes Maria Alvarez and James Okafor: nobody has both names.
    const { ids, html } = await search(RIVERBEND, "maria okafor");
    expect(ids).toEqual([]);
    expect(html).toContain("No clients match");
  });

  it("treats SQL wildcards literally", async () => {
    for (const q of ["%", "_", "%a%"]) {
      const { ids } = await search(RIVERBEND, q);
      expect(ids).toEqual([]);
    }
  });

  it("shows no result list for an empty or blank query", async () => {
    for (const path of ["/face-sheet", "/face-sheet?q=", "/face-sheet?q=%20%20"]) {
      const b = await Browser.staff(RIVERBEND);
      const res = await b.get(path);
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(html).toContain('id="client-search"');
      expect(html).toContain('id="search-results"');
      expect(html).not.toContain('class="results"');
      expect(html).not.toContain("No clients match");
    }
  });

  it("says no client matches, quoting the query", async () => {
    const { res, html, ids } = await search(RIVERBEND, "zzzz");
    expect(res.status).toBe(200);
    expect(ids).toEqual([]);
    expect(html).toContain("No clients match “zzzz”.");
  });

  it("escapes the query when echoing it", async () => {
    const { html } = await search(RIVERBEND, '<script>alert("x")</script>');
    expect(html).not.toContain("<script>alert");
    expect(html).toContain("&lt;script&gt;");
  });

  it("keeps the query in the search box of the full page", async () => {
    const { html } = await search(RIVERBEND, "okafor");
    expect(html).toMatch(/<input id="client-search"[^>]*value="okafor"/);
    expect(html).toContain("<html");
  });
});

describe("Face Sheet search with htmx", () => {
  it("returns only the #search-results fragment", async () => {
    const { res, html, ids } = await search(RIVERBEND, "okafor", true);
    expect(res.status).toBe(200);
    expect(html.startsWith('<div id="search-results"')).toBe(true);
    expect(html).not.toContain("<html");
    expect(html).not.toContain('id="client-search"');
    expect(ids).toEqual([DEMO.james]);
  });

  it("returns an empty fragment for a blank query and the no-match message for no match", async () => {
    const blank = await search(RIVERBEND, "", true);
    expect(blank.html).toBe('<div id="search-results"></div><p id="search-count" hx-swap-oob="innerHTML"></p>');
    const none = await search(RIVERBEND, "zzzz", true);
    expect(none.html.startsWith('<div id="search-results"')).toBe(true);
    expect(none.html).toContain('<p id="search-count" hx-swap-oob="innerHTML">No clients match “zzzz”.</p>');
  });

  it("says how many match in the one status line, by text swapped into it out of band (issue 12)", async () => {
    const { html } = await search(RIVERBEND, "okafor", true);
    expect(html).toContain('<p id="search-count" hx-swap-oob="innerHTML">1 client matches.</p>');
    // The list itself is not a live region (it would read every name on each keystroke).
    expect(html).not.toContain("aria-live");
    const page = await (await (await Browser.staff("staff@riverbend.test")).get("/face-sheet?q=a")).text();
    expect(page).toMatch(/<p id="search-count" class="meta" role="status">\d+ clients match\.<\/p>/);
  });

  it("answers a history-restore request with the full page", async () => {
    const b = await Browser.staff(RIVERBEND);
    const res = await b.fetch("/face-sheet?q=okafor", { method: "GET", htmx: true, headers: { "HX-History-Restore-Request": "true" } });
    expect(await res.text()).toContain("<html");
  });

  it("sends Vary: HX-Request on both the page and the fragment, so caches keep them apart", async () => {
    const page = await search(RIVERBEND, "okafor");
    const fragment = await search(RIVERBEND, "okafor", true);
    for (const { res } of [page, fragment]) {
      expect(res.headers.get("Vary") ?? "").toMatch(/\bHX-Request\b/i);
    }
  });
});
