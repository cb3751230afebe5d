/**
 * Every route × every role, generated from the router (`app.routes`), so a new route can't be
 * forgotten: each staff route must be in the permission table (src/auth/permissions.ts), each
 * role gets exactly what the table says (allowed: not 403; denied: 403 with a page that says what
 * is missing, a log line, and not one row of D1 changed), and without a session every staff route
 * sends the browser to sign-in.
 *
 * Roles go from least to most privileged, so every refused write meets a state in which it would
 * have written (a current Face Sheet version, a login whose email failed).
 */
import { env } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { authorize } from "../../src/auth/authorize";
import { can, isPublicRoute, permissionFor, ROLE_LABELS, type Role } from "../../src/auth/permissions";
import { isReadsOffer } from "../../src/auth/session-reads";
import { app } from "../../src/index";
import { Browser, DEMO, DEMO_PASSWORD } from "./fixtures";
import { clientRow, faceSheetForm } from "./helpers";
import { addLogin, loginRow, windowForm } from "./portal-logins.helpers";
import { lockStaffSignIn } from "./throttle.fixtures";
import { agencyToday } from "../../src/layout/agency-time";

const STAFF: Record<Role, string> = { auditor: "auditor@riverbend.test", staff: "staff@riverbend.test", admin: "admin@riverbend.test" };
const LEAST_PRIVILEGED_FIRST: Role[] = ["auditor", "staff", "admin"];

/** The routes Hono holds, split at the role check: before it public, after it staff. */
const gate = app.routes.findIndex((r) => r.handler === authorize);
const isMiddleware = (r: { method: string; path: string; handler: unknown }) => r.method === "ALL" && (r.path === "/*" || isReadsOffer(r.handler));
const publicRoutes = app.routes.slice(0, gate).filter((r) => !isMiddleware(r));
const staffRoutes = app.routes.slice(gate + 1);

/**
 * Real ids for each path parameter: Maria (Riverbend), her case, a login of hers and its welcome
 * email; an invited Riverbend member whose sign-in is locked (so Resend invite and Unlock would
 * write); a session of the admin's on another device; a passkey id (none need exist: every role may ask).
 */
const ids: Record<string, number | string> = {};

/** The URL for a route pattern, ids filled in; an unknown parameter fails the test loudly. */
function urlFor(pattern: string): string {
  if (pattern.includes("*")) throw new Error(`${pattern}: a wildcard staff route can't be walked; give it a concrete path`);
  return pattern.replace(/:(\w+)(\{[^}]*\})?/g, (_, name: string) => {
    if (!(name in ids)) throw new Error(`${pattern}: no fixture id for :${name} (add one to this test's beforeAll)`);
    return String(ids[name]);
  });
}

/**
 * The form each unsafe route gets: one that would write if allowed. Built at send time, so it
 * carries the current Face Sheet version. Routes not named here get an empty form.
 */
const FORMS: Record<string, (role: Role) => Promise<Record<string, string>> | Record<string, string>> = {
  "POST /face-sheet/:clientId{[0-9]+}": async (role) => faceSheetForm(await clientRow(DEMO.maria), { residenceCity: `City of ${role}` }),
  "POST /face-sheet/:clientId{[0-9]+}/portal-logins": (role) => windowForm({ username: `roles.${role}`, email: `${role}@example.com` }),
  "POST /face-sheet/:clientId{[0-9]+}/portal-logins/:loginId{[0-9]+}": (role) => windowForm({ email: `edited.${role}@example.com`, resetPassword: false }),
  // A representative login of James's (beforeAll), linked to Maria with a valid record: a real write if allowed.
  "POST /face-sheet/:clientId{[0-9]+}/linked-logins": () => ({
    loginId: String(ids.repLoginId),
    repName: "Roles Rep",
    relationship: "parent",
    legalBasis: "parent-of-minor",
    startDate: agencyToday("America/New_York"),
  }),
  "POST /account/password": () => ({ currentPassword: DEMO_PASSWORD, newPassword: "roles matrix never saves this", confirmPassword: "mismatch" }),
  "POST /admin/staff/invite": (role) => ({ name: `Roles ${role}`, email: `roles.invite.${role}@example.com`, role: "admin" }),
  "POST /admin/staff/:staffId{[0-9]+}/role": () => ({ role: "admin" }),
};

