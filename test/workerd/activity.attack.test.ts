/**
 * Attack probes of portal Activity's read sent beside the session check (src/portal/portal-reads.ts):
 * switching clients (also from another session of the same login), links ending, consent revoked,
 * the representative standing changing, minor-consented cases, another agency's slug, interleaved
 * sessions, odd ?page= values, HEAD, htmx, ended sessions and an expired temporary password. Each
 * checks status and body (no other client's entries) and, where the one-trip path is the point,
 * that it really ran.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { clientLogFor } from "../../src/clients/log";
import { countedPortal, countingD1 } from "./d1-trips";
import { seedDemoData, withoutCountdown } from "./fixtures";
import { actionRows, createLogin, createSettledLogin, PORTAL, PortalBrowser, sql } from "./portal.fixtures";
import { linkRepresentation, parentOf } from "./families.fixtures";
import { createConsent, createRepresentation, LUIS, markPart2 } from "./part2.fixtures";

const counter = countingD1(env.DB);
const MARIA = 1;
const JAMES = 2;
const GRACE = 11;

beforeAll(async () => {
  await seedDemoData();
});

const { tab, get } = countedPortal(counter);

/** A portal-visible entry with a unique text in `clientId`'s log (through its real ClientLog), optionally tied to a case. */
async function entry(clientId: number, caseId?: number): Promise<string> {
  const tag = `Probe ${crypto.randomUUID().slice(0, 8)} for ${clientId}`;
  const actor = { type: "staff" as const, id: null, name: "Probe" };
  await clientLogFor(env, clientId).record({
    agencyId: 1,
    clientId,
    entry: { actor, changeType: "Note", description: tag, details: { ...(caseId ? { caseId } : {}), portal: { action: "Note", description: tag } } },
  });
  return tag;
}
const descriptions = (html: string) => actionRows(html).map((r) => r[1]);

