/**
 * A staff page's reads sent beside the session check (src/auth/session-reads.ts): the Face Sheet
 * (view and Edit) in one round trip once the isolate has seen the agency, the same page as in two;
 * and never a way around the checks — a session ended elsewhere, a role without the permission,
 * another agency's client, an agency whose settings changed in between.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { browserOver, countingD1 } from "./d1-trips";
import { Browser, DEMO, withoutCountdown } from "./fixtures";

const counter = countingD1(env.DB);

/** A browser whose requests go through the counting binding. */
const CountingBrowser = browserOver(counter.binding);

async function get(b: Browser, path: string) {
  counter.reset();
  const res = await b.get(path);
  return { res, html: await res.text(), trips: counter.log.trips.filter((t) => t.origin !== "log").length };
}

/** The page without the parts that change from one request to the next (the CSP nonce-free page has none but the timer). */

describe("the Face Sheet's reads beside the session check", () => {
  it("one round trip once the agency is known, and the very same page as with two", async () => {
    const b = await CountingBrowser.staff("staff@riverbend.test");
    const cold = await get(b, `/face-sheet/${DEMO.maria}`);
    expect(cold.res.status).toBe(200);
    const warm = await get(b, `/face-sheet/${DEMO.maria}`);
    expect(warm.res.status).toBe(200);
    expect(warm.trips).toBe(1);
    expect(withoutCountdown(warm.html)).toBe(withoutCountdown(cold.html));
    const edit = await get(b, `/face-sheet/${DEMO.maria}/edit`);
    expect(edit.res.status).toBe(200);
    expect(edit.trips).toBe(1);
    expect(edit.html).toContain('name="version"');
  });

  it("another agency's client is still a 404, with nothing of it on the page", async () => {
    const b = await CountingBrowser.staff("staff@riverbend.test");
    await get(b, `/face-sheet/${DEMO.maria}`);
    const other = await get(b, `/face-sheet/${DEMO.marta}`);
    expect(other.res.status).toBe(404);
    expect(other.html).not.toContain("Marta");
  });

  it("a session ended elsewhere is sent to sign in, however warm the isolate", async () => {
    const b = await CountingBrowser.staff("staff@riverbend.test");
    await get(b, `/face-sheet/${DEMO.maria}`);
    await env.DB.prepare("UPDATE staff_sessions SET ended_at = ? WHERE ended_at IS NULL AND staff_id = (SELECT id FROM staff_users WHERE email = 'staff@riverbend.test')").bind(Date.now()).run();
    const after = await get(b, `/face-sheet/${DEMO.maria}`);
    expect(after.res.status).toBe(302);
    expect(after.res.headers.get("Location")).toMatch(/^\/sign-in\?next=/);
    expect(after.html).not.toContain("Alvarez");
  });

  it("a role without the permission gets 403 and none of the page", async () => {
    const auditor = await CountingBrowser.staff("auditor@riverbend.test");
    expect((await get(auditor, `/face-sheet/${DEMO.maria}`)).res.status).toBe(200); // the agency is now known
    const edit = await get(auditor, `/face-sheet/${DEMO.maria}/edit`);
    expect(edit.res.status).toBe(403);
    expect(edit.html).not.toContain('name="version"');
  });

  it("the Change Log: one round trip warm, the same page as cold, filters and all; another agency's client 404", async () => {
    const b = await CountingBrowser.staff("staff@riverbend.test");
    const path = `/document-center/clients/${DEMO.maria}/face-sheet-log?changeType=Face+Sheet`;
    const cold = await get(b, path);
    const warm = await get(b, path);
    expect(warm.res.status).toBe(200);
    expect(warm.trips).toBe(1);
    expect(withoutCountdown(warm.html)).toBe(withoutCountdown(cold.html));
    const bad = await get(b, `/document-center/clients/${DEMO.maria}/face-sheet-log?start=13%2F45%2F2020`);
    expect(bad.res.status).toBe(422);
    expect(bad.trips).toBe(1);
    const other = await get(b, `/document-center/clients/${DEMO.marta}/face-sheet-log`);
    expect(other.res.status).toBe(404);
    expect(other.html).not.toContain("Marta");
  });

  it("an agency whose settings changed since: its reads are not used, the page reads afresh", async () => {
    const b = await CountingBrowser.staff("admin@riverbend.test");
    const before = await get(b, `/face-sheet/${DEMO.maria}`);
    expect(before.html).toContain('id="client-portal-section"');
    await env.DB.prepare("UPDATE agencies SET portal_enabled = 0 WHERE id = ?").bind(DEMO.riverbend).run();
    try {
      const after = await get(b, `/face-sheet/${DEMO.maria}`);
      expect(after.res.status).toBe(200);
      expect(after.trips).toBe(2);
      expect(after.html).not.toContain('id="client-portal-section"');
      expect((await get(b, `/face-sheet/${DEMO.maria}`)).trips).toBe(1);
    } finally {
      await env.DB.prepare("UPDATE agencies SET portal_enabled = 1 WHERE id = ?").bind(DEMO.riverbend).run();
    }
  });
});
