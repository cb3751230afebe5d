/**
 * Forgot password? (staff): one answer, after the same work, whether or not the email belongs to
 * an account; a 1-hour single-use link to an active member only; at most a few per member an hour;
 * the address limited like sign-in failures; and the reset it leads to clears a sign-in lock.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { alertText, fieldError, noticeText } from "./helpers";
import { createMember, goodPassword, linkIn, mailTo, memberRow, outbox, StaffBrowser, tokenRows, uniqueEmail } from "./staff-credentials.fixtures";

const ANSWER = (email: string) => `If an account matches ${email}, we've sent it a link to choose a new password. The link works once, for 1 hour.`;

async function ask(email: string, b = new StaffBrowser()) {
  const res = await b.post("/forgot-password", { email });
  return { b, res, html: await res.text() };
}

describe("the Forgot password page", () => {
  it("asks for the email", async () => {
    const res = await new StaffBrowser().get("/forgot-password");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toMatch(/<label for="f-email">Email/);
    expect(html).toContain('action="/forgot-password"');
  });
});

describe("asking for a reset link", () => {
  it("emails an active member a single-use link valid for 1 hour", async () => {
    const member = await createMember({ name: "Rowan Park" });
    const mark = outbox.length;
    const { res, html } = await ask(`  ${member.email.toUpperCase()} `);
    expect(res.status).toBe(200);
    expect(noticeText(html)).toBe(ANSWER(member.email.toUpperCase()));

    const [mail] = mailTo(member.email, mark);
    expect(mail!.subject).toBe("Reset your Riverbend Behavioral Health staff password");
    expect(mail!.text).toContain("Hello Rowan Park,");
    expect(mail!.text).toContain("The link works once and for 1 hour.");
    const link = linkIn(mail!);
    expect(link.url).toMatch(/^http:\/\/localhost\/staff-link\/[A-Za-z0-9_-]{43}$/);
    expect(mail!.html).toContain(`<a href="${link.url}">`);

    const [row] = await tokenRows(member.id);
    expect(row!.purpose).toBe("reset");
    expect(row!.expires_at - row!.created_at).toBe(3600_000);
    // Only the hash is stored.
    expect(row!.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row!.token_hash).not.toContain(link.token);

    const b = new StaffBrowser();
    expect((await b.openLink(link.path)).status).toBe(200);
    const password = goodPassword();
    expect((await b.post("/staff-link", { newPassword: password, confirmPassword: password })).headers.get("Location")).toBe("/menu?password=changed");
    expect((await new StaffBrowser().signIn(member.email, password)).status).toBe(303);
  });

  it("gives an unknown email the same answer and sends nothing", async () => {
    const mark = outbox.length;
    const email = uniqueEmail("nobody");
    const known = await createMember();
    const a = await ask(email);
    const b = await ask(known.email);
    expect(a.res.status).toBe(b.res.status);
    expect(a.html.replace(email, "<email>")).toBe(b.html.replace(known.email, "<email>"));
    expect(mailTo(email, mark)).toEqual([]);
    expect(mailTo(known.email, mark)).toHaveLength(1);
  });

  it("sends nothing to a deactivated member, with the same answer", async () => {
    const member = await createMember({ active: false });
    const mark = outbox.length;
    const { html } = await ask(member.email);
    expect(noticeText(html)).toBe(ANSWER(member.email));
    expect(mailTo(member.email, mark)).toEqual([]);
    expect(await tokenRows(member.id)).toEqual([]);
  });

  it("sends an invited member without a password a link too (a lost invitation)", async () => {
    const member = await createMember({ password: null });
    const mark = outbox.length;
    await ask(member.email);
    expect(mailTo(member.email, mark)).toHaveLength(1);
  });

  it("makes each new link replace the one before", async () => {
    const member = await createMember();
    const mark = outbox.length;
    await ask(member.email);
    await ask(member.email);
    const [first, second] = mailTo(member.email, mark).map(linkIn);
    expect((await new StaffBrowser().openLink(first!.path)).status).toBe(410);
    expect((await new StaffBrowser().openLink(second!.path)).status).toBe(200);
  });

  it("sends one member at most 3 links an hour; further asks get the same answer", async () => {
    const member = await createMember();
    const mark = outbox.length;
    const answers = new Set<string>();
    for (let i = 0; i < 5; i++) answers.add((await ask(member.email)).html);
    expect(answers.size).toBe(1);
    expect(mailTo(member.email, mark)).toHaveLength(3);
    expect(await tokenRows(member.id)).toHaveLength(3);
  });
});

describe("bad input", () => {
  it("refuses an empty or malformed email next to the field (422) and writes nothing", async () => {
    const mark = outbox.length;
    const before = await env.DB.prepare("SELECT COUNT(*) AS n FROM sign_in_throttle").first<{ n: number }>();
    const empty = await ask("");
    expect(empty.res.status).toBe(422);
    expect(fieldError(empty.html, "email")).toBe("Enter your email.");
    const bad = await ask("not-an-email");
    expect(bad.res.status).toBe(422);
    expect(fieldError(bad.html, "email")).toBe("Enter an email address, like name@example.org.");
    expect(bad.html).toContain('value="not-an-email"');
    expect(outbox.length).toBe(mark);
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM sign_in_throttle").first<{ n: number }>()).toEqual(before);
  });

  it("refuses a request posted from another site (CSRF)", async () => {
    const member = await createMember();
    const mark = outbox.length;
    const res = await new StaffBrowser().fetch("/forgot-password", {
      method: "POST",
      body: new URLSearchParams({ email: member.email }),
      headers: { Origin: "https://evil.example" },
    });
    expect(res.status).toBe(403);
    expect(mailTo(member.email, mark)).toEqual([]);
  });
});

describe("limits", () => {
  it("counts each ask from an address on its own counter (not the address's sign-in budget); past the limit 429 and nothing is sent", async () => {
    const b = new StaffBrowser(undefined, { PORTAL_LOCK_AFTER_FAILURES: "3" });
    for (let i = 0; i < 3; i++) expect((await ask(uniqueEmail("probe"), b)).res.status).toBe(200);
    const member = await createMember();
    const mark = outbox.length;
    const { res, html } = await ask(member.email, b);
    expect(res.status).toBe(429);
    expect(alertText(html)).toBe("Too many attempts. Wait 15 minutes and try again, or ask your administrator for help.");
    expect(mailTo(member.email, mark)).toEqual([]);
  });

  it("lets a member locked out of sign-in reset the password, which clears the lock", async () => {
    const member = await createMember();
    for (let i = 0; i < 10; i++) await new StaffBrowser().signIn(member.email, `wrong guess ${i}`);
    expect((await new StaffBrowser().signIn(member.email, member.password!)).status).toBe(429);
    const mark = outbox.length;
    await ask(member.email);
    const link = linkIn(mailTo(member.email, mark)[0]!);
    const b = new StaffBrowser();
    await b.openLink(link.path);
    const password = goodPassword();
    expect((await b.post("/staff-link", { newPassword: password, confirmPassword: password })).status).toBe(303);
    expect((await new StaffBrowser().signIn(member.email, password)).status).toBe(303);
    expect((await memberRow(member.id)).session_version).toBe(2);
  });
});

describe("timing", () => {
  it("answers an unknown email as fast as a known one (medians over interleaved pairs)", async () => {
    const member = await createMember();
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const unknown: number[] = [];
    const known: number[] = [];
    await ask(uniqueEmail("warm"));
    for (let i = 0; i < 7; i++) {
      // Fresh addresses, so no limit enters the measurement; the member's hourly cap doesn't
      // change the answer's work (the link is issued after answering).
      const a = new StaffBrowser();
      await a.post("/forgot-password", { email: uniqueEmail("ghost") });
      unknown.push(a.lastMs);
      const b = new StaffBrowser();
      await b.post("/forgot-password", { email: member.email });
      known.push(b.lastMs);
    }
    const [u, k] = [median(unknown), median(known)];
    console.log(`forgot-password medians: unknown ${u.toFixed(1)} ms, known ${k.toFixed(1)} ms`);
    expect(Math.max(u, k) / Math.min(u, k) < 2 || Math.abs(u - k) < 10).toBe(true);
  });
});
