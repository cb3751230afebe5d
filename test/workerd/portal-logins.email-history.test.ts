/**
 * The staff view of a login's credential and emails: the row's Credential cell (how the login was
 * given, where the credential stands with its times, passkeys) and its Email history (every email,
 * when, what, to whom, Sent / Not sent), in the section and in the window; Resend for any email of
 * the history — fresh credentials for an email that carried a temporary password (the earlier one
 * stops working, logged "Password updated"), the same notice again for a notice (logged) — and who
 * may do it: an auditor sees the history but gets 403; another agency's ids are 404.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { database } from "../../src/db";
import { sendPortalEmail } from "../../src/email/portal-mail";
import { formatAgencyDateTime } from "../../src/layout/agency-time";
import { DEMO, seedDemoData } from "./fixtures";
import { logEntries, loginRow, loginsPath, statusText, tableRows, TEMP_PASSWORD, windowForm } from "./portal-logins.helpers";
import { PORTAL } from "./portal.fixtures";
import { emailRows, htmxGet, htmxPost, mailBrowser, mailTo, outbox, staffMailBrowser, type EmailRow } from "./portal-notices.fixtures";
import { workerEnv } from "./staff-credentials.fixtures";

const TZ = "America/New_York";
const time = (at: number) => formatAgencyDateTime(at, TZ);
const base = loginsPath(DEMO.maria);
const resendPath = (loginId: number, emailId: number, clientId = DEMO.maria) => `${loginsPath(clientId)}/${loginId}/emails/${emailId}/resend`;

/** The Email history under a login's row (or in the window): each entry's text, and its Resend button's id. */
function historyItems(html: string, scope: "row" | "window", loginId: number) {
  const at = scope === "row" ? html.indexOf(`id="email-history-${loginId}"`) : html.indexOf('<details class="email-history">');
  const details = /<details class="email-history"[^>]*>([\s\S]*?)<\/details>/.exec(html.slice(at))?.[1] ?? "";
  return [...details.matchAll(/<li>([\s\S]*?)<\/li>/g)].map((li) => ({
    text: li[1]!.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim(),
    resend: /<button[^>]*id="([^"]+)"/.exec(li[1]!)?.[1] ?? null,
  }));
}

const section = async (b: Awaited<ReturnType<typeof staffMailBrowser>>, clientId = DEMO.maria) => (await b.get(`/face-sheet/${clientId}`)).text();
const rowOf = (html: string, username: string) => tableRows(html).find((r) => r["Portal Username"] === username)!;

/** Every table a Resend could write, to show a refused one wrote nothing. */
async function writes() {
  const count = async (t: string) => (await env.DB.prepare(`SELECT COUNT(*) AS n FROM ${t}`).first<{ n: number }>())!.n;
  return { emails: await count("portal_emails"), log: await count("client_log"), logins: (await env.DB.prepare("SELECT * FROM portal_logins ORDER BY id").all()).results };
}

let admin: Awaited<ReturnType<typeof staffMailBrowser>>;
let login: { id: number; username: string; email: string };
let welcome: EmailRow;

beforeAll(async () => {
  await seedDemoData();
  admin = await staffMailBrowser();
  const res = await htmxPost(admin, base, windowForm({ username: "hist.one", email: "hist.one@example.com" }));
  expect(statusText(await res.text())).toBe("Portal login hist.one added. Welcome email sent to hist.one@example.com.");
  const row = (await loginRow("hist.one"))!;
  login = { id: row.id, username: "hist.one", email: "hist.one@example.com" };
  welcome = (await emailRows(login.id))[0]!;
});

