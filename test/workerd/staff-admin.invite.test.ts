/**
 * Staff administration: the staff list and Invite staff. An invitation is the member (no password:
 * Invited) and a hashed, single-use, 24-hour staff link in one commit, then the email; a failed
 * email loses nothing and Resend invite issues a new link that replaces the old one. Bad input is
 * shown next to its field (422) and writes nothing; other roles get 403 and write nothing.
 */
import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { database } from "../../src/db";
import { inviteMember } from "../../src/staff-admin/invitations";
import { fieldError, alertText, noticeText } from "./helpers";
import { DEMO_PASSWORD } from "./fixtures";
import { agencyLogRows } from "./agency-log.fixtures";
import { adminTables, lockSignIn, refusingEmail, RIVERBEND_ADMIN, signedIn, staffRowByEmail } from "./staff-admin.fixtures";
import { createMember, goodPassword, linkIn, mailTo, outbox, StaffBrowser, tokenRows, uniqueEmail } from "./staff-credentials.fixtures";

afterEach(() => {
  vi.restoreAllMocks();
});

const invite = (b: StaffBrowser, form: Record<string, string>) => b.post("/admin/staff/invite", form);

/** The table row of the staff list for an email (its cells' text), or undefined. */
function listRow(html: string, email: string): string | undefined {
  const rows = html.split("<tr>").slice(2);
  const row = rows.find((r) => r.includes(`<span class="meta">${email}</span>`));
  return row?.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim();
}

