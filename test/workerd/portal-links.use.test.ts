/**
 * Using an emailed portal link (shown with invitations; Forgot password?'s reset links take the
 * same path): the secret leaves the URL at once; opening it uses nothing; the client's date of
 * birth comes first, counted before it is compared, and the fifth wrong one locks the link and
 * tells staff — also when many arrive at once; then a password under the portal's rules, and the
 * user lands signed in on Home. Every link that can't be used gets one page and changes nothing.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { LINK_COOKIE } from "../../src/portal/link-cookie";
import { linkLockedText, linkUnusableText } from "../../src/portal/link-views";
import { DEMO } from "./fixtures";
import { logEntries, tableRows } from "./portal-logins.helpers";
import { dobForm, inviteLogin, linkSnapshot, MailingPortal, MailingStaff, MARIA_DOB, openLink, tokenRows } from "./portal-links.fixtures";
import { actionRows, alertOf, fieldErrorOf, freshPassphrase, loginRow, PORTAL, PORTAL_COOKIE, RIVERBEND } from "./portal.fixtures";

const LINK = `${PORTAL}/link`;
const UNUSABLE = linkUnusableText(RIVERBEND.name);
const LOCKED = linkLockedText(RIVERBEND.name);
const dobError = (html: string) => /<p class="error" id="f-dateOfBirth-error">([^<]*)<\/p>/.exec(html)?.[1]?.replace(/&#39;/g, "'");

let admin: MailingStaff;
beforeAll(async () => {
  admin = await MailingStaff.staff("admin@riverbend.test");
});

const invite = (prefix?: string) => inviteLogin(admin, DEMO.maria, { prefix });

/** A browser that opened the link and answered the date of birth. */
async function pastDob(path: string, b = new MailingPortal()) {
  expect((await openLink(b, path)).status).toBe(200);
  const res = await b.post(`${LINK}/date-of-birth`, dobForm(MARIA_DOB));
  expect(res.status).toBe(303);
  return b;
}

describe("opening a link", () => {
  it("moves the secret into an HttpOnly cookie for the agency's link path and redirects to the token-less page", async () => {
    const { link, username } = await invite();
    const b = new MailingPortal();
    const res = await b.get(link.path);
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe(LINK);
    const cookie = b.lastSetCookie.find((l) => l.startsWith(`${LINK_COOKIE}=`))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/Secure/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\/portal\/riverbend\/link(;|$)/);
    expect(cookie).toMatch(/Max-Age=3600/);

    const page = await b.get(LINK);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Step 1 of 2: confirm it&#39;s you");
    expect(html).toContain(`action="${LINK}/date-of-birth"`);
    expect(html).toMatch(/<label for="f-month">Month<\/label>/);
    // Nothing of the secret, and no one named before the check.
    expect(html).not.toContain(link.token);
    expect(html).not.toContain(username);
    expect(html).not.toContain("Alvarez");
    expect(page.headers.get("Referrer-Policy")).toBe("same-origin");
  });

  it("uses nothing by opening it (mail scanners open links too)", async () => {
    const { link, id } = await invite();
    await openLink(new MailingPortal(), link.path);
    await openLink(new MailingPortal(), link.path);
    expect((await tokenRows(id))[0]).toMatchObject({ used_at: null, dob_failures: 0 });
  });

  it("asks a representative for the client's date of birth", async () => {
    const { link } = await inviteLogin(admin, DEMO.maria, { representative: true });
    const html = await (await openLink(new MailingPortal(), link.path)).text();
    expect(html).toContain("enter the date of birth of the client whose information you will see");
  });
});

