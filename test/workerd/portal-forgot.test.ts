/**
 * Forgot password? on the portal: the same answer, after the same work, whether or not the
 * username or email names a login (timing compared by medians over interleaved pairs); a 1-hour
 * single-use link to the login's email only when it may have one; the date of birth before the new
 * password; a reset clears a lock and ends other sessions; rate limits per username or email and
 * per address; logged for staff, and the reset shown in Activity with the seed's wording.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { throttleKeyOf } from "../../src/auth/throttle-keys";
import { forgotAnswer } from "../../src/portal/forgot-views";
import { DEMO } from "./fixtures";
import { inputValue, noticeText } from "./helpers";
import { logEntries, tableRows } from "./portal-logins.helpers";
import { dobForm, inviteLogin, lastMailTo, MailingPortal, MailingStaff, MARIA_DOB, mailTo, openLink, outbox, portalLinkIn, refusingEmail, tokenRows } from "./portal-links.fixtures";
import { actionRows, alertOf, createLogin, createSettledLogin, fieldErrorOf, freshPassphrase, loginRow, PORTAL, RIVERBEND, uniqueUsername } from "./portal.fixtures";
import { expectSameTiming } from "./timing";

const FORGOT = `${PORTAL}/forgot-password`;
const LINK = `${PORTAL}/link`;
const ANSWER = (typed: string) => forgotAnswer(typed, "1 hour", RIVERBEND.name);
const emailOf = (username: string) => `${username}@example.com`;

async function ask(account: string, b = new MailingPortal()) {
  const res = await b.post(FORGOT, { account });
  return { b, res, html: await res.text() };
}

/** Opens the emailed link, answers the date of birth and sets `password`; returns the browser. */
async function reset(path: string, password: string) {
  const b = new MailingPortal();
  expect((await openLink(b, path)).status).toBe(200);
  expect((await b.post(`${LINK}/date-of-birth`, dobForm(MARIA_DOB))).status).toBe(303);
  const res = await b.post(`${LINK}/password`, { newPassword: password, confirmPassword: password });
  expect(res.status).toBe(303);
  expect(res.headers.get("Location")).toBe(`${PORTAL}?password-changed`);
  return b;
}

let admin: MailingStaff;
beforeAll(async () => {
  admin = await MailingStaff.staff("admin@riverbend.test");
});

describe("the pages", () => {
  it("links Forgot password? from the sign-in page", async () => {
    const html = await (await new MailingPortal().get(PORTAL)).text();
    expect(html).toContain(`<a href="${FORGOT}">Forgot password?</a>`);
  });

  it("asks for the Portal Username or email", async () => {
    const res = await new MailingPortal().get(FORGOT);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toMatch(/<label for="f-account">Portal Username or email/);
    expect(html).toContain(`action="${FORGOT}"`);
  });

  it("answers 404 at a portal that doesn't exist or isn't contracted", async () => {
    expect((await new MailingPortal().get("/portal/lakeside/forgot-password")).status).toBe(404);
    expect((await new MailingPortal().post("/portal/nowhere/forgot-password", { account: "x" })).status).toBe(404);
  });
});

