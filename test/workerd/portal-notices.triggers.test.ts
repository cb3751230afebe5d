/**
 * Each security notice is sent by the change it reports, once the change is saved, and recorded
 * in the login's Email history: a password the user changed (portal), a login locked by failed
 * sign-ins (after the answer, so sign-in's timing is untouched), a staff Save that changes the
 * email (old and new address), ends access, or resets a password the user had chosen; passkeys and
 * access ended by an end date through the exported functions. A notice that can't be sent never
 * stops the change, and staff see it: the Save says so, the row shows *Notice not sent*.
 */
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { database } from "../../src/db";
import worker from "../../src/index";
import { sendAccessEndedNotice, sendPasskeyNotice } from "../../src/portal-notices/send";
import { DEMO, ORIGIN } from "./fixtures";
import { loginsPath, statusText, tableRows, TEMP_PASSWORD, windowForm } from "./portal-logins.helpers";
import { createLogin, createSettledLogin, freshPassphrase, loginRow, PORTAL, RIVERBEND, sql, uniqueIp } from "./portal.fixtures";
import { emailRows, htmxPost, mailBrowser, mailTo, outbox, staffMailBrowser } from "./portal-notices.fixtures";
import { workerEnv } from "./staff-credentials.fixtures";

const AGENCY = { id: RIVERBEND.id, name: RIVERBEND.name, timezone: "America/New_York" };
const addressOf = (login: { username: string }) => `${login.username}@example.com`;
const noSecret = (text: string, ...secrets: string[]) => {
  expect(text).not.toMatch(TEMP_PASSWORD);
  expect(text).not.toMatch(/https?:|<a\b/);
  for (const s of secrets) expect(text).not.toContain(s);
};

describe("the user changes their password (portal)", () => {
  it("first password: a 'was set' notice to the login's email, recorded as sent, with neither password in it", async () => {
    const login = await createLogin();
    const b = mailBrowser();
    expect((await b.post(`${PORTAL}/sign-in`, { username: login.username, password: login.password })).status).toBe(303);
    const mark = outbox.length;
    const next = freshPassphrase();
    expect((await b.post(`${PORTAL}/change-password`, { newPassword: next, confirmPassword: next })).status).toBe(303);
    const mails = mailTo(addressOf(login), mark);
    expect(mails.map((m) => m.subject)).toEqual(["Your Riverbend Behavioral Health Client Portal password was set"]);
    noSecret(mails[0]!.text + mails[0]!.html, next, login.password);
    const rows = await emailRows(login.id);
    expect(rows).toMatchObject([{ kind: "notice:password-changed", to_address: addressOf(login), status: "sent", error: null, resend_of: null }]);
    expect(JSON.parse(rows[0]!.facts!)).toMatchObject({ kind: "notice:password-changed", first: true });
    noSecret(JSON.stringify(rows), next, login.password);
  });

  it("a later change: a 'was changed' notice", async () => {
    const login = await createSettledLogin();
    const b = mailBrowser();
    expect((await b.post(`${PORTAL}/sign-in`, { username: login.username, password: login.password })).status).toBe(303);
    const mark = outbox.length;
    const next = freshPassphrase();
    const res = await b.post(`${PORTAL}/change-password`, { currentPassword: login.password, newPassword: next, confirmPassword: next });
    expect(res.status).toBe(303);
    const mails = mailTo(addressOf(login), mark);
    expect(mails.map((m) => m.subject)).toEqual(["Your Riverbend Behavioral Health Client Portal password was changed"]);
    expect(mails[0]!.text).toContain(`login ${login.username} was changed on`);
    noSecret(mails[0]!.text, next, login.password);
  });

  it("a refused change sends nothing", async () => {
    const login = await createSettledLogin();
    const b = mailBrowser();
    await b.post(`${PORTAL}/sign-in`, { username: login.username, password: login.password });
    const res = await b.post(`${PORTAL}/change-password`, { currentPassword: "not it", newPassword: "x", confirmPassword: "x" });
    expect(res.status).toBe(422);
    expect(await emailRows(login.id)).toEqual([]);
  });

  it("a notice that can't be sent doesn't stop the change: the password is changed, the history says Not sent", async () => {
    const login = await createSettledLogin();
    const b = mailBrowser({ failing: true });
    await b.post(`${PORTAL}/sign-in`, { username: login.username, password: login.password });
    const before = await loginRow(login.id);
    const next = freshPassphrase();
    const res = await b.post(`${PORTAL}/change-password`, { currentPassword: login.password, newPassword: next, confirmPassword: next });
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe(`${PORTAL}?password-changed`);
    expect((await loginRow(login.id)).password_hash).not.toBe(before.password_hash);
    expect(await emailRows(login.id)).toMatchObject([{ kind: "notice:password-changed", status: "failed", error: "EMAIL_FROM is not configured" }]);
  });
});

