import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { Browser, DEMO } from "./fixtures";
import { inputValue, isChecked } from "./helpers";

// Read-only apart from one test that sets Lakeside client 16's refused flag directly in D1.

const RIVERBEND = "staff@riverbend.test";
const LAKESIDE = "admin@lakeside.test";

async function page(email: string, path: string, htmx = false) {
  const b = await Browser.staff(email);
  const res = await b.get(path, { htmx });
  return { res, html: await res.text() };
}

describe("Face Sheet, read-only", () => {
  it("shows the client's demographics, Current Residence and cases", async () => {
    const { res, html } = await page(RIVERBEND, `/face-sheet/${DEMO.maria}`);
    expect(res.status).toBe(200);
    // Demographics
    expect(html).toContain("Alvarez, Maria");
    expect(html).toContain("R-1001");
    expect(html).toContain("03/14/1987");
    // Current Residence
    expect(html).toContain("Current Residence");
    expect(html).toContain("41 Elm Street, Apt 2, Albany, NY 12207");
    expect(html).toContain("(518) 555-0142");
    // The email may wrap only at its dots and before the @ (<wbr>), never mid-word.
    expect(html).toContain("maria.<wbr/>alvarez<wbr/>@example.<wbr/>com");
    expect(html).toMatch(/<dt>Homeless<\/dt><dd>No<\/dd>/);
    // Cases
    expect(html).toContain("RB-24-0101");
    expect(html).toContain("Outpatient Counseling");
    expect(html).toContain("02/05/2024");
    // Read-only: an Edit link, no form fields.
    expect(html).toContain(`href="/face-sheet/${DEMO.maria}/edit"`);
    expect(inputValue(html, "firstName")).toBeUndefined();
    // Breadcrumbs follow the seed's menu path.
    expect(html).toMatch(/Main Menu[\s\S]*Admissions Menu[\s\S]*Face Sheet/);
  });

  it("shows a dash for a missing email and lists every case, closed ones with their closing date", async () => {
    const { html } = await page(RIVERBEND, `/face-sheet/${DEMO.james}`);
    expect(html).toContain("Okafor, James");
    expect(html).toMatch(/<dt>Email<\/dt><dd>—<\/dd>/);
    expect(html).toContain("RB-23-0458");
    expect(html).toContain("12/15/2023");
    expect(html).toContain("RB-25-0032");
  });

  it("shows a dash for an empty address", async () => {
    const { html } = await page(RIVERBEND, "/face-sheet/12");
    expect(html).toContain("Ortega, Luis");
    expect(html).toMatch(/<dt>Address<\/dt><dd>—<\/dd>/);
  });

  it("shows Client Refused Portal Login for a portal-contracted agency (Riverbend)", async () => {
    const { html } = await page(RIVERBEND, `/face-sheet/${DEMO.maria}`);
    // Shown once, in the Client Portal section.
    expect(html.match(/Client Refused Portal Login/g)).toHaveLength(1);
    expect(html).toMatch(/<dt>Client Refused Portal Login:<\/dt><dd><strong>No<\/strong><\/dd>/);
  });

  it("has no Client Refused Portal Login for an agency without the portal (Lakeside), even when the flag is set", async () => {
    await env.DB.prepare("UPDATE clients SET refused_portal_login = 1 WHERE id = 16").run();
    const { res, html } = await page(LAKESIDE, "/face-sheet/16");
    expect(res.status).toBe(200);
    expect(html).toContain("O&#39;Brien, Kevin");
    expect(html).not.toContain("Refused Portal Login");
    expect(html).not.toContain("Client Portal");
  });

  it("returns only the Face Sheet panel to htmx", async () => {
    const { res, html } = await page(RIVERBEND, `/face-sheet/${DEMO.maria}`, true);
    expect(res.status).toBe(200);
    expect(html).toMatch(/^<title>Face Sheet: Alvarez, Maria · Riverbend Behavioral Health<\/title><section id="face-sheet"/);
    expect(html).not.toContain("<html");
    expect(res.headers.get("Vary") ?? "").toMatch(/HX-Request/i);
  });
});

