/**
 * Client Refused Portal Login is more than a display: for a client marked refused, the Portal
 * Login window says so and asks staff to confirm that the client changed their mind before it
 * saves an active login (added, activated, or edited while active). Without the confirmation:
 * 422, the message beside the checkbox, nothing written. With it: the login change and the
 * cleared flag (client version + 1) land in one batch, each with its own entry in the seed's
 * wording. Saving an inactive login, or deactivating one, needs no confirmation.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { Browser, DEMO } from "./fixtures";
import { alertText, clientRow, faceSheetForm, fieldError, inputValue, isChecked } from "./helpers";
import { addLogin, loginRow, loginsPath, logEntries, statusText, windowForm, type WindowFields } from "./portal-logins.helpers";

const LABEL = "The client has changed their mind and now wants a portal login";
const REQUIRED = "This client refused a portal login. Check this box to confirm they have changed their mind, or clear Active to save the login inactive.";
const NOTICE = /This client is marked Client Refused Portal Login/;
const INVALID = "Nothing was saved. Correct the fields marked below.";
const FLAG_LINE = "Client Portal - {Set entry: ClientRefusedPortalLogin to value: No}";

const markRefused = (clientId: number) => env.DB.prepare("UPDATE clients SET refused_portal_login = 1 WHERE id = ?").bind(clientId).run();

/** What must stay as it was when a Save is refused: the client row, its logins and its log. */
async function snapshot(clientId: number) {
  const { results } = await env.DB.prepare("SELECT * FROM portal_logins WHERE client_id = ? ORDER BY id").bind(clientId).all();
  return { client: await clientRow(clientId), logins: results, log: (await logEntries(clientId)).length };
}

/** Adds a login straight in D1 (as an earlier Save would have), optionally inactive. */
async function existingLogin(clientId: number, username: string, active: boolean) {
  const row = await env.DB.prepare(
    "INSERT INTO portal_logins (agency_id, client_id, username, username_key, email, active, created_at) VALUES (1, ?, ?, ?, ?, ?, 0) RETURNING id",
  )
    .bind(clientId, username, username, `${username}@example.com`, active ? 1 : 0)
    .first<{ id: number }>();
  return row!.id;
}

/** Opens Edit as htmx does and saves it with these fields (the window's `seen` included). */
async function saveEdit(b: Browser, clientId: number, loginId: number, f: WindowFields, opts: { htmx?: boolean } = { htmx: true }) {
  const window = await (await b.get(`${loginsPath(clientId)}/${loginId}/edit`, { htmx: true })).text();
  const form = windowForm({
    email: inputValue(window, "email"),
    representative: isChecked(window, "representative"),
    active: isChecked(window, "active"),
    resetPassword: false,
    ...f,
  });
  return b.post(`${loginsPath(clientId)}/${loginId}`, { ...form, seen: inputValue(window, "seen")! }, opts);
}

describe("the window for a client marked refused", () => {
  it("Add shows the notice and the unchecked confirmation box; for other clients neither", async () => {
    const b = await Browser.staff("admin@riverbend.test");
    await markRefused(3);
    const html = await (await b.get(`${loginsPath(3)}/new`, { htmx: true })).text();
    expect(html).toMatch(NOTICE);
    expect(isChecked(html, "changedMind")).toBe(false);
    expect(html).toContain(`<label for="f-changedMind">${LABEL}</label>`);
    expect(html).toMatch(/<input id="f-changedMind" name="changedMind" type="checkbox"[^>]*required=""/);
    const other = await (await b.get(`${loginsPath(4)}/new`, { htmx: true })).text();
    expect(other).not.toMatch(NOTICE);
    expect(isChecked(other, "changedMind")).toBeUndefined();
  });

  it("Edit shows them too", async () => {
    const b = await Browser.staff("admin@riverbend.test");
    await markRefused(3);
    const id = await existingLogin(3, "refused.edit.window", false);
    const html = await (await b.get(`${loginsPath(3)}/${id}/edit`)).text();
    expect(html).toMatch(NOTICE);
    expect(isChecked(html, "changedMind")).toBe(false);
  });
});