describe("asking for a reset link", () => {
  it("emails the link; date of birth and a new password sign the user in, clear the lock, end other sessions; logged and in Activity", async () => {
    const login = await createSettledLogin({ clientId: DEMO.maria });
    const elsewhere = new MailingPortal();
    expect((await elsewhere.signIn(login.username, login.password)).status).toBe(303);
    // Locked by strangers: 10 wrong passwords from new devices.
    for (let i = 0; i < 10; i++) await new MailingPortal().signIn(login.username, `wrong guess ${i}`);
    expect((await loginRow(login.id)).locked_until).not.toBeNull();
    const subject = await throttleKeyOf.portalAccount(env, RIVERBEND.id, login.username.toLowerCase());
    const counters = () => env.DB.prepare("SELECT COUNT(*) AS n FROM sign_in_throttle WHERE subject = ?").bind(subject).first<{ n: number }>();

    const mark = outbox.length;
    const typed = login.username.toUpperCase();
    const { res, html } = await ask(typed);
    expect(res.status).toBe(200);
    expect(noticeText(html)).toBe(ANSWER(typed));
    const mail = lastMailTo(emailOf(login.username), mark);
    expect(mail.subject).toBe("Reset your Riverbend Behavioral Health Client Portal password");
    expect(mail.text).toContain("The link works once, for 1 hour (until ");
    expect(mail.text.split("\n")).toContain(`Username: ${login.username}`);
    const link = portalLinkIn(mail);
    const [token] = await tokenRows(login.id);
    expect(token).toMatchObject({ purpose: "reset", used_at: null });
    expect(token!.expires_at - token!.created_at).toBe(3_600_000);
    const requested = (await logEntries(DEMO.maria)).at(-1)!;
    expect(requested.description).toBe(`Password reset link emailed to Portal Login ${login.username} (Forgot password?).`);
    expect(requested.details.portal).toBeUndefined();
    expect(requested.raw).not.toContain(link.token);

    const password = freshPassphrase();
    const b = await reset(link.path, password);
    const row = await loginRow(login.id);
    expect(row).toMatchObject({ failed_attempts: 0, locked_until: null, must_change_password: 0 });
    expect((await counters())!.n).toBe(0);
    expect(await (await elsewhere.get(PORTAL)).text()).toContain("Your session has ended. Please sign in again.");
    const activity = actionRows(await (await b.get(`${PORTAL}/activity`)).text());
    expect(activity.slice(0, 2).map(([a, d]) => `${a} | ${d}`)).toEqual([`Login | Patient Portal login by ${login.username}`, `Reset Password | Password changed by ${login.username}`]);
    // A new device signs in with the new password at once; the old one no longer works.
    expect((await new MailingPortal().signIn(login.username, password)).status).toBe(303);
    expect((await new MailingPortal().signIn(login.username, login.password)).status).toBe(401);
  }, 60_000);

  it("finds the login by its email, in any case", async () => {
    const login = await createSettledLogin({ clientId: DEMO.maria });
    const mark = outbox.length;
    const typed = ` ${emailOf(login.username).toUpperCase()} `;
    expect(noticeText((await ask(typed)).html)).toBe(ANSWER(typed.trim()));
    expect(mailTo(emailOf(login.username), mark)).toHaveLength(1);
  });

  it("gives an unknown username the same answer and sends nothing", async () => {
    const known = await createSettledLogin({ clientId: DEMO.maria });
    const ghost = uniqueUsername("ghost");
    const mark = outbox.length;
    const a = await ask(ghost);
    const b = await ask(known.username);
    expect(a.res.status).toBe(b.res.status);
    expect(a.html.replace(ghost, "<typed>")).toBe(b.html.replace(known.username, "<typed>"));
    expect(outbox.length - mark).toBe(1);
    expect(mailTo(emailOf(ghost), mark)).toEqual([]);
  });

  it("sends nothing, with the same answer, to logins that may not reset", async () => {
    const cases = {
      inactive: await createSettledLogin({ clientId: DEMO.maria, active: false }),
      "temporary password expired": await createLogin({ clientId: DEMO.maria, tempPasswordExpiresAt: Date.now() - 1 }),
      "no credentials": await createLogin({ clientId: DEMO.maria, noPassword: true }),
      "client refused": await createSettledLogin({ clientId: DEMO.james }),
    };
    await env.DB.prepare("UPDATE clients SET refused_portal_login = 1 WHERE id = ?").bind(DEMO.james).run();
    const expiredInvite = await inviteLogin(admin, DEMO.maria, { prefix: "expired-invite" });
    await env.DB.prepare("UPDATE portal_tokens SET expires_at = ? WHERE login_id = ?").bind(Date.now() - 1, expiredInvite.id).run();
    try {
      const mark = outbox.length;
      for (const [what, login] of [...Object.entries(cases), ["invitation expired", expiredInvite] as const]) {
        const { html } = await ask(login.username);
        expect(noticeText(html), what).toBe(ANSWER(login.username));
        expect(mailTo(emailOf(login.username), mark), what).toEqual([]);
        expect((await tokenRows(login.id)).filter((t) => t.purpose === "reset"), what).toEqual([]);
      }
    } finally {
      await env.DB.prepare("UPDATE clients SET refused_portal_login = 0 WHERE id = ?").bind(DEMO.james).run();
    }
  });

  it("sends a login still waiting on its invitation a reset link too (a lost invitation)", async () => {
    const invited = await inviteLogin(admin, DEMO.maria, { prefix: "lost" });
    const mark = outbox.length;
    await ask(invited.username);
    const link = portalLinkIn(lastMailTo(invited.email, mark));
    await reset(link.path, freshPassphrase());
    // The reset used up the invitation too.
    expect((await tokenRows(invited.id)).every((t) => t.used_at !== null)).toBe(true);
  });

  it("makes each new link replace the one before", async () => {
    const login = await createSettledLogin({ clientId: DEMO.maria });
    const mark = outbox.length;
    await ask(login.username);
    await ask(login.username);
    const [first, second] = mailTo(emailOf(login.username), mark).map(portalLinkIn);
    expect((await openLink(new MailingPortal(), first!.path)).status).toBe(410);
    expect((await openLink(new MailingPortal(), second!.path)).status).toBe(200);
  });

  it("sends one login at most 3 links an hour; further asks get the same answer", async () => {
    const login = await createSettledLogin({ clientId: DEMO.maria });
    const mark = outbox.length;
    const answers = new Set<string>();
    for (let i = 0; i < 5; i++) answers.add((await ask(login.username)).html);
    expect(answers.size).toBe(1);
    expect(mailTo(emailOf(login.username), mark)).toHaveLength(3);
    expect(await tokenRows(login.id)).toHaveLength(3);
  });

  it("sends no link for a day after one locked on wrong dates of birth, until staff clear the lock with Save", async () => {
    const login = await createSettledLogin({ clientId: DEMO.maria });
    let mark = outbox.length;
    await ask(login.username);
    const link = portalLinkIn(lastMailTo(emailOf(login.username), mark));
    const b = new MailingPortal();
    await openLink(b, link.path);
    for (let i = 1; i <= 5; i++) await b.post(`${LINK}/date-of-birth`, dobForm(`1990-03-0${i}`));
    expect((await tokenRows(login.id))[0]!.dob_locked_at).not.toBeNull();
    const face = await (await admin.get(`/face-sheet/${DEMO.maria}`)).text();
    expect(tableRows(face).find((r) => r["Portal Username"] === login.username)!.Status).toBe("Link locked");

    mark = outbox.length;
    await ask(login.username);
    expect(mailTo(emailOf(login.username), mark)).toEqual([]);

    // Staff: Edit › Save unlocks (and says so); then Forgot password? works again.
    const path = `/face-sheet/${DEMO.maria}/portal-logins/${login.id}`;
    const window = await (await admin.get(`${path}/edit`, { htmx: true })).text();
    const saved = await admin.post(path, { seen: inputValue(window, "seen")!, email: emailOf(login.username), active: "on" }, { htmx: true });
    expect(saved.status).toBe(200);
    expect((await logEntries(DEMO.maria)).at(-1)!.details.lines).toEqual(["Unlocked"]);
    await ask(login.username);
    expect(mailTo(emailOf(login.username), mark)).toHaveLength(1);
  });

  it("ends a reset link asked for earlier when the password is changed while signed in", async () => {
    const login = await createSettledLogin({ clientId: DEMO.maria });
    const mark = outbox.length;
    await ask(login.username);
    const link = portalLinkIn(lastMailTo(emailOf(login.username), mark));
    const b = new MailingPortal();
    expect((await b.signIn(login.username, login.password)).status).toBe(303);
    const next = freshPassphrase();
    expect((await b.post(`${PORTAL}/change-password`, { currentPassword: login.password, newPassword: next, confirmPassword: next })).status).toBe(303);
    expect((await tokenRows(login.id))[0]!.used_at).not.toBeNull();
    expect((await openLink(new MailingPortal(), link.path)).status).toBe(410);
  });

  it("marks Email not sent and tells staff when the reset email can't be sent", async () => {
    const login = await createSettledLogin({ clientId: DEMO.maria });
    await ask(login.username, new MailingPortal(undefined, { EMAIL: refusingEmail }));
    expect((await env.DB.prepare("SELECT email_status FROM portal_logins WHERE id = ?").bind(login.id).first<{ email_status: string }>())!.email_status).toBe("failed");
    const entry = (await logEntries(DEMO.maria)).at(-1)!;
    expect(entry.description).toBe(`The password reset email to Portal Login ${login.username} could not be sent.`);
    const row = tableRows(await (await admin.get(`/face-sheet/${DEMO.maria}`)).text()).find((r) => r["Portal Username"] === login.username)!;
    expect(row["Portal User Email"]).toBe(`${emailOf(login.username)} Email not sent`);
  });
});

