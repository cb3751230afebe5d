/**
 * Staff links (invitation and reset): the secret leaves the URL at once, the page sets a password
 * under the NIST rules and signs the member in; every link that can't be used — expired, reused,
 * tampered, older than a newer one, of a deactivated member, of another agency — gets the same
 * page and changes nothing. Rows are checked, not only statuses.
 */
import { STAFF_COOKIE } from "../../src/auth/staff-session";
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { database } from "../../src/db";
import { hashLinkToken, issueLink } from "../../src/staff-credentials/links";
import { LINK_UNUSABLE } from "../../src/staff-credentials/views";
import { alertText, fieldError, noticeText } from "./helpers";
import { createMember, goodPassword, linkIn, mailTo, memberRow, outbox, sql, StaffBrowser, tokenRows, type Member } from "./staff-credentials.fixtures";
import { lockStaffSignIn, throttleCounter } from "./throttle.fixtures";

const db = () => database(env.DB);

/** A link issued as the Worker issues them (the operator API and Forgot password? call the same). */
async function issue(member: Member, purpose: "invite" | "reset") {
  const link = await issueLink(db(), { email: member.email, purpose, now: Date.now() });
  if (!link) throw new Error("no link issued");
  return { token: link.token, path: `/staff-link/${link.token}` };
}

/** What must hold after a refused link: the one page, 410, and the member untouched. */
async function expectUnusable(res: Response, member: Member, before: Awaited<ReturnType<typeof memberRow>>) {
  expect(res.status).toBe(410);
  expect(alertText(await res.text())).toBe(LINK_UNUSABLE);
  expect(await memberRow(member.id)).toEqual(before);
}

describe("opening a link", () => {
  it("moves the secret into an HttpOnly cookie for /staff-link and redirects to the token-less page", async () => {
    const member = await createMember({ password: null });
    const { token, path } = await issue(member, "invite");
    const b = new StaffBrowser();
    const res = await b.get(path);
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/staff-link");
    const cookie = b.lastSetCookie.find((l) => l.startsWith("staff_link="))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/Secure/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\/staff-link(;|$)/);
    expect(cookie).toMatch(/Max-Age=3600/);

    const page = await b.get("/staff-link");
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Set your password");
    expect(html).toContain(`Welcome, ${member.name}.`);
    expect(html).toContain('action="/staff-link"');
    expect(html).not.toContain(token);
    expect(page.headers.get("Referrer-Policy")).toBe("same-origin");
  });

  it("does not use the link by opening it (mail scanners open links too)", async () => {
    const member = await createMember({ password: null });
    const { path } = await issue(member, "invite");
    await new StaffBrowser().openLink(path);
    await new StaffBrowser().openLink(path);
    expect((await tokenRows(member.id))[0]!.used_at).toBeNull();
  });

  it("keeps the cookie no longer than the link has left", async () => {
    const member = await createMember();
    const { token, path } = await issue(member, "reset");
    await sql("UPDATE staff_tokens SET expires_at = ? WHERE token_hash = ?", Date.now() + 120_000, hashLinkToken(token));
    const b = new StaffBrowser();
    await b.get(path);
    const maxAge = Number(/Max-Age=(\d+)/.exec(b.lastSetCookie.join(";"))![1]);
    expect(maxAge).toBeGreaterThan(100);
    expect(maxAge).toBeLessThanOrEqual(120);
  });
});