describe("the row and its Email history", () => {
  it("records the welcome email: kind, address, sent, when its password expires — never the password", async () => {
    const row = (await loginRow("hist.one"))!;
    expect(await emailRows(login.id)).toEqual([
      expect.objectContaining({ kind: "welcome", to_address: "hist.one@example.com", status: "sent", error: null, expires_at: row.temp_password_expires_at, resend_of: null, facts: null }),
    ]);
    expect(JSON.stringify(await emailRows(login.id))).not.toMatch(TEMP_PASSWORD);
  });

  it("shows how the login was given, the temporary password's times, and passkeys", async () => {
    const row = (await loginRow("hist.one"))!;
    expect(rowOf(await section(admin), "hist.one").Credential).toBe(
      `Temporary password Sent ${time(welcome.created_at)} Expires ${time(row.temp_password_expires_at!)} Passkeys: 0`,
    );
  });

  it("lists each email under the row: when, what, to whom, Sent — with Resend", async () => {
    expect(historyItems(await section(admin), "row", login.id)).toEqual([
      { text: `${time(welcome.created_at)} Welcome (temporary password) to hist.one@example.com Sent Resend`, resend: `row-resend-email-${welcome.id}` },
    ]);
  });

  it("an expired temporary password says Expired, with its time", async () => {
    const row = (await loginRow("hist.one"))!;
    const past = Date.now() - 1000;
    await env.DB.prepare("UPDATE portal_logins SET temp_password_expires_at = ? WHERE id = ?").bind(past, login.id).run();
    expect(rowOf(await section(admin), "hist.one").Credential).toContain(`Expired ${time(past)}`);
    await env.DB.prepare("UPDATE portal_logins SET temp_password_expires_at = ? WHERE id = ?").bind(row.temp_password_expires_at, login.id).run();
  });

  it("a password the user chose says so", async () => {
    const user = await htmxPost(admin, base, windowForm({ username: "hist.chosen", email: "hist.chosen@example.com" }));
    expect(user.status).toBe(200);
    const id = (await loginRow("hist.chosen"))!.id;
    await env.DB.prepare("UPDATE portal_logins SET must_change_password = 0, temp_password_expires_at = NULL WHERE id = ?").bind(id).run();
    expect(rowOf(await section(admin), "hist.chosen").Credential).toBe("Own password Password chosen by the user Passkeys: 0");
  });

  it("an invitation login: Invitation link, then when the link was sent and when it expires or expired", async () => {
    await htmxPost(admin, base, windowForm({ username: "hist.invited", email: "hist.invited@example.com", resetPassword: false }));
    const id = (await loginRow("hist.invited"))!.id;
    await env.DB.prepare("UPDATE portal_logins SET credential_method = 'invitation' WHERE id = ?").bind(id).run();
    expect(rowOf(await section(admin), "hist.invited").Credential).toBe("Invitation link Not sent yet Passkeys: 0");
    // As the invitation feature would send it: through sendPortalEmail, with the link's expiry.
    const expiresAt = Date.now() + 24 * 3_600_000;
    const sent = await sendPortalEmail(workerEnv(), database(env.DB), {
      agencyId: 1, clientId: DEMO.maria, loginId: id, kind: "invitation", to: "hist.invited@example.com",
      subject: "Invitation", text: "a link", html: "<p>a link</p>", expiresAt,
    });
    const at = (await emailRows(id)).at(-1)!.created_at;
    expect(sent.status).toBe("sent");
    let html = await section(admin);
    expect(rowOf(html, "hist.invited").Credential).toBe(`Invitation link Sent ${time(at)} Expires ${time(expiresAt)} Passkeys: 0`);
    // Resend works for every email, links too (a fresh link: portal-logins.resend-links.test.ts).
    expect(historyItems(html, "row", id)).toEqual([{ text: `${time(at)} Invitation link to hist.invited@example.com Sent Resend`, resend: `row-resend-email-${sent.emailId}` }]);
    await env.DB.prepare("UPDATE portal_emails SET expires_at = ? WHERE id = ?").bind(Date.now() - 1000, sent.emailId).run();
    html = await section(admin);
    expect(rowOf(html, "hist.invited").Credential).toMatch(/^Invitation link Sent .* Expired /);
  });

  it("a welcome email that failed: Email not sent on the row, Not sent and the reason in the history", async () => {
    const failing = await staffMailBrowser("admin@riverbend.test", { failing: true });
    const res = await htmxPost(failing, base, windowForm({ username: "hist.failed", email: "hist.failed@example.com" }));
    expect(statusText(await res.text())).toBe("Portal login hist.failed saved, but the email could not be sent. Use Resend.");
    const id = (await loginRow("hist.failed"))!.id;
    const [row] = await emailRows(id);
    expect(row).toMatchObject({ kind: "welcome", status: "failed", error: "EMAIL_FROM is not configured", message_id: null });
    const html = await section(admin);
    expect(rowOf(html, "hist.failed")["Portal User Email"]).toBe("hist.failed@example.com Email not sent Resend");
    expect(rowOf(html, "hist.failed").Credential).toContain(`Temporary password Issued ${time(row!.created_at)}; email not sent`);
    expect(historyItems(html, "row", id)[0]!.text).toBe(`${time(row!.created_at)} Welcome (temporary password) to hist.failed@example.com Not sent EMAIL_FROM is not configured Resend`);
  });

  it("the window shows the same: credential state above the form, Email history below", async () => {
    const html = await (await htmxGet(admin, `${base}/${login.id}/edit`)).text();
    expect(html).toMatch(/<div class="window-overview"><div class="credential-state"><span class="method">Temporary password<\/span>/);
    expect(historyItems(html, "window", login.id)).toEqual([
      { text: `${time(welcome.created_at)} Welcome (temporary password) to hist.one@example.com Sent Resend`, resend: `window-resend-email-${welcome.id}` },
    ]);
    expect(html.indexOf('<details class="email-history">')).toBeGreaterThan(html.indexOf("</form>"));
  });
});