describe("Face Sheet, Edit", () => {
  it("shows the form filled with the current values, the version, Update and Cancel", async () => {
    const { res, html } = await page(RIVERBEND, `/face-sheet/${DEMO.maria}/edit`);
    expect(res.status).toBe(200);
    expect(html).toMatch(new RegExp(`<form id="face-sheet"[^>]*method="post"[^>]*action="/face-sheet/${DEMO.maria}"`));
    expect(inputValue(html, "firstName")).toBe("Maria");
    expect(inputValue(html, "lastName")).toBe("Alvarez");
    expect(inputValue(html, "dateOfBirth")).toBe("1987-03-14");
    expect(inputValue(html, "residenceAddress")).toBe("41 Elm Street, Apt 2");
    expect(inputValue(html, "residenceCity")).toBe("Albany");
    expect(inputValue(html, "residenceState")).toBe("NY");
    expect(inputValue(html, "residenceZip")).toBe("12207");
    expect(inputValue(html, "residencePhone")).toBe("(518) 555-0142");
    expect(inputValue(html, "residenceEmail")).toBe("maria.alvarez@example.com");
    expect(isChecked(html, "residenceHomeless")).toBe(false);
    expect(isChecked(html, "refusedPortalLogin")).toBe(false);
    expect(inputValue(html, "version")).toBe("1");
    expect(html).toContain(">Update</button>");
    expect(html).toContain(">Cancel</a>");
    // The cases are still shown below the form.
    expect(html).toContain("RB-24-0101");
  });

  it("has no Client Refused Portal Login checkbox for Lakeside", async () => {
    const { res, html } = await page(LAKESIDE, `/face-sheet/${DEMO.marta}/edit`);
    expect(res.status).toBe(200);
    expect(inputValue(html, "firstName")).toBe("Marta");
    expect(isChecked(html, "refusedPortalLogin")).toBeUndefined();
  });

  it("returns only the form to htmx", async () => {
    const { html } = await page(RIVERBEND, `/face-sheet/${DEMO.james}/edit`, true);
    // Titled "Edit Face Sheet: …"; the heading takes focus and says it is in edit mode.
    expect(html).toMatch(/^<title>Edit Face Sheet: Okafor, James · Riverbend Behavioral Health<\/title><form id="face-sheet"/);
    expect(html).toContain('<h2 id="fs-h" tabindex="-1" autofocus="">Client information (editing)</h2>');
    expect(html).not.toContain("<html");
  });

  it("says Cancel discarded the edit, in a message that takes focus", async () => {
    const { html } = await page(RIVERBEND, `/face-sheet/${DEMO.james}?cancelled`, true);
    expect(html).toContain('<p class="notice" role="status" tabindex="-1" autofocus="">Edit cancelled. Nothing was saved.</p>');
  });

  it("titles the full Edit page 'Edit Face Sheet: …'", async () => {
    const { html } = await page(RIVERBEND, `/face-sheet/${DEMO.james}/edit`);
    expect(html).toContain("<title>Edit Face Sheet: Okafor, James · Riverbend Behavioral Health</title>");
  });
});

describe("Face Sheet across agencies and bad ids", () => {
  it.each([
    ["view", `/face-sheet/${DEMO.maria}`],
    ["edit", `/face-sheet/${DEMO.maria}/edit`],
    ["view of another Riverbend client", `/face-sheet/${DEMO.james}`],
  ])("answers 404 to Lakeside staff asking for a Riverbend client (%s)", async (_, path) => {
    for (const htmx of [false, true]) {
      const { res, html } = await page(LAKESIDE, path, htmx);
      expect(res.status).toBe(404);
      expect(html).not.toContain("Alvarez");
      expect(html).not.toContain("Okafor");
    }
  });

  it("answers 404 to Riverbend staff asking for Lakeside's Marta", async () => {
    for (const path of [`/face-sheet/${DEMO.marta}`, `/face-sheet/${DEMO.marta}/edit`]) {
      const { res, html } = await page(RIVERBEND, path);
      expect(res.status).toBe(404);
      expect(html).not.toContain("Marta");
    }
  });

  it.each(["/face-sheet/abc", "/face-sheet/1abc", "/face-sheet/-1", "/face-sheet/1.5", "/face-sheet/abc/edit", "/face-sheet/0", "/face-sheet/9999", "/face-sheet/99999999999999999999"])(
    "answers 404 to %s",
    async (path) => {
      const { res, html } = await page(RIVERBEND, path);
      expect(res.status).toBe(404);
      expect(html).toContain("Not found");
    },
  );
});
