import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { Browser, DEMO } from "./fixtures";
import { alertText, clientRow, faceSheetForm, fieldError, inputValue, isChecked, noticeText, resultIds } from "./helpers";

// Storage is per file, so each test that writes owns its client(s):
//   Riverbend: 3 plain save · 4 htmx save · 5 htmx no-op · 6 plain no-op · 7 refused flag
//   8 validation (never saved) · 9, 10 conflicts · 11 normalisation · 12 version / extra fields
//   1, 2 targets of Lakeside's cross-agency attempts (never saved)
//   Lakeside: 13, 14, 15 refused flag without the portal

const RIVERBEND = "staff@riverbend.test";
const LAKESIDE = "admin@lakeside.test";

/** What "nothing written" means: the client row and the client's log are as they were. */
async function snapshot(id: number) {
  const log = await env.DB.prepare("SELECT COUNT(*) AS n FROM client_log WHERE client_id = ?").bind(id).first<{ n: number }>();
  return { row: await clientRow(id), log: log?.n ?? 0 };
}

async function update(email: string, id: number, overrides: Record<string, string | undefined>, htmx = false) {
  const b = await Browser.staff(email);
  const form = faceSheetForm(await clientRow(id), overrides);
  const res = await b.post(`/face-sheet/${id}`, form, { htmx });
  return { b, res, html: await res.text() };
}

describe("Face Sheet Update", () => {
  it("saves a plain form post and redirects (303) to the Face Sheet, which says it was updated", async () => {
    const before = await clientRow(3);
    const { b, res } = await update(RIVERBEND, 3, { residencePhone: "518-555-0999", residenceHomeless: "on" });
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/face-sheet/3?saved");

    const after = await clientRow(3);
    expect(after.residence_phone).toBe("(518) 555-0999");
    expect(after.residence_homeless).toBe(1);
    expect(after.version).toBe(before.version + 1);
    expect({ ...after, residence_phone: before.residence_phone, residence_homeless: 0, version: before.version }).toEqual(before);

    const html = await (await b.get(res.headers.get("Location")!)).text();
    expect(noticeText(html)).toBe("Face Sheet updated.");
    expect(html).toContain("(518) 555-0999");
    expect(html).toMatch(/<dt>Homeless<\/dt><dd>Yes<\/dd>/);
  });

  it("answers an htmx Update with the read-only panel (200) saying it was updated", async () => {
    const before = await clientRow(4);
    const { res, html } = await update(RIVERBEND, 4, { residenceCity: "Cohoes", residenceZip: "12047" }, true);
    expect(res.status).toBe(200);
    // The panel, with its page title in front (htmx sets the document's title from it).
    expect(html).toMatch(/^<title>Face Sheet: [^<]+ · Riverbend Behavioral Health<\/title><section id="face-sheet"/);
    expect(noticeText(html)).toBe("Face Sheet updated.");
    expect(html).toContain("Cohoes, NY 12047");
    expect(res.headers.get("HX-Push-Url")).toBe("/face-sheet/4");

    const after = await clientRow(4);
    expect(after.residence_city).toBe("Cohoes");
    expect(after.residence_zip).toBe("12047");
    expect(after.version).toBe(before.version + 1);
  });

  it("says 'No changes to save.' to htmx when nothing changed, and does not bump the version", async () => {
    const before = await snapshot(5);
    const { res, html } = await update(RIVERBEND, 5, {}, true);
    expect(res.status).toBe(200);
    expect(noticeText(html)).toBe("No changes to save.");
    expect(await snapshot(5)).toEqual(before);
  });

  it("says 'No changes to save.' after a plain post that changed nothing, not 'Face Sheet updated.'", async () => {
    const before = await snapshot(6);
    // The same values written differently are still no change.
    const { b, res } = await update(RIVERBEND, 6, { residencePhone: "518.555.0191", residenceState: "ny", firstName: " Thomas " });
    expect(res.status).toBe(303);
    expect(await snapshot(6)).toEqual(before);
    const html = await (await b.get(res.headers.get("Location")!)).text();
    expect(noticeText(html)).toBe("No changes to save.");
  });

  it("without JavaScript, a page re-rendered for bad input still has the whole Face Sheet, Client Portal section included", async () => {
    const { res, html } = await update(RIVERBEND, 8, { residenceZip: "12" });
    expect(res.status).toBe(422);
    expect(html).toContain("Enter a 5-digit ZIP code");
    expect(html).toContain("Agency Portal URL");
    expect(html).toContain("Add Client Portal Login");
  });

  it("sets and clears Client Refused Portal Login for a portal agency", async () => {
    const on = await update(RIVERBEND, 7, { refusedPortalLogin: "on" }, true);
    expect(on.res.status).toBe(200);
    // The flag is shown in the Client Portal section, which reloads itself on this trigger.
    expect(on.res.headers.get("HX-Trigger")).toContain("face-sheet-saved");
    const viewer = await Browser.staff(RIVERBEND);
    const shown = async () => (await (await viewer.get("/face-sheet/7")).text()).match(/Client Refused Portal Login:<\/dt><dd><strong>(\w+)<\/strong>/)?.[1];
    expect(await shown()).toBe("Yes");
    expect((await clientRow(7)).refused_portal_login).toBe(1);

    // An unchecked box is simply absent from the post.
    const off = await update(RIVERBEND, 7, { refusedPortalLogin: undefined }, true);
    expect(off.res.status).toBe(200);
    expect(await shown()).toBe("No");
    const row = await clientRow(7);
    expect(row.refused_portal_login).toBe(0);
    expect(row.version).toBe(3);
  });

  it("normalises what it stores and keeps the search keys in step with a renamed client", async () => {
    const { res } = await update(RIVERBEND, 11, {
      firstName: "  Gracie ",
      lastName: "Parkinson",
      residenceState: "ma",
      residencePhone: "+1 (413) 555 0100",
      residenceZip: "01002-1234",
      residenceEmail: " gracie@example.com ",
    });
    expect(res.status).toBe(303);
    const row = await clientRow(11);
    expect(row).toMatchObject({
      first_name: "Gracie",
      last_name: "Parkinson",
      first_name_key: "gracie",
      last_name_key: "parkinson",
      residence_state: "MA",
      residence_phone: "(413) 555-0100",
      residence_zip: "01002-1234",
      residence_email: "gracie@example.com",
    });
    const b = await Browser.staff(RIVERBEND);
    expect(resultIds(await (await b.get("/face-sheet?q=parkinson")).text())).toEqual([11]);
    expect(resultIds(await (await b.get("/face-sheet?q=gracie parkin")).text())).toEqual([11]);
    expect(resultIds(await (await b.get("/face-sheet?q=grace park")).text())).toEqual([]);
  });

  it("ignores posted fields that are not on the form (client number, agency, id)", async () => {
    const before = await clientRow(12);
    const { res } = await update(RIVERBEND, 12, { residenceCity: "Colonie", clientNumber: "HACKED", agencyId: "2", agency_id: "2", id: "1" });
    expect(res.status).toBe(303);
    const after = await clientRow(12);
    expect(after.residence_city).toBe("Colonie");
    expect(after.client_number).toBe(before.client_number);
    expect(after.agency_id).toBe(DEMO.riverbend);
    expect(after.id).toBe(12);
  });
});