describe("Resend of an email with a temporary password", () => {
  it("works for one that was sent: a fresh password in the same kind of email, the earlier one stops working, logged Password updated", async () => {
    const earlier = TEMP_PASSWORD.exec(mailTo("hist.one@example.com")[0]!.text)![0];
    const before = (await loginRow("hist.one"))!;
    const entries = (await logEntries(DEMO.maria)).length;
    const mark = outbox.length;
    const res = await htmxPost(admin, resendPath(login.id, welcome.id));
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(statusText(html)).toBe("A new temporary password for hist.one was emailed to hist.one@example.com. The earlier temporary password no longer works.");
    expect(res.headers.get("HX-Trigger-After-Swap")).toBe("close-dialog");
    const after = (await loginRow("hist.one"))!;
    expect(after.password_hash).not.toBe(before.password_hash);
    expect(after).toMatchObject({ must_change_password: 1, session_version: before.session_version + 1, email_status: "sent" });
    const [mail] = mailTo("hist.one@example.com", mark);
    expect(mail!.subject).toBe("Your Riverbend Behavioral Health Client Portal login");
    const fresh = TEMP_PASSWORD.exec(mail!.text)![0];
    expect(fresh).not.toBe(earlier);
    expect((await emailRows(login.id)).at(-1)).toMatchObject({ kind: "welcome", status: "sent", resend_of: welcome.id });
    const log = await logEntries(DEMO.maria);
    expect(log.length).toBe(entries + 1);
    expect(log.at(-1)).toMatchObject({ description: "Portal Login hist.one was modified.", details: expect.objectContaining({ lines: ["Password updated"] }) });
    expect(log.at(-1)!.raw).not.toMatch(TEMP_PASSWORD);
    // The earlier password no longer signs in; the fresh one does.
    expect((await mailBrowser().post(`${PORTAL}/sign-in`, { username: "hist.one", password: earlier })).status).toBe(401);
    expect((await mailBrowser().post(`${PORTAL}/sign-in`, { username: "hist.one", password: fresh })).status).toBe(303);
    expect(historyItems(html, "row", login.id)[0]!.text).toMatch(/Welcome \(temporary password\) \(sent again\) to hist.one@example.com Sent Resend$/);
    // The history Staff resent from stays open on the new entry.
    expect(html).toMatch(new RegExp(`id="email-history-${login.id}"><td colspan="8"><details class="email-history" open`));
  });

  it("works for one that failed: the row then shows Email sent", async () => {
    const id = (await loginRow("hist.failed"))!.id;
    const [failed] = await emailRows(id);
    const res = await htmxPost(admin, resendPath(id, failed!.id));
    const html = await res.text();
    expect(statusText(html)).toBe("A new temporary password for hist.failed was emailed to hist.failed@example.com. The earlier temporary password no longer works.");
    expect(rowOf(html, "hist.failed")["Portal User Email"]).toBe("hist.failed@example.com Email sent");
  });

  it("that fails again says so, and the history shows it Not sent", async () => {
    const failing = await staffMailBrowser("admin@riverbend.test", { failing: true });
    const res = await htmxPost(failing, resendPath(login.id, welcome.id));
    expect(statusText(await res.text())).toBe("The email to hist.one@example.com could not be sent. Check the Portal User Email (Edit), then Resend.");
    expect((await emailRows(login.id)).at(-1)).toMatchObject({ kind: "welcome", status: "failed", resend_of: welcome.id });
    // Back to a sent one for the tests below.
    await htmxPost(admin, resendPath(login.id, welcome.id));
  });

  it("is refused for an inactive login (409, nothing written); its notices can still be resent", async () => {
    await htmxPost(admin, base, windowForm({ username: "hist.inactive", email: "hist.inactive@example.com" }));
    const id = (await loginRow("hist.inactive"))!.id;
    await htmxPost(admin, `${base}/${id}`, windowForm({ resetPassword: false, active: false, email: "hist.inactive@example.com" }));
    const [welcomeRow, ended] = await emailRows(id);
    expect(ended).toMatchObject({ kind: "notice:access-ended", status: "sent" });
    const items = historyItems(await section(admin), "row", id);
    expect(items.map((i) => i.resend)).toEqual([`row-resend-email-${ended!.id}`, null]);
    const before = await writes();
    const res = await htmxPost(admin, resendPath(id, welcomeRow!.id));
    expect(res.status).toBe(409);
    expect(statusText(await res.text())).toBe("Portal login hist.inactive is inactive, so no password was sent. Use Edit, check Active and Reset Password, then Save.");
    expect(await writes()).toEqual(before);
  });

  it("is refused for a client marked Client Refused Portal Login (409, nothing written)", async () => {
    const james = await htmxPost(admin, loginsPath(DEMO.james), windowForm({ username: "hist.james", email: "hist.james@example.com" }));
    expect(james.status).toBe(200);
    const id = (await loginRow("hist.james"))!.id;
    await env.DB.prepare("UPDATE clients SET refused_portal_login = 1 WHERE id = ?").bind(DEMO.james).run();
    const before = await writes();
    const res = await htmxPost(admin, resendPath(id, (await emailRows(id))[0]!.id, DEMO.james));
    expect(res.status).toBe(409);
    expect(statusText(await res.text())).toMatch(/^This client refused a portal login, so nothing was sent to hist.james/);
    expect(await writes()).toEqual(before);
    await env.DB.prepare("UPDATE clients SET refused_portal_login = 0 WHERE id = ?").bind(DEMO.james).run();
  });

  it("is refused for an invitation email of a login with no invitation link to renew: 409, nothing written", async () => {
    // The invitation above was recorded by hand (no link issued): Resend goes through Resend
    // invitation (portal-links.invite.test.ts covers a real one), which finds nothing to renew.
    const id = (await loginRow("hist.invited"))!.id;
    const [invitation] = await emailRows(id);
    const before = await writes();
    const res = await htmxPost(admin, resendPath(id, invitation!.id));
    expect(res.status).toBe(409);
    expect(statusText(await res.text())).toBe("Portal login hist.invited is not waiting on an invitation link, so nothing was sent. To send new credentials, use Edit › Reset Password.");
    expect(await writes()).toEqual(before);
  });

  it("without JavaScript, redirects to the Face Sheet with the outcome", async () => {
    const res = await admin.post(resendPath(login.id, welcome.id), {});
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe(`/face-sheet/${DEMO.maria}?portal-login=${login.id}&done=resent#client-portal-section`);
  });
});

