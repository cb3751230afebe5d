/**
 * Edit on a login's row: the same window with its values; deactivate (sessions end), reactivate,
 * Reset Password (a new temporary password, emailed), unlock; one log entry per Save naming what
 * changed, shown on the portal's Activity as "Profile Updated"; a Save that changes nothing
 * writes nothing; a Save from a stale window is a conflict. Resend after a failed email.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { Browser, DEMO } from "./fixtures";
import { alertText, fieldError, inputValue, isChecked } from "./helpers";
import { addLogin, defaultRecord, demoToday, editLogin, loginRow, loginsPath, logEntries, statusText, tableRows, TEMP_PASSWORD, type LoginRow, type WindowFields } from "./portal-logins.helpers";

const HOUR = 3_600_000;
let admin: Browser;
let login: LoginRow;

beforeAll(async () => {
  admin = await Browser.staff("admin@riverbend.test");
  expect((await addLogin(admin, DEMO.maria, { username: "edit.me", email: "maria.alvarez@example.com" })).status).toBe(200);
  login = (await loginRow("edit.me"))!;
});

const editPath = () => `${loginsPath(DEMO.maria)}/${login.id}`;

/** Opens Edit (as htmx does) and saves the window with these changes, as a browser would. */
async function save(changes: WindowFields, opts: { htmx?: boolean } = { htmx: true }) {
  const window = await (await admin.get(`${editPath()}/edit`, { htmx: true })).text();
  const seen = inputValue(window, "seen")!;
  const current = {
    email: inputValue(window, "email"),
    representative: isChecked(window, "representative"),
    active: isChecked(window, "active"),
    resetPassword: false,
  };
  const form = { ...current, ...changes };
  const body: Record<string, string> = { seen, email: form.email ?? "" };
  if (form.resetPassword) body.resetPassword = "on";
  if (form.representative) body.representative = "on";
  if (form.active) body.active = "on";
  // A representative needs its record (src/representatives/): the window's, or a valid new one.
  if (form.representative) Object.assign(body, recordBody(window));
  return admin.post(editPath(), body, opts);
}

/** The representative record's fields as the window holds them, or a valid new record. */
function recordBody(window: string): Record<string, string> {
  const d = defaultRecord();
  return {
    repName: inputValue(window, "repName") || d.repName,
    relationship: d.relationship,
    legalBasis: d.legalBasis,
    startDate: inputValue(window, "startDate") || d.startDate,
    endDate: inputValue(window, "endDate") || d.endDate,
    recordVersion: inputValue(window, "recordVersion") ?? "0",
  };
}

const lastEntry = async () => (await logEntries(DEMO.maria)).at(-1)!;

describe("the Edit window", () => {
  it("opens as a dialog with the login's values, Reset Password unchecked, the username not editable", async () => {
    const res = await admin.get(`${editPath()}/edit`, { htmx: true });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toMatch(/^<dialog data-open="true" id="portal-login-dialog"/);
    expect(html).toContain("Editing edit.me for Maria Alvarez");
    expect(html).toMatch(/<input id="f-username" type="text" value="edit.me" readonly=""/);
    expect(inputValue(html, "username")).toBeUndefined(); // not submitted
    expect(inputValue(html, "email")).toBe("maria.alvarez@example.com");
    expect(isChecked(html, "resetPassword")).toBe(false);
    expect(isChecked(html, "representative")).toBe(false);
    expect(isChecked(html, "active")).toBe(true);
    expect(html).toMatch(new RegExp(`<form id="portal-login-form" method="post" action="${editPath()}" novalidate="" hx-post="${editPath()}"`));
  });

  it("is a page of its own without JavaScript", async () => {
    const html = await (await admin.get(`${editPath()}/edit`)).text();
    expect(html).toMatch(/^<html/);
    expect(html).toContain("Editing edit.me for Maria Alvarez");
  });
});