describe("Activity's one-trip read under attack", () => {
  it("another session of the same login switching clients does not move this session's rows", async () => {
    const login = await parentOf([MARIA, JAMES]);
    const a = tab();
    const b = tab();
    await a.signIn(login.username, login.password);
    await b.signIn(login.username, login.password);
    expect((await a.post(`${PORTAL}/whose`, { client: String(MARIA) })).status).toBe(303);
    expect((await b.post(`${PORTAL}/whose`, { client: String(JAMES) })).status).toBe(303);
    const [m, j] = [await entry(MARIA), await entry(JAMES)];
    await get(a, `${PORTAL}/activity`);
    await get(b, `${PORTAL}/activity`);
    const aWarm = await get(a, `${PORTAL}/activity`);
    const bWarm = await get(b, `${PORTAL}/activity`);
    expect([aWarm.res.status, bWarm.res.status]).toEqual([200, 200]);
    expect([aWarm.trips, bWarm.trips]).toEqual([1, 1]);
    expect(descriptions(aWarm.html)).toContain(m);
    expect(aWarm.html).not.toContain(j);
    expect(descriptions(bWarm.html)).toContain(j);
    expect(bWarm.html).not.toContain(m);
    // b switches back to Maria; a (still Maria) is unaffected, b now sees Maria (re-read, 2 trips).
    expect((await b.post(`${PORTAL}/whose`, { client: String(MARIA) })).status).toBe(303);
    const bMaria = await get(b, `${PORTAL}/activity`);
    expect(bMaria.trips).toBe(2);
    expect(bMaria.html).toContain(m);
    expect(bMaria.html).not.toContain(j);
  });

  it("the chosen client's link ends between requests: sent to choose, none of its entries", async () => {
    const login = await parentOf([MARIA, JAMES]);
    const a = tab();
    await a.signIn(login.username, login.password);
    await a.post(`${PORTAL}/whose`, { client: String(MARIA) });
    const m = await entry(MARIA);
    await get(a, `${PORTAL}/activity`);
    await sql("UPDATE portal_representations SET ended_at = ? WHERE login_id = ? AND client_id = ?", Date.now(), login.id, MARIA);
    const after = await get(a, `${PORTAL}/activity`);
    expect(after.res.status).toBe(303);
    expect(after.res.headers.get("Location")).toBe(`${PORTAL}/whose`);
    expect(after.html).not.toContain(m);
    // Every link ended: the session ends, still none of the log.
    await sql("UPDATE portal_representations SET ended_at = ? WHERE login_id = ?", Date.now(), login.id);
    const none = await get(a, `${PORTAL}/activity`);
    expect(none.res.status).toBe(303);
    expect(none.html).not.toContain(m);
  });

  it("a representative's Part 2 consent revoked between requests: no entries on the next request", async () => {
    await markPart2();
    const login = await createSettledLogin({ clientId: LUIS, representative: true });
    const rep = await createRepresentation(login.id, LUIS);
    const consent = await createConsent(rep, LUIS);
    const l = await entry(LUIS);
    const a = tab();
    expect((await a.signIn(login.username, login.password)).status).toBe(303);
    await get(a, `${PORTAL}/activity`);
    const warm = await get(a, `${PORTAL}/activity`);
    expect(warm.res.status).toBe(200);
    expect(warm.trips).toBe(1);
    expect(warm.html).toContain(l);
    await sql("UPDATE part2_consents SET revoked_at = ? WHERE id = ?", Date.now(), consent);
    const after = await get(a, `${PORTAL}/activity`);
    expect(after.res.status).not.toBe(200);
    expect(after.html).not.toContain(l);
  });

  it("a representative of two clients whose Part 2 consent for the chosen one is revoked: sent to choose, never its entries nor a swap", async () => {
    await markPart2();
    const login = await parentOf([MARIA]);
    const rep = await createRepresentation(login.id, LUIS);
    const consent = await createConsent(rep, LUIS);
    const a = tab();
    await a.signIn(login.username, login.password);
    expect((await a.post(`${PORTAL}/whose`, { client: String(LUIS) })).status).toBe(303);
    const [l, m] = [await entry(LUIS), await entry(MARIA)];
    await get(a, `${PORTAL}/activity`);
    const warm = await get(a, `${PORTAL}/activity`);
    expect(warm.trips).toBe(1);
    expect(warm.html).toContain(l);
    expect(warm.html).not.toContain(m);
    await sql("UPDATE part2_consents SET revoked_at = ? WHERE id = ?", Date.now(), consent);
    const after = await get(a, `${PORTAL}/activity`);
    expect(after.res.status).toBe(303);
    expect(after.res.headers.get("Location")).toBe(`${PORTAL}/whose`);
    expect(after.html).not.toContain(l);
    expect(after.html).not.toContain(m);
    expect((await a.post(`${PORTAL}/whose`, { client: String(LUIS) })).status).not.toBe(303);
    expect((await a.post(`${PORTAL}/whose`, { client: String(MARIA) })).status).toBe(303);
    const maria = await get(a, `${PORTAL}/activity`);
    expect(maria.res.status).toBe(200);
    expect(maria.html).toContain(m);
    expect(maria.html).not.toContain(l);
  });

  it("minor-consented case flagged between warm requests: the one-trip read already leaves its entries out", async () => {
    const caseId = (await env.DB.prepare("SELECT id FROM cases WHERE client_id = ?").bind(GRACE).first<{ id: number }>())!.id;
    await sql("UPDATE cases SET minor_consented = 0 WHERE id = ?", caseId);
    const parent = await createSettledLogin({ clientId: GRACE, representative: true });
    const a = tab();
    await a.signInReady(parent);
    const tied = await entry(GRACE, caseId);
    const free = await entry(GRACE);
    await get(a, `${PORTAL}/activity`);
    const before = await get(a, `${PORTAL}/activity`);
    expect(before.trips).toBe(1);
    expect(before.html).toContain(tied);
    await sql("UPDATE cases SET minor_consented = 1 WHERE id = ?", caseId);
    try {
      const after = await get(a, `${PORTAL}/activity`);
      expect(after.res.status).toBe(200);
      expect(after.trips).toBe(1);
      expect(after.html).not.toContain(tied);
      expect(after.html).toContain(free);
    } finally {
      await sql("UPDATE cases SET minor_consented = 0 WHERE id = ?", caseId);
    }
  });

  it("the standing changes between requests (ticked / unticked as a representative, link in force): rows read for the other standing are not used", async () => {
    const caseId = (await env.DB.prepare("SELECT id FROM cases WHERE client_id = ?").bind(GRACE).first<{ id: number }>())!.id;
    await sql("UPDATE cases SET minor_consented = 1 WHERE id = ?", caseId);
    try {
      const own = await createSettledLogin({ clientId: GRACE });
      const a = tab();
      await a.signInReady(own);
      const tied = await entry(GRACE, caseId);
      await get(a, `${PORTAL}/activity`);
      const warm = await get(a, `${PORTAL}/activity`);
      expect(warm.trips).toBe(1);
      expect(warm.html).toContain(tied);
      // Ticked, with a representation in force: the batch's rows were read for the client's own
      // standing (minor-consented entries included) and must be dropped: re-read, 2 trips.
      await sql("UPDATE portal_logins SET representative = 1 WHERE id = ?", own.id);
      await linkRepresentation(own.id, GRACE);
      const ticked = await get(a, `${PORTAL}/activity`);
      expect(ticked.res.status).toBe(200);
      expect(ticked.trips).toBe(2);
      expect(ticked.html).not.toContain(tied);
      const tickedWarm = await get(a, `${PORTAL}/activity`);
      expect(tickedWarm.trips).toBe(1);
      expect(tickedWarm.html).not.toContain(tied);
      // Unticked again: the client's own standing sees it (the representative's rows dropped).
      await sql("UPDATE portal_logins SET representative = 0 WHERE id = ?", own.id);
      const unticked = await get(a, `${PORTAL}/activity`);
      expect(unticked.res.status).toBe(200);
      expect(unticked.trips).toBe(2);
      expect(unticked.html).toContain(tied);
    } finally {
      await sql("UPDATE cases SET minor_consented = 0 WHERE id = ?", caseId);
    }
  });

  it("a Riverbend session's cookie and id replayed against Lakeside's slug: no Riverbend entries", async () => {
    const login = await createSettledLogin({ clientId: MARIA });
    const a = tab();
    await a.signIn(login.username, login.password);
    const m = await entry(MARIA);
    await get(a, `${PORTAL}/activity`);
    expect((await get(a, `${PORTAL}/activity`)).trips).toBe(1);
    // The same cookie value sent under Lakeside's cookie name too (the browser class ignores paths).
    const riverbendCookie = [...a.cookies].find(([k]) => k.includes("riverbend"));
    if (riverbendCookie) a.cookies.set(riverbendCookie[0].replace("riverbend", "lakeside"), riverbendCookie[1]);
    const lake = await get(a, `/portal/lakeside/activity`);
    expect(lake.res.status).toBe(404);
    expect(lake.html).not.toContain(m);
    expect(lake.html).not.toContain("Maria");
    // Riverbend still works for it afterwards.
    const back = await get(a, `${PORTAL}/activity`);
    expect(back.res.status).toBe(200);
    expect(back.html).toContain(m);
  });

  it("two logins' sessions interleaving in one isolate each see only their own client", async () => {
    const one = await createSettledLogin({ clientId: MARIA });
    const two = await createSettledLogin({ clientId: JAMES });
    const a = tab();
    const b = tab();
    await a.signIn(one.username, one.password);
    await b.signIn(two.username, two.password);
    const [m, j] = [await entry(MARIA), await entry(JAMES)];
    for (let i = 0; i < 3; i++) {
      const ra = await get(a, `${PORTAL}/activity`);
      const rb = await get(b, `${PORTAL}/activity`);
      expect(ra.html).toContain(m);
      expect(ra.html).not.toContain(j);
      expect(rb.html).toContain(j);
      expect(rb.html).not.toContain(m);
      if (i > 0) expect([ra.trips, rb.trips]).toEqual([1, 1]);
    }
  });

  it("?page= values: bad ones 404 with no entries, good ones the same warm as cold", async () => {
    const login = await createSettledLogin({ clientId: MARIA });
    const a = tab();
    await a.signIn(login.username, login.password);
    const m = await entry(MARIA);
    await get(a, `${PORTAL}/activity`);
    for (const bad of ["0", "abc", "1000000", "-1", "1.5", "01", ""]) {
      const r = await get(a, `${PORTAL}/activity?page=${bad}`);
      expect(r.res.status, `page=${bad}`).toBe(404);
      expect(r.html).not.toContain(m);
    }
    for (const good of ["1", "2", "999999", "2&page=1", "1&page=abc"]) {
      const path = `${PORTAL}/activity?page=${good}`;
      // The same page read the slow way too (a fresh session of the same login: cold scope, two
      // trips); signed in first, as its sign-in adds an entry of its own.
      const cold = tab();
      await cold.signIn(login.username, login.password);
      const warm = await get(a, path);
      expect(warm.res.status, `page=${good}`).toBe(200);
      expect(warm.trips, `page=${good}`).toBe(1);
      const slow = await get(cold, path);
      expect(slow.trips).toBe(2);
      expect(actionRows(withoutCountdown(warm.html))).toEqual(actionRows(withoutCountdown(slow.html)));
    }
    expect((await get(a, `${PORTAL}/activity?page=1`)).html).toContain(m);
    const far = await get(a, `${PORTAL}/activity?page=999999`);
    expect(actionRows(far.html)).toEqual([]);
  });

  it("HEAD and htmx: same standing, no other client's entries; HEAD sends no body", async () => {
    const login = await parentOf([MARIA, JAMES]);
    const a = tab();
    await a.signIn(login.username, login.password);
    await a.post(`${PORTAL}/whose`, { client: String(JAMES) });
    const [m, j] = [await entry(MARIA), await entry(JAMES)];
    await get(a, `${PORTAL}/activity`);
    const head = await get(a, `${PORTAL}/activity`, {}, "HEAD");
    expect(head.res.status).toBe(200);
    expect(head.html).toBe("");
    const hx = await get(a, `${PORTAL}/activity`, { "HX-Request": "true" });
    expect(hx.res.status).toBe(200);
    expect(hx.trips).toBe(1);
    expect(hx.html).toContain(j);
    expect(hx.html).not.toContain(m);
    // Switch with htmx headers: the next htmx page is Maria's, never James's.
    await a.fetch(`${PORTAL}/whose`, { method: "POST", body: new URLSearchParams({ client: String(MARIA) }), headers: { "HX-Request": "true" } });
    const hx2 = await get(a, `${PORTAL}/activity`, { "HX-Request": "true" });
    expect(hx2.html).toContain(m);
    expect(hx2.html).not.toContain(j);
  });

  it("log out everywhere from another browser: this warm session gets no entries", async () => {
    const login = await createSettledLogin({ clientId: MARIA });
    const a = tab();
    const other = tab();
    await a.signIn(login.username, login.password);
    await other.signIn(login.username, login.password);
    const m = await entry(MARIA);
    await get(a, `${PORTAL}/activity`);
    expect((await get(a, `${PORTAL}/activity`)).trips).toBe(1);
    expect((await other.post(`${PORTAL}/log-out-everywhere`, {})).status).toBe(303);
    const after = await get(a, `${PORTAL}/activity`);
    expect(after.res.status).toBe(303);
    expect(after.html).not.toContain(m);
  });

  it("a temporary password that expired: Activity is not shown, warm or cold", async () => {
    const login = await createLogin({ clientId: MARIA, mustChangePassword: true, tempPasswordExpiresAt: Date.now() + 60_000 });
    const a = tab();
    expect((await a.signIn(login.username, login.password)).status).toBe(303);
    const m = await entry(MARIA);
    const first = await get(a, `${PORTAL}/activity`);
    expect(first.res.status).toBe(303);
    expect(first.html).not.toContain(m);
    await sql("UPDATE portal_logins SET temp_password_expires_at = ? WHERE id = ?", Date.now() - 1000, login.id);
    const after = await get(a, `${PORTAL}/activity`);
    expect(after.res.status).not.toBe(200);
    expect(after.html).not.toContain(m);
  });
});