describe("bad input", () => {
  it("refuses an empty entry or a hidden character next to the field (422), charging and sending nothing", async () => {
    const before = await env.DB.prepare("SELECT COUNT(*) AS n FROM sign_in_throttle").first<{ n: number }>();
    const mark = outbox.length;
    const empty = await ask("  ");
    expect(empty.res.status).toBe(422);
    expect(fieldErrorOf(empty.html, "account")).toBe("Enter your Portal Username or your email address.");
    const hidden = await ask("maria\u202Eexe");
    expect(hidden.res.status).toBe(422);
    expect(fieldErrorOf(hidden.html, "account")).toBe(
      "Portal Username or email contains a hidden character (U+202E) that can disguise what it says. Type it again rather than pasting it.",
    );
    const long = await ask(`${"a".repeat(250)}@example.com`);
    expect(long.res.status).toBe(422);
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM sign_in_throttle").first<{ n: number }>()).toEqual(before);
    expect(outbox.length).toBe(mark);
  });

  it("refuses a request posted from another site (CSRF), sending nothing", async () => {
    const login = await createSettledLogin({ clientId: DEMO.maria });
    const mark = outbox.length;
    const res = await new MailingPortal().fetch(FORGOT, { method: "POST", body: new URLSearchParams({ account: login.username }), headers: { Origin: "https://evil.example" } });
    expect(res.status).toBe(403);
    expect(outbox.length).toBe(mark);
  });
});

