import { env } from "cloudflare:test";
import { sql } from "drizzle-orm";
import { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import { beforeAll, describe, expect, it } from "vitest";
import { database } from "../../src/db";
import { chainChunkSql } from "../../src/audit/verify";
import { CLIENT_LOG } from "../../src/audit/entry";
import { actorsSql, changeTypesSql } from "../../src/document-center/change-log-choices";
import { changeLogRowsQuery, type ChangeLogScope } from "../../src/document-center/queries";
import { Browser, DEMO } from "./fixtures";
import { DANA, SAM, linkHref, seedLog, shownSeqs, text } from "./document-center.helpers";

const CMALEK = { type: "portal" as const, id: 9, name: "cmalek" };
const MARIA_LOG = `/document-center/clients/${DEMO.maria}/cases/1/face-sheet-log`;
const JAMES_LOG = `/document-center/clients/${DEMO.james}/cases/2/face-sheet-log`;

let dana: Browser;
beforeAll(async () => {
  // Maria's log, at times chosen around day boundaries in the agency's zone (America/New_York).
  await seedLog(DEMO.riverbend, DEMO.maria, [
    { at: Date.UTC(2026, 5, 14, 15, 19, 11), actor: CMALEK, changeType: "Login", description: "Patient Portal login by cmalek" },
    { at: Date.UTC(2026, 5, 14, 15, 19, 26), actor: CMALEK, changeType: "Logout", description: "Patient Portal logout by cmalek" },
    {
      at: Date.UTC(2026, 5, 14, 15, 32, 36),
      actor: DANA,
      changeType: "Profile Updated",
      description: "Portal Login cmalek was modified by Dana Whitfield. Changes: Password updated",
      lines: ["Password updated"],
    },
    // 11:30 PM on 6/15 in New York, though already 6/16 in UTC.
    { at: Date.UTC(2026, 5, 16, 3, 30, 0), actor: SAM, changeType: "Face Sheet", description: "Updated the following dynamic fields: Current Residence" },
    {
      at: Date.UTC(2026, 5, 16, 13, 46, 48),
      actor: DANA,
      changeType: "Face Sheet",
      description: "Updated the following dynamic fields: Current Residence",
      lines: ["Current Residence - {Set entry: CurrentHomeless to value: No}"],
    },
    // 12:30 AM on 6/17 in New York.
    { at: Date.UTC(2026, 5, 17, 4, 30, 0), actor: DANA, changeType: "Face Sheet", description: "Updated the following dynamic fields: Demographics" },
    // Winter: EST.
    { at: Date.UTC(2026, 11, 1, 17, 0, 0), actor: CMALEK, changeType: "Login", description: "Patient Portal login by cmalek" },
  ]);
  // James's log: 60 entries, alternating Face Sheet (odd seq) and Login (even seq), a minute apart.
  await seedLog(
    DEMO.riverbend,
    DEMO.james,
    Array.from({ length: 60 }, (_, i) => ({
      at: Date.UTC(2026, 0, 5, 14) + i * 60_000,
      actor: i % 2 === 0 ? DANA : CMALEK,
      changeType: i % 2 === 0 ? "Face Sheet" : "Login",
      description: `change ${i + 1}`,
    })),
  );
  dana = await Browser.staff("admin@riverbend.test");
});

async function seqsFor(query: string, opts: { htmx?: boolean } = {}) {
  const res = await dana.get(MARIA_LOG + query, opts);
  expect(res.status, query).toBe(200);
  return shownSeqs(await res.text());
}

describe("Face Sheet Change Log: entries", () => {
  it("lists entries newest first with User, Date and Time (agency time) and the detail lines", async () => {
    const html = text(await (await dana.get(MARIA_LOG)).text());
    expect(shownSeqs(html)).toEqual([7, 6, 5, 4, 3, 2, 1]);
    expect(html).toContain("<dt>User</dt><dd>Dana Whitfield</dd><dt>Date and Time</dt>");
    expect(html).toContain('<time datetime="2026-06-16T13:46:48.000Z">6/16/2026 9:46:48 AM</time>');
    expect(html).toContain(">6/15/2026 11:30:00 PM</time>");
    expect(html).toContain(">12/1/2026 12:00:00 PM</time>");
    expect(html).toContain('<p class="entry-text">Updated the following dynamic fields: Current Residence</p>');
    expect(html).toContain("<li>Current Residence - {Set entry: CurrentHomeless to value: No}</li>");
  });

  it("offers the Change Types and people present in the log", async () => {
    const html = text(await (await dana.get(MARIA_LOG)).text());
    const options = (name: string) =>
      [...(new RegExp(`<select id="f-${name}"[^>]*>([\\s\\S]*?)</select>`).exec(html)?.[1] ?? "").matchAll(/<option value="([^"]*)"/g)].map((m) => m[1]);
    expect(options("changeType")).toEqual(["", "Face Sheet", "Login", "Logout", "Profile Updated"]);
    expect(options("changedBy")).toEqual(["", "Dana Whitfield", "Sam Ortiz", "cmalek"]);
  });
});

describe("Face Sheet Change Log: a long log", () => {
  it("Changes By lists everyone in the whole log, and finds someone whose only entry is behind 1,100 newer ones", async () => {
    const THOMAS = 6; // a Riverbend client with no other entries in this file
    const EARLY = { type: "staff" as const, id: 7, name: "Early Bird" };
    await seedLog(DEMO.riverbend, THOMAS, [
      { at: Date.UTC(2025, 0, 2, 15), actor: EARLY, changeType: "Face Sheet", description: "The first change" },
      ...Array.from({ length: 1100 }, (_, i) => ({ at: Date.UTC(2026, 0, 5, 14) + i * 60_000, actor: DANA, changeType: "Login", description: `later change ${i + 1}` })),
    ]);
    const log = `/document-center/clients/${THOMAS}/face-sheet-log`;
    const html = text(await (await dana.get(log)).text());
    const people = [...(/<select id="f-changedBy"[^>]*>([\s\S]*?)<\/select>/.exec(html)?.[1] ?? "").matchAll(/<option value="([^"]*)"/g)].map((m) => m[1]);
    expect(people).toEqual(["", "Dana Whitfield", "Early Bird"]);
    const found = await dana.get(`${log}?changedBy=Early+Bird`);
    expect(found.status).toBe(200);
    const page = await found.text();
    expect(shownSeqs(page)).toEqual([1]);
    expect(page).toContain("The first change");
  });
});

describe("Face Sheet Change Log: filters", () => {
  it("filters by Change Type alone", async () => {
    expect(await seqsFor("?changeType=Face+Sheet")).toEqual([6, 5, 4]);
    expect(await seqsFor("?changeType=Login")).toEqual([7, 1]);
  });

  it("filters by Changes By alone", async () => {
    expect(await seqsFor("?changedBy=Dana+Whitfield")).toEqual([6, 5, 3]);
    expect(await seqsFor("?changedBy=cmalek")).toEqual([7, 2, 1]);
  });

  it("filters by Date Range: whole days in the agency's time zone, both ends included", async () => {
    expect(await seqsFor("?start=2026-06-16&end=2026-06-16")).toEqual([5]);
    expect(await seqsFor("?start=2026-06-15&end=2026-06-16")).toEqual([5, 4]);
    expect(await seqsFor("?start=2026-06-16")).toEqual([7, 6, 5]);
    expect(await seqsFor("?end=2026-06-14")).toEqual([3, 2, 1]);
    // What a person types where there is no date picker.
    expect(await seqsFor("?start=6/16/2026&end=6/16/2026")).toEqual([5]);
  });

  it("combines filters", async () => {
    expect(await seqsFor("?changeType=Face+Sheet&changedBy=Dana+Whitfield&start=2026-06-15&end=2026-06-17")).toEqual([6, 5]);
    expect(await seqsFor("?changeType=Login&changedBy=cmalek&end=2026-06-30")).toEqual([1]);
  });

  it("says so when nothing matches, and offers no export", async () => {
    const html = await (await dana.get(MARIA_LOG + "?changeType=Logout&start=2026-06-15")).text();
    expect(shownSeqs(html)).toEqual([]);
    expect(html).toContain("No changes match these filters.");
    expect(html).not.toContain("Export CSV");
    // A value that isn't in the log filters to nothing, and stays visible in its select.
    const unknown = await (await dana.get(MARIA_LOG + "?changedBy=Nobody")).text();
    expect(shownSeqs(unknown)).toEqual([]);
    expect(unknown).toContain('<option value="Nobody" selected="">Nobody</option>');
  });

  it("keeps the chosen filters in the form (plain GET, no JavaScript)", async () => {
    const html = text(await (await dana.get(MARIA_LOG + "?changeType=Face+Sheet&changedBy=Sam+Ortiz&start=2026-06-15&end=2026-06-16")).text());
    expect(html).toContain('<option value="Face Sheet" selected="">Face Sheet</option>');
    expect(html).toContain('<option value="Sam Ortiz" selected="">Sam Ortiz</option>');
    expect(html).toMatch(/id="f-start" name="start" type="date" value="2026-06-15"/);
    expect(html).toMatch(/id="f-end" name="end" type="date" value="2026-06-16"/);
    expect(shownSeqs(html)).toEqual([4]);
  });

  it("answers htmx with just the results, plus the Date Range and status swapped out of band", async () => {
    const res = await dana.get(MARIA_LOG + "?changeType=Face+Sheet", { htmx: true });
    expect(res.status).toBe(200);
    expect(res.headers.get("Vary")).toContain("HX-Request");
    const html = await res.text();
    expect(html.startsWith('<section id="log-results"')).toBe(true);
    expect(html).not.toContain("<html");
    expect(html).not.toContain('id="log-filters"');
    expect(html).toContain('<fieldset id="date-range" class="date-range" aria-describedby="date-range-hint" hx-swap-oob="true">');
    expect(res.headers.get("HX-Push-Url")).toBe(MARIA_LOG + "?changeType=Face+Sheet");
    expect(html).toMatch(/<p id="log-status" class="visually-hidden" role="status" hx-swap-oob="innerHTML">Showing 3 changes, newest first.<\/p>/);
    expect(shownSeqs(html)).toEqual([6, 5, 4]);
  });
});

describe("Face Sheet Change Log: a bad Date Range", () => {
  const bad = "?changeType=Face+Sheet&start=2026-06-17&end=2026-06-16";

  it("with htmx: 422, the message beside End Date, and the stale entries taken away", async () => {
    const res = await dana.get(MARIA_LOG + bad, { htmx: true });
    expect(res.status).toBe(422);
    expect(res.headers.get("HX-Retarget")).toBe("#date-range");
    expect(res.headers.get("HX-Reswap")).toBe("outerHTML");
    expect(res.headers.get("HX-Push-Url")).toBe("false");
    const html = await res.text();
    expect(html.startsWith('<fieldset id="date-range"')).toBe(true);
    expect(html).toContain('<p class="error" id="f-end-error">End Date must be on or after the Start Date.</p>');
    expect(html).toMatch(/id="f-end"[^>]*value="2026-06-16"[^>]*aria-invalid="true" aria-describedby="f-end-error"/);
    expect(html).toMatch(/id="f-start"[^>]*value="2026-06-17"/);
    // The entries on screen answered the last filter: they are replaced, out of band, by what to do.
    expect(html).toMatch(/<section id="log-results" class="card" aria-labelledby="results-h" hx-swap-oob="true">/);
    expect(html).toContain("Correct the Date Range above, then Apply Filter.");
    expect(shownSeqs(html)).toEqual([]);
  });

  it("without JavaScript: 422, the page with the message and what was chosen, and no entries", async () => {
    const res = await dana.get(MARIA_LOG + bad);
    expect(res.status).toBe(422);
    const html = text(await res.text());
    expect(html).toContain("End Date must be on or after the Start Date.");
    expect(html).toContain('<option value="Face Sheet" selected="">Face Sheet</option>');
    expect(html).toContain("Correct the Date Range above, then Apply Filter.");
    expect(shownSeqs(html)).toEqual([]);
  });

  it("rejects a date that doesn't exist", async () => {
    const res = await dana.get(MARIA_LOG + "?start=2026-02-30", { htmx: true });
    expect(res.status).toBe(422);
    expect(await res.text()).toContain("Enter the Start Date as a date, e.g. 06/16/2022.");
    expect((await dana.get(MARIA_LOG + "?end=yesterday")).status).toBe(422);
  });

  it("rejects a page link that isn't one", async () => {
    const res = await dana.get(MARIA_LOG + "?before=-4");
    expect(res.status).toBe(422);
    expect(await res.text()).toContain("That page link is not valid.");
  });
});

describe("Face Sheet Change Log: pages", () => {
  it("pages 25 at a time with Older and Newer links", async () => {
    const first = await (await dana.get(JAMES_LOG)).text();
    expect(shownSeqs(first)).toEqual(Array.from({ length: 25 }, (_, i) => 60 - i));
    expect(linkHref(first, "page-newer")).toBeUndefined();
    expect(linkHref(first, "page-newest")).toBeUndefined();
    const older = linkHref(first, "page-older")!;
    expect(older).toBe(`${JAMES_LOG}?before=36`);

    const second = await (await dana.get(older)).text();
    expect(shownSeqs(second)).toEqual(Array.from({ length: 25 }, (_, i) => 35 - i));
    expect(linkHref(second, "page-newer")).toBe(`${JAMES_LOG}?after=35`);
    expect(linkHref(second, "page-newest")).toBeUndefined();

    const last = await (await dana.get(linkHref(second, "page-older")!)).text();
    expect(shownSeqs(last)).toEqual(Array.from({ length: 10 }, (_, i) => 10 - i));
    expect(linkHref(last, "page-older")).toBeUndefined();

    // Newer from the middle page comes back to exactly the first page.
    const back = await (await dana.get(linkHref(second, "page-newer")!)).text();
    expect(shownSeqs(back)).toEqual(shownSeqs(first));
    expect(linkHref(back, "page-newer")).toBeUndefined();
    expect(linkHref(back, "page-older")).toBe(`${JAMES_LOG}?before=36`);
  });

  it("an old link past the end shows no entries and the way back to the newest", async () => {
    const html = await (await dana.get(JAMES_LOG + "?changeType=Face+Sheet&before=1")).text();
    expect(shownSeqs(html)).toEqual([]);
    expect(html).toContain("No changes match these filters.");
    expect(linkHref(html, "page-newest")).toBe(`${JAMES_LOG}?changeType=Face+Sheet`);
    expect(linkHref(html, "page-older")).toBeUndefined();
  });

  it("keeps the filters in the paging links", async () => {
    const first = await (await dana.get(JAMES_LOG + "?changeType=Face+Sheet")).text();
    expect(shownSeqs(first)).toEqual(Array.from({ length: 25 }, (_, i) => 59 - 2 * i));
    const older = linkHref(first, "page-older")!;
    expect(older).toBe(`${JAMES_LOG}?changeType=Face+Sheet&before=11`);
    const second = await (await dana.get(older, { htmx: true })).text();
    expect(shownSeqs(second)).toEqual([9, 7, 5, 3, 1]);
    expect(linkHref(second, "page-older")).toBeUndefined();
    expect(linkHref(second, "page-newer")).toBe(`${JAMES_LOG}?changeType=Face+Sheet&after=9`);
    // The Export CSV link carries the filters but not the page: it exports them all.
    expect(text(second)).toContain(`href="${JAMES_LOG}.csv?changeType=Face+Sheet" download`);
  });

  it("moves focus to the results heading when a pager link swaps the page", async () => {
    const res = await dana.fetch(JAMES_LOG + "?before=36", { headers: { "HX-Request": "true", "HX-Trigger": "page-older" } });
    expect(await res.text()).toMatch(/<h2 id="results-h" tabindex="-1" autofocus="">/);
    const applied = await (await dana.get(JAMES_LOG + "?changeType=Login", { htmx: true })).text();
    expect(applied).not.toContain("autofocus");
  });
});

describe("Change Log queries use the client's indexes, never a scan", () => {
  const db = database(env.DB);
  const dialect = new SQLiteSyncDialect();

  async function plan(query: { toSQL(): { sql: string; params: unknown[] } } | ReturnType<typeof sql>) {
    const q = "toSQL" in query ? query.toSQL() : dialect.sqlToQuery(query);
    const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${q.sql}`)
      .bind(...q.params)
      .all<{ detail: string }>();
    return results.map((r) => r.detail);
  }

  const scope: ChangeLogScope = { agencyId: DEMO.riverbend, clientId: DEMO.james };
  const range = { from: Date.UTC(2026, 0, 1), until: Date.UTC(2026, 1, 1) };

  it.each([
    ["no filter", scope, {}, "client_log_client_at"],
    ["Change Type", { ...scope, changeType: "Login" }, {}, "client_log_client_type_at"],
    ["Change Type + Date Range", { ...scope, changeType: "Login", ...range }, {}, "client_log_client_type_at"],
    ["Date Range", { ...scope, ...range }, {}, "client_log_client_at"],
    ["Changes By", { ...scope, changedBy: "cmalek" }, {}, "client_log_client_actor_at"],
    ["Changes By + Date Range, older page", { ...scope, changedBy: "cmalek", ...range }, { before: 30 }, "client_log_client_actor_at"],
    ["Change Type, newer page", { ...scope, changeType: "Login" }, { after: 30 }, "client_log_client_type_at"],
  ] as const)("%s", async (_name, s, position, index) => {
    const steps = (await plan(changeLogRowsQuery(db, s, position, 26))).join(" | ");
    expect(steps).toContain(`USING INDEX ${index} (client_id=?`);
    expect(steps).not.toMatch(/SCAN client_log/);
    expect(steps).not.toContain("agency_at");
  });

  it("the Change Type list seeks the type index once per type", async () => {
    const steps = (await plan(changeTypesSql(DEMO.riverbend, DEMO.james))).join(" | ");
    expect(steps).toMatch(/SEARCH client_log USING (COVERING )?INDEX client_log_client_type_at \(client_id=\? AND change_type>\?\)/);
    expect(steps).not.toMatch(/SCAN client_log/);
  });

  it("the Changes By list seeks the person index once per person", async () => {
    const steps = (await plan(actorsSql(DEMO.riverbend, DEMO.james))).join(" | ");
    expect(steps).toMatch(/SEARCH client_log USING (COVERING )?INDEX client_log_client_actor_at \(client_id=\? AND actor_name>\?\)/);
    expect(steps).not.toMatch(/SCAN client_log/);
  });

  it("Verify log reads the chain by the (client_id, seq) index", async () => {
    const steps = (await plan(chainChunkSql(CLIENT_LOG, { agencyId: DEMO.riverbend, stream: DEMO.james }, 0))).join(" | ");
    expect(steps).toContain("USING INDEX client_log_client_seq (client_id=? AND seq>?)");
    expect(steps).not.toMatch(/SCAN client_log|agency_at|TEMP B-TREE/);
  });
});
