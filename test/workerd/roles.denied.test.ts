/**
 * What a refusal looks like and what the roles see: the 403 page names what is missing and writes
 * nothing (page and htmx), the log line carries no secrets, the auditor's Face Sheet hides every
 * control the role can't use, a route missing from the table is refused to everyone, /admin/ is
 * for administrators, and the README's Roles table is the one the code generates.
 */
import { env } from "cloudflare:test";
import { Hono } from "hono";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import readme from "../../README.md?raw";
import type { AppEnv, CurrentStaff } from "../../src/app";
import { authorize } from "../../src/auth/authorize";
import { rolesTableMarkdown, type Role } from "../../src/auth/permissions";
import { lastAgencyEntry, WaitingBrowser } from "./agency-log.fixtures";
import { UNSET_SETTINGS } from "./agency-settings.fixtures";
import { Browser, DEMO } from "./fixtures";
import { clientRow, faceSheetForm } from "./helpers";
import { addLogin, loginRow, logEntries, loginsPath, windowForm } from "./portal-logins.helpers";

const plain = (html: string) => html.replace(/<[^>]+>/g, " ").replace(/&#39;/g, "'").replace(/\s+/g, " ");

let robin: Browser; // auditor
let sam: Browser; // staff
let loginId: number;

beforeAll(async () => {
  robin = await Browser.staff("auditor@riverbend.test");
  sam = await Browser.staff("staff@riverbend.test");
  expect((await addLogin(sam, DEMO.maria, { username: "denied.maria", email: "m@example.com" })).status).toBe(200);
  loginId = (await loginRow("denied.maria"))!.id;
  // A failed email, so the row would offer Resend to a role that may use it.
  await env.DB.prepare("UPDATE portal_logins SET email_status = 'failed' WHERE id = ?").bind(loginId).run();
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe("roles.denied: an auditor's Update", () => {
  it("is a 403 page that says what is missing; the Face Sheet and its log are unchanged", async () => {
    const before = await clientRow(DEMO.maria);
    const log = await logEntries(DEMO.maria);
    const res = await robin.post(`/face-sheet/${DEMO.maria}`, faceSheetForm(before, { residenceCity: "Elsewhere" }));
    expect(res.status).toBe(403);
    const text = plain(await res.text());
    expect(text).toContain("Your role (Auditor) can view this client's Face Sheet but not change it.");
    expect(text).toContain("This needs the permission “Edit and Update a Face Sheet”, which the Administrator and Staff roles have. Ask an administrator if you need it.");
    expect(text).toContain("Robin Achebe"); // the page frame still shows who is signed in
    expect(await clientRow(DEMO.maria)).toEqual(before);
    expect(await logEntries(DEMO.maria)).toEqual(log);
  });

  it("answers htmx with the message alone, put in place of the page's content", async () => {
    const res = await robin.post(`${loginsPath(DEMO.maria)}/${loginId}`, windowForm({ email: "x@example.com", resetPassword: false }), { htmx: true });
    expect(res.status).toBe(403);
    expect(res.headers.get("HX-Retarget")).toBe("#main");
    expect(res.headers.get("HX-Reswap")).toBe("innerHTML");
    const html = await res.text();
    expect(html).not.toContain("<html");
    expect(plain(html)).toContain("Your role (Auditor) can see this client's Client Portal logins but not add, change or resend them.");
    expect((await loginRow("denied.maria"))!.email).toBe("m@example.com");
  });

  it("is logged as one line: route pattern, staff, role and permission, no ids from the URL or form values", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    await robin.post(`/face-sheet/${DEMO.maria}?note=private`, faceSheetForm(await clientRow(DEMO.maria), { residenceCity: "Secretville" }));
    expect(warn).toHaveBeenCalledTimes(1);
    const line = String(warn.mock.calls[0]![0]);
    const robinId = (await env.DB.prepare("SELECT id FROM staff_users WHERE email = 'auditor@riverbend.test'").first<{ id: number }>())!.id;
    expect(line).toBe(`access denied: POST /face-sheet/:clientId{[0-9]+} staff=${robinId} agency=${DEMO.riverbend} role=auditor needs=face-sheet.edit`);
  });

  it("is recorded in the agency log as Access denied: who, which route pattern, the permission", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const auditor = new WaitingBrowser();
    auditor.cookies = robin.cookies;
    await auditor.post(`/face-sheet/${DEMO.maria}`, faceSheetForm(await clientRow(DEMO.maria), { residenceCity: "Elsewhere" }));
    expect(await lastAgencyEntry(DEMO.riverbend)).toMatchObject({
      actor_name: "Robin Achebe",
      action: "Access denied",
      description: "Refused POST /face-sheet/:clientId: needs face-sheet.edit.",
    });
  });
});

describe("roles.ui: buttons follow the same table", () => {
  it("shows an auditor the Face Sheet and its logins without Edit, Add Client Portal Login, row Edit or Resend", async () => {
    const html = await (await robin.get(`/face-sheet/${DEMO.maria}`)).text();
    expect(html).toContain("denied.maria");
    expect(html).toContain("Email not sent");
    expect(html).not.toContain(`href="/face-sheet/${DEMO.maria}/edit"`);
    expect(html).not.toContain("Add Client Portal Login");
    expect(html).not.toContain(`/portal-logins/${loginId}/edit`);
    expect(html).not.toContain("/resend");
  });

  it("shows staff every one of those controls", async () => {
    const html = await (await sam.get(`/face-sheet/${DEMO.maria}`)).text();
    expect(html).toContain(`href="/face-sheet/${DEMO.maria}/edit"`);
    expect(html).toContain("Add Client Portal Login");
    expect(html).toContain(`/portal-logins/${loginId}/edit`);
    expect(html).toContain(`/portal-logins/${loginId}/resend`);
  });

  it("lets an auditor reach the Change Log, Export CSV and Verify log", async () => {
    const kase = (await env.DB.prepare("SELECT id FROM cases WHERE client_id = ? LIMIT 1").bind(DEMO.maria).first<{ id: number }>())!.id;
    const log = `/document-center/clients/${DEMO.maria}/cases/${kase}/face-sheet-log`;
    const page = await robin.get(log);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(`${log}.csv`);
    expect(html).toContain(`${log}/verify`);
    expect((await robin.get(`${log}.csv`)).headers.get("Content-Type")).toContain("text/csv");
    expect(plain(await (await robin.post(`${log}/verify`, {}, { htmx: true })).text())).toContain("Log intact");
  });
});

/** A throwaway app with the real middleware: a signed-in staff member, then `authorize`, then routes. */
function probeApp(role: Role, ran: string[]) {
  const staff: CurrentStaff = { id: 99, name: "Probe", email: "probe@riverbend.test", role, agency: { id: 1, name: "Riverbend", slug: "riverbend", portalEnabled: true, ...UNSET_SETTINGS } };
  return new Hono<AppEnv>()
    .use(async (c, next) => {
      c.set("staff", staff);
      await next();
    })
    .use(authorize)
    .get("/not-in-the-table", (c) => (ran.push("unlisted"), c.text("ran")))
    .post("/admin/staff/:staffId/role", (c) => (ran.push("re-role"), c.text("ran")));
}

describe("roles.default-deny", () => {
  it("refuses a route that is not in the permission table to every role, admin included", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const ran: string[] = [];
    for (const role of ["admin", "staff", "auditor"] as const) {
      const res = await probeApp(role, ran).request("/not-in-the-table");
      expect(res.status, role).toBe(403);
      expect(plain(await res.text())).toContain("it hasn't been given to any role yet");
    }
    expect(ran).toEqual([]);
  });

  it("keeps anything under /admin/ for administrators: a staff member's POST is refused before the handler runs", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const ran: string[] = [];
    const refused = await probeApp("staff", ran).request("/admin/staff/3/role", { method: "POST" });
    expect(refused.status).toBe(403);
    expect(plain(await refused.text())).toContain("Your role (Staff) can't open agency administration");
    expect(ran).toEqual([]);
    expect(String(warn.mock.calls[0]![0])).toContain("POST /admin/staff/:staffId/role staff=99 agency=1 role=staff needs=agency.administer");
    expect((await probeApp("admin", ran).request("/admin/staff/3/role", { method: "POST" })).status).toBe(200);
    expect(ran).toEqual(["re-role"]);
  });

  it("lets a request that matches no route go on to the 404 page", async () => {
    expect((await probeApp("auditor", []).request("/nowhere")).status).toBe(404);
  });
});

describe("roles.readme", () => {
  it("shows the permission table exactly as src/auth/permissions.ts generates it", () => {
    const inReadme = /<!-- roles-table:start[^>]*-->\n([\s\S]*?)\n<!-- roles-table:end -->/.exec(readme)?.[1];
    expect(inReadme, "README.md's Roles table: run `npm run readme:roles`").toBe(rolesTableMarkdown());
  });
});