describe("limits", () => {
  it("answers Too many after 10 asks naming one username, real or not — and never keeps its owner from signing in", async () => {
    const login = await createSettledLogin({ clientId: DEMO.maria });
    const ghost = uniqueUsername("ghost");
    for (const name of [login.username, ghost]) {
      for (let i = 0; i < 10; i++) expect((await ask(name)).res.status, `${name} #${i + 1}`).toBe(200);
      const { res, html } = await ask(name);
      expect(res.status).toBe(429);
      expect(res.headers.get("Retry-After")).toBe("900");
      expect(alertOf(html)).toBe(`Too many requests. Wait 15 minutes and try again, or contact ${RIVERBEND.name} for help.`);
    }
    // The email is counted on its own: a person who typed their username can still type their email.
    expect((await ask(emailOf(login.username))).res.status).toBe(200);
    expect((await new MailingPortal().signIn(login.username, login.password)).status).toBe(303);
  }, 60_000);

  it("counts each ask against the address like a failed sign-in; past its limit: 429 and nothing sent", async () => {
    const b = new MailingPortal(undefined, { PORTAL_IP_MAX_FAILURES: "3" });
    for (let i = 0; i < 3; i++) expect((await ask(uniqueUsername("probe"), b)).res.status).toBe(200);
    const login = await createSettledLogin({ clientId: DEMO.maria });
    const mark = outbox.length;
    expect((await ask(login.username, b)).res.status).toBe(429);
    expect(mailTo(emailOf(login.username), mark)).toEqual([]);
  });
});

describe("timing", () => {
  it("answers a real username as fast as an unknown one (medians over interleaved pairs)", async () => {
    const PAIRS = 100;
    const logins: Awaited<ReturnType<typeof createLogin>>[] = [];
    for (let i = 0; i < PAIRS; i++) logins.push(await createLogin({ clientId: DEMO.maria, noPassword: true, mustChangePassword: false }));
    await ask(uniqueUsername("warm"));
    const timed = async (account: string) => {
      // A fresh address each time, so no limit enters the measurement.
      const b = new MailingPortal();
      await b.post(FORGOT, { account });
      return b.lastMs;
    };
    await expectSameTiming("portal forgot password", {
      pairs: PAIRS,
      known: (i) => timed(logins[i]!.username),
      unknown: () => timed(uniqueUsername("nobody")),
      minMs: 0,
    });
  }, 180_000);
});