describe("the whole invitation", () => {
  it("date of birth, then a password: signed in on Home; Activity shows Login and Reset Password; the link is spent", async () => {
    const { link, username, id } = await invite("journey");
    const b = await pastDob(link.path);
    const step2 = await b.get(LINK);
    expect(step2.status).toBe(200);
    const html = await step2.text();
    expect(html).toContain("Step 2 of 2: choose a password");
    expect(html).toContain(`Your Portal Username is <strong>${username}</strong>`);
    expect(html).toContain(`action="${LINK}/password"`);

    const password = freshPassphrase();
    const set = await b.post(`${LINK}/password`, { newPassword: password, confirmPassword: password });
    expect(set.status).toBe(303);
    expect(set.headers.get("Location")).toBe(`${PORTAL}?password-set`);
    expect(b.cookies.has(PORTAL_COOKIE)).toBe(true);
    expect(b.cookies.has(LINK_COOKIE)).toBe(false);

    const home = await (await b.get(`${PORTAL}?password-set`)).text();
    expect(home).toContain("Welcome. Your password is set");
    expect(home).toContain(`Signed in as <strong>${username}</strong>`);
    const row = await loginRow(id);
    expect(row).toMatchObject({ must_change_password: 0, temp_password_expires_at: null, session_version: 2, failed_attempts: 0 });
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    expect(row.last_login_at).not.toBeNull();
    expect((await tokenRows(id))[0]!.used_at).not.toBeNull();
    // One session row for this browser, signed in by the password just chosen.
    const sessions = await env.DB.prepare("SELECT method, session_version FROM portal_sessions WHERE login_id = ?").bind(id).all();
    expect(sessions.results).toEqual([{ method: "password", session_version: 2 }]);
    // The "password set" notice went after the answer, recorded like any portal email.
    const notices = await env.DB.prepare("SELECT kind, status, facts FROM portal_emails WHERE login_id = ? AND kind LIKE 'notice:%'").bind(id).all<{ kind: string; status: string; facts: string }>();
    expect(notices.results.map((r) => [r.kind, r.status])).toEqual([["notice:password-changed", "sent"]]);
    expect(JSON.parse(notices.results[0]!.facts)).toMatchObject({ kind: "notice:password-changed", first: true });

    const activity = actionRows(await (await b.get(`${PORTAL}/activity`)).text());
    expect(activity.slice(0, 2).map(([a, d]) => `${a} | ${d}`)).toEqual([`Login | Patient Portal login by ${username}`, `Reset Password | Password changed by ${username}`]);

    expect((await new MailingPortal().signIn(username, password)).status).toBe(303);
    expect((await openLink(new MailingPortal(), link.path)).status).toBe(410);
    const staffRow = tableRows(await (await admin.get(`/face-sheet/${DEMO.maria}`)).text()).find((r) => r["Portal Username"] === username)!;
    expect(staffRow.Status).toBe("In use");
  });
});

