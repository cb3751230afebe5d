/**
 * The credentials emails as the send_email binding received them under `wrangler dev`: from,
 * to, subject, text and HTML, for Add (welcome) and for Reset Password; the temporary password
 * only there (never in what staff see); and the files in `.wrangler/tmp/email/` the README names.
 */
import { beforeAll, describe, expect, inject, it } from "vitest";
import { emailFiles, latestEmailTo, readEmailFile, temporaryPasswordFrom } from "./mailbox";
import { inputValue, loginIdOf, StaffClient, statusText } from "./portal-logins.staff-client";

const base = inject("baseUrl");
const PRIYA = 3; // Riverbend client
const run = Date.now().toString(36);
const username = `priya.${run}`;
const address = `priya.${run}@example.com`;
const TEMP_PASSWORD = /^[a-km-np-z2-9]{4}(-[a-km-np-z2-9]{4}){3}$/;

let staff: StaffClient;
beforeAll(async () => {
  staff = await StaffClient.signIn(base, "admin@riverbend.test");
});

describe("the welcome email (Add Client Portal Login › Save)", () => {
  let password: string;
  let pageAfterSave: string;

  beforeAll(async () => {
    const res = await staff.post(`/face-sheet/${PRIYA}/portal-logins`, { username, email: address, resetPassword: "on", active: "on" }, { htmx: true });
    expect(res.status).toBe(200);
    pageAfterSave = await res.text();
    expect(statusText(pageAfterSave)).toBe(`Portal login ${username} added. Welcome email sent to ${address}.`);
  });

  it("is from the configured sender, to the Portal User Email, with a subject naming the agency", async () => {
    const mail = await latestEmailTo(address);
    expect(mail.from).toBe("portal@riverbend.test");
    expect(mail.to).toEqual([address]);
    expect(mail.subject).toBe("Your Riverbend Behavioral Health Client Portal login");
  });

  it("has the Agency Portal URL, the username and the temporary password on their lines, and the rules", async () => {
    const mail = await latestEmailTo(address);
    const lines = mail.text.split("\n");
    expect(lines).toContain(`Agency Portal URL: ${base}/portal/riverbend`);
    expect(lines).toContain(`Username: ${username}`);
    password = temporaryPasswordFrom(mail.text);
    expect(password).toMatch(TEMP_PASSWORD);
    expect(mail.text).toContain("you must change it at first sign-in");
    expect(mail.text).toContain("It expires in 24 hours.");
  });

  it("says the same in HTML", async () => {
    const mail = await latestEmailTo(address);
    expect(mail.html).toContain(`<a href="${base}/portal/riverbend">${base}/portal/riverbend</a>`);
    expect(mail.html).toContain(`Username: <strong>${username}</strong>`);
    expect(mail.html).toMatch(new RegExp(`Temporary password: <strong[^>]*>${password}</strong>`));
    expect(mail.html).toContain("It expires in 24 hours.");
  });

  it("is the only place the temporary password appears: not in the answer to Save, nor on the Face Sheet", async () => {
    expect(pageAfterSave).not.toContain(password);
    const faceSheet = await (await staff.get(`/face-sheet/${PRIYA}`)).text();
    expect(faceSheet).toContain(username);
    expect(faceSheet).not.toContain(password);
  });

  it("is also written where the README says: .wrangler/tmp/email/miniflare-<hash>/email-text and email-html", async () => {
    const mail = await latestEmailTo(address);
    const files = await emailFiles(mail);
    expect(files.textPath).toMatch(/\.wrangler\/tmp\/email\/miniflare-[0-9a-f]+\/email-text\/[^/]+\.txt$/);
    expect(readEmailFile(files.textPath)).toBe(mail.text);
    expect(readEmailFile(files.htmlPath)).toBe(mail.html);
  });
});

describe("the new-password email (Edit › Reset Password › Save)", () => {
  it("brings a fresh temporary password, different from the welcome one", async () => {
    const welcome = temporaryPasswordFrom((await latestEmailTo(address)).text);
    const sentBefore = new Date();
    const faceSheet = await (await staff.get(`/face-sheet/${PRIYA}`)).text();
    const id = loginIdOf(faceSheet, username);
    const window = await (await staff.get(`/face-sheet/${PRIYA}/portal-logins/${id}/edit`, { htmx: true })).text();
    const res = await staff.post(
      `/face-sheet/${PRIYA}/portal-logins/${id}`,
      { seen: inputValue(window, "seen")!, email: address, resetPassword: "on", active: "on" },
      { htmx: true },
    );
    expect(res.status).toBe(200);
    const answer = await res.text();
    expect(statusText(answer)).toBe(`Portal login ${username} saved. A new temporary password was emailed to ${address}.`);

    const mail = await latestEmailTo(address, { after: sentBefore });
    expect(mail.from).toBe("portal@riverbend.test");
    expect(mail.to).toEqual([address]);
    expect(mail.subject).toBe("Your new temporary password for the Riverbend Behavioral Health Client Portal");
    expect(mail.text.split("\n")).toContain(`Username: ${username}`);
    expect(mail.text.split("\n")).toContain(`Agency Portal URL: ${base}/portal/riverbend`);
    const fresh = temporaryPasswordFrom(mail.text);
    expect(fresh).toMatch(TEMP_PASSWORD);
    expect(fresh).not.toBe(welcome);
    expect(mail.html).toContain(fresh);
    expect(mail.text).toContain("Any earlier password no longer works.");
    expect(answer).not.toContain(fresh);
  });
});