/** A sign-in whose answer is read before the work it leaves for after the response runs. */
async function signInSeeingDeferred(username: string, password: string) {
  const ctx = createExecutionContext();
  const headers = { Origin: ORIGIN, "CF-Connecting-IP": uniqueIp(), "Content-Type": "application/x-www-form-urlencoded" };
  const res = await worker.fetch(
    new Request(`${ORIGIN}${PORTAL}/sign-in`, { method: "POST", headers, body: new URLSearchParams({ username, password }) }),
    workerEnv(),
    ctx,
  );
  return { res, after: () => waitOnExecutionContext(ctx) };
}

describe("a login locked by failed sign-ins", { timeout: 30_000 }, () => {
  it("the failure that locks it sends one notice, after the answer; earlier and later failures send none", async () => {
    const login = await createSettledLogin();
    for (let i = 0; i < 9; i++) await mailBrowser().post(`${PORTAL}/sign-in`, { username: login.username, password: `guess ${i}` });
    expect(await emailRows(login.id)).toEqual([]);
    const mark = outbox.length;
    const tenth = await signInSeeingDeferred(login.username, "guess 10");
    expect(tenth.res.status).toBe(429);
    // The answer is out; the notice isn't sent yet: it waits for the work after the response.
    expect(await emailRows(login.id)).toEqual([]);
    await tenth.after();
    const rows = await emailRows(login.id);
    expect(rows).toMatchObject([{ kind: "notice:locked", status: "sent", to_address: addressOf(login) }]);
    expect(JSON.parse(rows[0]!.facts!)).toMatchObject({ failures: 10, allDevices: false, minutes: 15 });
    const [mail] = mailTo(addressOf(login), mark);
    expect(mail!.subject).toBe("Sign-in to your Riverbend Behavioral Health Client Portal login was locked");
    expect(mail!.text).toContain("new devices must wait 15 minutes");
    noSecret(mail!.text, "guess 10");
    await mailBrowser().post(`${PORTAL}/sign-in`, { username: login.username, password: "guess 11" });
    expect((await emailRows(login.id)).length).toBe(1);
  });

  it("the 100th failure in a row sends the every-device notice", async () => {
    const login = await createSettledLogin();
    await sql("UPDATE portal_logins SET failed_attempts = 99, last_failed_at = ?, locked_until = ? WHERE id = ?", Date.now() - 60_000, Date.now() - 1, login.id);
    const mark = outbox.length;
    expect((await mailBrowser().post(`${PORTAL}/sign-in`, { username: login.username, password: "the hundredth" })).status).toBe(429);
    expect(await emailRows(login.id)).toMatchObject([{ kind: "notice:locked", status: "sent" }]);
    expect(mailTo(addressOf(login), mark)[0]!.text).toContain("No device can sign in to it for 24 hours, unless Riverbend Behavioral Health unlocks it.");
  });

  it("an unknown username locks nothing and emails nobody", async () => {
    const mark = outbox.length;
    for (let i = 0; i < 10; i++) await mailBrowser().post(`${PORTAL}/sign-in`, { username: "nobody.at.all", password: `guess ${i}` });
    expect(outbox.length).toBe(mark);
  });
});