describe("Face Sheet Update with bad input", () => {
  const future = `${new Date().getUTCFullYear() + 1}-01-01`;
  const cases: [string, string, string, string][] = [
    ["missing first name", "firstName", "", "Enter the first name."],
    ["blank last name", "lastName", "   ", "Enter the last name."],
    ["too-long first name", "firstName", "A".repeat(61), "First name must be 60 characters or fewer."],
    ["missing date of birth", "dateOfBirth", "", "Enter the date of birth."],
    ["impossible date", "dateOfBirth", "2023-02-30", "Enter a real date of birth in the past, as YYYY-MM-DD (e.g. 1987-03-14)."],
    ["future date", "dateOfBirth", future, "Enter a real date of birth in the past, as YYYY-MM-DD (e.g. 1987-03-14)."],
    ["US-format date", "dateOfBirth", "03/14/1987", "Enter a real date of birth in the past, as YYYY-MM-DD (e.g. 1987-03-14)."],
    ["malformed email", "residenceEmail", "maria@", "Enter an email address like name@example.com."],
    ["email without @", "residenceEmail", "maria.example.com", "Enter an email address like name@example.com."],
    ["short ZIP", "residenceZip", "1220", "Enter a 5-digit ZIP code, e.g. 12207 (or ZIP+4, 12207-1234)."],
    ["letters in ZIP", "residenceZip", "ABCDE", "Enter a 5-digit ZIP code, e.g. 12207 (or ZIP+4, 12207-1234)."],
    ["short phone", "residencePhone", "555-0142", "Enter a 10-digit phone number, e.g. (518) 555-0142."],
    ["letters in phone", "residencePhone", "518-555-CALL", "Enter a 10-digit phone number, e.g. (518) 555-0142."],
    ["unknown state", "residenceState", "XX", "Enter a two-letter state code, e.g. NY."],
    ["state spelled out", "residenceState", "New York", "Enter a two-letter state code, e.g. NY."],
  ];

  it.each(cases)("refuses a %s: 422, the message by the field, typed values kept, nothing saved", async (_, field, value, message) => {
    const before = await snapshot(8);
    // Another field is changed too, to show the whole form's entries come back and none is saved.
    const { res, html } = await update(RIVERBEND, 8, { [field]: value, residenceAddress: "1 New Street" });
    expect(res.status).toBe(422);
    expect(html).toContain("<html"); // a plain post gets the whole page back
    expect(fieldError(html, field)).toBe(message);
    expect(html).toMatch(new RegExp(`name="${field}"[^>]*aria-invalid="true"[^>]*aria-describedby="[^"]*f-${field}-error`));
    expect(inputValue(html, field)).toBe(value);
    expect(inputValue(html, "residenceAddress")).toBe("1 New Street");
    expect(alertText(html)).toBe("Nothing was saved. Correct the fields marked below.");
    expect(await snapshot(8)).toEqual(before);
  });

  it("returns only the form with every message to htmx (422)", async () => {
    const before = await snapshot(8);
    const { res, html } = await update(RIVERBEND, 8, { firstName: "", residenceZip: "9", residenceHomeless: "on", refusedPortalLogin: "on" }, true);
    expect(res.status).toBe(422);
    expect(html).toMatch(/^<title>Error: Edit Face Sheet: [^<]+<\/title><form id="face-sheet"/);
    // The error summary takes focus and links each bad field.
    expect(html).toMatch(/<div class="error-summary" role="alert" tabindex="-1" autofocus="">/);
    expect(html).toContain('<a href="#f-firstName">First name: Enter the first name.</a>');
    expect(html).toContain('<a href="#f-residenceZip">ZIP: Enter a 5-digit ZIP code');
    expect(fieldError(html, "firstName")).toBe("Enter the first name.");
    expect(fieldError(html, "residenceZip")).toBe("Enter a 5-digit ZIP code, e.g. 12207 (or ZIP+4, 12207-1234).");
    expect(fieldError(html, "lastName")).toBeUndefined();
    // Checkboxes keep what was ticked.
    expect(isChecked(html, "residenceHomeless")).toBe(true);
    expect(isChecked(html, "refusedPortalLogin")).toBe(true);
    expect(await snapshot(8)).toEqual(before);
  });

  it.each([
    ["missing", undefined],
    ["not a number", "abc"],
  ])("refuses a %s version and asks to reload, saving nothing", async (_, version) => {
    const before = await snapshot(12);
    const b = await Browser.staff(RIVERBEND);
    const form = faceSheetForm(before.row, { residenceCity: "Nowhere" });
    if (version === undefined) delete form.version;
    else form.version = version;
    const res = await b.post("/face-sheet/12", form);
    expect(res.status).toBe(422);
    expect(alertText(await res.text())).toBe("Reload the Face Sheet and try again.");
    expect(await snapshot(12)).toEqual(before);
  });

  it("refuses a zero version without saving", async () => {
    const before = await snapshot(12);
    const { res } = await update(RIVERBEND, 12, { version: "0", residenceCity: "Nowhere" });
    expect(res.status).toBe(422);
    expect(await snapshot(12)).toEqual(before);
  });
});

