/**
 * The security notices as composed: each says what changed, on which login, when (as given, in
 * the agency's zone) and what to do if it wasn't the reader — and carries no secret and no link.
 * The email-change notice names the other address only masked. Everything in the HTML is escaped.
 */
import { describe, expect, it } from "vitest";
import { maskAddress, parseNoticeFacts, portalNoticeEmail, type NoticeFacts } from "../../src/email/portal-notices";
import { noticeTime } from "../../src/portal-notices/send";

const AT = Date.UTC(2026, 11, 1, 14, 30, 0);
const WHEN = noticeTime(AT, "America/New_York");
const context = { to: "maria.alvarez@example.com", agencyName: "Riverbend Behavioral Health", username: "maria.alvarez", when: WHEN };

const EVERY_NOTICE: NoticeFacts[] = [
  { kind: "notice:password-changed", at: AT },
  { kind: "notice:password-changed", at: AT, first: true },
  { kind: "notice:password-reset", at: AT },
  { kind: "notice:passkey-added", at: AT, passkeyName: "Maria's phone" },
  { kind: "notice:passkey-removed", at: AT, passkeyName: "Old laptop" },
  { kind: "notice:locked", at: AT, failures: 10, allDevices: false, minutes: 15 },
  { kind: "notice:locked", at: AT, failures: 100, allDevices: true, hours: 24 },
  { kind: "notice:email-changed", at: AT, side: "old", other: maskAddress("maria.new@example.org") },
  { kind: "notice:email-changed", at: AT, side: "new", other: maskAddress("maria.alvarez@example.com") },
  { kind: "notice:access-ended", at: AT, reason: "staff" },
  { kind: "notice:access-ended", at: AT, reason: "end-date" },
];

describe("every notice", () => {
  it("formats the time in the agency's zone, with the zone's name", () => {
    expect(WHEN).toBe("12/1/2026 9:30:00 AM (Eastern Time)");
  });

  for (const facts of EVERY_NOTICE) {
    const label = `${facts.kind}${"side" in facts ? ` (${facts.side})` : ""}${"first" in facts ? " (first)" : ""}${"allDevices" in facts ? ` (${facts.failures})` : ""}${"reason" in facts ? ` (${facts.reason})` : ""}`;
    it(`${label}: names the agency, the login and when; says what to do if it wasn't you; no link, no secret`, () => {
      const mail = portalNoticeEmail(facts, context);
      expect(mail.to).toBe("maria.alvarez@example.com");
      expect(mail.subject).toContain("Riverbend Behavioral Health");
      for (const body of [mail.text, mail.html.replace(/&#39;/g, "'")]) {
        expect(body).toContain("maria.alvarez");
        expect(body).toContain("12/1/2026 9:30:00 AM (Eastern Time)");
        expect(body).toMatch(/If (you didn't|these attempts weren't you|you don't know this login)/);
        expect(body).toMatch(/contact Riverbend Behavioral Health right away — call them or reply to this email/i);
        expect(body).toContain("will never ask you for your password");
        // No link of any kind, and nothing that looks like a credential.
        expect(body).not.toMatch(/https?:|www\.|<a\b|href=/i);
        expect(body).not.toMatch(/password:\s*\S|temporary password:/i);
      }
    });
  }

  it("says the same in text and HTML", () => {
    for (const facts of EVERY_NOTICE) {
      const mail = portalNoticeEmail(facts, context);
      const fromHtml = mail.html
        .replace(/<title>[\s\S]*?<\/title>/, "")
        .replace(/<[^>]+>/g, "\n")
        .replace(/&#39;/g, "'")
        .split("\n")
        .map((l) => l.trim())
        .filter(Boolean);
      expect(fromHtml).toEqual(mail.text.split("\n").filter(Boolean));
    }
  });
});

describe("what each notice says", () => {
  const text = (facts: NoticeFacts) => portalNoticeEmail(facts, context).text;

  it("password changed: changed, or set in place of the temporary password; other devices signed out", () => {
    expect(portalNoticeEmail({ kind: "notice:password-changed", at: AT }, context).subject).toBe("Your Riverbend Behavioral Health Client Portal password was changed");
    expect(text({ kind: "notice:password-changed", at: AT })).toContain("The password of your Riverbend Behavioral Health Client Portal login maria.alvarez was changed on");
    expect(text({ kind: "notice:password-changed", at: AT, first: true })).toContain("replacing the temporary password");
    expect(text({ kind: "notice:password-changed", at: AT })).toContain("Every other device signed in to it has been signed out.");
  });

  it("password reset by staff: the chosen password no longer works; the new one comes separately", () => {
    expect(text({ kind: "notice:password-reset", at: AT })).toContain(
      "The password you chose before no longer works; a new temporary password was sent to you in a separate email.",
    );
  });

  it("passkeys: names the passkey, added or removed", () => {
    expect(text({ kind: "notice:passkey-added", at: AT, passkeyName: "Maria's phone" })).toContain("A passkey named “Maria's phone” was added");
    expect(text({ kind: "notice:passkey-removed", at: AT, passkeyName: "Old laptop" })).toContain("The passkey named “Old laptop” was removed");
  });

  it("locked: how many failures, how long, and that nobody signed in", () => {
    const paused = text({ kind: "notice:locked", at: AT, failures: 10, allDevices: false, minutes: 15 });
    expect(paused).toContain("After 10 failed sign-in attempts in a row");
    expect(paused).toContain("new devices must wait 15 minutes");
    expect(paused).toContain("Nobody signed in with them and your password has not changed.");
    expect(text({ kind: "notice:locked", at: AT, failures: 100, allDevices: true, hours: 24 })).toContain("No device can sign in to it for 24 hours");
  });

  it("email changed: the old address learns the new one only masked, and the new one the old", () => {
    expect(maskAddress("maria.new@example.org")).toBe("m•••@example.org");
    const old = text({ kind: "notice:email-changed", at: AT, side: "old", other: maskAddress("maria.new@example.org") });
    expect(old).toContain("from this address to m•••@example.org");
    expect(old).not.toContain("maria.new");
    const fresh = text({ kind: "notice:email-changed", at: AT, side: "new", other: maskAddress("maria.alvarez@example.com") });
    expect(fresh).toContain("(it was m•••@example.com)");
  });

  it("access ended: by staff, or on the recorded end date", () => {
    expect(text({ kind: "notice:access-ended", at: AT, reason: "staff" })).toContain("Riverbend Behavioral Health ended the access of");
    expect(text({ kind: "notice:access-ended", at: AT, reason: "end-date" })).toContain("the end date Riverbend Behavioral Health recorded for it");
  });
});

describe("escaping and stored facts", () => {
  it("escapes the agency, username and passkey name in the HTML", () => {
    const mail = portalNoticeEmail(
      { kind: "notice:passkey-added", at: AT, passkeyName: `<img src=x onerror="alert(1)">` },
      { ...context, agencyName: "Smith & Sons <b>" },
    );
    expect(mail.html).not.toContain("<img");
    expect(mail.html).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
    expect(mail.html).toContain("Smith &amp; Sons &lt;b&gt;");
  });

  it("reads stored facts back only for their own kind", () => {
    const json = JSON.stringify({ kind: "notice:locked", at: AT, failures: 10, allDevices: false, minutes: 15 });
    expect(parseNoticeFacts("notice:locked", json)).toMatchObject({ failures: 10 });
    expect(parseNoticeFacts("notice:access-ended", json)).toBeNull();
    expect(parseNoticeFacts("notice:locked", "not json")).toBeNull();
    expect(parseNoticeFacts("notice:locked", null)).toBeNull();
  });
});
