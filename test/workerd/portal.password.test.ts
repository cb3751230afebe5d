/**
 * Choosing a password in the portal: the first one (forced before anything else) and later
 * changes (current password required); the NIST SP 800-63B-4 rules; the effects of a change.
 */
import { describe, expect, it } from "vitest";
import { verifyPassword } from "../../src/auth/password";
import {
  GENERIC_FAILURE,
  PORTAL,
  PORTAL_COOKIE,
  PortalBrowser,
  alertOf,
  createLogin,
  createSettledLogin,
  fieldErrorOf,
  lastSeq,
  logEntries,
  loginRow,
  uniqueUsername,
} from "./portal.fixtures";
import { PWNED_FIXTURE } from "./pwned-passwords.fixture";

const GOOD = "lantern orchard velvet compass";

describe("first sign-in with a temporary password", () => {
  it("sends every portal page to the change-password page until a password is chosen", async () => {
    const login = await createLogin();
    const b = new PortalBrowser();
    await b.signIn(login.username, login.password);
    for (const path of [PORTAL, `${PORTAL}/activity`, `${PORTAL}/activity?page=2`]) {
      const res = await b.get(path);
      expect(res.status, path).toBe(303);
      expect(res.headers.get("Location"), path).toBe(`${PORTAL}/change-password`);
    }
    const page = await b.get(`${PORTAL}/change-password`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Choose your password");
    expect(html).toMatch(/<label for="f-newPassword">New password/);
    expect(html).toMatch(/<label for="f-confirmPassword">Confirm new password/);
    expect(html).toMatch(/>Change password<\/button>/);
    // The rules are stated on the page; no current password is asked right after signing in with the temporary one.
    expect(html).toContain("At least 15 characters, up to 128.");
    expect(html).toContain("Not a commonly used or breached password, and not containing your Portal Username or the agency&#39;s name.");
    expect(html).not.toContain('name="currentPassword"');
    // No menu to pages it couldn't open anyway; Log out is there.
    expect(html).not.toContain(`href="${PORTAL}/activity"`);
    expect(html).toContain(">Log out</button>");
  });

  it("saves the new password, ends the temporary one and other sessions, and logs Reset Password", async () => {
    const login = await createLogin();
    const before = await lastSeq(1);
    const b = new PortalBrowser();
    const other = new PortalBrowser();
    await b.signIn(login.username, login.password);
    await other.signIn(login.username, login.password);
    const oldCookie = b.cookies.get(PORTAL_COOKIE);

    const res = await b.post(`${PORTAL}/change-password`, { newPassword: GOOD, confirmPassword: GOOD });
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe(`${PORTAL}?password-changed`);
    // This session carries on with a re-issued cookie.
    expect(b.cookies.get(PORTAL_COOKIE)).not.toBe(oldCookie);
    const home = await b.get(res.headers.get("Location")!);
    expect(home.status).toBe(200);
    expect(await home.text()).toContain("Your password has been changed.");

    const row = await loginRow(login.id);
    expect(row.must_change_password).toBe(0);
    expect(row.temp_password_expires_at).toBeNull();
    expect(row.session_version).toBe(2);
    expect((await verifyPassword(row.password_hash!, GOOD)).ok).toBe(true);

    // The other session (same login, elsewhere) has ended.
    const elsewhere = await other.get(PORTAL);
    expect(await elsewhere.text()).toContain("Your session has ended. Please sign in again.");
    expect(other.cookies.has(PORTAL_COOKIE)).toBe(false);

    // The temporary password no longer works; the new one does.
    expect(alertOf(await (await new PortalBrowser().signIn(login.username, login.password)).text())).toBe(GENERIC_FAILURE);
    const again = await new PortalBrowser().signIn(login.username, GOOD);
    expect(again.status).toBe(303);
    expect(again.headers.get("Location")).toBe(PORTAL);

    const entries = await logEntries(1, before);
    expect(entries.map((e) => [e.change_type, e.description])).toEqual([
      ["Login", `Patient Portal login by ${login.username}`],
      ["Login", `Patient Portal login by ${login.username}`],
      ["Reset Password", `Password changed by ${login.username}`],
      ["Portal Sign-in", `Failed Client Portal sign-in as ${login.username}: wrong password.`],
      ["Login", `Patient Portal login by ${login.username}`],
    ]);
    expect(JSON.parse(entries[2]!.details)).toEqual({ portal: { action: "Reset Password", description: `Password changed by ${login.username}` } });
    expect(entries[2]!.actor_type).toBe("portal");
  });

  it("refuses the temporary password as the new one", async () => {
    const temp = "a temporary password that is long";
    const login = await createLogin({ password: temp });
    const b = new PortalBrowser();
    await b.signIn(login.username, temp);
    const res = await b.post(`${PORTAL}/change-password`, { newPassword: temp, confirmPassword: temp });
    expect(res.status).toBe(422);
    expect(fieldErrorOf(await res.text(), "newPassword")).toBe("Choose a password different from your temporary password.");
    expect((await loginRow(login.id)).must_change_password).toBe(1);
  });

  it("needs a session: without one, the change-password page and its POST go to sign-in", async () => {
    const b = new PortalBrowser();
    expect((await b.get(`${PORTAL}/change-password`)).headers.get("Location")).toBe(`${PORTAL}?next=${encodeURIComponent(`${PORTAL}/change-password`)}`);
    const res = await b.post(`${PORTAL}/change-password`, { newPassword: GOOD, confirmPassword: GOOD });
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe(PORTAL);
  });
});

/** The value of the input named `name` (what the page gives back), or undefined without one. */
function inputValueOf(html: string, name: string): string | undefined {
  const tag = new RegExp(`<input[^>]*\\bname="${name}"[^>]*>`).exec(html)?.[0];
  return tag === undefined ? undefined : (/\bvalue="([^"]*)"/.exec(tag)?.[1] ?? "");
}

