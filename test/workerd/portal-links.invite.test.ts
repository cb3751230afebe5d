/**
 * Invitation links from the staff side: the Portal Login window's "How to send the credentials"
 * (Temporary password by default, or Invitation link), the link stored only as a hash and emailed
 * with no password, the Face Sheet's "Invited — link sent …, expires …" / "Link expired", Edit ›
 * Reset Password by link, and Resend invitation (a new link, the old one dead, a 5-minute
 * cool-down, logged). Rows and log entries are checked, not only statuses.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { DEMO } from "./fixtures";
import { alertText, fieldError, inputValue } from "./helpers";
import { loginRow, loginsPath, logEntries, statusText, tableRows, TEMP_PASSWORD } from "./portal-logins.helpers";
import { addWithMethod, lastMailTo, linkSnapshot, MailingPortal, MailingStaff, openLink, outbox, portalLinkIn, refusingEmail, tokenRows, mailTo } from "./portal-links.fixtures";
import { createSettledLogin, PORTAL, PORTAL_COOKIE } from "./portal.fixtures";

const HOUR = 3_600_000;
let admin: MailingStaff;

beforeAll(async () => {
  admin = await MailingStaff.staff("admin@riverbend.test");
});

let n = 0;
const username = (prefix: string) => `${prefix}.${++n}`;
const email = (u: string) => `${u}@example.com`;

/** Adds a login for Maria with an invitation link; returns its row and the emailed link. */
async function invite(prefix = "invited") {
  const u = username(prefix);
  const mark = outbox.length;
  const res = await addWithMethod(admin, DEMO.maria, { username: u, email: email(u), method: "link" });
  expect(res.status).toBe(200);
  const login = (await loginRow(u))!;
  return { u, login, res, html: await res.text(), mail: lastMailTo(email(u), mark) };
}

/** Makes the login's invitations look `ms` older (past the Resend cool-down, or expired). */
const age = (loginId: number, ms: number) =>
  env.DB.prepare("UPDATE portal_tokens SET created_at = created_at - ?, expires_at = expires_at - ? WHERE login_id = ?").bind(ms, ms, loginId).run();

const resend = (loginId: number, b = admin) => b.post(`${loginsPath(DEMO.maria)}/${loginId}/resend-invitation`, {}, { htmx: true });

const rowOf = (html: string, u: string) => tableRows(html).find((r) => r["Portal Username"] === u)!;

describe("the Portal Login window", () => {
  it("asks how to send the credentials, with Temporary password checked by default", async () => {
    const html = await (await admin.get(`${loginsPath(DEMO.maria)}/new`, { htmx: true })).text();
    expect(html).toContain("<legend>How to send the credentials</legend>");
    expect(html).toMatch(/<input type="radio" id="f-credentialMethod-password" name="credentialMethod" value="password" checked=""/);
    expect(html).toMatch(/<input type="radio" id="f-credentialMethod-link" name="credentialMethod" value="link" aria-describedby/);
    expect(html).toContain("A single-use link, valid 24 hours: the user confirms the client&#39;s date of birth, then chooses a password.");
  });

  it("offers Invitation link first when that is the configured default", async () => {
    const b = await MailingStaff.staff("staff@riverbend.test");
    b.envOverrides = { PORTAL_DEFAULT_CREDENTIAL_METHOD: "link", PORTAL_INVITE_LINK_HOURS: "72" };
    const html = await (await b.get(`${loginsPath(DEMO.maria)}/new`, { htmx: true })).text();
    expect(html).toMatch(/value="link" checked=""/);
    expect(html).toContain("A single-use link, valid 3 days:");
  });

  it("follows the agency's own settings over the vars: its default method and its invitation lifetime", async () => {
    await env.DB.prepare("UPDATE agencies SET default_credential_method = 'link', invite_link_hours = 48 WHERE id = 1").run();
    try {
      const html = await (await admin.get(`${loginsPath(DEMO.maria)}/new`, { htmx: true })).text();
      expect(html).toMatch(/value="link" checked=""/);
      expect(html).toContain("A single-use link, valid 48 hours:");
      const { login, mail } = await invite("agency-hours");
      const [token] = await tokenRows(login.id);
      expect(token!.expires_at - token!.created_at).toBe(48 * HOUR);
      expect(mail.text).toContain("The link works once, for 48 hours (until ");
    } finally {
      await env.DB.prepare("UPDATE agencies SET default_credential_method = NULL, invite_link_hours = NULL WHERE id = 1").run();
    }
  });
});

