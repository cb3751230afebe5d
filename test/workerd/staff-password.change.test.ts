/**
 * Change password (signed in): the current password is required and a wrong one counts like a
 * failed sign-in (same email and address keys, same lock); the NIST rules; a change ends every
 * other session and unused link while this one carries on, and the member gets a notice.
 */
import { STAFF_COOKIE } from "../../src/auth/staff-session";
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { database } from "../../src/db";
import { issueLink } from "../../src/staff-credentials/links";
import { alertText, fieldError, noticeText } from "./helpers";
import { throttleCounter } from "./throttle.fixtures";
import { createMember, goodPassword, mailTo, memberRow, outbox, StaffBrowser, tokenRows } from "./staff-credentials.fixtures";

async function signedIn(member: { email: string; password: string | null }, ip?: string) {
  const b = new StaffBrowser(ip);
  const res = await b.signIn(member.email, member.password!);
  if (res.status !== 303) throw new Error(`sign-in failed: ${res.status}`);
  return b;
}

describe("the Change password page", () => {
  it("is linked from every staff page's header and asks for the current and the new password", async () => {
    const member = await createMember();
    const b = await signedIn(member);
    expect(await (await b.get("/menu")).text()).toContain('<a href="/account/password">Change password</a>');
    const res = await b.get("/account/password");
    expect(res.status).toBe(200);
    const html = await res.text();
    for (const label of ["Current password", "New password", "Confirm new password"]) expect(html).toMatch(new RegExp(`<label for="f-[a-zA-Z]+">${label}`));
    expect(html).toContain("At least 15 characters, up to 128.");
  });

  it("sends a visitor without a session to sign-in, and changes nothing on a POST", async () => {
    const member = await createMember();
    const before = await memberRow(member.id);
    const b = new StaffBrowser();
    const page = await b.get("/account/password");
    expect(page.status).toBe(302);
    expect(page.headers.get("Location")).toBe("/sign-in?next=%2Faccount%2Fpassword");
    const password = goodPassword();
    const post = await b.post("/account/password", { currentPassword: member.password!, newPassword: password, confirmPassword: password });
    expect(post.status).toBe(302);
    expect(await memberRow(member.id)).toEqual(before);
  });
});