describe("the password rules", () => {
  async function refusal(newPassword: string, confirmPassword = newPassword, username = uniqueUsername("rules")) {
    const login = await createLogin({ username });
    const b = new PortalBrowser();
    await b.signIn(login.username, login.password);
    const res = await b.post(`${PORTAL}/change-password`, { newPassword, confirmPassword });
    const html = await res.text();
    expect((await loginRow(login.id)).must_change_password).toBe(1);
    return { status: res.status, html, newPassword: fieldErrorOf(html, "newPassword"), confirm: fieldErrorOf(html, "confirmPassword") };
  }

  it("refuses fewer than 15 characters", async () => {
    const r = await refusal("fourteen chars");
    expect(r.status).toBe(422);
    expect(r.newPassword).toBe("Use at least 15 characters (this one has 14).");
    expect(alertOf(r.html)).toBe("Your password was not changed. Correct the field marked below.");
    // The rules describe the field too, read before its hint and message.
    expect(r.html).toMatch(/aria-describedby="password-rules f-newPassword-hint f-newPassword-error"/);
    // What was typed is never sent back.
    expect(r.html).not.toContain("fourteen chars");
  });

  it("refuses more than 128 characters", async () => {
    const r = await refusal("x y z ".repeat(22));
    expect(r.newPassword).toBe("Use at most 128 characters (this one has 132). That password is too common and easy to guess. Try a phrase of several unrelated words.");
  });

  it("refuses a common password", async () => {
    expect((await refusal("passwordpassword")).newPassword).toMatch(/^That password is too common/);
    expect((await refusal("qwertyuiopasdfgh")).newPassword).toMatch(/^That password is too common/);
  });

  it("refuses a password found in lists of breached passwords, kindly, next to New password", async () => {
    const r = await refusal("correct horse battery staple");
    expect(r.status).toBe(422);
    expect(r.newPassword).toBe("This password appears in lists of breached passwords. Choose another — a few unrelated words work well.");
    expect(r.confirm).toBeUndefined();
    expect(r.html).not.toContain("correct horse battery staple");
  });

  it("refuses a password the Pwned Passwords range API knows (the local range server here) with the same message", async () => {
    const r = await refusal(PWNED_FIXTURE.breached.password);
    expect(r.status).toBe(422);
    expect(r.newPassword).toBe("This password appears in lists of breached passwords. Choose another — a few unrelated words work well.");
  });

  it("refuses a password containing the username, in any case", async () => {
    const r = await refusal("my name is Maria.Portal.Rules ok", undefined, "maria.portal.rules");
    expect(r.newPassword).toBe("Don't use your Portal Username in your password.");
  });

  it("refuses a password containing the agency's name or slug", async () => {
    expect((await refusal("riverbend behavioral health rocks")).newPassword).toBe("Don't use the agency's name in your password.");
    expect((await refusal("I love RIVERBEND so much")).newPassword).toBe("Don't use the agency's name in your password.");
  });

  it("refuses a confirmation that doesn't match", async () => {
    const r = await refusal(GOOD, `${GOOD}!`);
    expect(r.confirm).toBe("The two passwords don't match. Type the same password in both boxes.");
    expect(r.newPassword).toBeUndefined();
    // The accepted new password is kept as typed; only the confirmation is cleared.
    expect(inputValueOf(r.html, "newPassword")).toBe(GOOD);
    expect(inputValueOf(r.html, "confirmPassword")).toBe("");
    expect(r.html).toContain('<a href="#f-confirmPassword">Confirm new password: The two passwords don&#39;t match.');
    expect(r.html).toContain("<title>Error: Choose your password · ");
  });

  it("reports a short password and a mismatched confirmation at once, and keeps neither", async () => {
    const r = await refusal("fourteen chars", "fourteen chars!");
    expect(r.newPassword).toBe("Use at least 15 characters (this one has 14).");
    expect(r.confirm).toBe("The two passwords don't match. Type the same password in both boxes.");
    expect(alertOf(r.html)).toBe("Your password was not changed. Correct the fields marked below.");
    expect(r.html).not.toContain("fourteen chars");
  });

  it("refuses an empty form with messages next to the fields", async () => {
    const r = await refusal("", "");
    expect(r.newPassword).toBe("Enter a new password.");
    expect(r.confirm).toBe("Type the new password again to confirm it.");
  });

  it("accepts a 64-character passphrase with spaces and no digits or capitals", async () => {
    const passphrase = "the quiet heron waits by cold water while autumn leaves drift by";
    expect(passphrase).toHaveLength(64);
    const login = await createLogin();
    const b = new PortalBrowser();
    await b.signIn(login.username, login.password);
    const res = await b.post(`${PORTAL}/change-password`, { newPassword: passphrase, confirmPassword: passphrase });
    expect(res.status).toBe(303);
    expect((await new PortalBrowser().signIn(login.username, passphrase)).status).toBe(303);
  });

  it("accepts non-ASCII passphrases and compares them normalised (NFKC)", async () => {
    const composed = "café crème brûlée à minuit";
    const decomposed = composed.normalize("NFD");
    const login = await createLogin();
    const b = new PortalBrowser();
    await b.signIn(login.username, login.password);
    expect((await b.post(`${PORTAL}/change-password`, { newPassword: decomposed, confirmPassword: decomposed })).status).toBe(303);
    expect((await new PortalBrowser().signIn(login.username, composed)).status).toBe(303);
  });
});

