import { beforeAll, describe, expect, it } from "vitest";
import { csvRow, inertCell } from "../../src/layout/csv";
import { Browser, DEMO } from "./fixtures";
import { DANA, seedLog } from "./document-center.helpers";

// Priya Natarajan (3), case RB-25-0210 (id 4); Daniel Kowalski (4), case RB-22-0912 (id 5).
const PRIYA_CSV = "/document-center/clients/3/cases/4/face-sheet-log.csv";
const DANIEL_CSV = "/document-center/clients/4/cases/5/face-sheet-log.csv";
const MALLORY = { type: "portal" as const, id: 5, name: "@mallory" };

/** A minimal RFC 4180 reader: enough to check what a spreadsheet would see. */
function parseCsv(body: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (quoted) {
      if (ch === '"' && body[i + 1] === '"') (cell += '"'), i++;
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") row.push(cell), (cell = "");
    else if (ch === "\r" && body[i + 1] === "\n") row.push(cell), rows.push(row), (row = []), (cell = ""), i++;
    else cell += ch;
  }
  if (cell !== "" || row.length) row.push(cell), rows.push(row);
  return rows;
}

let dana: Browser;
beforeAll(async () => {
  await seedLog(DEMO.riverbend, 3, [
    {
      at: Date.UTC(2026, 5, 16, 13, 46, 48),
      actor: DANA,
      changeType: "Face Sheet",
      description: "Updated the following dynamic fields: Current Residence",
      lines: ["Current Residence - {Set entry: CurrentHomeless to value: No}", 'Current Residence - {Set entry: CurrentAddress to value: 9 "Quail", Apt 2}'],
    },
    { at: Date.UTC(2026, 5, 17, 9, 0, 0), actor: MALLORY, changeType: "Login", description: '=HYPERLINK("http://evil.example","click")' },
    { at: Date.UTC(2026, 5, 18, 9, 0, 0), actor: DANA, changeType: "Profile Updated", description: "-2+3", lines: ["+1 line", "@SUM(A1)"] },
  ]);
  // A log longer than one export chunk (1,000 rows).
  await seedLog(
    DEMO.riverbend,
    4,
    Array.from({ length: 1105 }, (_, i) => ({
      at: Date.UTC(2025, 0, 1) + i * 3_600_000,
      actor: DANA,
      changeType: i % 5 === 0 ? "Login" : "Face Sheet",
      description: `change ${i + 1}`,
    })),
  );
  dana = await Browser.staff("admin@riverbend.test");
});

describe("Export CSV", () => {
  it("downloads as an attachment named for the client, UTF-8 with a byte-order mark", async () => {
    const res = await dana.get(PRIYA_CSV);
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("Content-Disposition")).toMatch(/^attachment; filename="face-sheet-change-log-R-1003-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  });

  it("has the columns and rows newest first, times in the agency's zone, quoting where needed", async () => {
    const body = (await (await dana.get(PRIYA_CSV)).text()).replace(/^\ufeff/, "");
    expect(body.endsWith("\r\n")).toBe(true);
    const rows = parseCsv(body);
    expect(rows[0]).toEqual(["Sequence", "Date and Time", "User", "Change Type", "Description", "Details"]);
    expect(rows.slice(1)).toEqual([
      ["3", "6/18/2026 5:00:00 AM", "Dana Whitfield", "Profile Updated", "'-2+3", "'+1 line\n@SUM(A1)"],
      ["2", "6/17/2026 5:00:00 AM", "'@mallory", "Login", `'=HYPERLINK("http://evil.example","click")`, ""],
      [
        "1",
        "6/16/2026 9:46:48 AM",
        "Dana Whitfield",
        "Face Sheet",
        "Updated the following dynamic fields: Current Residence",
        'Current Residence - {Set entry: CurrentHomeless to value: No}\nCurrent Residence - {Set entry: CurrentAddress to value: 9 "Quail", Apt 2}',
      ],
    ]);
    // On the wire: doubled quotes inside a quoted cell.
    expect(body).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
  });

  it("exports every entry the filters select, across all pages", async () => {
    const all = parseCsv((await (await dana.get(DANIEL_CSV)).text()).replace(/^\ufeff/, ""));
    expect(all.length).toBe(1 + 1105);
    expect(all[1]![0]).toBe("1105");
    expect(all.at(-1)![0]).toBe("1");
    const seqs = all.slice(1).map((r) => Number(r[0]));
    expect(new Set(seqs).size).toBe(1105);

    const logins = parseCsv((await (await dana.get(DANIEL_CSV + "?changeType=Login")).text()).replace(/^\ufeff/, ""));
    expect(logins.length).toBe(1 + 221);
    expect(logins.slice(1).every((r) => r[3] === "Login")).toBe(true);

    // A page position in the URL doesn't cut the export short.
    const paged = parseCsv((await (await dana.get(DANIEL_CSV + "?before=50")).text()).replace(/^\ufeff/, ""));
    expect(paged.length).toBe(1 + 1105);

    // Date Range in the agency's zone: 1/2/2025 in New York (EST) is 05:00 UTC to 05:00 UTC, 24 hourly entries.
    const day = parseCsv((await (await dana.get(DANIEL_CSV + "?start=2025-01-02&end=2025-01-02")).text()).replace(/^\ufeff/, ""));
    expect(day.slice(1).map((r) => r[1]!.split(" ")[0])).toEqual(Array(24).fill("1/2/2025"));

    const none = parseCsv((await (await dana.get(DANIEL_CSV + "?changedBy=Nobody")).text()).replace(/^\ufeff/, ""));
    expect(none).toEqual([["Sequence", "Date and Time", "User", "Change Type", "Description", "Details"]]);
  });

  it("refuses a bad Date Range with 422 and no file", async () => {
    const res = await dana.get(DANIEL_CSV + "?start=2025-02-01&end=2025-01-01");
    expect(res.status).toBe(422);
    expect(res.headers.get("Content-Disposition")).toBeNull();
    expect(await res.text()).toBe("End Date must be on or after the Start Date.");
  });

  it("is offered on the Change Log with the current filters", async () => {
    const html = await (await dana.get("/document-center/clients/3/cases/4/face-sheet-log?changeType=Login")).text();
    expect(html).toContain(`<a class="button" href="${PRIYA_CSV}?changeType=Login" download="">Export CSV</a>`);
  });

  it("is another agency's 404", async () => {
    const lee = await Browser.staff("admin@lakeside.test");
    expect((await lee.get(PRIYA_CSV)).status).toBe(404);
  });
});

describe("CSV cells", () => {
  it("neutralises formulas with a leading quote, and only those", () => {
    for (const v of ["=1+1", "+1", "-1", "@A1", "\t=1", "\r=1"]) expect(inertCell(v)).toBe(`'${v}`);
    for (const v of ["1", "Dana", "", " =1", "a=b"]) expect(inertCell(v)).toBe(v);
  });

  it("quotes cells with commas, quotes or line breaks, and ends rows with CRLF", () => {
    expect(csvRow([1, "plain", "a,b", 'say "hi"', "two\nlines", "cr\r"])).toBe('1,plain,"a,b","say ""hi""","two\nlines","cr\r"\r\n');
  });
});
