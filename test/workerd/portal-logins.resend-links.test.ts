/**
 * Resend in a login's Email history for the emails that carried a link: never the link already
 * sent (it lives only hashed) but a fresh one — an invitation's Resend as the row's Resend
 * invitation, a reset link's Resend a new reset link to the login's current email — each
 * superseding the older links of its kind, at most one per 5-minute cool-down, logged. An inactive
 * login, a client who refused, credentials expired unused or a link locked by wrong dates of birth
 * get a clear refusal and nothing written; an auditor gets 403, another agency 404.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { formatAgencyDateTime } from "../../src/layout/agency-time";
import { DEMO } from "./fixtures";
import { loginsPath, logEntries, statusText } from "./portal-logins.helpers";
import { dobForm, inviteLogin, lastMailTo, MailingPortal, MailingStaff, MARIA_DOB, openLink, outbox, portalLinkIn, tokenRows } from "./portal-links.fixtures";
import { emailRows } from "./portal-notices.fixtures";
import { createSettledLogin, freshPassphrase, PORTAL, sql } from "./portal.fixtures";

const LINK = `${PORTAL}/link`;
const resendPath = (loginId: number, emailId: number, clientId = DEMO.maria) => `${loginsPath(clientId)}/${loginId}/emails/${emailId}/resend`;
const COOLDOWN_MS = 5 * 60_000;

/** Every table a Resend could write, to show a refused one wrote nothing. */
async function writes(loginId: number) {
  const count = async (t: string) => (await env.DB.prepare(`SELECT COUNT(*) AS n FROM ${t}`).first<{ n: number }>())!.n;
  return {
    emails: await count("portal_emails"),
    log: await count("client_log"),
    login: await env.DB.prepare("SELECT * FROM portal_logins WHERE id = ?").bind(loginId).first(),
    tokens: await tokenRows(loginId),
  };
}

/** Moves a login's links (and their emails) back in time, past the cool-down. */
async function age(loginId: number, ms = COOLDOWN_MS + 1000) {
  await sql("UPDATE portal_tokens SET created_at = created_at - ? WHERE login_id = ?", ms, loginId);
  await sql("UPDATE portal_emails SET created_at = created_at - ? WHERE login_id = ?", ms, loginId);
}

let admin: MailingStaff;
beforeAll(async () => {
  admin = await MailingStaff.staff("admin@riverbend.test");
});

const resend = (b: MailingStaff, loginId: number, emailId: number, clientId?: number) => b.post(resendPath(loginId, emailId, clientId), {}, { htmx: true });

/** A settled login (own password) at Maria's, with its address, that asked Forgot password?: its reset email and link. */
async function loginWithResetLink() {
  const login = await createSettledLogin({ clientId: DEMO.maria });
  const email = `${login.username}@example.com`;
  await sql("UPDATE portal_logins SET email = ? WHERE id = ?", email, login.id);
  const mark = outbox.length;
  expect((await new MailingPortal().post(`${PORTAL}/forgot-password`, { account: login.username })).status).toBe(200);
  const link = portalLinkIn(lastMailTo(email, mark));
  const resetEmail = (await emailRows(login.id)).find((e) => e.kind === "reset")!;
  return { login, email, link, resetEmail };
}

describe("the Email history offers Resend for link emails", () => {
  it("shows Resend beside an invitation and a reset link, with a hint that says a new link is sent", async () => {
    const invited = await inviteLogin(admin, DEMO.maria, { prefix: "rs.offer" });
    const { login, resetEmail } = await loginWithResetLink();
    const html = await (await admin.get(`/face-sheet/${DEMO.maria}`)).text();
    const invitation = (await emailRows(invited.id)).find((e) => e.kind === "invitation")!;
    expect(html).toContain(`id="row-resend-email-${invitation.id}"`);
    expect(html).toContain(`id="row-resend-email-${resetEmail.id}"`);
    expect(html).toContain("Of an invitation or reset link, it sends a new link");
    expect(login.id).toBeGreaterThan(0);
  });
});