describe("Add for a refused client", () => {
  it("refuses an active login without the confirmation: 422, message beside the box, values kept, nothing written", async () => {
    const b = await Browser.staff("admin@riverbend.test");
    await markRefused(5);
    const before = await snapshot(5);
    const res = await addLogin(b, 5, { username: "refused.no", email: "no@example.com" });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(alertText(html)).toBe(INVALID);
    expect(fieldError(html, "changedMind")).toBe(REQUIRED);
    expect(inputValue(html, "username")).toBe("refused.no");
    expect(inputValue(html, "email")).toBe("no@example.com");
    expect(await snapshot(5)).toEqual(before);
  });

  it("without JavaScript, answers the same on the window's page (422)", async () => {
    const b = await Browser.staff("admin@riverbend.test");
    await markRefused(5);
    const before = await snapshot(5);
    const res = await addLogin(b, 5, { username: "refused.nojs", email: "no@example.com" }, { htmx: false });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toMatch(/^<html/);
    expect(fieldError(html, "changedMind")).toBe(REQUIRED);
    expect(await snapshot(5)).toEqual(before);
  });

  it("with it, saves the login AND clears the flag in one batch, each with its entry", async () => {
    const b = await Browser.staff("admin@riverbend.test");
    await markRefused(6);
    const before = await snapshot(6);
    const res = await addLogin(b, 6, { username: "refused.yes", email: "yes@example.com", resetPassword: false, changedMind: true });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toMatch(/<dt>Client Refused Portal Login:<\/dt>\s*<dd>\s*<strong>No<\/strong>/);
    expect(statusText(html)).toBe("Portal login refused.yes added without a password. To send one, use Edit and check Reset Password. Client Refused Portal Login cleared.");

    expect(await loginRow("refused.yes")).toMatchObject({ client_id: 6, active: 1 });
    const client = await clientRow(6);
    expect(client.refused_portal_login).toBe(0);
    expect(client.version).toBe(before.client.version + 1);

    const added = (await logEntries(6)).slice(before.log);
    expect(added.map((e) => [e.seq, e.change_type, e.description])).toEqual([
      [before.log + 1, "Portal Login", "Added a new portal login"],
      [before.log + 2, "Face Sheet", "Updated the following dynamic fields: Client Portal"],
    ]);
    expect(added[1]!.details.lines).toEqual([FLAG_LINE]);
    expect(added[1]!.details.changes).toEqual([{ field: "ClientRefusedPortalLogin", before: true, after: false }]);
    expect(added[1]!.actor_name).toBe("Dana Whitfield");
    expect(added[1]!.details.portal).toBeUndefined();
  });

  it("with it and without JavaScript, returns to the Face Sheet, which shows the flag cleared", async () => {
    const b = await Browser.staff("admin@riverbend.test");
    await markRefused(7);
    const res = await addLogin(b, 7, { username: "refused.yes.nojs", email: "y@example.com", resetPassword: false, changedMind: true }, { htmx: false });
    expect(res.status).toBe(303);
    const page = await (await b.get(res.headers.get("Location")!)).text();
    expect(page).toMatch(/<dt>Client Refused Portal Login:<\/dt>\s*<dd>\s*<strong>No<\/strong>/);
    expect(page).toContain("Client Refused Portal Login cleared.");
    expect((await clientRow(7)).refused_portal_login).toBe(0);
  });

  it("adds an inactive login without the confirmation, and the flag stays", async () => {
    const b = await Browser.staff("admin@riverbend.test");
    await markRefused(8);
    const before = await snapshot(8);
    const res = await addLogin(b, 8, { username: "refused.inactive", email: "i@example.com", active: false, resetPassword: false });
    expect(res.status).toBe(200);
    expect(await loginRow("refused.inactive")).toMatchObject({ active: 0 });
    expect((await clientRow(8)).refused_portal_login).toBe(1);
    expect((await logEntries(8)).slice(before.log).map((e) => e.change_type)).toEqual(["Portal Login"]);
  });

  it("a duplicate username with the confirmation writes nothing: the flag is not cleared on its own", async () => {
    const b = await Browser.staff("admin@riverbend.test");
    await existingLogin(9, "refused.taken", true);
    await markRefused(8);
    const before = await snapshot(8);
    const res = await addLogin(b, 8, { username: "Refused.Taken", email: "t@example.com", changedMind: true });
    expect(res.status).toBe(422);
    expect(fieldError(await res.text(), "username")).toMatch(/already in use/);
    expect(await snapshot(8)).toEqual(before);
  });

  it("asks for the confirmation even when the flag was set after the window opened", async () => {
    const b = await Browser.staff("admin@riverbend.test");
    const opened = await (await b.get(`${loginsPath(10)}/new`, { htmx: true })).text();
    expect(isChecked(opened, "changedMind")).toBeUndefined();
    await markRefused(10);
    const before = await snapshot(10);
    const res = await addLogin(b, 10, { username: "refused.late", email: "l@example.com" });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(fieldError(html, "changedMind")).toBe(REQUIRED);
    expect(html).toMatch(NOTICE);
    expect(await snapshot(10)).toEqual(before);
  });

  it("a Face Sheet Edit opened before the flag was cleared can't set it back silently (409)", async () => {
    const b = await Browser.staff("admin@riverbend.test");
    await markRefused(11);
    const stale = await clientRow(11);
    expect((await addLogin(b, 11, { username: "refused.stale", email: "s@example.com", resetPassword: false, changedMind: true })).status).toBe(200);
    const res = await b.post("/face-sheet/11", faceSheetForm(stale, { residenceCity: "Elsewhere" }));
    expect(res.status).toBe(409);
    expect((await clientRow(11)).refused_portal_login).toBe(0);
  });
});

