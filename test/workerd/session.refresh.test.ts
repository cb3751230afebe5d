/**
 * A session's identity survives its refresh. Once a cookie is a minute old, the session check
 * also moves the session's last-seen time in the same D1 batch — and inside db.batch drizzle maps
 * rows by column NAME, so two joined columns of the same name ("id", "name") once collapsed and
 * shifted every field: the staff member became their agency (id, name) and the agency became its
 * slug, which let an agency with an all-digit slug act inside another agency. These tests send
 * tokens issued two minutes ago, so every request takes the refresh path.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { sessionLimits, signSession } from "../../src/auth/session";
import { portalAudience, portalCookie } from "../../src/portal/portal-session";
import { Browser, DEMO } from "./fixtures";
import { browserWithToken, nowSeconds, staffToken } from "./helpers";
import { createSessionRow, createSettledLogin } from "./portal.fixtures";

describe("session.refresh: who you are doesn't change when the cookie is refreshed", () => {
  it("staff: a two-minute-old token still opens the Main Menu as the same member, in the same agency", async () => {
    const then = nowSeconds() - 120;
    const b = browserWithToken(await staffToken({ sub: 1, agencyId: DEMO.riverbend, authTime: then }, then));
    const menu = await b.get("/menu");
    expect(menu.status).toBe(200);
    const html = await menu.text();
    expect(html).toContain("Dana Whitfield");
    expect(html).toContain("Riverbend Behavioral Health");
    // The same agency's client opens (the agency id did not become the slug).
    expect((await b.get(`/face-sheet/${DEMO.maria}`)).status).toBe(200);
    // And another agency's client still doesn't.
    expect((await b.get(`/face-sheet/${DEMO.hannah}`)).status).toBe(404);
  });

  it("portal: a two-minute-old token still shows the login's own client", async () => {
    const login = await createSettledLogin({ clientId: DEMO.maria });
    const sid = await createSessionRow(login.id, { createdAt: Date.now() - 120_000 });
    const then = nowSeconds() - 120;
    const token = await signSession(
      env.SESSION_SECRET,
      { sub: String(login.id), aud: portalAudience("riverbend"), agencyId: DEMO.riverbend, authTime: then, ver: 1, sid },
      sessionLimits(env),
      then,
    );
    const b = new Browser();
    b.cookies.set(portalCookie("riverbend"), token);
    const home = await b.get("/portal/riverbend");
    expect(home.status).toBe(200);
    const html = await home.text();
    expect(html).toContain("Maria");
    expect(html).toContain(login.username);
    // The refresh moved the session's last-seen time, and the next request still works.
    const row = await env.DB.prepare("SELECT last_seen_at FROM portal_sessions WHERE id = ?").bind(sid).first<{ last_seen_at: number }>();
    expect(row!.last_seen_at).toBeGreaterThan(Date.now() - 60_000);
    expect((await b.get("/portal/riverbend/activity")).status).toBe(200);
  });
});