describe("the staff list", () => {
  it("shows the agency's staff with role, status, two-factor state and last sign-in, and no other agency's", async () => {
    const invited = await createMember({ password: null, name: "Ivy Invited" });
    const locked = await createMember({ name: "Lou Locked" });
    await lockSignIn(locked.email);
    const inactive = await createMember({ name: "Ina Inactive", active: false });
    const lakeside = await createMember({ agencyId: 2, name: "Lake Person" });
    const admin = await signedIn(RIVERBEND_ADMIN);

    const res = await admin.get("/admin/staff");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(listRow(html, "staff@riverbend.test")).toBe("Sam Ortiz staff@riverbend.test Staff Active Off Never");
    expect(listRow(html, invited.email)).toBe(`Ivy Invited ${invited.email} Staff Invited Off Never`);
    expect(listRow(html, locked.email)).toBe(`Lou Locked ${locked.email} Staff Locked Off Never`);
    expect(listRow(html, inactive.email)).toBe(`Ina Inactive ${inactive.email} Staff Inactive Off Never`);
    // The admin just signed in: a time in the agency's zone.
    expect(listRow(html, RIVERBEND_ADMIN)).toMatch(/^Dana Whitfield admin@riverbend\.test Administrator Active Off \d{1,2}\/\d{1,2}\/\d{4} \d{1,2}:\d{2}:\d{2} [AP]M$/);
    expect(html).not.toContain(lakeside.email);
    expect(html).not.toContain("admin@lakeside.test");
    // Inactive members come after the active ones.
    expect(html.indexOf(inactive.email)).toBeGreaterThan(html.indexOf("staff@riverbend.test"));
  });

  it("is on the Main Menu under Administration for admins only", async () => {
    const adminMenu = await (await (await signedIn(RIVERBEND_ADMIN)).get("/menu")).text();
    expect(adminMenu).toContain('<h2 id="administration">Administration</h2>');
    expect(adminMenu).toContain('<a href="/admin/staff">Staff</a>');
    for (const email of ["staff@riverbend.test", "auditor@riverbend.test"]) {
      const menu = await (await (await signedIn(email)).get("/menu")).text();
      expect(menu).not.toContain("Administration");
      expect(menu).not.toContain("/admin/staff");
    }
  });

  it("refuses staff and auditors (403) with the page that says why", async () => {
    for (const email of ["staff@riverbend.test", "auditor@riverbend.test"]) {
      vi.spyOn(console, "warn").mockImplementation(() => {});
      const res = await (await signedIn(email)).get("/admin/staff");
      expect(res.status).toBe(403);
      expect((await res.text()).replace(/&#39;/g, "'")).toContain("can't open agency administration");
    }
  });
});

describe("inviting staff", () => {
  it("creates the member as Invited with a hashed 24-hour link, emails it, and the link lets them set a password and sign in", async () => {
    const admin = await signedIn(RIVERBEND_ADMIN);
    const email = uniqueEmail("new.hire");
    const mark = outbox.length;
    const started = Date.now();

    const res = await invite(admin, { name: "  Noor Haddad ", email: `  ${email.toUpperCase()} `, role: "auditor" });
    expect(res.status).toBe(303);
    const row = (await staffRowByEmail(email))!;
    expect(res.headers.get("Location")).toBe(`/admin/staff/${row.id}?done=invited`);
    expect(row).toMatchObject({ agency_id: 1, name: "Noor Haddad", email, role: "auditor", password_hash: null, active: 1, invite_email_status: "sent", last_sign_in_at: null });

    // One link, stored as a hash, for 24 hours.
    const [token] = await tokenRows(row.id);
    expect(token).toMatchObject({ purpose: "invite", agency_id: 1, used_at: null });
    expect(token!.expires_at - token!.created_at).toBe(24 * 3600_000);
    expect(token!.created_at).toBeGreaterThanOrEqual(started);

    const [mail] = mailTo(email, mark);
    expect(mail!.subject).toBe("Set up your Riverbend Behavioral Health staff account");
    const link = linkIn(mail!);
    expect(token!.token_hash).not.toContain(link.token);

    const page = await admin.get(res.headers.get("Location")!);
    const html = await page.text();
    expect(noticeText(html)).toBe(`Invitation sent to ${email}. The link works once, for 24 hours.`);
    expect(html).toContain('<span class="badge warn">Invited</span>');
    expect(html).toMatch(/<dt>Invitation<\/dt><dd>Link works until \d+\/\d+\/\d{4} [\d:]+ [AP]M<\/dd>/);
    expect(html).toContain("Resend invite");

    // The member opens the link, sets a password, and is signed in; the list then says Active.
    const member = new StaffBrowser();
    await member.openLink(link.path);
    const password = goodPassword();
    const set = await member.post("/staff-link", { newPassword: password, confirmPassword: password });
    expect(set.status).toBe(303);
    expect((await member.get("/menu")).status).toBe(200);
    const after = (await staffRowByEmail(email))!;
    expect(after.password_hash).toMatch(/^\$argon2id\$/);
    expect(after.last_sign_in_at).toBeGreaterThanOrEqual(started);
    const list = await (await admin.get("/admin/staff")).text();
    expect(listRow(list, email)).toMatch(new RegExp(`^Noor Haddad ${email.replace(/\./g, "\\.")} Auditor Active Off \\d`));
  });

  it("shows the form with the role choice, Staff chosen", async () => {
    const res = await (await signedIn(RIVERBEND_ADMIN)).get("/admin/staff/invite");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toMatch(/<input type="radio" name="role" id="f-role-staff" value="staff" checked/);
    for (const label of ["Administrator", "Staff", "Auditor"]) expect(html).toContain(`>${label}</label>`);
  });

  it.each([
    [{ name: "", email: "x@example.org", role: "staff" }, "name", "Enter the person's name."],
    [{ name: "A".repeat(121), email: "x@example.org", role: "staff" }, "name", "Use at most 120 characters."],
    [{ name: "Bob\u0000", email: "x@example.org", role: "staff" }, "name", "Name contains a hidden character (U+0000) that can disguise what it says. Type it again rather than pasting it."],
    [{ name: "<script>", email: "x@example.org", role: "staff" }, "name", "Use letters, spaces, hyphens, apostrophes and full stops only."],
    [{ name: "Bob", email: "", role: "staff" }, "email", "Enter the email they will sign in with."],
    [{ name: "Bob", email: "not-an-email", role: "staff" }, "email", "Enter an email address, like name@example.org."],
    [{ name: "Bob", email: `${"a".repeat(250)}@x.org`, role: "staff" }, "email", "That is longer than any email address."],
    [{ name: "Bob", email: "x@example.org", role: "owner" }, "role", "Choose a role."],
    [{ name: "Bob", email: "x@example.org" }, "role", "Choose a role."],
  ])("refuses %o next to the %s field (422), keeps what was typed, writes and sends nothing", async (form, field, message) => {
    const admin = await signedIn(RIVERBEND_ADMIN);
    const before = await adminTables();
    const mark = outbox.length;
    const res = await invite(admin, form as Record<string, string>);
    expect(res.status).toBe(422);
    const html = await res.text();
    if (field === "role") expect(html).toContain(`<p class="error" id="f-role-error">${message}</p>`);
    else expect(fieldError(html, field)).toBe(message);
    expect(alertText(html)).toBe("Nobody was invited. Correct what is marked below.");
    if (form.email) expect(html).toContain(`value="${form.email.replace(/&/g, "&amp;")}"`);
    expect(await adminTables()).toEqual(before);
    expect(outbox.length).toBe(mark);
  });

  it("refuses an email that already has a staff account, in this agency or another, next to the field", async () => {
    const admin = await signedIn(RIVERBEND_ADMIN);
    for (const email of ["staff@riverbend.test", "ADMIN@lakeside.test"]) {
      const before = await adminTables();
      const res = await invite(admin, { name: "Copy Cat", email, role: "staff" });
      expect(res.status).toBe(422);
      expect(fieldError(await res.text(), "email")).toBe("This email already has a staff account. Each person signs in with their own email; use a different one.");
      expect(await adminTables()).toEqual(before);
    }
  });

  it("lets exactly one of two simultaneous invitations of the same email in", async () => {
    const [a, b] = await Promise.all([signedIn(RIVERBEND_ADMIN), signedIn(RIVERBEND_ADMIN)]);
    const email = uniqueEmail("twice");
    const results = await Promise.all([invite(a, { name: "Twice A", email, role: "staff" }), invite(b, { name: "Twice B", email, role: "auditor" })]);
    expect(results.map((r) => r.status).sort()).toEqual([303, 422]);
    const { results: rows } = await env.DB.prepare("SELECT id FROM staff_users WHERE email = ?").bind(email).all<{ id: number }>();
    expect(rows).toHaveLength(1);
    expect(await tokenRows(rows[0]!.id)).toHaveLength(1);
  });

  it("keeps the member when the email can't be sent: the page says Email not sent, and Resend invite sends a new link that replaces the old", async () => {
    const admin = await signedIn(RIVERBEND_ADMIN, DEMO_PASSWORD, { envOverrides: { EMAIL: refusingEmail } });
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    const email = uniqueEmail("bounce");
    const res = await invite(admin, { name: "Bo Unce", email, role: "staff" });
    expect(res.status).toBe(303);
    const row = (await staffRowByEmail(email))!;
    expect(res.headers.get("Location")).toBe(`/admin/staff/${row.id}?done=invited&email=not-sent`);
    expect(row.invite_email_status).toBe("failed");
    const page = await (await admin.get(res.headers.get("Location")!)).text();
    expect(alertText(page)).toBe(`Email not sent: the invitation to ${email} could not be emailed. Bo Unce's account is kept; use Resend invite to try again.`);
    expect(page).toContain('<span class="badge bad">Email not sent</span>');
    expect(listRow(await (await admin.get("/admin/staff")).text(), email)).toBe(`Bo Unce ${email} Staff Invited Email not sent Off Never`);
    // The error line names no address.
    expect(error.mock.calls.map((c) => String(c[0]))).toEqual(["staff invitation: the email could not be sent: destination address not verified: <address>"]);

    // Resend, with email working again.
    admin.envOverrides = {};
    const mark = outbox.length;
    const resend = await admin.post(`/admin/staff/${row.id}/resend-invite`, {});
    expect(resend.status).toBe(303);
    expect(resend.headers.get("Location")).toBe(`/admin/staff/${row.id}?done=invite-sent`);
    expect((await staffRowByEmail(email))!.invite_email_status).toBe("sent");
    const tokens = await tokenRows(row.id);
    expect(tokens.map((t) => t.used_at === null)).toEqual([false, true]);
    const link = linkIn(mailTo(email, mark)[0]!);
    expect((await new StaffBrowser().openLink(link.path)).status).toBe(200);
    expect(noticeText(await (await admin.get(resend.headers.get("Location")!)).text())).toBe(
      `A new invitation was sent to ${email}; earlier links no longer work.`,
    );
  });

  it("makes the older link stop working when the invitation is resent", async () => {
    const admin = await signedIn(RIVERBEND_ADMIN);
    const email = uniqueEmail("again");
    let mark = outbox.length;
    const res = await invite(admin, { name: "Al Again", email, role: "staff" });
    const first = linkIn(mailTo(email, mark)[0]!);
    const id = (await staffRowByEmail(email))!.id;
    mark = outbox.length;
    expect((await admin.post(`/admin/staff/${id}/resend-invite`, {})).status).toBe(303);
    const second = linkIn(mailTo(email, mark)[0]!);
    expect(second.token).not.toBe(first.token);
    expect((await new StaffBrowser().openLink(first.path)).status).toBe(410);
    expect((await new StaffBrowser().openLink(second.path)).status).toBe(200);
    expect(res.status).toBe(303);
  });

  it("refuses to resend to a member who already set a password (409), sending nothing", async () => {
    const admin = await signedIn(RIVERBEND_ADMIN);
    const member = await createMember();
    const before = await adminTables();
    const mark = outbox.length;
    const res = await admin.post(`/admin/staff/${member.id}/resend-invite`, {});
    expect(res.status).toBe(409);
    expect(alertText(await res.text())).toContain("isn't waiting for an invitation any more");
    expect(await adminTables()).toEqual(before);
    expect(outbox.length).toBe(mark);
  });

  it("refuses a staff member's and an auditor's invitation (403), writing and sending nothing, logged", async () => {
    for (const email of ["staff@riverbend.test", "auditor@riverbend.test"]) {
      const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
      const b = await signedIn(email);
      const before = await adminTables();
      const mark = outbox.length;
      const res = await invite(b, { name: "Sneaky Admin", email: uniqueEmail("sneaky"), role: "admin" });
      expect(res.status).toBe(403);
      expect(await adminTables()).toEqual(before);
      expect(outbox.length).toBe(mark);
      expect(String(warn.mock.calls[0]![0])).toContain("access denied: POST /admin/staff/invite ");
      vi.restoreAllMocks();
    }
  });
});

describe("the invitation's agency log entry", () => {
  it('reads "Invited <name> (<email>) as <Role>" with the details, and no link', async () => {
    const email = uniqueEmail("logged");
    const outcome = await inviteMember(env, database(env.DB), {
      agencyId: 1,
      actor: { type: "staff", id: 1, name: "Dana Whitfield" },
      name: "Sam Ortiz-Lee",
      email,
      role: "staff",
      now: Date.now(),
    });
    if (outcome.kind !== "invited") throw new Error("not invited");
    expect(outcome.entry).toEqual({
      actor: { type: "staff", id: 1, name: "Dana Whitfield" },
      action: "Staff invited",
      description: `Invited Sam Ortiz-Lee (${email}) as Staff`,
      details: {
        lines: ["Name: Sam Ortiz-Lee", `Email: ${email}`, "Role: Staff", "Set-password link emailed (works once, for 24 hours)"],
        changes: [
          { field: "name", before: null, after: "Sam Ortiz-Lee" },
          { field: "email", before: null, after: email },
          { field: "role", before: null, after: "staff" },
        ],
      },
    });
    expect(JSON.stringify(outcome.entry)).not.toContain(outcome.token);
    // Committed with the member through the agency's AgencyLog: the entry is in agency_log.
    const row = (await agencyLogRows(1)).find((r) => r.description === `Invited Sam Ortiz-Lee (${email}) as Staff`);
    expect(row).toMatchObject({ action: "Staff invited", actor_type: "staff", actor_id: 1, actor_name: "Dana Whitfield" });
    expect(JSON.parse(row!.details).lines).toEqual(outcome.entry.details.lines);
    expect(JSON.stringify(row)).not.toContain(outcome.token);
  });
});