describe("setting a password through an invitation", () => {
  it("sets the password, uses the link, signs the member in and emails a notice", async () => {
    const member = await createMember({ password: null });
    const { path } = await issue(member, "invite");
    const before = await memberRow(member.id);
    const b = new StaffBrowser();
    await b.openLink(path);
    const mark = outbox.length;
    const password = goodPassword();
    const res = await b.post("/staff-link", { newPassword: password, confirmPassword: password });
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/menu?password=set");
    expect(b.cookies.has("staff_link")).toBe(false);
    expect(b.cookies.has(STAFF_COOKIE)).toBe(true);

    const after = await memberRow(member.id);
    expect(after.password_hash).toMatch(/^\$argon2id\$/);
    expect(after.session_version).toBe(before.session_version + 1);
    expect((await tokenRows(member.id)).map((t) => t.used_at !== null)).toEqual([true]);

    const menu = await b.get("/menu?password=set");
    expect(menu.status).toBe(200);
    expect(noticeText(await menu.text())).toBe("Your password has been set and you are signed in.");

    const [notice] = mailTo(member.email, mark);
    expect(notice!.subject).toBe("Your Riverbend Behavioral Health staff password was set");
    expect(notice!.text).toContain("was set on");
    expect(notice!.text).toContain("http://localhost/forgot-password");
    expect(notice!.text).not.toContain(password);
    expect(notice!.text).not.toContain("/staff-link/");

    // The new password signs in; the page refuses the spent link.
    expect((await new StaffBrowser().signIn(member.email, password)).status).toBe(303);
    await expectUnusable(await new StaffBrowser().openLink(path), member, await memberRow(member.id));
  });

  it("still sets the password when the notice can't be emailed, and says the notice failed", async () => {
    const member = await createMember({ password: null });
    const { path } = await issue(member, "invite");
    const b = new StaffBrowser(undefined, { EMAIL_FROM: "" });
    await b.openLink(path);
    const password = goodPassword();
    const res = await b.post("/staff-link", { newPassword: password, confirmPassword: password });
    expect(res.headers.get("Location")).toBe("/menu?password=set&notice=not-sent");
    const menu = await b.get("/menu?password=set&notice=not-sent");
    expect(noticeText(await menu.text())).toBe("Your password has been set and you are signed in. We couldn't email you the confirmation.");
    expect((await memberRow(member.id)).password_hash).toMatch(/^\$argon2id\$/);
  });

  it("refuses sign-in to an invited member who has no password yet, with the usual message", async () => {
    const member = await createMember({ password: null });
    const res = await new StaffBrowser().signIn(member.email, "anything at all, really");
    expect(res.status).toBe(401);
    expect(alertText(await res.text())).toBe("That email and password don't match an active account.");
  });
});

describe("bad passwords", () => {
  const cases: [string, Record<string, string>, string, string][] = [
    ["an empty password", { newPassword: "", confirmPassword: "" }, "newPassword", "Enter a new password."],
    ["a password that is too short", { newPassword: "short phrase", confirmPassword: "short phrase" }, "newPassword", "Use at least 15 characters (this one has 12)."],
    ["a common password", { newPassword: "passwordpassword1", confirmPassword: "passwordpassword1" }, "newPassword", "That password is too common and easy to guess. Try a phrase of several unrelated words."],
    ["a password with the agency's name", { newPassword: "riverbend forever and ever", confirmPassword: "riverbend forever and ever" }, "newPassword", "Don't use the agency's name in your password."],
    ["a confirmation that doesn't match", { newPassword: "river stone lantern orbit", confirmPassword: "river stone lantern orbiT" }, "confirmPassword", "The two passwords don't match. Type the same password in both boxes."],
  ];
  for (const [what, form, field, message] of cases) {
    it(`refuses ${what} next to the field (422) and writes nothing`, async () => {
      const member = await createMember({ password: null });
      const { path } = await issue(member, "invite");
      const b = new StaffBrowser();
      await b.openLink(path);
      const before = await memberRow(member.id);
      const res = await b.post("/staff-link", form);
      expect(res.status).toBe(422);
      const html = await res.text();
      expect(fieldError(html, field)).toBe(message);
      expect(html).toMatch(new RegExp(`aria-describedby="[^"]*f-${field}-error"`));
      expect(await memberRow(member.id)).toEqual(before);
      expect((await tokenRows(member.id))[0]!.used_at).toBeNull();
      expect(b.cookies.has("staff_link")).toBe(true);
    });
  }

  it("refuses a password containing the member's email name", async () => {
    const member = await createMember({ email: `harriet.quill.${crypto.randomUUID().slice(0, 4)}@riverbend.test`, password: null });
    const { path } = await issue(member, "invite");
    const b = new StaffBrowser();
    await b.openLink(path);
    const local = member.email.split("@")[0]!;
    const res = await b.post("/staff-link", { newPassword: `my ${local} password here`, confirmPassword: `my ${local} password here` });
    expect(res.status).toBe(422);
    expect(fieldError(await res.text(), "newPassword")).toBe("Don't use your email address in your password.");
  });
});