describe("changing the password later", () => {
  it("asks for the current password and refuses a wrong one", async () => {
    const login = await createSettledLogin();
    const b = new PortalBrowser();
    await b.signInReady(login);
    const page = await (await b.get(`${PORTAL}/change-password`)).text();
    expect(page).toMatch(/<label for="f-currentPassword">Current password/);
    expect(page).toContain(`href="${PORTAL}/activity"`);

    const wrong = await b.post(`${PORTAL}/change-password`, { currentPassword: "not my password", newPassword: GOOD, confirmPassword: GOOD });
    expect(wrong.status).toBe(422);
    expect(fieldErrorOf(await wrong.text(), "currentPassword")).toBe("That isn't your current password.");
    const missing = await b.post(`${PORTAL}/change-password`, { newPassword: GOOD, confirmPassword: GOOD });
    expect(fieldErrorOf(await missing.text(), "currentPassword")).toBe("Enter your current password.");
    expect((await loginRow(login.id)).session_version).toBe(1);
  });

  it("changes it with the current password: Reset Password logged, other sessions end, this one goes on", async () => {
    const login = await createSettledLogin();
    const b = new PortalBrowser();
    const other = new PortalBrowser();
    await b.signInReady(login);
    await other.signInReady(login);
    const before = await lastSeq(1);
    const res = await b.post(`${PORTAL}/change-password`, { currentPassword: login.password, newPassword: GOOD, confirmPassword: GOOD });
    expect(res.status).toBe(303);
    expect((await b.get(`${PORTAL}/activity`)).status).toBe(200);
    expect((await other.get(`${PORTAL}/activity`)).headers.get("Location")).toBe(`${PORTAL}?ended&next=${encodeURIComponent(`${PORTAL}/activity`)}`);
    expect((await loginRow(login.id)).session_version).toBe(2);
    const entries = await logEntries(1, before);
    expect(entries.map((e) => e.description)).toEqual([`Password changed by ${login.username}`]);
  });

  it("refuses the same password as the current one", async () => {
    const login = await createSettledLogin({ password: GOOD });
    const b = new PortalBrowser();
    await b.signInReady(login);
    const res = await b.post(`${PORTAL}/change-password`, { currentPassword: GOOD, newPassword: GOOD, confirmPassword: GOOD });
    expect(fieldErrorOf(await res.text(), "newPassword")).toBe("Choose a password different from your current one.");
  });
});
