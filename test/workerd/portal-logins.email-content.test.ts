/**
 * The credentials email as composed (what the binding is given): subject naming the agency, the
 * Agency Portal URL, `Username:` and `Temporary password:` lines, the first-sign-in and expiry
 * rules (the agency's lifetime, 24 hours by default), in text and in HTML with everything escaped. And sending through the real binding.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { portalCredentialsEmail } from "../../src/email/portal-credentials";
import { sendEmail } from "../../src/email/send";
import { effectiveSettings } from "../../src/db/agency-settings";
import { agencyPortalUrl } from "../../src/portal-logins/portal-url";
import { UNSET_SETTINGS } from "./agency-settings.fixtures";

const base = {
  to: "maria.alvarez@example.com",
  agencyName: "Riverbend Behavioral Health",
  portalUrl: "https://portal.example.org/portal/riverbend",
  username: "maria.alvarez",
  temporaryPassword: "k7mq-x3vd-9hpe-t2wa",
  expiresInHours: 24,
};

describe("the welcome email", () => {
  const mail = portalCredentialsEmail({ kind: "welcome", ...base });

  it("goes to the Portal User Email with a subject naming the agency", () => {
    expect(mail.to).toBe("maria.alvarez@example.com");
    expect(mail.subject).toBe("Your Riverbend Behavioral Health Client Portal login");
  });

  it("has the URL, username and temporary password on their own lines, and the rules", () => {
    const lines = mail.text.split("\n");
    expect(lines).toContain("Agency Portal URL: https://portal.example.org/portal/riverbend");
    expect(lines).toContain("Username: maria.alvarez");
    expect(lines).toContain("Temporary password: k7mq-x3vd-9hpe-t2wa");
    expect(mail.text).toContain("Riverbend Behavioral Health has set up a Client Portal login for you.");
    expect(mail.text).toContain("you must change it at first sign-in");
    expect(mail.text).toContain("It expires in 24 hours.");
  });

  it("says the same in HTML, with the URL as a link", () => {
    expect(mail.html).toContain('<a href="https://portal.example.org/portal/riverbend">https://portal.example.org/portal/riverbend</a>');
    expect(mail.html).toContain("Username: <strong>maria.alvarez</strong>");
    expect(mail.html).toMatch(/Temporary password: <strong[^>]*>k7mq-x3vd-9hpe-t2wa<\/strong>/);
    expect(mail.html).toContain("you must change it at first sign-in");
    expect(mail.html).toContain("It expires in 24 hours.");
    expect(mail.html).toContain("<title>Your Riverbend Behavioral Health Client Portal login</title>");
  });
});

describe("the expiry line", () => {
  it("says the agency's lifetime, in the singular for one hour", () => {
    expect(portalCredentialsEmail({ kind: "welcome", ...base, expiresInHours: 6 }).text).toContain("It expires in 6 hours.");
    expect(portalCredentialsEmail({ kind: "new-password", ...base, expiresInHours: 1 }).text).toContain("It expires in 1 hour.");
  });
});

describe("the new-password email (Reset Password, Resend)", () => {
  const mail = portalCredentialsEmail({ kind: "new-password", ...base });
  it("names the agency and says earlier passwords stop working", () => {
    expect(mail.subject).toBe("Your new temporary password for the Riverbend Behavioral Health Client Portal");
    expect(mail.text).toContain("Any earlier password no longer works.");
    expect(mail.text.split("\n")).toContain("Temporary password: k7mq-x3vd-9hpe-t2wa");
  });
});

describe("escaping", () => {
  it("escapes everything put into the HTML, and leaves the text as is", () => {
    const mail = portalCredentialsEmail({
      kind: "welcome",
      ...base,
      agencyName: `Smith & Sons <script>alert("x")</script>`,
      portalUrl: `https://x.example/portal/a"onmouseover="alert(1)`,
    });
    expect(mail.html).not.toContain("<script>");
    expect(mail.html).toContain("Smith &amp; Sons &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    expect(mail.html).toContain('href="https://x.example/portal/a&quot;onmouseover=&quot;alert(1)"');
    expect(mail.text).toContain(`Smith & Sons <script>alert("x")</script> has set up`);
  });
});

describe("the Agency Portal URL", () => {
  it("uses PORTAL_ORIGIN when configured, else the request's origin", () => {
    const settings = (PORTAL_ORIGIN: string) => effectiveSettings({ PORTAL_ORIGIN }, UNSET_SETTINGS);
    expect(agencyPortalUrl(settings(""), "http://localhost:8787/face-sheet/1", "riverbend")).toBe("http://localhost:8787/portal/riverbend");
    expect(agencyPortalUrl(settings("https://care.example.org/"), "http://localhost:8787/x", "riverbend")).toBe("https://care.example.org/portal/riverbend");
  });
});

describe("sending through the send_email binding", () => {
  it("sends from EMAIL_FROM", async () => {
    expect(env.EMAIL_FROM).toBe("portal@riverbend.test");
    expect(await sendEmail(env, portalCredentialsEmail({ kind: "welcome", ...base }))).toMatchObject({ sent: true });
  });

  it("answers (does not throw) when the sender is not configured", async () => {
    const outcome = await sendEmail({ ...env, EMAIL_FROM: "" }, portalCredentialsEmail({ kind: "welcome", ...base }));
    expect(outcome).toEqual({ sent: false, reason: "EMAIL_FROM is not configured" });
  });
});