describe("changing the password", () => {
  it("saves it, keeps this session, ends every other session and link, and emails a notice", async () => {
    const member = await createMember();
    const here = await signedIn(member);
    const elsewhere = await signedIn(member);
    await issueLink(database(env.DB), { email: member.email, purpose: "reset", now: Date.now() });
    const before = await memberRow(member.id);
    const mark = outbox.length;
    const password = goodPassword();

    const res = await here.post("/account/password", { currentPassword: member.password!, newPassword: password, confirmPassword: password });
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/account/password?changed");
    const after = await memberRow(member.id);
    expect(after.session_version).toBe(before.session_version + 1);
    expect(after.password_hash).not.toBe(before.password_hash);
    expect((await tokenRows(member.id)).every((t) => t.used_at !== null)).toBe(true);

    const page = await here.get("/account/password?changed");
    expect(page.status).toBe(200);
    expect(noticeText(await page.text())).toBe("Your password has been changed, and your other sessions have been signed out.");
    expect((await elsewhere.get("/menu")).status).toBe(302);

    const [notice] = mailTo(member.email, mark);
    expect(notice!.subject).toBe("Your Riverbend Behavioral Health staff password was changed");
    expect(notice!.text).toContain("If this wasn't you, reset your password now at http://localhost/forgot-password and tell your administrator.");
    expect(notice!.text).not.toContain(password);

    expect((await new StaffBrowser().signIn(member.email, password)).status).toBe(303);
    expect((await new StaffBrowser().signIn(member.email, member.password!)).status).toBe(401);
  });

  it("keeps the session's original sign-in time, so its absolute limit still holds", async () => {
    const member = await createMember();
    const b = await signedIn(member);
    const claims = (cookie: string) => JSON.parse(atob(cookie.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/")));
    const signedInAt = claims(b.cookies.get(STAFF_COOKIE)!).auth_time;
    const password = goodPassword();
    await b.post("/account/password", { currentPassword: member.password!, newPassword: password, confirmPassword: password });
    expect(claims(b.cookies.get(STAFF_COOKIE)!).auth_time).toBe(signedInAt);
  });
});

describe("bad input", () => {
  it("refuses a wrong current password next to the field, and counts it like a failed sign-in", async () => {
    const member = await createMember();
    const b = await signedIn(member);
    const before = await memberRow(member.id);
    const password = goodPassword();
    const res = await b.post("/account/password", { currentPassword: "not my password at all", newPassword: password, confirmPassword: password });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(fieldError(html, "currentPassword")).toBe("That isn't your current password.");
    expect(html).not.toContain("not my password at all");
    expect(await memberRow(member.id)).toEqual(before);
    // The same counters as a failed sign-in: the email's account and the address.
    expect((await throttleCounter.staffAccount(member.email))?.failures).toBe(1);
    expect((await throttleCounter.address(b.ip))?.failures).toBe(1);
  });

  it("refuses a weak new password next to the field and writes nothing", async () => {
    const member = await createMember();
    const b = await signedIn(member);
    const before = await memberRow(member.id);
    const res = await b.post("/account/password", { currentPassword: member.password!, newPassword: "qwertyuiopasdfgh", confirmPassword: "qwertyuiopasdfgh" });
    expect(res.status).toBe(422);
    expect(fieldError(await res.text(), "newPassword")).toBe("That password is too common and easy to guess. Try a phrase of several unrelated words.");
    expect(await memberRow(member.id)).toEqual(before);
  });

  it("refuses the current password as the new one, empty fields, and a mismatch", async () => {
    const member = await createMember();
    const b = await signedIn(member);
    const before = await memberRow(member.id);
    const same = await b.post("/account/password", { currentPassword: member.password!, newPassword: member.password!, confirmPassword: member.password! });
    expect(same.status).toBe(422);
    expect(fieldError(await same.text(), "newPassword")).toBe("Choose a password different from your current one.");
    const empty = await b.post("/account/password", { currentPassword: "", newPassword: "", confirmPassword: "" });
    expect(empty.status).toBe(422);
    const html = await empty.text();
    expect(fieldError(html, "currentPassword")).toBe("Enter your current password.");
    expect(fieldError(html, "newPassword")).toBe("Enter a new password.");
    expect(alertText(html)).toBe("Your password was not changed. Correct what is marked below.");
    const password = goodPassword();
    const mismatch = await b.post("/account/password", { currentPassword: member.password!, newPassword: password, confirmPassword: `${password}!` });
    expect(fieldError(await mismatch.text(), "confirmPassword")).toBe("The two passwords don't match. Type the same password in both boxes.");
    expect(await memberRow(member.id)).toEqual(before);
  });

  it("locks after the sign-in limit of wrong current passwords: then even the right one is refused (429)", async () => {
    const member = await createMember();
    const b = await signedIn(member);
    const password = goodPassword();
    let last: Response | undefined;
    for (let i = 0; i < 10; i++) {
      last = await b.post("/account/password", { currentPassword: `wrong guess number ${i}`, newPassword: password, confirmPassword: password });
    }
    expect(last!.status).toBe(429);
    const before = await memberRow(member.id);
    const right = await b.post("/account/password", { currentPassword: member.password!, newPassword: password, confirmPassword: password });
    expect(right.status).toBe(429);
    expect(alertText(await right.text())).toBe("Too many attempts. Wait 15 minutes and try again, or ask your administrator for help.");
    expect(await memberRow(member.id)).toEqual(before);
    // The same lock holds at the sign-in page.
    expect((await new StaffBrowser().signIn(member.email, member.password!)).status).toBe(429);
  });

  it("refuses a change posted from another site (CSRF)", async () => {
    const member = await createMember();
    const b = await signedIn(member);
    const before = await memberRow(member.id);
    const password = goodPassword();
    const res = await b.fetch("/account/password", {
      method: "POST",
      body: new URLSearchParams({ currentPassword: member.password!, newPassword: password, confirmPassword: password }),
      headers: { Origin: "https://evil.example" },
    });
    expect(res.status).toBe(403);
    expect(await memberRow(member.id)).toEqual(before);
  });
});