describe("Face Sheet Update conflicts", () => {
  const CONFLICT = "Someone else updated this Face Sheet after you opened it";

  it("refuses an Update made from an older version (409) and keeps the other person's change", async () => {
    const a = await Browser.staff("admin@riverbend.test");
    const opened = await (await a.get("/face-sheet/9/edit")).text();
    const openedVersion = inputValue(opened, "version")!;
    expect(openedVersion).toBe("1");

    // Someone else saves first.
    const other = await update(RIVERBEND, 9, { residenceCity: "Cohoes" });
    expect(other.res.status).toBe(303);
    const saved = await snapshot(9);
    expect(saved.row.version).toBe(2);

    // Then A submits what they opened at version 1.
    const form = faceSheetForm(await clientRow(9), { version: openedVersion, residenceCity: "Albany", residencePhone: "(518) 555-0000" });
    const res = await a.post("/face-sheet/9", form);
    expect(res.status).toBe(409);
    const html = await res.text();
    expect(alertText(html)).toContain(CONFLICT);
    expect(inputValue(html, "residencePhone")).toBe("(518) 555-0000"); // A's entries are still there to note
    expect(await snapshot(9)).toEqual(saved);
  });

  it("answers htmx with the form and the conflict message (409), nothing overwritten", async () => {
    const first = await update(RIVERBEND, 10, { residenceEmail: "first@example.com" }, true);
    expect(first.res.status).toBe(200);
    const saved = await snapshot(10);

    const { res, html } = await update(RIVERBEND, 10, { version: "1", residenceEmail: "second@example.com" }, true);
    expect(res.status).toBe(409);
    expect(html).toMatch(/^<title>Error: Edit Face Sheet: [^<]+<\/title><form id="face-sheet"/);
    expect(alertText(html)).toContain(CONFLICT);
    expect(await snapshot(10)).toEqual(saved);
    expect(saved.row.residence_email).toBe("first@example.com");
  });

  it("treats a version from the future as a conflict too", async () => {
    const before = await snapshot(10);
    const { res } = await update(RIVERBEND, 10, { version: "99", residenceCity: "Future" });
    expect(res.status).toBe(409);
    expect(await snapshot(10)).toEqual(before);
  });
});

