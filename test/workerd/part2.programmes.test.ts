/**
 * Administration › Programmes: admins list the agency's programmes (every name its cases carry)
 * and mark or unmark one as 42 CFR Part 2, each change with its Agency Log entry in the same
 * batch; a repeated mark writes nothing; unknown names, bad marks, other roles and other agencies
 * change nothing. The mark takes effect at once for representatives (part2.access tests the rule).
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { Browser, seedDemoData } from "./fixtures";
import { alertText, noticeText } from "./helpers";

let admin: Browser;
beforeAll(async () => {
  await seedDemoData();
  admin = await Browser.staff("admin@riverbend.test");
});

const PATH = "/admin/programmes";
const mark = async (agencyId: number, name: string) =>
  (await env.DB.prepare("SELECT part2 FROM programs WHERE agency_id = ? AND name = ?").bind(agencyId, name).first<{ part2: number }>())?.part2 ?? null;
const logRows = async (agencyId: number) =>
  (await env.DB.prepare("SELECT description, actor_name FROM agency_log WHERE agency_id = ? AND action = 'Programme changed' ORDER BY seq").bind(agencyId).all<{ description: string; actor_name: string }>()).results;

describe("the list", () => {
  it("shows the agency's programmes with open cases and the Part 2 mark; linked from the Main Menu", async () => {
    const menu = await (await admin.get("/menu")).text();
    expect(menu).toContain('href="/admin/programmes"');
    const res = await admin.get(PATH);
    expect(res.status).toBe(200);
    const html = await res.text();
    for (const name of ["Outpatient Counseling", "Substance Use IOP", "Medication Management", "Young Adult Program", "Residential Care", "Youth and Family"]) {
      expect(html).toContain(`<td data-label="Programme">${name}</td>`);
    }
    expect(html).toContain("Mark as Part 2");
  });
});

describe("marking", () => {
  it("marks and unmarks a programme, each change logged in the Agency Log; a repeat writes nothing", async () => {
    const res = await admin.post(PATH, { name: "Substance Use IOP", part2: "1" }, { htmx: true });
    expect(res.status).toBe(200);
    expect(noticeText(await res.text())).toMatch(/^Substance Use IOP is now marked 42 CFR Part 2/);
    expect(await mark(1, "Substance Use IOP")).toBe(1);
    expect(await logRows(1)).toEqual([{ description: "Substance Use IOP: 42 CFR Part 2 No → Yes", actor_name: "Dana Whitfield" }]);

    const again = await admin.post(PATH, { name: "Substance Use IOP", part2: "1" }, { htmx: true });
    expect(again.status).toBe(200);
    expect(noticeText(await again.text())).toBe("Substance Use IOP is already marked 42 CFR Part 2: nothing changed.");
    expect(await logRows(1)).toHaveLength(1);

    expect((await admin.post(PATH, { name: "Substance Use IOP", part2: "0" }, { htmx: true })).status).toBe(200);
    expect(await mark(1, "Substance Use IOP")).toBe(0);
    expect((await logRows(1)).at(-1)!.description).toBe("Substance Use IOP: 42 CFR Part 2 Yes → No");
    // Lakeside's programme of the same name is untouched.
    expect(await mark(2, "Substance Use IOP")).toBeNull();
  });

  it("without JavaScript: redirected back to the list with the outcome", async () => {
    const res = await admin.post(PATH, { name: "Residential Care", part2: "1" });
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe(`${PATH}?done=marked`);
    await admin.post(PATH, { name: "Residential Care", part2: "0" });
  });

  it("bad input: an unknown programme or a mark other than 1/0 → 422, nothing written", async () => {
    const before = await logRows(1);
    const unknown = await admin.post(PATH, { name: "No Such Programme", part2: "1" }, { htmx: true });
    expect(unknown.status).toBe(422);
    expect(alertText(await unknown.text())).toBe("There is no programme of that name in this agency, so nothing was changed.");
    const badMark = await admin.post(PATH, { name: "Outpatient Counseling", part2: "yes" }, { htmx: true });
    expect(badMark.status).toBe(422);
    expect(alertText(await badMark.text())).toBe("Choose whether the programme is Part 2.");
    expect(await mark(1, "No Such Programme")).toBeNull();
    expect(await mark(1, "Outpatient Counseling")).toBeNull();
    expect(await logRows(1)).toEqual(before);
  });
});

describe("who may", () => {
  it("staff and the auditor: 403 on the page and the change, nothing written", async () => {
    for (const email of ["staff@riverbend.test", "auditor@riverbend.test"]) {
      const b = await Browser.staff(email);
      expect((await b.get(PATH)).status).toBe(403);
      expect((await b.post(PATH, { name: "Medication Management", part2: "1" }, { htmx: true })).status).toBe(403);
    }
    expect(await mark(1, "Medication Management")).toBeNull();
  });

  it("another agency's admin sees and changes only their own programmes", async () => {
    const lee = await Browser.staff("admin@lakeside.test");
    const html = await (await lee.get(PATH)).text();
    expect(html).not.toContain("Young Adult Program"); // Riverbend's only
    expect((await lee.post(PATH, { name: "Young Adult Program", part2: "1" }, { htmx: true })).status).toBe(422);
    expect(await mark(1, "Young Adult Program")).toBeNull();
    expect(await mark(2, "Young Adult Program")).toBeNull();
  });

  it("a portal user or no session: sent to staff sign-in", async () => {
    const res = await new Browser().post(PATH, { name: "Substance Use IOP", part2: "1" });
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toMatch(/^\/sign-in/);
  });
});