describe("adding a login with an invitation link", () => {
  it("stores only the link's hash, emails the link and no password, and shows Invited with the link's times", async () => {
    const before = Date.now();
    const { u, login, html, mail } = await invite();
    expect(statusText(html)).toBe(`Portal login ${u} added. Invitation link emailed to ${email(u)}.`);
    expect(login).toMatchObject({ password_hash: null, must_change_password: 1, temp_password_expires_at: null, email_status: "sent", active: 1 });
    // The login says how it was given; the Email history records the invitation (no link in it).
    const method = await env.DB.prepare("SELECT credential_method FROM portal_logins WHERE id = ?").bind(login.id).first<string>("credential_method");
    expect(method).toBe("invitation");

    const [token] = await tokenRows(login.id);
    expect(token).toMatchObject({ purpose: "invite", agency_id: 1, used_at: null, dob_failures: 0, dob_locked_at: null });
    expect(token!.expires_at - token!.created_at).toBe(24 * HOUR);
    expect(token!.created_at).toBeGreaterThanOrEqual(before);
    const link = portalLinkIn(mail);
    expect(link.url).toMatch(/^http:\/\/localhost\/portal\/riverbend\/link\/[A-Za-z0-9_-]{43}$/);
    expect(token!.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(token!.token_hash).not.toContain(link.token);

    expect(mail.subject).toBe("Your Riverbend Behavioral Health Client Portal invitation");
    expect(mail.text.split("\n")).toContain(`Username: ${u}`);
    expect(mail.text).toContain("To make sure it is you, the page first asks for your date of birth.");
    expect(mail.text).toContain("The link works once, for 24 hours (until ");
    expect(mail.text).not.toMatch(/Temporary password/);
    expect(mail.text).not.toMatch(TEMP_PASSWORD);
    expect(mail.html).toContain(`<a href="${link.url}">${link.url}</a>`);

    const row = rowOf(html, u);
    expect(row.Status).toMatch(/^Invited Link sent \d+\/\d+\/\d{4} \d+:\d\d:\d\d [AP]M, expires \d+\/\d+\/\d{4} \d+:\d\d:\d\d [AP]M Resend invitation$/);
    expect(row["Portal User Email"]).toBe(`${email(u)} Email sent`);
    expect(html).not.toContain(link.token);

    const entry = (await logEntries(DEMO.maria)).at(-1)!;
    expect(entry.description).toBe("Added a new portal login");
    expect(entry.details.lines).toContain("Invitation link issued");
    expect(entry.raw).not.toContain(link.token);
    const recorded = await env.DB.prepare("SELECT * FROM portal_emails WHERE login_id = ?").bind(login.id).all<Record<string, unknown>>();
    expect(recorded.results).toHaveLength(1);
    expect(recorded.results[0]).toMatchObject({ kind: "invitation", status: "sent", to_address: email(u), expires_at: token!.expires_at, facts: null });
    expect(JSON.stringify(recorded.results[0])).not.toContain(link.token);
  });

  it("keeps the seed's flow when Temporary password is chosen: a temporary password, no link", async () => {
    const u = username("temporary");
    const mark = outbox.length;
    expect((await addWithMethod(admin, DEMO.maria, { username: u, email: email(u), method: "password" })).status).toBe(200);
    const login = (await loginRow(u))!;
    expect(login.password_hash).not.toBeNull();
    expect(await tokenRows(login.id)).toEqual([]);
    expect(lastMailTo(email(u), mark).text).toMatch(TEMP_PASSWORD);
  });

  it("refuses an invitation link for an inactive login, next to Reset Password (422), writing and sending nothing", async () => {
    const u = username("inactive");
    const mark = outbox.length;
    const res = await addWithMethod(admin, DEMO.maria, { username: u, email: email(u), method: "link", active: false });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(fieldError(html, "resetPassword")).toBe("An invitation link can only be sent to an active login: check Active, or clear Reset Password.");
    expect(html).toMatch(/value="link" checked=""/);
    expect(await loginRow(u)).toBeNull();
    expect(outbox.length).toBe(mark);
  });

  it("refuses a method that isn't offered, next to the choice (422)", async () => {
    const u = username("bogus");
    const res = await admin.post(loginsPath(DEMO.maria), { username: u, email: email(u), resetPassword: "on", active: "on", credentialMethod: "carrier-pigeon" }, { htmx: true });
    expect(res.status).toBe(422);
    expect(fieldError(await res.text(), "credentialMethod")).toBe("Choose how to send the credentials: Temporary password or Invitation link.");
    expect(await loginRow(u)).toBeNull();
  });

  it("keeps the login, says so and marks Email not sent when the invitation can't be emailed", async () => {
    const b = await MailingStaff.staff("staff@riverbend.test");
    b.envOverrides = { EMAIL: refusingEmail };
    const u = username("unsent");
    const res = await addWithMethod(b, DEMO.maria, { username: u, email: email(u), method: "link" });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(statusText(html)).toBe(`Portal login ${u} saved, but the invitation email could not be sent. Use Resend invitation.`);
    expect((await loginRow(u))!.email_status).toBe("failed");
    const row = rowOf(html, u);
    expect(row["Portal User Email"]).toBe(`${email(u)} Email not sent`);
    expect(row.Status).toMatch(/Resend invitation$/);
  });
});

describe("Edit › Reset Password with an invitation link", () => {
  it("ends the old password, the sessions and the links, and emails a new link", async () => {
    const settled = await createSettledLogin({ clientId: DEMO.maria });
    const portal = new MailingPortal();
    expect((await portal.signIn(settled.username, settled.password)).status).toBe(303);
    const before = (await loginRow(settled.username))!;
    const mark = outbox.length;
    const window = await (await admin.get(`${loginsPath(DEMO.maria)}/${settled.id}/edit`, { htmx: true })).text();
    const save = await admin.post(
      `${loginsPath(DEMO.maria)}/${settled.id}`,
      { seen: inputValue(window, "seen")!, email: `${settled.username}@example.com`, active: "on", resetPassword: "on", credentialMethod: "link" },
      { htmx: true },
    );
    expect(save.status).toBe(200);
    const html = await save.text();
    expect(statusText(html)).toBe(`Portal login ${settled.username} saved. An invitation link was emailed to ${settled.username}@example.com; the old password no longer works.`);
    const row = (await loginRow(settled.username))!;
    expect(row).toMatchObject({ password_hash: null, must_change_password: 1, temp_password_expires_at: null, email_status: "sent" });
    expect(row.session_version).toBe(before.session_version + 1);
    expect(await tokenRows(settled.id)).toHaveLength(1);
    // The invitation, then the security notice of a password reset by staff (no link in it).
    const mails = mailTo(`${settled.username}@example.com`, mark);
    expect(mails).toHaveLength(2);
    expect(portalLinkIn(mails[0]!).path).toMatch(/^\/portal\/riverbend\/link\//);
    expect(mails[1]!.text).not.toContain("/link/");
    const kinds = await env.DB.prepare("SELECT kind FROM portal_emails WHERE login_id = ? ORDER BY id").bind(settled.id).all<{ kind: string }>();
    expect(kinds.results.map((r) => r.kind).slice(-2)).toEqual(["invitation", "notice:password-reset"]);
    const entry = (await logEntries(DEMO.maria)).at(-1)!;
    expect(entry.details.lines).toEqual(["Password updated: invitation link sent"]);
    // The portal session ended; the old password no longer signs in.
    expect((await portal.get(PORTAL)).headers.get("Set-Cookie") ?? "").toContain(`${PORTAL_COOKIE}=;`);
    expect((await new MailingPortal().signIn(settled.username, settled.password)).status).toBe(401);
  });
});

describe("Edit › clearing Active", () => {
  it("ends the login's invitation link with its access", async () => {
    const { u, login, mail } = await invite("deactivated");
    const window = await (await admin.get(`${loginsPath(DEMO.maria)}/${login.id}/edit`, { htmx: true })).text();
    const res = await admin.post(`${loginsPath(DEMO.maria)}/${login.id}`, { seen: inputValue(window, "seen")!, email: email(u) }, { htmx: true });
    expect(res.status).toBe(200);
    expect((await tokenRows(login.id))[0]!.used_at).not.toBeNull();
    // Active again later: the old link stays dead (Resend invitation sends a new one).
    const again = await (await admin.get(`${loginsPath(DEMO.maria)}/${login.id}/edit`, { htmx: true })).text();
    await admin.post(`${loginsPath(DEMO.maria)}/${login.id}`, { seen: inputValue(again, "seen")!, email: email(u), active: "on" }, { htmx: true });
    expect((await openLink(new MailingPortal(), portalLinkIn(mail).path)).status).toBe(410);
  });
});

describe("Resend invitation", () => {
  it("sends a new link after the cool-down; the old link stops working; logged for staff and in Activity", async () => {
    const { u, login, mail } = await invite("resend");
    const old = portalLinkIn(mail);
    await age(login.id, 6 * 60_000);
    const mark = outbox.length;
    const res = await resend(login.id);
    expect(res.status).toBe(200);
    expect(statusText(await res.text())).toBe(`A new invitation link for ${u} was emailed to ${email(u)}. Earlier links no longer work.`);
    const tokens = await tokenRows(login.id);
    expect(tokens).toHaveLength(2);
    expect(tokens[0]!.used_at).not.toBeNull();
    expect(tokens[1]!.used_at).toBeNull();
    const fresh = portalLinkIn(lastMailTo(email(u), mark));
    expect(fresh.token).not.toBe(old.token);
    expect((await openLink(new MailingPortal(), old.path)).status).toBe(410);
    expect((await openLink(new MailingPortal(), fresh.path)).status).toBe(200);
    const entry = (await logEntries(DEMO.maria)).at(-1)!;
    expect(entry.description).toBe(`Portal Login ${u} was modified.`);
    expect(entry.details.lines).toEqual(["Invitation link resent"]);
    expect(entry.details.portal).toEqual({ action: "Profile Updated", description: `Portal Login ${u} was modified by Dana Whitfield. Changes: Invitation link resent` });
  });

  it("refuses another within 5 minutes (409), saying when, and sends and changes nothing", async () => {
    const { u, login } = await invite("cooldown");
    const before = await linkSnapshot(login.id, DEMO.maria);
    const mark = outbox.length;
    const res = await resend(login.id);
    expect(res.status).toBe(409);
    expect(statusText(await res.text())).toMatch(new RegExp(`^An invitation was sent to ${u.replace(".", "\\.")} at .+\\. So as not to flood their inbox, another can be sent from .+\\.$`));
    expect(outbox.length).toBe(mark);
    expect(await linkSnapshot(login.id, DEMO.maria)).toEqual(before);
  });

  it("sends one link when two staff press it at the same moment", async () => {
    const { login } = await invite("race");
    await age(login.id, 6 * 60_000);
    const other = await MailingStaff.staff("staff@riverbend.test");
    const answers = await Promise.all([resend(login.id), resend(login.id, other)]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(await tokenRows(login.id)).toHaveLength(2);
  });

  it("is not offered to, and refuses, a login that already chose its password", async () => {
    const settled = await createSettledLogin({ clientId: DEMO.maria });
    const page = await (await admin.get(`/face-sheet/${DEMO.maria}`)).text();
    expect(page).not.toContain(`id="resend-invitation-${settled.id}"`);
    const before = await linkSnapshot(settled.id, DEMO.maria);
    const res = await resend(settled.id);
    expect(res.status).toBe(409);
    expect(statusText(await res.text())).toBe(`Portal login ${settled.username} is not waiting on an invitation link, so nothing was sent. To send new credentials, use Edit › Reset Password.`);
    expect(await linkSnapshot(settled.id, DEMO.maria)).toEqual(before);
  });

  it("sends nothing for a client marked Client Refused Portal Login", async () => {
    const { login } = await invite("refused");
    await age(login.id, 6 * 60_000);
    await env.DB.prepare("UPDATE clients SET refused_portal_login = 1 WHERE id = ?").bind(DEMO.maria).run();
    try {
      const before = await linkSnapshot(login.id, DEMO.maria);
      const res = await resend(login.id);
      expect(res.status).toBe(409);
      expect(statusText(await res.text())).toMatch(/^This client refused a portal login, so no invitation was sent/);
      expect(await linkSnapshot(login.id, DEMO.maria)).toEqual(before);
    } finally {
      await env.DB.prepare("UPDATE clients SET refused_portal_login = 0 WHERE id = ?").bind(DEMO.maria).run();
    }
  });

  it("is refused to an auditor (403) and to another agency's staff (404), changing nothing", async () => {
    const { login } = await invite("denied");
    await age(login.id, 6 * 60_000);
    const before = await linkSnapshot(login.id, DEMO.maria);
    expect((await resend(login.id, await MailingStaff.staff("auditor@riverbend.test"))).status).toBe(403);
    expect((await resend(login.id, await MailingStaff.staff("admin@lakeside.test"))).status).toBe(404);
    expect(await linkSnapshot(login.id, DEMO.maria)).toEqual(before);
  });
});

describe("Resend from the Email history", () => {
  const historyResend = (loginId: number, emailId: number) => admin.post(`${loginsPath(DEMO.maria)}/${loginId}/emails/${emailId}/resend`, {}, { htmx: true });
  const firstEmailId = async (loginId: number) =>
    (await env.DB.prepare("SELECT id FROM portal_emails WHERE login_id = ? ORDER BY id LIMIT 1").bind(loginId).first<number>("id"))!;

  it("sends a fresh invitation for an invitation email, recorded as its resend; the old link stops working", async () => {
    const { u, login, mail } = await invite("history");
    const old = portalLinkIn(mail);
    const first = await firstEmailId(login.id);
    await age(login.id, 6 * 60_000);
    const mark = outbox.length;
    const res = await historyResend(login.id, first);
    expect(res.status).toBe(200);
    expect(statusText(await res.text())).toBe(`A new invitation link for ${u} was emailed to ${email(u)}. Earlier links no longer work.`);
    const fresh = portalLinkIn(lastMailTo(email(u), mark));
    expect(fresh.token).not.toBe(old.token);
    const last = await env.DB.prepare("SELECT kind, status, resend_of FROM portal_emails WHERE login_id = ? ORDER BY id DESC LIMIT 1").bind(login.id).first();
    expect(last).toEqual({ kind: "invitation", status: "sent", resend_of: first });
    expect((await openLink(new MailingPortal(), old.path)).status).toBe(410);
    expect((await openLink(new MailingPortal(), fresh.path)).status).toBe(200);
  });

  it("refuses within the invitation's cool-down (409), sending and changing nothing", async () => {
    const { u, login } = await invite("history-soon");
    const first = await firstEmailId(login.id);
    const mark = outbox.length;
    const res = await historyResend(login.id, first);
    expect(res.status).toBe(409);
    expect(statusText(await res.text())).toMatch(new RegExp(`^An invitation was sent to ${u.replace(".", "\\.")} at .+\\. So as not to flood their inbox, another can be sent from .+\\.$`));
    expect(outbox.length).toBe(mark);
    expect(await tokenRows(login.id)).toHaveLength(1);
  });
});

describe("the invitation's state on the Face Sheet", () => {
  it("shows Link expired once the invitation expired unused, still with Resend invitation", async () => {
    const { u, login } = await invite("expired");
    await age(login.id, 25 * HOUR);
    const row = rowOf(await (await admin.get(`/face-sheet/${DEMO.maria}`)).text(), u);
    expect(row.Status).toMatch(/^Link expired Link sent .+, expired .+ Resend invitation$/);
  });

  it("counts a lost invitation's Resend like any: after an email that failed, Resend invitation retries", async () => {
    const b = await MailingStaff.staff("staff@riverbend.test");
    b.envOverrides = { EMAIL: refusingEmail };
    const u = username("retry");
    await addWithMethod(b, DEMO.maria, { username: u, email: email(u), method: "link" });
    const login = (await loginRow(u))!;
    await age(login.id, 6 * 60_000);
    const mark = outbox.length;
    const res = await resend(login.id);
    expect(res.status).toBe(200);
    expect((await loginRow(u))!.email_status).toBe("sent");
    expect(mailTo(email(u), mark)).toHaveLength(1);
    expect(alertText(await res.text())).toBeUndefined();
  });
});

describe("the hourly purge", () => {
  it("deletes links that ended more than a week ago and keeps the rest", async () => {
    const { purgeSpentPortalLinks } = await import("../../src/clients/portal-links");
    const { database } = await import("../../src/db");
    const { login } = await invite("purge");
    await age(login.id, 9 * 24 * HOUR);
    const live = await invite("kept");
    expect(await purgeSpentPortalLinks(database(env.DB), Date.now())).toBeGreaterThanOrEqual(1);
    expect(await tokenRows(login.id)).toEqual([]);
    expect(await tokenRows(live.login.id)).toHaveLength(1);
  });
});
