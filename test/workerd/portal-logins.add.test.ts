/**
 * Add Client Portal Login: the Portal Login window (dialog and no-JS page), Populate Email, Save
 * with its log entry and welcome email, every bad input, several logins per client, and the
 * temporary password (stored only hashed, shown to no one).
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { verifyPassword } from "../../src/auth/password";
import { createPortalLogin } from "../../src/clients/portal-login-create";
import { database } from "../../src/db";
import { Browser, DEMO } from "./fixtures";
import { alertText, fieldError, inputValue, isChecked } from "./helpers";
import { addLogin, countLogins, loginRow, loginsPath, logEntries, statusText, tableRows, TEMP_PASSWORD, windowForm } from "./portal-logins.helpers";

const HOUR = 3_600_000;
let admin: Browser;
beforeAll(async () => {
  admin = await Browser.staff("admin@riverbend.test");
});

describe("the Portal Login window (Add)", () => {
  it("opens as a dialog for htmx, with the seed's fields and defaults", async () => {
    const res = await admin.get(`${loginsPath(DEMO.maria)}/new`, { htmx: true });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toMatch(/^<dialog data-open="true" id="portal-login-dialog" aria-labelledby="portal-login-title"/);
    expect(html).toContain('<h2 id="portal-login-title">Portal Login</h2>');
    expect(html).toMatch(/<label for="f-username">Portal Username<span aria-hidden="true"> \*<\/span><\/label>/);
    expect(html).toContain("3–32 characters: letters, digits, dot (.), hyphen (-) or underscore (_), starting with a letter or digit.");
    expect(html).toMatch(/<label for="f-email">Portal User Email<span aria-hidden="true"> \*<\/span><\/label>/);
    expect(isChecked(html, "resetPassword")).toBe(true);
    expect(isChecked(html, "representative")).toBe(false);
    expect(isChecked(html, "active")).toBe(true);
    expect(html).toContain('<label for="f-resetPassword">Reset Password</label>');
    expect(html).toContain('<label for="f-representative">Representative</label>');
    expect(html).toContain('<label for="f-active">Active</label>');
    expect(html).toMatch(/<button type="submit" name="populate" value="1" id="populate-email" formnovalidate="" class="small">Populate Email from Current Residence Block<\/button>/);
    expect(html).toMatch(/<button type="submit" class="primary" id="portal-login-save">Save<\/button>/);
    expect(html).toMatch(/<a class="button" href="\/face-sheet\/1#client-portal-section" data-close-dialog="true">Cancel<\/a>/);
    expect(html).toMatch(/<form id="portal-login-form" method="post" action="\/face-sheet\/1\/portal-logins" novalidate="" hx-post="\/face-sheet\/1\/portal-logins" hx-target="this" hx-swap="outerHTML">/);
  });

  it("is a page of its own without JavaScript, posting to the same URL", async () => {
    const res = await admin.get(`${loginsPath(DEMO.maria)}/new`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toMatch(/^<html/);
    expect(html).toContain("<h1>Portal Login");
    expect(html).toMatch(/<form id="portal-login-form" method="post" action="\/face-sheet\/1\/portal-logins" novalidate="">/);
    expect(html).not.toContain("<dialog");
  });
});

describe("Populate Email from Current Residence Block", () => {
  it("fills the email from the Current Residence block, keeps the rest, saves nothing", async () => {
    const before = await countLogins();
    const res = await addLogin(admin, DEMO.maria, { username: "typed.name", email: "", representative: true, populate: true });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toMatch(/^<form id="portal-login-form"/);
    expect(inputValue(html, "email")).toBe("maria.alvarez@example.com");
    expect(inputValue(html, "username")).toBe("typed.name");
    expect(isChecked(html, "representative")).toBe(true);
    expect(html).toContain("Filled from the Current Residence block.");
    expect(fieldError(html, "username")).toBeUndefined();
    expect(await countLogins()).toBe(before);
  });

  it("says there is none next to the field when the client has no email, and keeps what was typed", async () => {
    const res = await addLogin(admin, DEMO.james, { username: "", email: "typed@example.com", populate: true });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toMatch(/<p class="error populate-note" id="f-email-populate" role="status">There is no email in the Current Residence block.<\/p>/);
    expect(html).toMatch(/<input id="f-email"[^>]*aria-describedby="f-email-populate"/);
    expect(inputValue(html, "email")).toBe("typed@example.com");
  });

  it("works without JavaScript: the whole page again, the email filled", async () => {
    const res = await addLogin(admin, DEMO.maria, { username: "nojs", email: "", populate: true }, { htmx: false });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toMatch(/^<html/);
    expect(inputValue(html, "email")).toBe("maria.alvarez@example.com");
    expect(inputValue(html, "username")).toBe("nojs");
  });
});

describe("Save (add)", () => {
  it("adds the login, updates the table in place, closes the dialog and says the email went", async () => {
    const started = Date.now();
    const res = await addLogin(admin, DEMO.maria, { username: "Maria.Alvarez", email: "maria.alvarez@example.com" });
    expect(res.status).toBe(200);
    expect(res.headers.get("HX-Retarget")).toBe("#client-portal");
    expect(res.headers.get("HX-Reswap")).toBe("outerHTML");
    expect(res.headers.get("HX-Trigger-After-Swap")).toBe("close-dialog");
    const html = await res.text();
    expect(html).toMatch(/^<div id="client-portal"/);
    expect(html).toContain('<div id="portal-login-status" hx-swap-oob="innerHTML">');
    expect(statusText(html)).toBe("Portal login Maria.Alvarez added. Welcome email sent to maria.alvarez@example.com.");
    expect(tableRows(html)).toEqual([expect.objectContaining({ "Portal Username": "Maria.Alvarez", Representative: "No", Active: "Yes", Status: "Invited" })]);

    const row = (await loginRow("maria.alvarez"))!;
    expect(row).toMatchObject({
      agency_id: 1,
      client_id: DEMO.maria,
      username: "Maria.Alvarez",
      username_key: "maria.alvarez",
      email: "maria.alvarez@example.com",
      representative: 0,
      active: 1,
      must_change_password: 1,
      session_version: 1,
      failed_attempts: 0,
      email_status: "sent",
    });
    // Stored only as an Argon2id hash at OWASP's minimum; expires 24 hours (the default lifetime,
    // NIST's ceiling for emailed secrets) after it was issued.
    expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(row.temp_password_expires_at! - started).toBeGreaterThanOrEqual(24 * HOUR);
    expect(row.temp_password_expires_at! - Date.now()).toBeLessThanOrEqual(24 * HOUR);
    // Never shown to staff.
    expect(html).not.toMatch(TEMP_PASSWORD);
  });

  it("writes the entry \"Added a new portal login\" with the login's details and no password", async () => {
    const entries = await logEntries(DEMO.maria);
    const entry = entries.findLast((e) => e.change_type === "Portal Login")!;
    expect(entry).toMatchObject({ actor_type: "staff", actor_name: "Dana Whitfield", description: "Added a new portal login" });
    expect(entry.details.lines).toEqual([
      "Portal Username: Maria.Alvarez",
      "Representative: No",
      "Active: Yes",
      "Email: maria.alvarez@example.com",
      "Temporary password issued",
    ]);
    expect(entry.raw).not.toMatch(TEMP_PASSWORD);
    expect(entry.raw).not.toContain("argon2");
  });

  it("adds several logins for one client (the client and representatives), and the table lists them all", async () => {
    const res = await addLogin(admin, DEMO.maria, { username: "alvarez-mother", email: "rosa.alvarez@example.com", representative: true });
    expect(res.status).toBe(200);
    const rows = tableRows(await res.text());
    // A representative's cell also shows its record (src/representatives/): "Yes" comes first.
    expect(rows.map((r) => [r["Portal Username"], r.Representative!.split(" ")[0]])).toEqual([
      ["Maria.Alvarez", "No"],
      ["alvarez-mother", "Yes"],
    ]);
  });

  it("without JavaScript, redirects to the Face Sheet, which shows the outcome", async () => {
    const res = await addLogin(admin, DEMO.maria, { username: "alvarez_social_worker", email: "sw@county.example.gov", representative: true }, { htmx: false });
    expect(res.status).toBe(303);
    const id = (await loginRow("alvarez_social_worker"))!.id;
    expect(res.headers.get("Location")).toBe(`/face-sheet/${DEMO.maria}?portal-login=${id}&done=added#client-portal-section`);
    const html = await (await admin.get(res.headers.get("Location")!)).text();
    expect(statusText(html)).toBe("Portal login alvarez_social_worker added. Welcome email sent to sw@county.example.gov.");
  });

  it("with Reset Password cleared, adds the login without a password and sends nothing", async () => {
    const res = await addLogin(admin, DEMO.maria, { username: "no-password-yet", email: "later@example.com", resetPassword: false });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(statusText(html)).toBe("Portal login no-password-yet added without a password. To send one, use Edit and check Reset Password.");
    expect(tableRows(html).at(-1)).toMatchObject({ "Portal Username": "no-password-yet", Status: "No password", "Portal User Email": "later@example.com" });
    expect(await loginRow("no-password-yet")).toMatchObject({ password_hash: null, temp_password_expires_at: null, email_status: null });
    expect((await logEntries(DEMO.maria)).at(-1)!.details.lines).toContain("No password issued");
  });

  it("stores a temporary password that verifies against its hash (read from the write itself)", async () => {
    const result = await createPortalLogin(env, database(env.DB), {
      agencyId: 1,
      clientId: DEMO.maria,
      username: "direct.write",
      email: "direct@example.com",
      representative: false,
      active: true,
      issuePassword: true,
      tempPasswordHours: 24,
      inviteLinkHours: 24,
      actor: { type: "staff", id: 1, name: "Dana Whitfield" },
    });
    expect(result.status).toBe("added");
    if (result.status !== "added") return;
    expect(result.temporaryPassword).toMatch(new RegExp(`^${TEMP_PASSWORD.source}$`));
    const row = (await loginRow("direct.write"))!;
    expect((await verifyPassword(row.password_hash!, result.temporaryPassword!)).ok).toBe(true);
    expect((await verifyPassword(row.password_hash!, result.temporaryPassword!.toUpperCase())).ok).toBe(false);
    const { results } = await env.DB.prepare("SELECT details, description FROM client_log").all<{ details: string; description: string }>();
    expect(JSON.stringify(results)).not.toContain(result.temporaryPassword);
  });
});

describe("bad input: 422, the message next to the field inside the window, values kept, nothing saved", () => {
  const cases: [string, Parameters<typeof windowForm>[0], string, string][] = [
    ["empty username", { username: "", email: "a@example.com" }, "username", "Enter a Portal Username."],
    ["username of spaces", { username: "   ", email: "a@example.com" }, "username", "Enter a Portal Username."],
    ["too short", { username: "ab", email: "a@example.com" }, "username", "Portal Username must be at least 3 characters."],
    ["too long (33)", { username: "a".repeat(33), email: "a@example.com" }, "username", "Portal Username must be 32 characters or fewer."],
    ["a space inside", { username: "maria alvarez", email: "a@example.com" }, "username", "Use only letters, digits, dot (.), hyphen (-) and underscore (_) in the Portal Username."],
    ["a symbol", { username: "maria!", email: "a@example.com" }, "username", "Use only letters, digits, dot (.), hyphen (-) and underscore (_) in the Portal Username."],
    ["markup", { username: "<b>x</b>", email: "a@example.com" }, "username", "Portal Username must start with a letter or digit."],
    ["starting with a dot", { username: ".maria", email: "a@example.com" }, "username", "Portal Username must start with a letter or digit."],
    ["non-ASCII letters", { username: "maría", email: "a@example.com" }, "username", "Use only letters, digits, dot (.), hyphen (-) and underscore (_) in the Portal Username."],
    ["empty email", { username: "fine.name", email: "" }, "email", "Enter the Portal User Email."],
    ["email without domain", { username: "fine.name", email: "maria@" }, "email", "Enter an email address like name@example.com."],
    ["email with a space", { username: "fine.name", email: "maria alvarez@example.com" }, "email", "Enter an email address like name@example.com."],
    ["a password for an inactive login", { username: "fine.name", email: "a@example.com", active: false }, "resetPassword", "A temporary password can only be sent to an active login: check Active, or clear Reset Password."],
  ];
  for (const [name, fields, field, message] of cases) {
    it(name, async () => {
      const before = await countLogins();
      const entries = (await logEntries(DEMO.maria)).length;
      const res = await addLogin(admin, DEMO.maria, fields);
      expect(res.status).toBe(422);
      expect(res.headers.get("HX-Retarget")).toBeNull();
      const html = await res.text();
      expect(html).toMatch(/^<form id="portal-login-form"/);
      expect(alertText(html)).toBe("Nothing was saved. Correct the fields marked below.");
      expect(fieldError(html, field)).toBe(message);
      expect(html).toMatch(new RegExp(`<input id="f-${field}"[^>]*aria-invalid="true"[^>]*aria-describedby="[^"]*f-${field}-error`));
      if (fields.username !== undefined) expect(inputValue(html, "username")).toBe(fields.username);
      expect(inputValue(html, "email")).toBe(fields.email);
      expect(await countLogins()).toBe(before);
      expect((await logEntries(DEMO.maria)).length).toBe(entries);
    });
  }

  it("shows every field's message at once", async () => {
    const html = await (await addLogin(admin, DEMO.maria, { username: "", email: "nope", active: false })).text();
    expect(fieldError(html, "username")).toBe("Enter a Portal Username.");
    expect(fieldError(html, "email")).toBe("Enter an email address like name@example.com.");
    expect(fieldError(html, "resetPassword")).toMatch(/only be sent to an active login/);
  });

  it("names a taken username alongside other fields' messages", async () => {
    const html = await (await addLogin(admin, DEMO.maria, { username: "MARIA.alvarez", email: "maria@" })).text();
    expect(fieldError(html, "username")).toMatch(/is already in use in this agency/);
    expect(fieldError(html, "email")).toBe("Enter an email address like name@example.com.");
  });

  it("without JavaScript, the page again with the messages (422)", async () => {
    const res = await addLogin(admin, DEMO.maria, { username: "", email: "x@example.com" }, { htmx: false });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toMatch(/^<html/);
    expect(fieldError(html, "username")).toBe("Enter a Portal Username.");
  });
});

describe("duplicate usernames (unique per agency, not case-sensitive)", () => {
  const message = (u: string) => `“${u}” is already in use in this agency (usernames are not case-sensitive). Choose another Portal Username.`;

  it("refuses the same username again, in any case, for the same client", async () => {
    for (const username of ["Maria.Alvarez", "MARIA.ALVAREZ", "maria.alvarez"]) {
      const before = await countLogins();
      const res = await addLogin(admin, DEMO.maria, { username, email: "again@example.com" });
      expect(res.status).toBe(422);
      const html = await res.text();
      expect(fieldError(html, "username")).toBe(message(username));
      expect(inputValue(html, "email")).toBe("again@example.com");
      expect(await countLogins()).toBe(before);
    }
  });

  it("refuses it for another client of the same agency", async () => {
    const res = await addLogin(admin, DEMO.james, { username: "Alvarez-Mother", email: "someone@example.com" });
    expect(res.status).toBe(422);
    expect(fieldError(await res.text(), "username")).toBe(message("Alvarez-Mother"));
    expect(await countLogins("client_id = ?", DEMO.james)).toBe(0);
  });

  it("allows a username another agency uses", async () => {
    await env.DB.prepare(
      "INSERT INTO portal_logins (agency_id, client_id, username, username_key, email, created_at) VALUES (2, ?, 'shared.name', 'shared.name', 'x@example.com', 0)",
    )
      .bind(DEMO.hannah)
      .run();
    const res = await addLogin(admin, DEMO.james, { username: "shared.name", email: "james@example.com" });
    expect(res.status).toBe(200);
    expect(await countLogins("username_key = 'shared.name'")).toBe(2);
  });
});