describe("Resend of a notice", () => {
  let noticeLoginId: number;

  it("a failed notice shows Notice not sent; its Resend sends the same notice to the same address, logged", async () => {
    await htmxPost(admin, base, windowForm({ username: "hist.notice", email: "hist.notice@example.com" }));
    noticeLoginId = (await loginRow("hist.notice"))!.id;
    const failing = await staffMailBrowser("admin@riverbend.test", { failing: true });
    await htmxPost(failing, `${base}/${noticeLoginId}`, windowForm({ resetPassword: false, email: "hist.moved@example.com" }));
    const failed = (await emailRows(noticeLoginId)).filter((r) => r.kind === "notice:email-changed");
    expect(failed.map((r) => [r.to_address, r.status])).toEqual([
      ["hist.notice@example.com", "failed"],
      ["hist.moved@example.com", "failed"],
    ]);
    expect(rowOf(await section(admin), "hist.notice")["Portal User Email"]).toBe("hist.moved@example.com Email sent Notice not sent");

    const entries = (await logEntries(DEMO.maria)).length;
    const mark = outbox.length;
    const toOld = failed[0]!;
    const res = await htmxPost(admin, resendPath(noticeLoginId, toOld.id));
    expect(res.status).toBe(200);
    expect(statusText(await res.text())).toBe("The notice “Notice: email address changed” was sent again to hist.notice@example.com.");
    const [mail] = mailTo("hist.notice@example.com", mark);
    expect(mail!.subject).toBe("The email address of your Riverbend Behavioral Health Client Portal login was changed");
    expect(mail!.text).toContain(`was changed on ${time(JSON.parse(toOld.facts!).at)} (Eastern Time), from this address to h•••@example.com`);
    expect((await emailRows(noticeLoginId)).at(-1)).toMatchObject({ kind: "notice:email-changed", to_address: "hist.notice@example.com", status: "sent", resend_of: toOld.id, facts: toOld.facts });
    const log = await logEntries(DEMO.maria);
    expect(log.length).toBe(entries + 1);
    expect(log.at(-1)).toMatchObject({
      change_type: "Portal Login",
      description: "Portal Login hist.notice: a security notice was sent again.",
      details: { lines: ["Notice: email address changed, to hist.notice@example.com", "Sent"] },
    });
    // The notice to the new address is still outstanding.
    expect(rowOf(await section(admin), "hist.notice")["Portal User Email"]).toBe("hist.moved@example.com Email sent Notice not sent");
    await htmxPost(admin, resendPath(noticeLoginId, failed[1]!.id));
    expect(rowOf(await section(admin), "hist.notice")["Portal User Email"]).toBe("hist.moved@example.com Email sent");
  });

  it("a sent notice can be sent again too; the same text, with the original time", async () => {
    const sent = (await emailRows(noticeLoginId)).filter((r) => r.kind === "notice:email-changed" && r.status === "sent").at(-1)!;
    const mark = outbox.length;
    await htmxPost(admin, resendPath(noticeLoginId, sent.id));
    const again = mailTo(sent.to_address, mark);
    expect(again.length).toBe(1);
    await htmxPost(admin, resendPath(noticeLoginId, sent.id));
    expect(mailTo(sent.to_address, mark).map((m) => m.text)).toEqual([again[0]!.text, again[0]!.text]);
    // A resend of a resend still points at the first.
    expect((await emailRows(noticeLoginId)).at(-1)!.resend_of).toBe(sent.resend_of ?? sent.id);
  });

  it("that fails says so; the notice stays Notice not sent", async () => {
    const failing = await staffMailBrowser("admin@riverbend.test", { failing: true });
    await htmxPost(failing, `${base}/${noticeLoginId}`, windowForm({ resetPassword: false, active: false, email: "hist.moved@example.com" }));
    const ended = (await emailRows(noticeLoginId)).at(-1)!;
    expect(ended).toMatchObject({ kind: "notice:access-ended", status: "failed" });
    const res = await htmxPost(failing, resendPath(noticeLoginId, ended.id));
    expect(statusText(await res.text())).toBe(
      "The notice “Notice: access ended” could not be sent to hist.moved@example.com. It shows as Not sent in the Email history: check the address, then Resend.",
    );
    expect(rowOf(await section(admin), "hist.notice")["Portal User Email"]).toContain("Notice not sent");
  });
});

