/**
 * The Client Portal section on the Face Sheet: present for a contracted agency (Riverbend) in
 * view and Edit mode, absent for Lakeside; the refused flag, the Agency Portal URL with Copy, the
 * table or "No data", and each login's status at a glance.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { Browser, DEMO } from "./fixtures";
import { clientRow, faceSheetForm } from "./helpers";
import { addLogin, loginsPath, statusText, tableRows } from "./portal-logins.helpers";

let admin: Browser;
beforeAll(async () => {
  admin = await Browser.staff("admin@riverbend.test");
});

describe("Client Portal section", () => {
  it("is on the Face Sheet of a client of a contracted agency, in view and Edit mode", async () => {
    for (const path of [`/face-sheet/${DEMO.james}`, `/face-sheet/${DEMO.james}/edit`]) {
      const html = await (await admin.get(path)).text();
      expect(html).toContain('<h2 id="client-portal-h">Client Portal</h2>');
      expect(html).toMatch(/Client Refused Portal Login:<\/dt>\s*<dd><strong>No<\/strong>/);
      expect(html).toContain("Agency Portal URL:");
      expect(html).toContain("Add Client Portal Login");
    }
  });

  it("is absent for an agency that is not contracted (Lakeside)", async () => {
    const lee = await Browser.staff("admin@lakeside.test");
    for (const path of [`/face-sheet/${DEMO.hannah}`, `/face-sheet/${DEMO.hannah}/edit`]) {
      const res = await lee.get(path);
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(html).not.toContain("Client Portal</h2>");
      expect(html).not.toContain("Add Client Portal Login");
      expect(html).not.toContain("Agency Portal URL");
    }
  });

  it("shows the agency's own portal URL (the request's origin locally) with a Copy button", async () => {
    const html = await (await admin.get(`/face-sheet/${DEMO.james}`)).text();
    expect(html).toContain(`<code><span class="breakable">http://localhost/<wbr/>portal/<wbr/>riverbend</span></code>`);
    expect(html).toMatch(/<button type="button" class="small" data-copy="http:\/\/localhost\/portal\/riverbend" aria-controls="portal-url-copied"/);
    expect(html).toMatch(/<span id="portal-url-copied"[^>]*aria-live="polite"/);
  });

  it("says No data when the client has no portal login", async () => {
    const html = await (await admin.get(`/face-sheet/${DEMO.james}`)).text();
    expect(html).toContain('<p class="empty">No data</p>');
    expect(html).not.toContain("<table class=\"stack portal-logins\">");
  });

  it("shows the refused flag once it is saved with Update, and the section refreshes itself after an htmx Update", async () => {
    await env.DB.prepare("UPDATE clients SET refused_portal_login = 1 WHERE id = ?").bind(DEMO.james).run();
    const html = await (await admin.get(`/face-sheet/${DEMO.james}`)).text();
    expect(html).toMatch(/Client Refused Portal Login:<\/dt>\s*<dd><strong>Yes<\/strong>/);
    // The body listens for the event the Face Sheet's Update sends, and reloads from here:
    expect(html).toMatch(/<div id="client-portal" hx-get="\/face-sheet\/2\/portal-logins" hx-trigger="face-sheet-saved from:body"/);
    const body = await (await admin.get(loginsPath(DEMO.james), { htmx: true })).text();
    expect(body).toMatch(/^<div id="client-portal"/);
    expect(body).toMatch(/Client Refused Portal Login:<\/dt>\s*<dd><strong>Yes<\/strong>/);
    await env.DB.prepare("UPDATE clients SET refused_portal_login = 0 WHERE id = ?").bind(DEMO.james).run();
  });

  it("an htmx Update of the refused flag tells the section to refresh (HX-Trigger: face-sheet-saved)", async () => {
    const row = await clientRow(DEMO.james);
    const res = await admin.post(`/face-sheet/${DEMO.james}`, faceSheetForm(row, { refusedPortalLogin: "on" }), { htmx: true });
    expect(res.status).toBe(200);
    expect(res.headers.get("HX-Trigger")).toBe("face-sheet-saved");
    const body = await (await admin.get(loginsPath(DEMO.james), { htmx: true })).text();
    expect(body).toMatch(/Client Refused Portal Login:<\/dt>\s*<dd><strong>Yes<\/strong>/);
    // An Update that changes nothing sends no event.
    const again = await admin.post(`/face-sheet/${DEMO.james}`, faceSheetForm(await clientRow(DEMO.james)), { htmx: true });
    expect(again.headers.get("HX-Trigger")).toBeNull();
    await env.DB.prepare("UPDATE clients SET refused_portal_login = 0 WHERE id = ?").bind(DEMO.james).run();
  });

  it("sends a plain GET of the section's URL to the Face Sheet", async () => {
    const res = await admin.get(loginsPath(DEMO.james));
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe(`/face-sheet/${DEMO.james}#client-portal-section`);
  });

  it("lists each login with Portal Username | Representative | Active | Status | email state | Last login | Edit", async () => {
    expect((await addLogin(admin, DEMO.james, { username: "james.okafor", email: "james@example.com" })).status).toBe(200);
    expect((await addLogin(admin, DEMO.james, { username: "okafor.rep", email: "rep@example.com", representative: true })).status).toBe(200);
    const html = await (await admin.get(`/face-sheet/${DEMO.james}`)).text();
    expect(html).toMatch(/<th scope="col">Portal Username<\/th>\s*<th scope="col">Representative<\/th>\s*<th scope="col">Active<\/th>/);
    expect(html).toContain('<th scope="col">Edit</th>');
    const rows = tableRows(html);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      "Portal Username": "james.okafor",
      Representative: "No",
      Active: "Yes",
      Status: "Invited",
      "Portal User Email": "james@example.com Email sent",
      "Last login": "Never",
      Edit: "Edit",
    });
    // A representative's cell also shows its record (src/representatives/).
    expect(rows[1]).toMatchObject({ "Portal Username": "okafor.rep", Representative: expect.stringMatching(/^Yes Rosa Alvarez Parent · Client/), Active: "Yes", Status: "Invited" });
    expect(html).toMatch(/<a id="edit-portal-login-\d+" class="button small" href="\/face-sheet\/2\/portal-logins\/\d+\/edit"[^>]*data-opens-dialog="true" role="button" aria-haspopup="dialog">Edit<span class="visually-hidden"> portal login james.okafor<\/span><\/a>/);
  });

  it("shows Locked, Expired, Active and Inactive, and the last login in the agency's time zone", async () => {
    const now = Date.now();
    const set = (username: string, sql: string, ...params: unknown[]) =>
      env.DB.prepare(`UPDATE portal_logins SET ${sql} WHERE username_key = ?`).bind(...params, username).run();
    await set("james.okafor", "locked_until = ?, failed_attempts = 5", now + 600_000);
    await set("okafor.rep", "temp_password_expires_at = ?", now - 1000);
    const lockedPage = await (await admin.get(`/face-sheet/${DEMO.james}`)).text();
    let rows = tableRows(lockedPage);
    expect(rows.map((r) => r.Status)).toEqual(["Locked", "Expired"]);
    // What each status means is visible text under the table, and each badge's description (no tooltip).
    expect(lockedPage).toContain('<span class="badge bad" aria-describedby="status-help-locked">Locked</span>');
    expect(lockedPage).toContain('<dt>Locked</dt><dd id="status-help-locked">Too many failed sign-ins; Save in Edit unlocks it</dd>');
    expect(lockedPage).toContain('<dd id="status-help-expired">Temporary password expired unused; Edit › Reset Password</dd>');
    expect(lockedPage).not.toMatch(/<span class="badge[^"]*" title=/);

    // 2026-03-10 17:05 UTC is 1:05 PM in New York (EDT).
    await set("james.okafor", "locked_until = NULL, failed_attempts = 0, must_change_password = 0, temp_password_expires_at = NULL, last_login_at = ?", Date.UTC(2026, 2, 10, 17, 5));
    await set("okafor.rep", "active = 0");
    rows = tableRows(await (await admin.get(`/face-sheet/${DEMO.james}`)).text());
    // The status of a login in use reads "In use": "Active" is the seed's column (may sign in).
    expect(rows.map((r) => r.Status)).toEqual(["In use", "Inactive"]);
    expect(rows[0]!["Last login"]).toBe("3/10/2026 1:05:00 PM EDT"); // the Change Log's format, with the zone
    expect(rows[1]!.Active).toBe("No");
  });

  it("shows the outcome named in the query after a Save without JavaScript", async () => {
    const id = (await env.DB.prepare("SELECT id FROM portal_logins WHERE username_key = 'okafor.rep'").first<{ id: number }>())!.id;
    const html = await (await admin.get(`/face-sheet/${DEMO.james}?portal-login=${id}&done=saved`)).text();
    expect(statusText(html)).toBe("Portal login okafor.rep saved.");
    // Another client's login id, or a made-up outcome, says nothing.
    expect(statusText(await (await admin.get(`/face-sheet/${DEMO.maria}?portal-login=${id}&done=saved`)).text())).toBeUndefined();
    expect(statusText(await (await admin.get(`/face-sheet/${DEMO.james}?portal-login=${id}&done=hacked`)).text())).toBeUndefined();
  });
});
