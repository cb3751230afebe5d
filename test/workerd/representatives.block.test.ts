/**
 * Blocking a person: staff block a representative login with a reason only staff see. At once the
 * session's next request fails, sign-in fails like a wrong password, and no email of any kind goes
 * to it (Forgot password?, staff Resend, notices — refused in the one gateway); only an
 * administrator can change it again (Edit, Unblock). Bad input (no reason) 422 with nothing
 * written; other agencies 404; auditors 403.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { database } from "../../src/db";
import { sendPortalEmail } from "../../src/email/portal-mail";
import { Browser, DEMO } from "./fixtures";
import { alertText, fieldError } from "./helpers";
import { editLogin, loginsPath, logEntries } from "./portal-logins.helpers";
import { MailingPortal } from "./portal-links.fixtures";
import { signedInLogin } from "./portal-passkeys.fixtures";
import { createLogin, GENERIC_FAILURE, PORTAL, PORTAL_COOKIE, PortalBrowser } from "./portal.fixtures";

let admin: Browser;
let staff: Browser;
let auditor: Browser;
beforeAll(async () => {
  admin = await Browser.staff("admin@riverbend.test");
  staff = await Browser.staff("staff@riverbend.test");
  auditor = await Browser.staff("auditor@riverbend.test");
});

const blockPath = (clientId: number, loginId: number) => `${loginsPath(clientId)}/${loginId}/block`;
const loginOf = (id: number) =>
  env.DB.prepare("SELECT blocked_at, blocked_reason, blocked_by, session_version FROM portal_logins WHERE id = ?").bind(id).first<{ blocked_at: number | null; blocked_reason: string | null; blocked_by: number | null; session_version: number }>();
const emailCount = async (loginId: number) => (await env.DB.prepare("SELECT COUNT(*) AS n FROM portal_emails WHERE login_id = ?").bind(loginId).first<{ n: number }>())!.n;

describe("Block", () => {
  it("staff block with a reason: sessions end at the next request, the entry is staff-only, the reason shown to staff", async () => {
    const { login, b } = await signedInLogin({ representative: true, clientId: DEMO.maria });
    const before = (await loginOf(login.id))!;
    const res = await staff.post(blockPath(DEMO.maria, login.id), { reason: "Custody order 2026-114: no contact" });
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe(`/face-sheet/${DEMO.maria}?portal-login=${login.id}&done=blocked#client-portal-section`);
    expect(await loginOf(login.id)).toMatchObject({ blocked_reason: "Custody order 2026-114: no contact", session_version: before.session_version + 1 });
    const entry = (await logEntries(DEMO.maria)).at(-1)!;
    expect(entry.description).toBe(`Portal Login ${login.username} was blocked.`);
    expect(entry.details.lines![0]).toBe("Reason (staff only): Custody order 2026-114: no contact");
    expect(entry.details.portal).toBeUndefined();

    const next = await b.get(`${PORTAL}/activity`);
    expect(next.status).toBe(303);
    expect(next.headers.get("Location")).toBe(`${PORTAL}?ended&next=${encodeURIComponent(`${PORTAL}/activity`)}`);
    expect(b.cookies.has(PORTAL_COOKIE)).toBe(false);

    const section = await (await staff.get(`/face-sheet/${DEMO.maria}`)).text();
    expect(section).toContain(">Blocked<");
    const window = await (await staff.get(`${loginsPath(DEMO.maria)}/${login.id}/edit`, { htmx: true })).text();
    expect(window).toContain("Reason (staff only): Custody order 2026-114: no contact");
    expect(window).not.toContain("Unblock");
  });

  it("a blocked person's sign-in fails like a wrong password", async () => {
    const login = await createLogin({ representative: true, clientId: DEMO.maria, mustChangePassword: false, blockedAt: Date.now() });
    const res = await new PortalBrowser().signIn(login.username, login.password);
    expect(res.status).toBe(401);
    expect(alertText(await res.text())).toBe(GENERIC_FAILURE);
  });

  it("no email of any kind: Forgot password?, staff Resend, and the gateway itself refuse", async () => {
    const login = await createLogin({ representative: true, clientId: DEMO.maria, mustChangePassword: false, blockedAt: Date.now() });
    await new MailingPortal().post(`${PORTAL}/forgot-password`, { account: login.username });
    expect(await emailCount(login.id)).toBe(0);
    const resend = await admin.post(`${loginsPath(DEMO.maria)}/${login.id}/resend`, {}, { htmx: true });
    expect(resend.status).toBe(409);
    const invitation = await admin.post(`${loginsPath(DEMO.maria)}/${login.id}/resend-invitation`, {}, { htmx: true });
    expect(invitation.status).toBe(409);
    const sent = await sendPortalEmail(env, database(env.DB), {
      agencyId: 1,
      clientId: DEMO.maria,
      loginId: login.id,
      kind: "notice:locked",
      to: `${login.username}@example.com`,
      subject: "s",
      text: "t",
      html: "h",
    });
    expect(sent).toEqual({ status: "failed", emailId: null });
    expect(await emailCount(login.id)).toBe(0);
  });

  it("only an administrator can change a blocked login (Edit 403 for staff) or unblock it", async () => {
    const login = await createLogin({ representative: true, clientId: DEMO.maria, blockedAt: Date.now() });
    const refused = await editLogin(staff, DEMO.maria, login.id, { email: `${login.username}@example.com`, representative: true, record: { recordVersion: "1" } });
    expect(refused.status).toBe(403);
    expect(alertText(await refused.text())).toContain("Only an administrator can change a blocked login");
    expect((await staff.post(`${loginsPath(DEMO.maria)}/${login.id}/unblock`, {})).status).toBe(403);
    expect((await loginOf(login.id))!.blocked_at).not.toBeNull();

    const window = await (await admin.get(`${loginsPath(DEMO.maria)}/${login.id}/edit`, { htmx: true })).text();
    expect(window).toContain(`Unblock ${login.username}`);
    const res = await admin.post(`${loginsPath(DEMO.maria)}/${login.id}/unblock`, {});
    expect(res.status).toBe(303);
    expect(await loginOf(login.id)).toMatchObject({ blocked_at: null, blocked_reason: null });
    expect((await logEntries(DEMO.maria)).at(-1)!.description).toBe(`Portal Login ${login.username} was unblocked.`);
  });

  it("refuses a block without a reason (422, the message next to the field, nothing written)", async () => {
    const login = await createLogin({ representative: true, clientId: DEMO.maria });
    const res = await staff.post(blockPath(DEMO.maria, login.id), { reason: "  " });
    expect(res.status).toBe(422);
    expect(fieldError(await res.text(), "blockReason")).toBe("Enter the reason for blocking (staff see it; the person doesn't).");
    expect((await loginOf(login.id))!.blocked_at).toBeNull();
  });

  it("an auditor can't block (403); another agency's login is not found (404)", async () => {
    const login = await createLogin({ representative: true, clientId: DEMO.maria });
    expect((await auditor.post(blockPath(DEMO.maria, login.id), { reason: "x" })).status).toBe(403);
    const lakeside = await Browser.staff("admin@lakeside.test");
    expect((await lakeside.post(blockPath(DEMO.maria, login.id), { reason: "x" })).status).toBe(404);
    expect((await loginOf(login.id))!.blocked_at).toBeNull();
  });
});