describe("staff change a login (Edit › Save)", () => {
  const save = (b: Awaited<ReturnType<typeof staffMailBrowser>>, loginId: number, fields: Parameters<typeof windowForm>[0]) =>
    htmxPost(b, `${loginsPath(DEMO.maria)}/${loginId}`, windowForm({ resetPassword: false, ...fields }));

  it("a new email address: a notice to the old address and one to the new, each masking the other", async () => {
    const login = await createSettledLogin();
    const admin = await staffMailBrowser();
    const mark = outbox.length;
    const res = await save(admin, login.id, { email: "maria.moved@example.org" });
    expect(statusText(await res.text())).toBe(`Portal login ${login.username} saved. Changes: Email: ${addressOf(login)} → maria.moved@example.org.`);
    const toOld = mailTo(addressOf(login), mark);
    const toNew = mailTo("maria.moved@example.org", mark);
    expect(toOld.map((m) => m.subject)).toEqual(["The email address of your Riverbend Behavioral Health Client Portal login was changed"]);
    expect(toOld[0]!.text).toContain("from this address to m•••@example.org");
    expect(toOld[0]!.text).not.toContain("maria.moved");
    expect(toNew.map((m) => m.subject)).toEqual(["This is now the email address of a Riverbend Behavioral Health Client Portal login"]);
    expect(toNew[0]!.text).toContain(`(it was ${login.username.slice(0, 1)}•••@example.com)`);
    const rows = await emailRows(login.id);
    expect(rows.map((r) => [r.kind, r.to_address, r.status])).toEqual([
      ["notice:email-changed", addressOf(login), "sent"],
      ["notice:email-changed", "maria.moved@example.org", "sent"],
    ]);
  });

  it("correcting an address no email ever reached (a typo): only the new address is told", async () => {
    const login = await createLogin();
    // The welcome email to the old address was refused, as a mistyped domain is.
    await sql(
      "INSERT INTO portal_emails (agency_id, client_id, login_id, kind, to_address, status, error, created_at) VALUES (1, ?, ?, 'welcome', ?, 'failed', 'refused', ?)",
      login.clientId, login.id, addressOf(login), Date.now(),
    );
    const admin = await staffMailBrowser();
    const res = await save(admin, login.id, { email: "maria.fixed@example.org" });
    expect(statusText(await res.text())).toBe(`Portal login ${login.username} saved. Changes: Email: ${addressOf(login)} → maria.fixed@example.org.`);
    expect((await emailRows(login.id)).map((r) => [r.kind, r.to_address, r.status])).toEqual([
      ["welcome", addressOf(login), "failed"],
      ["notice:email-changed", "maria.fixed@example.org", "sent"],
    ]);
  });

  it("made inactive: an access-ended notice, to the address the person knew even when the same Save changes it", async () => {
    const login = await createSettledLogin();
    const admin = await staffMailBrowser();
    const mark = outbox.length;
    await save(admin, login.id, { active: false, email: "someone.else@example.org" });
    const toOld = mailTo(addressOf(login), mark).map((m) => m.subject);
    expect(toOld).toContain("Your Riverbend Behavioral Health Client Portal access has ended");
    expect(mailTo("someone.else@example.org", mark).map((m) => m.subject)).not.toContain("Your Riverbend Behavioral Health Client Portal access has ended");
    expect((await emailRows(login.id)).filter((r) => r.kind === "notice:access-ended")).toMatchObject([{ to_address: addressOf(login), status: "sent" }]);
    // Made active again: no notice for that.
    const again = outbox.length;
    await save(admin, login.id, { active: true, email: "someone.else@example.org" });
    expect(outbox.length).toBe(again);
  });

  it("Reset Password over a password the user chose: the new temporary password, and a notice without it", async () => {
    const login = await createSettledLogin();
    const admin = await staffMailBrowser();
    const mark = outbox.length;
    await save(admin, login.id, { resetPassword: true, email: addressOf(login) });
    const mails = mailTo(addressOf(login), mark);
    expect(mails.map((m) => m.subject)).toEqual([
      "Your new temporary password for the Riverbend Behavioral Health Client Portal",
      "Your Riverbend Behavioral Health Client Portal password was reset",
    ]);
    expect(mails[0]!.text).toMatch(TEMP_PASSWORD);
    noSecret(mails[1]!.text + mails[1]!.html);
    expect((await emailRows(login.id)).map((r) => r.kind)).toEqual(["new-password", "notice:password-reset"]);
  });

  it("Reset Password over a temporary password: only the new-password email (it says the earlier one no longer works)", async () => {
    const login = await createLogin();
    const admin = await staffMailBrowser();
    await save(admin, login.id, { resetPassword: true, email: addressOf(login) });
    expect((await emailRows(login.id)).map((r) => r.kind)).toEqual(["new-password"]);
  });

  it("a notice that can't be sent: the change is saved, the Save says so, the row shows Notice not sent", async () => {
    const login = await createSettledLogin();
    const admin = await staffMailBrowser("admin@riverbend.test", { failing: true });
    const res = await save(admin, login.id, { email: "maria.failing@example.org" });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(statusText(html)).toBe(
      `Portal login ${login.username} saved. Changes: Email: ${addressOf(login)} → maria.failing@example.org. A security notice to the user could not be sent: open Email history under the login and Resend it.`,
    );
    expect(html).toContain('<p class="warning">');
    expect((await loginRow(login.id)) as unknown as { email: string }).toMatchObject({ email: "maria.failing@example.org" });
    expect((await emailRows(login.id)).map((r) => [r.kind, r.status, r.error])).toEqual([
      ["notice:email-changed", "failed", "EMAIL_FROM is not configured"],
      ["notice:email-changed", "failed", "EMAIL_FROM is not configured"],
    ]);
    const row = tableRows(html).find((r) => r["Portal Username"] === login.username)!;
    expect(row["Portal User Email"]).toBe("maria.failing@example.org Notice not sent");
  });
});