describe("the date of birth", () => {
  it("answers bad input next to the field (422) without counting it", async () => {
    const { link, id } = await invite();
    const b = new MailingPortal();
    await openLink(b, link.path);
    const cases: [Record<string, string>, string][] = [
      [{ month: "", day: "", year: "" }, "Enter the date of birth: month, day and year."],
      [{ month: "3", day: "14", year: "87" }, "Enter the year with four digits, e.g. 1987."],
      [{ month: "02", day: "30", year: "1987" }, "That isn't a real date. Check the month and the day."],
      [{ month: "March", day: "14", year: "1987" }, "Use numbers only, e.g. 03 14 1987."],
      [{ month: "03", day: "14", year: "2999" }, "Enter a date of birth in the past, e.g. 03 14 1987."],
      [{ month: "03\u202E", day: "14", year: "1987" }, "Month contains a hidden character (U+202E) that can disguise what it says. Type it again rather than pasting it."],
    ];
    for (const [form, message] of cases) {
      const res = await b.post(`${LINK}/date-of-birth`, form);
      expect(res.status, JSON.stringify(form)).toBe(422);
      const html = await res.text();
      expect(dobError(html)).toBe(message);
      expect(html).toContain(`value="${form.day}"`);
    }
    expect((await tokenRows(id))[0]!.dob_failures).toBe(0);
  });

  it("counts a wrong date and says how many tries are left", async () => {
    const { link, id } = await invite();
    const b = new MailingPortal();
    await openLink(b, link.path);
    const res = await b.post(`${LINK}/date-of-birth`, dobForm("1987-03-15"));
    expect(res.status).toBe(422);
    expect(dobError(await res.text())).toBe("That date of birth doesn't match our records. Check it and try again: 4 more tries before this link is locked.");
    expect((await tokenRows(id))[0]!.dob_failures).toBe(1);
    // A right answer afterwards works, and gives its own count back.
    expect((await b.post(`${LINK}/date-of-birth`, dobForm(MARIA_DOB))).status).toBe(303);
    expect((await tokenRows(id))[0]!.dob_failures).toBe(1);
  });

  it("locks the link at the fifth wrong date, tells staff in the client's log, and shows Link locked", async () => {
    const { link, id, username } = await invite("locked");
    const b = new MailingPortal();
    await openLink(b, link.path);
    for (let i = 1; i <= 4; i++) expect((await b.post(`${LINK}/date-of-birth`, dobForm(`1990-01-0${i}`))).status).toBe(422);
    const fifth = await b.post(`${LINK}/date-of-birth`, dobForm("1990-01-05"));
    expect(fifth.status).toBe(410);
    expect(alertOf(await fifth.text())).toBe(LOCKED);
    const [token] = await tokenRows(id);
    expect(token).toMatchObject({ dob_failures: 5, used_at: null });
    expect(token!.dob_locked_at).not.toBeNull();

    const entry = (await logEntries(DEMO.maria)).at(-1)!;
    expect(entry).toMatchObject({ actor_name: "Client Portal", change_type: "Portal Login", description: `Portal Login ${username}: the invitation link was locked after 5 wrong dates of birth.` });
    expect(entry.details.lines![0]).toBe(`Last attempt from address ${b.ip}`);
    expect(entry.details.portal).toBeUndefined();

    // Locked for good: the right date, another browser, reopening — all the locked page.
    const before = await linkSnapshot(id, DEMO.maria);
    expect((await b.post(`${LINK}/date-of-birth`, dobForm(MARIA_DOB))).status).toBe(410);
    const again = await openLink(new MailingPortal(), link.path);
    expect(again.status).toBe(410);
    expect(alertOf(await again.text())).toBe(LOCKED);
    expect(await linkSnapshot(id, DEMO.maria)).toEqual(before);

    const row = tableRows(await (await admin.get(`/face-sheet/${DEMO.maria}`)).text()).find((r) => r["Portal Username"] === username)!;
    expect(row.Status).toMatch(/^Link locked Link sent .+ Resend invitation$/);
  });

  it("compares at most five of many wrong dates sent at once, and locks once", async () => {
    const { link, id, username } = await invite("parallel");
    const browsers = Array.from({ length: 12 }, () => new MailingPortal());
    for (const b of browsers) await openLink(b, link.path);
    const answers = await Promise.all(browsers.map((b, i) => b.post(`${LINK}/date-of-birth`, dobForm(`1990-02-${String(i + 1).padStart(2, "0")}`))));
    const statuses = answers.map((r) => r.status);
    // Four wrong answers were told so (422); the fifth locked the link; the rest were never compared.
    expect(statuses.filter((s) => s === 422)).toHaveLength(4);
    expect(statuses.filter((s) => s === 410)).toHaveLength(8);
    expect((await tokenRows(id))[0]).toMatchObject({ dob_failures: 5 });
    const locks = (await logEntries(DEMO.maria)).filter((e) => e.description.startsWith(`Portal Login ${username}: the invitation link was locked`));
    expect(locks).toHaveLength(1);
  });

  it("comes first: a password posted without it changes nothing and leads back to it", async () => {
    const { link, id } = await invite();
    const b = new MailingPortal();
    await openLink(b, link.path);
    const before = await linkSnapshot(id, DEMO.maria);
    const password = freshPassphrase();
    const res = await b.post(`${LINK}/password`, { newPassword: password, confirmPassword: password });
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe(LINK);
    expect(await linkSnapshot(id, DEMO.maria)).toEqual(before);
  });

  it("is answered per browser: another browser with the same link, or an altered proof, is asked again", async () => {
    const { link } = await invite();
    const a = await pastDob(link.path);
    const other = new MailingPortal();
    await openLink(other, link.path);
    expect(await (await other.get(LINK)).text()).toContain("Step 1 of 2");
    const [token, proof] = a.cookies.get(LINK_COOKIE)!.split(".");
    other.cookies.set(LINK_COOKIE, `${token}.${proof!.slice(0, -2)}AA`);
    expect(await (await other.get(LINK)).text()).toContain("Step 1 of 2");
  });
});

