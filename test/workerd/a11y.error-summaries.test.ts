/**
 * Error summaries (issue 12, item 2 and 8): after a failed submit — an htmx swap or a full page —
 * the summary takes focus (tabindex=-1 + autofocus: the browser focuses it on load, htmx after a
 * swap), lists each bad field as a link to it, and the page's title starts with "Error:". Staff
 * and portal forms alike; the browser journey (test/browser/a11y-focus.journey.test.ts) checks
 * where focus really lands.
 */
import { describe, expect, it } from "vitest";
import { Browser, DEMO } from "./fixtures";
import { PORTAL, PortalBrowser, createSettledLogin } from "./portal.fixtures";

const SUMMARY = '<div class="error-summary" role="alert" tabindex="-1" autofocus="">';
const title = (html: string) => /<title>([^<]*)<\/title>/.exec(html)?.[1];

describe("error summaries take focus, link their fields, and title the page 'Error:'", () => {
  it("staff sign-in failure: the message is focused after the reload; the title says Error", async () => {
    const res = await new Browser().post("/sign-in", { email: "staff@riverbend.test", password: "not the password" });
    expect(res.status).toBe(401);
    const html = await res.text();
    expect(html).toContain(SUMMARY);
    expect(title(html)).toBe("Error: Sign in · Agency EHR");
  });

  it("staff sign-in with a hidden character in the email: the summary links the Email field", async () => {
    const html = await (await new Browser().post("/sign-in", { email: "staff\u200b@riverbend.test", password: "x" })).text();
    expect(html).toContain(SUMMARY);
    expect(html).toMatch(/<a href="#f-email">Email: [^<]+<\/a>/);
  });

  it("portal sign-in failure and a blank form: focused summary, Error title, links", async () => {
    const login = await createSettledLogin({ clientId: DEMO.maria });
    const wrong = await (await new PortalBrowser().signIn(login.username, "wrong password here")).text();
    expect(wrong).toContain(SUMMARY);
    expect(title(wrong)).toBe("Error: Sign in · Riverbend Behavioral Health Client Portal");
    const blank = await (await new PortalBrowser().post(`${PORTAL}/sign-in`, { username: "", password: "" })).text();
    expect(blank).toContain('<a href="#f-username">Portal Username: ');
    expect(blank).toContain('<a href="#f-password">Password: Enter your password.</a>');
  });

  it("Document Center without a Case #: the summary is focused after the reload and links the first case", async () => {
    const dana = await Browser.staff("admin@riverbend.test");
    const res = await dana.get(`/document-center/clients/${DEMO.james}?open=case`);
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain(SUMMARY);
    expect(html).toMatch(/<a href="#case-\d+">Case #: Select a Case # to open\.<\/a>/);
    expect(title(html)).toBe("Error: Document Center: Okafor, James · Riverbend Behavioral Health");
  });

  it("Invite staff with bad input: every bad field linked, the role's first choice for the role", async () => {
    const dana = await Browser.staff("admin@riverbend.test");
    const html = await (await dana.post("/admin/staff/invite", { name: "", email: "not-an-email", role: "wizard" })).text();
    expect(html).toContain(SUMMARY);
    expect(html).toContain('<a href="#f-name">Name: ');
    expect(html).toContain('<a href="#f-email">Email: ');
    expect(html).toMatch(/<a href="#f-role-admin">Role: /);
    expect(title(html)).toMatch(/^Error: Invite staff · /);
  });

  it("the Portal Login window's errors: focused summary linking Portal Username and Portal User Email", async () => {
    const dana = await Browser.staff("admin@riverbend.test");
    const res = await dana.post(`/face-sheet/${DEMO.james}/portal-logins`, { username: "", email: "nope", resetPassword: "on", active: "on", credentialMethod: "password" }, { htmx: true });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain(SUMMARY);
    expect(html).toContain('<a href="#f-username">Portal Username: ');
    expect(html).toContain('<a href="#f-email">Portal User Email: ');
  });

  it("the Portal Login page without JavaScript is titled 'Portal Login: …'", async () => {
    const dana = await Browser.staff("admin@riverbend.test");
    const html = await (await dana.get(`/face-sheet/${DEMO.james}/portal-logins/new`)).text();
    expect(title(html)).toBe("Portal Login: Okafor, James · Riverbend Behavioral Health");
  });
});