describe("links that can't be used: one page, nothing changed", () => {
  it("expired", async () => {
    const member = await createMember();
    const { token, path } = await issue(member, "reset");
    const b = new StaffBrowser();
    await b.openLink(path);
    await sql("UPDATE staff_tokens SET expires_at = ? WHERE token_hash = ?", Date.now() - 1, hashLinkToken(token));
    const before = await memberRow(member.id);
    const password = goodPassword();
    await expectUnusable(await b.post("/staff-link", { newPassword: password, confirmPassword: password }), member, before);
    expect(b.cookies.has("staff_link")).toBe(false);
    await expectUnusable(await new StaffBrowser().get(path), member, before);
  });

  it("reused", async () => {
    const member = await createMember();
    const { path } = await issue(member, "reset");
    const b = new StaffBrowser();
    await b.openLink(path);
    const first = goodPassword();
    expect((await b.post("/staff-link", { newPassword: first, confirmPassword: first })).status).toBe(303);
    const before = await memberRow(member.id);
    // Again from another browser, and again from the same one with the cookie put back.
    await expectUnusable(await new StaffBrowser().openLink(path), member, before);
    const replay = new StaffBrowser();
    replay.cookies.set("staff_link", path.split("/").pop()!);
    const second = goodPassword();
    await expectUnusable(await replay.post("/staff-link", { newPassword: second, confirmPassword: second }), member, before);
    expect((await new StaffBrowser().signIn(member.email, first)).status).toBe(303);
  });

  it("tampered", async () => {
    const member = await createMember();
    const { token } = await issue(member, "reset");
    const before = await memberRow(member.id);
    const flipped = token.slice(0, -1) + (token.endsWith("A") ? "B" : "A");
    for (const path of [`/staff-link/${flipped}`, `/staff-link/${token}x`, "/staff-link/short", `/staff-link/${token.slice(0, 20)}%00${token.slice(21)}`]) {
      await expectUnusable(await new StaffBrowser().get(path), member, before);
    }
    const forged = new StaffBrowser();
    forged.cookies.set("staff_link", flipped);
    const password = goodPassword();
    await expectUnusable(await forged.post("/staff-link", { newPassword: password, confirmPassword: password }), member, before);
    await expectUnusable(await new StaffBrowser().post("/staff-link", { newPassword: password, confirmPassword: password }), member, before);
    expect((await tokenRows(member.id))[0]!.used_at).toBeNull();
  });

  it("older, once a newer link of the same kind was issued", async () => {
    const member = await createMember();
    const older = await issue(member, "reset");
    const newer = await issue(member, "reset");
    const before = await memberRow(member.id);
    await expectUnusable(await new StaffBrowser().openLink(older.path), member, before);
    expect((await new StaffBrowser().openLink(newer.path)).status).toBe(200);
  });

  it("of a member deactivated after it was sent", async () => {
    const member = await createMember();
    const { path } = await issue(member, "reset");
    const b = new StaffBrowser();
    await b.openLink(path);
    await sql("UPDATE staff_users SET active = 0 WHERE id = ?", member.id);
    const before = await memberRow(member.id);
    const password = goodPassword();
    await expectUnusable(await b.post("/staff-link", { newPassword: password, confirmPassword: password }), member, before);
    await expectUnusable(await new StaffBrowser().openLink(path), member, before);
  });

  it("whose row names another agency than its member's", async () => {
    // A Riverbend member and a link row filed under Lakeside (as a bug or a tampered row would).
    const member = await createMember();
    const token = "A".repeat(43);
    await sql(
      "INSERT INTO staff_tokens (agency_id, staff_id, purpose, token_hash, created_at, expires_at) VALUES (2, ?, 'reset', ?, ?, ?)",
      member.id,
      hashLinkToken(token),
      Date.now(),
      Date.now() + 3600_000,
    );
    const before = await memberRow(member.id);
    await expectUnusable(await new StaffBrowser().openLink(`/staff-link/${token}`), member, before);
    const b = new StaffBrowser();
    b.cookies.set("staff_link", token);
    const password = goodPassword();
    await expectUnusable(await b.post("/staff-link", { newPassword: password, confirmPassword: password }), member, before);
  });

  it("says the same for every reason, and offers a new reset link", async () => {
    const res = await new StaffBrowser().get(`/staff-link/${"Z".repeat(43)}`);
    const html = await res.text();
    expect(html).toContain('href="/forgot-password"');
    expect(alertText(html)).toBe(LINK_UNUSABLE);
  });
});