describe("the new password", () => {
  it("follows the portal's rules, next to the field (422), and changes nothing", async () => {
    const { link, id, username } = await invite();
    const b = await pastDob(link.path);
    const before = await linkSnapshot(id, DEMO.maria);
    const short = await b.post(`${LINK}/password`, { newPassword: "too short", confirmPassword: "too short" });
    expect(short.status).toBe(422);
    // Every broken rule at once: too short, and a common password.
    expect(fieldErrorOf(await short.text(), "newPassword")).toBe(
      "Use at least 15 characters (this one has 9). That password is too common and easy to guess. Try a phrase of several unrelated words.",
    );
    const named = `${username} is my password`;
    expect(fieldErrorOf(await (await b.post(`${LINK}/password`, { newPassword: named, confirmPassword: named })).text(), "newPassword")).toBe(
      "Don't use your Portal Username in your password.",
    );
    const password = freshPassphrase();
    const mismatch = await b.post(`${LINK}/password`, { newPassword: password, confirmPassword: `${password}!` });
    expect(mismatch.status).toBe(422);
    expect(fieldErrorOf(await mismatch.text(), "confirmPassword")).toBe("The two passwords don't match. Type the same password in both boxes.");
    const empty = await b.post(`${LINK}/password`, {});
    expect(fieldErrorOf(await empty.text(), "newPassword")).toBe("Enter a new password.");
    expect(await linkSnapshot(id, DEMO.maria)).toEqual(before);
  });

  it("of two submissions at once, exactly one sets the password", async () => {
    const { link, id } = await invite();
    const a = await pastDob(link.path);
    const b = new MailingPortal();
    b.cookies.set(LINK_COOKIE, a.cookies.get(LINK_COOKIE)!);
    const [p1, p2] = [freshPassphrase(), freshPassphrase()];
    const answers = await Promise.all([
      a.post(`${LINK}/password`, { newPassword: p1, confirmPassword: p1 }),
      b.post(`${LINK}/password`, { newPassword: p2, confirmPassword: p2 }),
    ]);
    expect(answers.map((r) => r.status).sort()).toEqual([303, 410]);
    expect((await loginRow(id)).session_version).toBe(2);
    const name = await loginName(id);
    const entries = (await logEntries(DEMO.maria)).filter((e) => e.details.portal?.action === "Reset Password" && e.actor_name === name);
    expect(entries).toHaveLength(1);
  });
});

async function loginName(id: number) {
  return (await env.DB.prepare("SELECT username FROM portal_logins WHERE id = ?").bind(id).first<{ username: string }>())!.username;
}