/** Every row of every table the app writes, in one comparable value (but the agency log: a refusal is recorded there — roles.denied asserts that entry). */
async function snapshot(): Promise<Record<string, unknown[]>> {
  const { results: tables } = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name NOT IN ('d1_migrations', 'agency_log') ORDER BY name",
  ).all<{ name: string }>();
  const out: Record<string, unknown[]> = {};
  for (const { name } of tables) out[name] = (await env.DB.prepare(`SELECT * FROM "${name}" ORDER BY rowid`).all()).results;
  return out;
}

function send(b: Browser, method: string, url: string, form: Record<string, string>) {
  if (method === "GET") return b.get(url);
  if (method === "POST") return b.post(url, form);
  return b.fetch(url, { method, body: new URLSearchParams(form) });
}

const browsers = {} as Record<Role, Browser>;

beforeAll(async () => {
  for (const role of LEAST_PRIVILEGED_FIRST) browsers[role] = await Browser.staff(STAFF[role]);
  expect((await addLogin(browsers.admin, DEMO.maria, { username: "roles.maria", email: "m@example.com" })).status).toBe(200);
  const login = await loginRow("roles.maria");
  // A failed email makes Resend a real write (a new temporary password), so refusing it means something.
  await env.DB.prepare("UPDATE portal_logins SET email_status = 'failed' WHERE id = ?").bind(login!.id).run();
  const kase = await env.DB.prepare("SELECT id FROM cases WHERE client_id = ? ORDER BY id LIMIT 1").bind(DEMO.maria).first<{ id: number }>();
  // An invited member whose sign-in is locked: Resend invite and Unlock would both write.
  const member = await env.DB.prepare("INSERT INTO staff_users (agency_id, name, email, role, password_hash) VALUES (1, 'Roles Member', 'roles.member@riverbend.test', 'staff', NULL) RETURNING id").first<{ id: number }>();
  await lockStaffSignIn("roles.member@riverbend.test", 3600_000);
  // The admin signed in on a second device: the session others may not end.
  await Browser.staff(STAFF.admin);
  const session = await env.DB.prepare("SELECT s.id FROM staff_sessions s JOIN staff_users u ON u.id = s.staff_id WHERE u.email = ? ORDER BY s.created_at DESC, s.rowid DESC LIMIT 1").bind(STAFF.admin).first<{ id: string }>();
  // The welcome email of its Email history: a Resend of it is a real write too (a new temporary password).
  const email = await env.DB.prepare("SELECT id FROM portal_emails WHERE login_id = ? AND kind = 'welcome'").bind(login!.id).first<{ id: number }>();
  // A 42 CFR Part 2 consent of a representation of that login (the consent routes' :consentId).
  const representation = await env.DB.prepare(
    "INSERT INTO portal_representations (agency_id, login_id, client_id, name, relationship, legal_basis, start_date, created_at) VALUES (1, ?, ?, 'Roles Rep', 'parent', 'client-authorisation', '2026-01-01', 0) RETURNING id",
  ).bind(login!.id, DEMO.maria).first<{ id: number }>();
  const consent = await env.DB.prepare(
    "INSERT INTO part2_consents (agency_id, representation_id, client_id, client_name, discloser, recipient, purpose, information, expires_on, signed_on, right_to_revoke_stated, created_at) VALUES (1, ?, ?, 'Maria Alvarez', 'Riverbend', 'Roles Rep', 'p', 'i', '2999-01-01', '2026-01-01', 1, 0) RETURNING id",
  ).bind(representation!.id, DEMO.maria).first<{ id: number }>();
  const rep = await env.DB.prepare(
    "INSERT INTO portal_logins (agency_id, client_id, username, username_key, email, representative, created_at) VALUES (1, ?, 'roles.rep', 'roles.rep', 'r@example.com', 1, 0) RETURNING id",
  )
    .bind(DEMO.james)
    .first<{ id: number }>();
  Object.assign(ids, { repLoginId: rep!.id, consentId: consent!.id, emailId: email!.id, clientId: DEMO.maria, caseId: kase!.id, loginId: login!.id, staffId: member!.id, sessionId: session!.id, id: "no-such-passkey" });
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe("the router and the permission table", () => {
  it("finds the role check in the router, with staff routes behind it", () => {
    expect(gate).toBeGreaterThan(0);
    expect(staffRoutes.length).toBeGreaterThan(10);
  });

  it("has every staff route in the permission table (a new route is refused until it is added)", () => {
    const missing = staffRoutes.filter((r) => permissionFor(r.method, r.path) === null).map((r) => `${r.method} ${r.path}`);
    expect(missing, "add these to STAFF_ROUTES in src/auth/permissions.ts").toEqual([]);
  });

  it("mounts nothing before the staff session but sign-in, sign-out and the Client Portal", () => {
    const unexpected = publicRoutes.filter((r) => !isPublicRoute(r.method, r.path)).map((r) => `${r.method} ${r.path}`);
    expect(unexpected, "staff routes belong after requireStaff and authorize in src/index.ts").toEqual([]);
  });
});

// Every staff route for each role, each refusal with a snapshot of the tables before and after:
// 1–2 s alone, past the default 5 s when the machine is busy.
describe("every staff route × every role", { timeout: 30_000 }, () => {
  for (const role of LEAST_PRIVILEGED_FIRST) {
    it(`gives ${role} exactly what the table allows; refusals are 403, logged, and write nothing`, async () => {
      const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
      for (const route of staffRoutes) {
        const key = `${route.method} ${route.path}`;
        const permission = permissionFor(route.method, route.path);
        const allowed = permission !== null && can(role, permission);
        const url = urlFor(route.path);
        const form = (await FORMS[key]?.(role)) ?? {};
        const before = allowed ? null : await snapshot();
        warn.mockClear();

        const res = await send(browsers[role], route.method, url, form);
        const body = await res.text();

        if (allowed) {
          expect(res.status, `${role} ${key}`).not.toBe(403);
          expect(res.status, `${role} ${key}`).toBeLessThan(500);
          expect(res.headers.get("Location") ?? "", `${role} ${key}`).not.toMatch(/^\/sign-in/);
        } else {
          expect(res.status, `${role} ${key}`).toBe(403);
          expect(body, `${role} ${key}`).toContain(`Your role (${ROLE_LABELS[role]})`);
          expect(await snapshot(), `${role} ${key} wrote something`).toEqual(before);
          expect(warn.mock.calls.map((c) => String(c[0])), `${role} ${key}`).toEqual([
            expect.stringContaining(`access denied: ${key} `),
          ]);
          expect(String(warn.mock.calls[0]![0])).toContain(`role=${role}`);
        }
      }
    });
  }

  it("sends a browser without a session to sign-in from every staff route, writing nothing", async () => {
    const before = await snapshot();
    const anonymous = new Browser();
    for (const route of staffRoutes) {
      const res = await send(anonymous, route.method, urlFor(route.path), (await FORMS[`${route.method} ${route.path}`]?.("admin")) ?? {});
      expect(res.status, `${route.method} ${route.path}`).toBe(302);
      expect(res.headers.get("Location"), `${route.method} ${route.path}`).toMatch(/^\/sign-in\?next=/);
    }
    expect(await snapshot()).toEqual(before);
  });
});