describe("Edit for a refused client", () => {
  it("refuses to activate an inactive login without the confirmation (422, nothing written)", async () => {
    const b = await Browser.staff("admin@riverbend.test");
    await markRefused(12);
    const id = await existingLogin(12, "refused.activate", false);
    const before = await snapshot(12);
    const res = await saveEdit(b, 12, id, { active: true });
    expect(res.status).toBe(422);
    expect(fieldError(await res.text(), "changedMind")).toBe(REQUIRED);
    expect(await snapshot(12)).toEqual(before);
  });

  it("activates it with the confirmation: the login modified and the flag cleared, two entries", async () => {
    const b = await Browser.staff("admin@riverbend.test");
    await markRefused(12);
    const id = await existingLogin(12, "refused.activate.yes", false);
    const before = await snapshot(12);
    const res = await saveEdit(b, 12, id, { active: true, changedMind: true });
    expect(res.status).toBe(200);
    expect(statusText(await res.text())).toBe("Portal login refused.activate.yes saved. Changes: Active: No → Yes. Client Refused Portal Login cleared.");
    expect(await loginRow("refused.activate.yes")).toMatchObject({ active: 1 });
    expect((await clientRow(12)).refused_portal_login).toBe(0);
    const added = (await logEntries(12)).slice(before.log);
    expect(added.map((e) => [e.change_type, e.description])).toEqual([
      ["Portal Login", "Portal Login refused.activate.yes was modified."],
      ["Face Sheet", "Updated the following dynamic fields: Client Portal"],
    ]);
    expect(added[0]!.details.lines).toEqual(["Active: No → Yes"]);
    expect(added[1]!.details.lines).toEqual([FLAG_LINE]);
  });

  it("an active login of a client marked refused later: any Save that keeps it active needs the confirmation", async () => {
    const b = await Browser.staff("admin@riverbend.test");
    const id = await existingLogin(4, "refused.later", true);
    await markRefused(4);
    const before = await snapshot(4);
    const res = await saveEdit(b, 4, id, { email: "new.address@example.com" });
    expect(res.status).toBe(422);
    expect(fieldError(await res.text(), "changedMind")).toBe(REQUIRED);
    expect(await snapshot(4)).toEqual(before);
  });

  it("deactivating needs no confirmation, and the flag stays", async () => {
    const b = await Browser.staff("admin@riverbend.test");
    const id = await existingLogin(4, "refused.deactivate", true);
    await markRefused(4);
    const res = await saveEdit(b, 4, id, { active: false });
    expect(res.status).toBe(200);
    expect(await loginRow("refused.deactivate")).toMatchObject({ active: 0 });
    expect((await clientRow(4)).refused_portal_login).toBe(1);
  });

  it("the confirmation alone, with nothing else changed, clears the flag (one Face Sheet entry)", async () => {
    const b = await Browser.staff("admin@riverbend.test");
    const id = await existingLogin(3, "refused.only.flag", true);
    await markRefused(3);
    const before = await snapshot(3);
    const res = await saveEdit(b, 3, id, { changedMind: true });
    expect(res.status).toBe(200);
    expect(statusText(await res.text())).toBe("Portal login refused.only.flag saved. Client Refused Portal Login cleared.");
    expect((await clientRow(3)).refused_portal_login).toBe(0);
    const added = (await logEntries(3)).slice(before.log);
    expect(added.map((e) => e.description)).toEqual(["Updated the following dynamic fields: Client Portal"]);
  });

  it("a stale window with the confirmation is a conflict (409) and clears nothing", async () => {
    const b = await Browser.staff("admin@riverbend.test");
    const id = await existingLogin(12, "refused.stale.edit", false);
    await markRefused(12);
    const before = await snapshot(12);
    const form = windowForm({ email: "refused.stale.edit@example.com", active: true, resetPassword: false, changedMind: true });
    const res = await b.post(`${loginsPath(12)}/${id}`, { ...form, seen: "0:0:0:0:someone.else@example.com" }, { htmx: true });
    expect(res.status).toBe(409);
    expect(await snapshot(12)).toEqual(before);
  });
});

describe("Resend and access", () => {
  it("Resend sends nothing for a refused client (409, says to use Edit)", async () => {
    const b = await Browser.staff("admin@riverbend.test");
    const id = await existingLogin(5, "refused.resend", true);
    await env.DB.prepare("UPDATE portal_logins SET email_status = 'failed' WHERE id = ?").bind(id).run();
    await markRefused(5);
    const before = await snapshot(5);
    const res = await b.post(`${loginsPath(5)}/${id}/resend`, {}, { htmx: true });
    expect(res.status).toBe(409);
    expect(statusText(await res.text())).toMatch(/refused a portal login.*Edit/);
    expect(await snapshot(5)).toEqual(before);
  });

  it("another agency's staff can't confirm for a Riverbend client (404), and nothing changes", async () => {
    const lee = await Browser.staff("admin@lakeside.test");
    await markRefused(DEMO.maria);
    const before = await snapshot(DEMO.maria);
    const res = await addLogin(lee, DEMO.maria, { username: "refused.lakeside", email: "x@example.com", changedMind: true });
    expect(res.status).toBe(404);
    expect(await snapshot(DEMO.maria)).toEqual(before);
  });
});