describe("Save (edit)", () => {
  it("changes nothing and writes nothing when nothing changed", async () => {
    const entries = (await logEntries(DEMO.maria)).length;
    const res = await save({});
    expect(res.status).toBe(200);
    expect(res.headers.get("HX-Trigger-After-Swap")).toBe("close-dialog");
    expect(statusText(await res.text())).toBe("No changes to save for portal login edit.me.");
    expect((await logEntries(DEMO.maria)).length).toBe(entries);
    expect(await loginRow("edit.me")).toEqual(login);
  });

  it("clearing Active makes the login inactive and ends its sessions (session_version + 1)", async () => {
    const res = await save({ active: false });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(statusText(html)).toBe("Portal login edit.me saved. Changes: Active: Yes → No.");
    expect(tableRows(html)[0]).toMatchObject({ "Portal Username": "edit.me", Active: "No", Status: "Inactive" });
    const row = (await loginRow("edit.me"))!;
    expect(row).toMatchObject({ active: 0, session_version: login.session_version + 1, password_hash: login.password_hash });
    const entry = await lastEntry();
    expect(entry).toMatchObject({ change_type: "Portal Login", description: "Portal Login edit.me was modified.", actor_name: "Dana Whitfield" });
    expect(entry.details.lines).toEqual(["Active: Yes → No"]);
    expect(entry.details.portal).toEqual({
      action: "Profile Updated",
      description: "Portal Login edit.me was modified by Dana Whitfield. Changes: Active: Yes → No",
    });
    login = row;
  });

  it("an inactive login gets no Resend, even with its email not sent", async () => {
    await env.DB.prepare("UPDATE portal_logins SET email_status = 'failed' WHERE id = ?").bind(login.id).run();
    const html = await (await admin.get(`/face-sheet/${DEMO.maria}`)).text();
    expect(tableRows(html)[0]!["Portal User Email"]).toBe("maria.alvarez@example.com Email not sent");
    expect(html).not.toContain(`id="resend-portal-login-${login.id}"`);
    const res = await admin.post(`${editPath()}/resend`, {}, { htmx: true });
    expect(res.status).toBe(409);
    expect(statusText(await res.text())).toMatch(/^Portal login edit.me is inactive, so no password was sent/);
    expect(await loginRow("edit.me")).toEqual({ ...login, email_status: "failed" });
    await env.DB.prepare("UPDATE portal_logins SET email_status = 'sent' WHERE id = ?").bind(login.id).run();
  });

  it("checking Active again restores it, without a new password", async () => {
    const res = await save({ active: true });
    expect(statusText(await res.text())).toBe("Portal login edit.me saved. Changes: Active: No → Yes.");
    const row = (await loginRow("edit.me"))!;
    expect(row).toMatchObject({ active: 1, session_version: login.session_version, password_hash: login.password_hash });
    expect((await lastEntry()).details.lines).toEqual(["Active: No → Yes"]);
    login = row;
  });

  it("Reset Password issues a new temporary password, emails it and ends sessions", async () => {
    await env.DB.prepare("UPDATE portal_logins SET must_change_password = 0, temp_password_expires_at = NULL WHERE id = ?").bind(login.id).run();
    const started = Date.now();
    const res = await save({ resetPassword: true });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(statusText(html)).toBe("Portal login edit.me saved. A new temporary password was emailed to maria.alvarez@example.com.");
    expect(html).not.toMatch(TEMP_PASSWORD);
    const row = (await loginRow("edit.me"))!;
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    expect(row.password_hash).not.toBe(login.password_hash);
    expect(row).toMatchObject({ must_change_password: 1, session_version: login.session_version + 1, email_status: "sent" });
    expect(row.temp_password_expires_at! - started).toBeGreaterThanOrEqual(24 * HOUR);
    expect(row.temp_password_expires_at! - Date.now()).toBeLessThanOrEqual(24 * HOUR);
    const entry = await lastEntry();
    expect(entry.description).toBe("Portal Login edit.me was modified.");
    expect(entry.details.lines).toEqual(["Password updated"]);
    expect(entry.details.portal).toEqual({ action: "Profile Updated", description: "Portal Login edit.me was modified by Dana Whitfield. Changes: Password updated" });
    expect(entry.raw).not.toMatch(TEMP_PASSWORD);
    login = row;
  });

  it("names every change of one Save in one entry: password, email, representative", async () => {
    const entries = (await logEntries(DEMO.maria)).length;
    const res = await save({ resetPassword: true, email: "maria.new@example.com", representative: true });
    expect(statusText(await res.text())).toBe("Portal login edit.me saved. A new temporary password was emailed to maria.new@example.com.");
    expect((await logEntries(DEMO.maria)).length).toBe(entries + 1);
    const entry = await lastEntry();
    const show = (d: string) => `${d.slice(5, 7)}/${d.slice(8)}/${d.slice(0, 4)}`;
    expect(entry.details.lines).toEqual([
      "Password updated",
      "Email: maria.alvarez@example.com → maria.new@example.com",
      "Representative: No → Yes",
      `Representative record: Rosa Alvarez, Parent, Client's authorisation, from ${show(demoToday())}, ends ${show(demoToday(365))}`,
    ]);
    expect(entry.details.portal!.description).toBe(
      // The portal side names the email change without the addresses (other logins read it too),
      // and the record without the representative's details.
      "Portal Login edit.me was modified by Dana Whitfield. Changes: Password updated, Email updated, Representative: No → Yes, Representative record added",
    );
    login = (await loginRow("edit.me"))!;
    expect(login).toMatchObject({ email: "maria.new@example.com", representative: 1 });
  });

  it("a Save unlocks a locked login (failed attempts cleared) and logs it", async () => {
    await env.DB.prepare("UPDATE portal_logins SET failed_attempts = 7, locked_until = ? WHERE id = ?").bind(Date.now() + HOUR, login.id).run();
    expect(tableRows(await (await admin.get(`/face-sheet/${DEMO.maria}`)).text())[0]!.Status).toBe("Locked");
    const res = await save({});
    expect(statusText(await res.text())).toBe("Portal login edit.me saved. Changes: Unlocked.");
    expect(await loginRow("edit.me")).toMatchObject({ failed_attempts: 0, locked_until: null, session_version: login.session_version });
    expect((await lastEntry()).details.lines).toEqual(["Unlocked"]);
    login = (await loginRow("edit.me"))!;
  });

  it("without JavaScript, redirects to the Face Sheet with the outcome", async () => {
    const res = await save({ representative: false }, { htmx: false });
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe(`/face-sheet/${DEMO.maria}?portal-login=${login.id}&done=saved#client-portal-section`);
    expect(statusText(await (await admin.get(res.headers.get("Location")!)).text())).toBe("Portal login edit.me saved.");
    login = (await loginRow("edit.me"))!;
  });

  it("bad input: 422 inside the window, values kept, nothing written", async () => {
    const entries = (await logEntries(DEMO.maria)).length;
    for (const [changes, field, message] of [
      [{ email: "" }, "email", "Enter the Portal User Email."],
      [{ email: "not-an-email" }, "email", "Enter an email address like name@example.com."],
      [{ active: false, resetPassword: true }, "resetPassword", "A temporary password can only be sent to an active login: check Active, or clear Reset Password."],
    ] as const) {
      const res = await save(changes);
      expect(res.status).toBe(422);
      const html = await res.text();
      expect(html).toMatch(/^<form id="portal-login-form"/);
      expect(fieldError(html, field)).toBe(message);
      expect(inputValue(html, "email")).toBe("email" in changes ? changes.email : login.email);
      expect(inputValue(html, "seen")).toBeDefined();
    }
    expect(await loginRow("edit.me")).toEqual(login);
    expect((await logEntries(DEMO.maria)).length).toBe(entries);
  });

  it("Populate Email in Edit fills the email and saves nothing", async () => {
    const res = await editLogin(admin, DEMO.maria, login.id, { email: "", populate: true });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(inputValue(html, "email")).toBe("maria.alvarez@example.com");
    expect(html).toContain('value="edit.me" readonly');
    expect(await loginRow("edit.me")).toEqual(login);
  });

  it("a Save from a window opened before someone else's change is a conflict: 409, nothing written", async () => {
    const window = await (await admin.get(`${editPath()}/edit`, { htmx: true })).text();
    const seen = inputValue(window, "seen")!;
    // Another staff member deactivates the login in the meantime.
    const sam = await Browser.staff("staff@riverbend.test");
    const other = await (await sam.get(`${editPath()}/edit`, { htmx: true })).text();
    expect((await sam.post(editPath(), { seen: inputValue(other, "seen")!, email: login.email }, { htmx: true })).status).toBe(200);
    const deactivated = (await loginRow("edit.me"))!;
    expect(deactivated.active).toBe(0);
    expect((await lastEntry()).details.portal!.description).toBe("Portal Login edit.me was modified by Sam Ortiz. Changes: Active: Yes → No");
    // Dana's stale window still says Active: her Save must not silently re-activate it.
    const res = await admin.post(editPath(), { seen, email: login.email, active: "on", representative: "on", ...recordBody("") }, { htmx: true });
    expect(res.status).toBe(409);
    expect(alertText(await res.text())).toMatch(/^This portal login was changed by someone else/);
    expect(await loginRow("edit.me")).toEqual(deactivated);
    // Re-activate for the tests below.
    expect((await save({ active: true })).status).toBe(200);
    login = (await loginRow("edit.me"))!;
  });

  it("a lock that happens while the window is open is not cleared by its Save (409, still locked)", async () => {
    const window = await (await admin.get(`${editPath()}/edit`, { htmx: true })).text();
    const seen = inputValue(window, "seen")!;
    const lockedUntil = Date.now() + 15 * 60_000;
    await env.DB.prepare("UPDATE portal_logins SET locked_until = ?, failed_attempts = 0 WHERE id = ?").bind(lockedUntil, login.id).run();
    const res = await admin.post(editPath(), { seen, email: login.email, active: "on" }, { htmx: true });
    expect(res.status).toBe(409);
    expect((await loginRow("edit.me"))!.locked_until).toBe(lockedUntil);
    // Reopened, the window shows the lock and its Save unlocks it (and says so).
    const fresh = inputValue(await (await admin.get(`${editPath()}/edit`, { htmx: true })).text(), "seen")!;
    const unlock = await admin.post(editPath(), { seen: fresh, email: login.email, active: "on" }, { htmx: true });
    expect(unlock.status).toBe(200);
    expect((await loginRow("edit.me"))!.locked_until).toBeNull();
    login = (await loginRow("edit.me"))!;
  });
});