describe("links that can't be used: one page, nothing changed", () => {
  const cases: [string, (l: Awaited<ReturnType<typeof invite>>) => Promise<string>][] = [
    ["expired", async (l) => (await env.DB.prepare("UPDATE portal_tokens SET expires_at = ? WHERE login_id = ?").bind(Date.now() - 1, l.id).run(), l.link.path)],
    ["already used", async (l) => (await env.DB.prepare("UPDATE portal_tokens SET used_at = ? WHERE login_id = ?").bind(Date.now(), l.id).run(), l.link.path)],
    ["altered", async (l) => `${LINK}/${l.link.token.slice(0, -1)}${l.link.token.endsWith("A") ? "B" : "A"}`],
    ["cut short", async (l) => `${LINK}/${l.link.token.slice(0, 20)}`],
    ["made up", async () => `${LINK}/${"x".repeat(43)}`],
    ["for a deactivated login", async (l) => (await env.DB.prepare("UPDATE portal_logins SET active = 0 WHERE id = ?").bind(l.id).run(), l.link.path)],
  ];
  for (const [what, spoil] of cases) {
    it(`refuses a link ${what} (410)`, async () => {
      const l = await invite();
      const path = await spoil(l);
      const before = await linkSnapshot(l.id, DEMO.maria);
      const b = new MailingPortal();
      const res = await b.get(path);
      expect(res.status).toBe(410);
      expect(alertOf(await res.text())).toBe(UNUSABLE);
      expect(b.cookies.has(LINK_COOKIE)).toBe(false);
      // Nor does a cookie holding it open anything.
      b.cookies.set(LINK_COOKIE, path.split("/").at(-1)!);
      expect((await b.get(LINK)).status).toBe(410);
      expect((await b.post(`${LINK}/date-of-birth`, dobForm(MARIA_DOB))).status).toBe(410);
      expect(await linkSnapshot(l.id, DEMO.maria)).toEqual(before);
    });
  }

  it("refuses an older link once a newer one was sent", async () => {
    const l = await invite();
    await env.DB.prepare("UPDATE portal_tokens SET created_at = created_at - 600000 WHERE login_id = ?").bind(l.id).run();
    expect((await admin.post(`/face-sheet/${DEMO.maria}/portal-logins/${l.id}/resend-invitation`, {}, { htmx: true })).status).toBe(200);
    const res = await openLink(new MailingPortal(), l.link.path);
    expect(res.status).toBe(410);
    expect(alertOf(await res.text())).toBe(UNUSABLE);
  });

  it("refuses a link opened at another agency's portal", async () => {
    const l = await invite();
    await env.DB.prepare("UPDATE agencies SET portal_enabled = 1 WHERE id = ?").bind(DEMO.lakeside).run();
    try {
      const before = await linkSnapshot(l.id, DEMO.maria);
      const res = await new MailingPortal().get(`/portal/lakeside/link/${l.link.token}`);
      expect(res.status).toBe(410);
      expect(alertOf(await res.text())).toBe(linkUnusableText("Lakeside Recovery Center"));
      expect(await linkSnapshot(l.id, DEMO.maria)).toEqual(before);
    } finally {
      await env.DB.prepare("UPDATE agencies SET portal_enabled = 0 WHERE id = ?").bind(DEMO.lakeside).run();
    }
  });

  it("refuses a link of a client marked Client Refused Portal Login, even mid-way", async () => {
    const l = await invite();
    const b = await pastDob(l.link.path);
    await env.DB.prepare("UPDATE clients SET refused_portal_login = 1 WHERE id = ?").bind(DEMO.maria).run();
    try {
      const before = await linkSnapshot(l.id, DEMO.maria);
      const password = freshPassphrase();
      expect((await b.post(`${LINK}/password`, { newPassword: password, confirmPassword: password })).status).toBe(410);
      expect(await linkSnapshot(l.id, DEMO.maria)).toEqual(before);
    } finally {
      await env.DB.prepare("UPDATE clients SET refused_portal_login = 0 WHERE id = ?").bind(DEMO.maria).run();
    }
  });

  it("answers 404 at a portal that doesn't exist", async () => {
    const l = await invite();
    expect((await new MailingPortal().get(`/portal/nowhere/link/${l.link.token}`)).status).toBe(404);
  });
});