describe("Resend of an invitation", () => {
  it("sends a new invitation link (the old one stops working), recorded as sent again, logged", async () => {
    const invited = await inviteLogin(admin, DEMO.maria, { prefix: "rs.inv" });
    const [first] = await emailRows(invited.id);
    await age(invited.id);
    const mark = outbox.length;
    const res = await resend(admin, invited.id, first!.id);
    expect(res.status).toBe(200);
    expect(statusText(await res.text())).toBe(`A new invitation link for ${invited.username} was emailed to ${invited.email}. Earlier links no longer work.`);
    const fresh = portalLinkIn(lastMailTo(invited.email, mark));
    expect(fresh.token).not.toBe(invited.link.token);
    const tokens = await tokenRows(invited.id);
    expect(tokens.map((t) => [t.purpose, t.used_at === null])).toEqual([
      ["invite", false],
      ["invite", true],
    ]);
    expect((await emailRows(invited.id)).at(-1)).toMatchObject({ kind: "invitation", resend_of: first!.id, status: "sent" });
    expect((await logEntries(DEMO.maria)).at(-1)).toMatchObject({ description: `Portal Login ${invited.username} was modified.`, details: expect.objectContaining({ lines: ["Invitation link resent"] }) });
    expect((await openLink(new MailingPortal(), invited.link.path)).status).toBe(410);
    expect((await openLink(new MailingPortal(), fresh.path)).status).toBe(200);
  });

  it("within 5 minutes of the last invitation: refused with when another can be sent, nothing written", async () => {
    const invited = await inviteLogin(admin, DEMO.maria, { prefix: "rs.invcool" });
    const [first] = await emailRows(invited.id);
    const before = await writes(invited.id);
    const res = await resend(admin, invited.id, first!.id);
    expect(res.status).toBe(409);
    const tz = "America/New_York";
    const text = statusText(await res.text());
    // The cool-down runs from the link's own time (its email's may be a few ms later).
    const [token] = await tokenRows(invited.id);
    expect(text).toBe(
      `An invitation was sent to ${invited.username} at ${formatAgencyDateTime(token!.created_at, tz)}. So as not to flood their inbox, another can be sent from ${formatAgencyDateTime(token!.created_at + COOLDOWN_MS, tz)}.`,
    );
    expect(await writes(invited.id)).toEqual(before);
  });
});