describe("the exported notices (passkeys; access ended by an end date)", () => {
  const db = database(env.DB);

  it("sendPasskeyNotice: added and removed, to the login's email, named", async () => {
    const login = await createSettledLogin();
    const mark = outbox.length;
    expect(await sendPasskeyNotice(workerEnv(), db, { agency: AGENCY, loginId: login.id, change: "added", passkeyName: "Maria's phone" })).toMatchObject({ status: "sent" });
    expect(await sendPasskeyNotice(workerEnv(), db, { agency: AGENCY, loginId: login.id, change: "removed", passkeyName: "Maria's phone" })).toMatchObject({ status: "sent" });
    const mails = mailTo(addressOf(login), mark);
    expect(mails.map((m) => m.subject)).toEqual([
      "A passkey was added to your Riverbend Behavioral Health Client Portal login",
      "A passkey was removed from your Riverbend Behavioral Health Client Portal login",
    ]);
    expect(mails[0]!.text).toContain("A passkey named “Maria's phone” was added");
    expect((await emailRows(login.id)).map((r) => [r.kind, r.status])).toEqual([
      ["notice:passkey-added", "sent"],
      ["notice:passkey-removed", "sent"],
    ]);
  });

  it("sendPasskeyNotice for another agency's login sends nothing", async () => {
    const login = await createSettledLogin();
    const mark = outbox.length;
    const lakeside = { id: DEMO.lakeside, name: "Lakeside Recovery Center", timezone: "America/Chicago" };
    expect(await sendPasskeyNotice(workerEnv(), db, { agency: lakeside, loginId: login.id, change: "added", passkeyName: "x" })).toBeNull();
    expect(outbox.length).toBe(mark);
    expect(await emailRows(login.id)).toEqual([]);
  });

  it("a failed passkey notice is recorded as not sent and never throws", async () => {
    const login = await createSettledLogin();
    const outcome = await sendPasskeyNotice(workerEnv({ EMAIL_FROM: "" }), db, { agency: AGENCY, loginId: login.id, change: "added", passkeyName: "Laptop" });
    expect(outcome).toMatchObject({ status: "failed" });
    expect(await emailRows(login.id)).toMatchObject([{ kind: "notice:passkey-added", status: "failed" }]);
  });

  it("sendAccessEndedNotice for an end date", async () => {
    const login = await createSettledLogin();
    const mark = outbox.length;
    await sendAccessEndedNotice(workerEnv(), db, { agency: AGENCY, loginId: login.id, reason: "end-date" });
    expect(mailTo(addressOf(login), mark)[0]!.text).toContain("the end date Riverbend Behavioral Health recorded for it");
  });
});