describe("Resend (after an email that was not sent)", () => {
  it("shows Email not sent with a Resend button", async () => {
    await env.DB.prepare("UPDATE portal_logins SET email_status = 'failed' WHERE id = ?").bind(login.id).run();
    const html = await (await admin.get(`/face-sheet/${DEMO.maria}`)).text();
    expect(tableRows(html)[0]!["Portal User Email"]).toBe("maria.new@example.com Email not sent Resend");
    expect(html).toMatch(
      new RegExp(`<form method="post" action="${editPath()}/resend" hx-post="${editPath()}/resend" hx-target="#client-portal" hx-swap="outerHTML"><button type="submit" class="small" id="resend-portal-login-${login.id}" aria-label="Resend email to edit.me">Resend</button></form>`),
    );
  });

  it("issues a fresh temporary password, emails it, ends sessions and logs Password updated", async () => {
    login = (await loginRow("edit.me"))!;
    const res = await admin.post(`${editPath()}/resend`, {}, { htmx: true });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(statusText(html)).toBe("A new temporary password for edit.me was emailed to maria.new@example.com.");
    expect(tableRows(html)[0]!["Portal User Email"]).toBe("maria.new@example.com Email sent");
    expect(html).not.toMatch(TEMP_PASSWORD);
    const row = (await loginRow("edit.me"))!;
    expect(row.password_hash).not.toBe(login.password_hash);
    expect(row).toMatchObject({ email_status: "sent", must_change_password: 1, session_version: login.session_version + 1 });
    const entry = await lastEntry();
    expect(entry.description).toBe("Portal Login edit.me was modified.");
    expect(entry.details.lines).toEqual(["Password updated"]);
    expect(entry.details.portal).toEqual({ action: "Profile Updated", description: "Portal Login edit.me was modified by Dana Whitfield. Changes: Password updated" });
    login = row;
  });

  it("refuses a Resend when the last email did not fail: the user's password is not replaced", async () => {
    const before = (await loginRow("edit.me"))!;
    expect(before.email_status).toBe("sent");
    const res = await admin.post(`${editPath()}/resend`, {}, { htmx: true });
    expect(res.status).toBe(409);
    expect(await res.text()).toContain("Edit › Reset Password");
    const after = (await loginRow("edit.me"))!;
    expect(after.password_hash).toBe(before.password_hash);
    expect(after.session_version).toBe(before.session_version);
  });

  it("without JavaScript, redirects to the Face Sheet with the outcome", async () => {
    await env.DB.prepare("UPDATE portal_logins SET email_status = 'failed' WHERE id = ?").bind(login.id).run();
    const res = await admin.post(`${editPath()}/resend`, {});
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe(`/face-sheet/${DEMO.maria}?portal-login=${login.id}&done=resent#client-portal-section`);
  });
});