describe("Resend of a reset link", () => {
  it("sends a fresh reset link to the login's current email; older reset links stop working; logged; the password stays until it is used", async () => {
    const { login, link, resetEmail } = await loginWithResetLink();
    await age(login.id);
    // The address changed since: the link goes to the current one.
    const moved = `${login.username}.moved@example.com`;
    await sql("UPDATE portal_logins SET email = ? WHERE id = ?", moved, login.id);
    const mark = outbox.length;
    const res = await resend(admin, login.id, resetEmail.id);
    expect(res.status).toBe(200);
    expect(statusText(await res.text())).toBe(
      `A new password reset link for ${login.username} was emailed to ${moved}. Earlier reset links no longer work; the password stays as it is until the link is used.`,
    );
    const mail = lastMailTo(moved, mark);
    expect(mail.subject).toBe("Reset your Riverbend Behavioral Health Client Portal password");
    expect(mail.text).toContain("Riverbend Behavioral Health sent you a new link to reset the password");
    const fresh = portalLinkIn(mail);
    expect(fresh.token).not.toBe(link.token);
    expect((await tokenRows(login.id)).map((t) => [t.purpose, t.used_at === null])).toEqual([
      ["reset", false],
      ["reset", true],
    ]);
    expect((await emailRows(login.id)).at(-1)).toMatchObject({ kind: "reset", to_address: moved, resend_of: resetEmail.id, status: "sent" });
    const entry = (await logEntries(DEMO.maria)).at(-1)!;
    expect(entry).toMatchObject({ actor_type: "staff", description: `Portal Login ${login.username} was modified.` });
    expect(entry.details.lines).toEqual(["Password reset link resent"]);
    expect(entry.raw).not.toContain(fresh.token);
    // The password still signs in; the old link is dead; the new one resets.
    expect((await new MailingPortal().signIn(login.username, login.password)).status).toBe(303);
    expect((await openLink(new MailingPortal(), link.path)).status).toBe(410);
    const b = new MailingPortal();
    expect((await openLink(b, fresh.path)).status).toBe(200);
    expect((await b.post(`${LINK}/date-of-birth`, dobForm(MARIA_DOB))).status).toBe(303);
    const password = freshPassphrase();
    expect((await b.post(`${LINK}/password`, { newPassword: password, confirmPassword: password })).headers.get("Location")).toBe(`${PORTAL}?password-changed`);
  });

  it("within 5 minutes of the last reset link (the user's own too): refused, nothing written", async () => {
    const { login, resetEmail } = await loginWithResetLink();
    const before = await writes(login.id);
    const res = await resend(admin, login.id, resetEmail.id);
    expect(res.status).toBe(409);
    expect(statusText(await res.text())).toMatch(new RegExp(`^A password reset link was sent to ${login.username.replace(/\./g, "\\.")} at .*\\. So as not to flood their inbox, another can be sent from `));
    expect(await writes(login.id)).toEqual(before);
  });

  it("an inactive login, a client who refused, expired credentials, a locked link: each refused with why, nothing written", async () => {
    const cases = {
      inactive: {
        set: (id: number) => sql("UPDATE portal_logins SET active = 0 WHERE id = ?", id),
        undo: async () => {},
        text: (u: string) => `Portal login ${u} is inactive, so no reset link was sent. To give access again, use Edit: check Active and Reset Password, then Save.`,
      },
      refused: {
        set: () => sql("UPDATE clients SET refused_portal_login = 1 WHERE id = ?", DEMO.maria),
        undo: () => sql("UPDATE clients SET refused_portal_login = 0 WHERE id = ?", DEMO.maria),
        text: (u: string) => `This client refused a portal login, so nothing was sent to ${u}. If they have changed their mind, use Edit and confirm it.`,
      },
      expired: {
        set: (id: number) => sql("UPDATE portal_logins SET must_change_password = 1, temp_password_expires_at = ? WHERE id = ?", Date.now() - 1000, id),
        undo: async () => {},
        text: (u: string) =>
          `The credentials of portal login ${u} expired before they were used, so a reset link can't help and none was sent. Use Edit › Reset Password to send new credentials.`,
      },
      locked: {
        set: (id: number) => sql("UPDATE portal_tokens SET dob_locked_at = ? WHERE login_id = ?", Date.now(), id),
        undo: async () => {},
        text: (u: string) =>
          `A link of portal login ${u} was locked after too many wrong dates of birth, so no reset link was sent. Make sure you are talking to them; saving the login in Edit clears the lock, then Resend.`,
      },
    };
    for (const [what, c] of Object.entries(cases)) {
      const { login, resetEmail } = await loginWithResetLink();
      await age(login.id);
      await c.set(login.id);
      const before = await writes(login.id);
      const res = await resend(admin, login.id, resetEmail.id);
      expect(res.status, what).toBe(409);
      expect(statusText(await res.text()), what).toBe(c.text(login.username));
      expect(await writes(login.id), what).toEqual(before);
      await c.undo();
    }
  });

  it("an auditor gets 403 and another agency's staff 404, nothing written", async () => {
    const { login, resetEmail } = await loginWithResetLink();
    await age(login.id);
    const before = await writes(login.id);
    const auditor = await MailingStaff.staff("auditor@riverbend.test");
    expect((await resend(auditor, login.id, resetEmail.id)).status).toBe(403);
    const lakeside = await MailingStaff.staff("admin@lakeside.test");
    expect((await resend(lakeside, login.id, resetEmail.id)).status).toBe(404);
    expect(await writes(login.id)).toEqual(before);
  });
});
