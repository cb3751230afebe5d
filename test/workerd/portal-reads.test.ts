/**
 * Portal Activity's and Home's reads sent beside the session check (src/portal/portal-reads.ts):
 * one round trip once the session has acted for a client in this isolate, the same page as in two;
 * and never the wrong client's entries or details — a representative who switches clients, a login
 * that is no longer a representative's, a session that ended.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { countedPortal, countingD1 } from "./d1-trips";
import { PORTAL, PortalBrowser, createSettledLogin } from "./portal.fixtures";
import { parentOf } from "./families.fixtures";
import { withoutCountdown } from "./fixtures";

const counter = countingD1(env.DB);
const MARIA = 1;
const JAMES = 2;

const { get } = countedPortal(counter);

describe("portal Activity's read beside the session check", () => {
  it("one round trip once the session has acted for its client here, and the same page as in two", async () => {
    const login = await createSettledLogin({ clientId: MARIA });
    const b = new PortalBrowser(undefined, { DB: counter.binding });
    expect((await b.signIn(login.username, login.password)).status).toBe(303);
    const first = await get(b, `${PORTAL}/activity`); // a new session: its scope not yet known here
    expect(first.res.status).toBe(200);
    expect(first.trips).toBe(2);
    const again = await get(b, `${PORTAL}/activity`);
    expect(again.trips).toBe(1);
    expect(withoutCountdown(again.html)).toBe(withoutCountdown(first.html));
    expect(again.html).toContain(`Patient Portal login by ${login.username}`);
  });

  it("a representative who switches clients sees the new client's entries at once, never the old one's", async () => {
    const login = await parentOf([MARIA, JAMES]);
    const b = new PortalBrowser(undefined, { DB: counter.binding });
    expect((await b.signIn(login.username, login.password)).status).toBe(303);
    expect((await b.post(`${PORTAL}/whose`, { client: String(MARIA) })).status).toBe(303);
    await get(b, `${PORTAL}/activity`);
    await env.DB.prepare("INSERT INTO client_log (agency_id, client_id, seq, at, actor_type, actor_id, actor_name, change_type, description, details, prev_hash, hash) VALUES (1, ?, 900000, ?, 'staff', 1, 'Dana Whitfield', 'Portal Login', 'x', ?, '', '')")
      .bind(JAMES, Date.now(), JSON.stringify({ portal: { action: "Login", description: "Only James's log has this" } }))
      .run();
    expect((await b.post(`${PORTAL}/whose`, { client: String(JAMES) })).status).toBe(303);
    const james = await get(b, `${PORTAL}/activity`); // built for Maria, this request acts for James: re-read
    expect(james.res.status).toBe(200);
    expect(james.html).toContain("Only James&#39;s log has this");
    expect(james.trips).toBe(2);
    expect((await b.post(`${PORTAL}/whose`, { client: String(MARIA) })).status).toBe(303);
    const maria = await get(b, `${PORTAL}/activity`);
    expect(maria.html).not.toContain("Only James");
  });

  it("a session ended elsewhere gets the sign-in page, with none of the log", async () => {
    const login = await createSettledLogin({ clientId: MARIA });
    const b = new PortalBrowser(undefined, { DB: counter.binding });
    expect((await b.signIn(login.username, login.password)).status).toBe(303);
    await get(b, `${PORTAL}/activity`);
    await env.DB.prepare("UPDATE portal_sessions SET ended_at = ? WHERE login_id = ?").bind(Date.now(), login.id).run();
    const after = await get(b, `${PORTAL}/activity`);
    expect(after.res.status).toBe(303);
    expect(after.html).not.toContain("Patient Portal login by");
  });
});

describe("portal Home's read beside the session check", () => {
  it("one round trip once the session has acted for its client here, and the same page as in two", async () => {
    const login = await createSettledLogin({ clientId: MARIA });
    const b = new PortalBrowser(undefined, { DB: counter.binding });
    expect((await b.signIn(login.username, login.password)).status).toBe(303);
    const first = await get(b, PORTAL); // a new session: its scope not yet known here
    expect(first.res.status).toBe(200);
    expect(first.trips).toBe(2);
    const again = await get(b, PORTAL);
    expect(again.trips).toBe(1);
    expect(withoutCountdown(again.html)).toBe(withoutCountdown(first.html));
    expect(again.html).toContain("41 Elm Street, Apt 2");
  });

  it("a representative who switches clients sees the new client's Home at once, never the old one's", async () => {
    const login = await parentOf([MARIA, JAMES]);
    const b = new PortalBrowser(undefined, { DB: counter.binding });
    expect((await b.signIn(login.username, login.password)).status).toBe(303);
    expect((await b.post(`${PORTAL}/whose`, { client: String(MARIA) })).status).toBe(303);
    await get(b, PORTAL);
    const maria = await get(b, PORTAL);
    expect(maria.trips).toBe(1);
    expect(maria.html).toContain("41 Elm Street, Apt 2");
    expect((await b.post(`${PORTAL}/whose`, { client: String(JAMES) })).status).toBe(303);
    const james = await get(b, PORTAL); // built for Maria, this request acts for James: re-read
    expect(james.res.status).toBe(200);
    expect(james.trips).toBe(2);
    expect(james.html).toContain("9 Quail Street");
    expect(james.html).not.toContain("41 Elm Street");
    const jamesAgain = await get(b, PORTAL);
    expect(jamesAgain.trips).toBe(1);
    expect(jamesAgain.html).toContain("9 Quail Street");
    expect(jamesAgain.html).not.toContain("41 Elm Street");
  });

  it("a session ended elsewhere gets the sign-in page, with none of the client's details", async () => {
    const login = await createSettledLogin({ clientId: MARIA });
    const b = new PortalBrowser(undefined, { DB: counter.binding });
    expect((await b.signIn(login.username, login.password)).status).toBe(303);
    await get(b, PORTAL);
    await env.DB.prepare("UPDATE portal_sessions SET ended_at = ? WHERE login_id = ?").bind(Date.now(), login.id).run();
    const after = await get(b, PORTAL);
    expect(after.res.status).toBe(200); // Home without a session is the sign-in form
    expect(after.html).toContain('name="password"');
    expect(after.html).not.toContain("41 Elm Street");
  });
});
