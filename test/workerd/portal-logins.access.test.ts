/**
 * Who may reach the portal-login routes: only staff of the client's own agency, and only when
 * that agency is contracted for the portal. Everyone else gets 404 (or sign-in), and nothing is
 * written.
 */
import { env } from "cloudflare:test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Browser, DEMO, ORIGIN } from "./fixtures";
import { rawPost } from "./helpers";
import { addLogin, countLogins, loginRow, loginsPath, windowForm } from "./portal-logins.helpers";

let riverbend: Browser;
let mariaLoginId: number;
let hannahLoginId: number;

beforeAll(async () => {
  riverbend = await Browser.staff("admin@riverbend.test");
  expect((await addLogin(riverbend, DEMO.maria, { username: "access.maria", email: "m@example.com" })).status).toBe(200);
  mariaLoginId = (await loginRow("access.maria"))!.id;
  const r = await env.DB.prepare(
    "INSERT INTO portal_logins (agency_id, client_id, username, username_key, email, created_at) VALUES (2, ?, 'access.hannah', 'access.hannah', 'h@example.com', 0) RETURNING id",
  )
    .bind(DEMO.hannah)
    .first<{ id: number }>();
  hannahLoginId = r!.id;
});

/** Every route of the feature for this client and login, as [method, path, form]. */
function routes(clientId: number, loginId: number): [string, string, Record<string, string>?][] {
  const base = loginsPath(clientId);
  return [
    ["GET", base],
    ["GET", `${base}/new`],
    ["POST", base, windowForm({ username: `probe${clientId}x${loginId}`, email: "p@example.com" })],
    ["POST", base, windowForm({ username: "probe", email: "", populate: true })],
    ["GET", `${base}/${loginId}/edit`],
    ["POST", `${base}/${loginId}`, windowForm({ email: "changed@example.com", active: false })],
    ["POST", `${base}/${loginId}/resend`, {}],
  ];
}

async function expectAll404(b: Browser, clientId: number, loginId: number, onlyLoginRoutes = false) {
  const before = await env.DB.prepare("SELECT COUNT(*) AS n, SUM(session_version) AS v, GROUP_CONCAT(email) AS e FROM portal_logins").first();
  for (const htmx of [false, true]) {
    for (const [method, path, form] of routes(clientId, loginId).filter(([, p]) => !onlyLoginRoutes || p.includes(`/${loginId}`))) {
      const res = method === "GET" ? await b.get(path, { htmx }) : await b.post(path, form!, { htmx });
      expect(res.status, `${method} ${path} (htmx: ${htmx})`).toBe(404);
      const html = await res.text();
      expect(html).not.toContain("access.");
      expect(html).not.toContain("@example.com");
    }
  }
  const after = await env.DB.prepare("SELECT COUNT(*) AS n, SUM(session_version) AS v, GROUP_CONCAT(email) AS e FROM portal_logins").first();
  expect(after).toEqual(before);
}

describe("access to the portal-login routes", () => {
  it("Lakeside (not contracted) staff get 404 on every route, even for their own client and login", async () => {
    const lee = await Browser.staff("admin@lakeside.test");
    await expectAll404(lee, DEMO.hannah, hannahLoginId);
  });

  it("Lakeside staff get 404 on Riverbend's client and login", async () => {
    const lee = await Browser.staff("admin@lakeside.test");
    await expectAll404(lee, DEMO.maria, mariaLoginId);
  });

  describe("when the other agency is contracted too", () => {
    beforeAll(async () => {
      await env.DB.prepare("UPDATE agencies SET portal_enabled = 1 WHERE id = 2").run();
    });
    afterAll(async () => {
      await env.DB.prepare("UPDATE agencies SET portal_enabled = 0 WHERE id = 2").run();
    });

    it("its staff reach their own client (the check above was the contract)", async () => {
      const lee = await Browser.staff("admin@lakeside.test");
      expect((await lee.get(`${loginsPath(DEMO.hannah)}/new`, { htmx: true })).status).toBe(200);
      expect((await lee.get(`${loginsPath(DEMO.hannah)}/${hannahLoginId}/edit`, { htmx: true })).status).toBe(200);
    });

    it("its staff still get 404 on every route of another agency's client and login", async () => {
      const lee = await Browser.staff("admin@lakeside.test");
      await expectAll404(lee, DEMO.maria, mariaLoginId);
    });

    it("Riverbend staff get 404 on the other agency's client and login", async () => {
      await expectAll404(riverbend, DEMO.hannah, hannahLoginId);
    });
  });

  it("a login id under another client of the same agency is 404", async () => {
    await expectAll404(riverbend, DEMO.james, mariaLoginId, true);
  });

  it("ids that don't exist are 404", async () => {
    await expectAll404(riverbend, 9999, mariaLoginId);
    const base = loginsPath(DEMO.maria);
    expect((await riverbend.get(`${base}/99999/edit`)).status).toBe(404);
    expect((await riverbend.get(`${base}/abc/edit`)).status).toBe(404);
  });

  it("without a session: sign-in (a redirect, or HX-Redirect for htmx), nothing written", async () => {
    const before = await countLogins();
    const anon = new Browser();
    const res = await anon.get(`${loginsPath(DEMO.maria)}/new`);
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe(`/sign-in?next=${encodeURIComponent(`${loginsPath(DEMO.maria)}/new`)}`);
    const htmx = await anon.get(`${loginsPath(DEMO.maria)}/${mariaLoginId}/edit`, { htmx: true });
    expect(htmx.status).toBe(204);
    expect(htmx.headers.get("HX-Redirect")).toMatch(/^\/sign-in\?next=/);
    const post = await anon.post(loginsPath(DEMO.maria), windowForm({ username: "anon.user", email: "a@example.com" }));
    expect(post.status).toBe(302);
    expect(post.headers.get("Location")).toMatch(/^\/sign-in/);
    expect(await countLogins()).toBe(before);
  });

  it("a cross-site form post is refused (CSRF), nothing written", async () => {
    const before = await countLogins();
    const res = await rawPost(riverbend, loginsPath(DEMO.maria), windowForm({ username: "csrf.user", email: "a@example.com" }), { Origin: "https://evil.example" });
    expect(res.status).toBe(403);
    const resend = await rawPost(riverbend, `${loginsPath(DEMO.maria)}/${mariaLoginId}/resend`, {}, { Origin: "https://evil.example" });
    expect(resend.status).toBe(403);
    expect(await countLogins()).toBe(before);
    expect(ORIGIN).toBe("http://localhost");
  });
});