describe("using a link", () => {
  it("ends the member's other sessions and their other unused links, and clears their sign-in lock", async () => {
    const member = await createMember();
    const elsewhere = new StaffBrowser();
    expect((await elsewhere.signIn(member.email, member.password!)).status).toBe(303);
    const invite = await issue(member, "invite");
    const reset = await issue(member, "reset");
    await lockStaffSignIn(member.email, 600_000);
    expect((await new StaffBrowser().signIn(member.email, member.password!)).status).toBe(429);

    const b = new StaffBrowser();
    await b.openLink(reset.path);
    const password = goodPassword();
    expect((await b.post("/staff-link", { newPassword: password, confirmPassword: password })).status).toBe(303);

    expect((await elsewhere.get("/menu")).status).toBe(302);
    expect((await tokenRows(member.id)).every((t) => t.used_at !== null)).toBe(true);
    await expectUnusable(await new StaffBrowser().openLink(invite.path), member, await memberRow(member.id));
    expect(await throttleCounter.staffAccount(member.email)).toBeNull();
    expect((await new StaffBrowser().signIn(member.email, password)).status).toBe(303);
  });

  it("lets exactly one of two simultaneous submissions through", async () => {
    const member = await createMember();
    const { path } = await issue(member, "reset");
    const [a, b] = [new StaffBrowser(), new StaffBrowser()];
    await a.openLink(path);
    await b.openLink(path);
    const [pa, pb] = [goodPassword(), goodPassword()];
    const results = await Promise.all([a.post("/staff-link", { newPassword: pa, confirmPassword: pa }), b.post("/staff-link", { newPassword: pb, confirmPassword: pb })]);
    expect(results.map((r) => r.status).sort()).toEqual([303, 410]);
    const winner = results[0]!.status === 303 ? pa : pb;
    const loser = winner === pa ? pb : pa;
    expect((await new StaffBrowser().signIn(member.email, winner)).status).toBe(303);
    expect((await new StaffBrowser().signIn(member.email, loser)).status).toBe(401);
    expect((await memberRow(member.id)).session_version).toBe(2);
  });

  it("refuses a submission without the page's Origin (CSRF)", async () => {
    const member = await createMember();
    const { path } = await issue(member, "reset");
    const b = new StaffBrowser();
    await b.openLink(path);
    const before = await memberRow(member.id);
    const password = goodPassword();
    const res = await b.fetch("/staff-link", {
      method: "POST",
      body: new URLSearchParams({ newPassword: password, confirmPassword: password }),
      headers: { Origin: "https://evil.example" },
    });
    expect(res.status).toBe(403);
    expect(await memberRow(member.id)).toEqual(before);
  });
});

describe("the sign-in page", () => {
  it("links to Forgot password?", async () => {
    const html = await (await new StaffBrowser().get("/sign-in")).text();
    expect(html).toContain('<a href="/forgot-password">Forgot password?</a>');
  });
});

describe("a link proves only the mailbox: the second factor still stands", () => {
  it("a member with an authenticator app who resets by link goes to the second step, with no session yet", async () => {
    const member = await createMember();
    await env.DB.prepare("INSERT INTO staff_totp (staff_id, agency_id, secret_box, confirmed_at, created_at) VALUES (?, ?, 'x', ?, ?)")
      .bind(member.id, member.agencyId, Date.now(), Date.now())
      .run();
    const { path } = await issue(member, "reset");
    const b = new StaffBrowser();
    await b.openLink(path);
    const password = goodPassword();
    const res = await b.post("/staff-link", { newPassword: password, confirmPassword: password });
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/sign-in/two-factor");
    expect(b.cookies.has(STAFF_COOKIE)).toBe(false);
    expect((await b.get("/menu")).status).toBe(302);
  });

  it("an invited member of an agency that requires two-factor must enrol before any session exists", async () => {
    await env.DB.prepare("UPDATE agencies SET require_two_factor = 1 WHERE id = 2").run();
    try {
      const member = await createMember({ password: null, agencyId: 2 });
      const { path } = await issue(member, "invite");
      const b = new StaffBrowser();
      await b.openLink(path);
      const password = goodPassword();
      const res = await b.post("/staff-link", { newPassword: password, confirmPassword: password });
      expect(res.headers.get("Location")).toBe("/sign-in/two-factor");
      expect(b.cookies.has(STAFF_COOKIE)).toBe(false);
    } finally {
      await env.DB.prepare("UPDATE agencies SET require_two_factor = 0 WHERE id = 2").run();
    }
  });
});