describe("Face Sheet Update across agencies", () => {
  it.each([false, true])("answers 404 to Lakeside staff posting to a Riverbend client (htmx: %s), nothing written", async (htmx) => {
    for (const id of [DEMO.maria, DEMO.james]) {
      const before = await snapshot(id);
      const b = await Browser.staff(LAKESIDE);
      const res = await b.post(`/face-sheet/${id}`, faceSheetForm(before.row, { residenceCity: "Hacked", refusedPortalLogin: "on" }), { htmx });
      expect(res.status).toBe(404);
      const html = await res.text();
      expect(html).not.toContain("Alvarez");
      expect(html).not.toContain("Okafor");
      expect(await snapshot(id)).toEqual(before);
    }
  });

  it.each(["/face-sheet/abc", "/face-sheet/9999", "/face-sheet/99999999999999999999"])("answers 404 to an Update of %s", async (path) => {
    const b = await Browser.staff(RIVERBEND);
    const res = await b.post(path, faceSheetForm(await clientRow(DEMO.maria), { residenceCity: "Hacked" }));
    expect(res.status).toBe(404);
    expect((await clientRow(DEMO.maria)).residence_city).toBe("Albany");
  });
});

describe("Client Refused Portal Login without the portal (Lakeside)", () => {
  it("ignores a posted refusedPortalLogin=on while saving the other changes", async () => {
    const { res, html } = await update(LAKESIDE, 13, { refusedPortalLogin: "on", residenceCity: "Bolton Landing" }, true);
    expect(res.status).toBe(200);
    expect(noticeText(html)).toBe("Face Sheet updated.");
    expect(html).not.toContain("Refused Portal Login");
    const row = await clientRow(13);
    expect(row.residence_city).toBe("Bolton Landing");
    expect(row.refused_portal_login).toBe(0);
  });

  it("keeps a flag already set when the post (which has no such checkbox) omits it", async () => {
    await env.DB.prepare("UPDATE clients SET refused_portal_login = 1 WHERE id = 14").run();
    const { res } = await update(LAKESIDE, 14, { refusedPortalLogin: undefined, residenceCity: "Bolton Landing" });
    expect(res.status).toBe(303);
    const row = await clientRow(14);
    expect(row.residence_city).toBe("Bolton Landing");
    expect(row.refused_portal_login).toBe(1);
  });

  it("treats a post that only ticks refusedPortalLogin as no change", async () => {
    const before = await snapshot(15);
    const { res, html } = await update(LAKESIDE, 15, { refusedPortalLogin: "on" }, true);
    expect(res.status).toBe(200);
    expect(noticeText(html)).toBe("No changes to save.");
    expect(await snapshot(15)).toEqual(before);
  });
});