describe("who may Resend", () => {
  it("an auditor sees the history without Resend, and a Resend is refused (403), nothing written", async () => {
    const auditor = await staffMailBrowser("auditor@riverbend.test");
    const html = await section(auditor);
    const items = historyItems(html, "row", login.id);
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((i) => i.resend === null)).toBe(true);
    expect(html).not.toContain("Resend never sends the same password or link again");
    const before = await writes();
    const res = await htmxPost(auditor, resendPath(login.id, welcome.id));
    expect(res.status).toBe(403);
    expect(await writes()).toEqual(before);
  });

  it("another agency's staff get 404 for these ids, nothing written", async () => {
    const lakeside = await staffMailBrowser("admin@lakeside.test");
    const before = await writes();
    expect((await htmxPost(lakeside, resendPath(login.id, welcome.id))).status).toBe(404);
    // Lakeside's own client with Riverbend's login and email ids.
    expect((await htmxPost(lakeside, resendPath(login.id, welcome.id, DEMO.hannah))).status).toBe(404);
    expect(await writes()).toEqual(before);
  });

  it("an email of another login, or none, is 404 (bad ids), nothing written", async () => {
    const other = (await loginRow("hist.failed"))!.id;
    const before = await writes();
    expect((await htmxPost(admin, resendPath(other, welcome.id))).status).toBe(404);
    expect((await htmxPost(admin, resendPath(login.id, 999_999))).status).toBe(404);
    expect((await htmxPost(admin, resendPath(login.id, welcome.id, DEMO.james))).status).toBe(404);
    expect(await writes()).toEqual(before);
  });
});
