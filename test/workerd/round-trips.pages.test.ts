/**
 * Round trips to D1 per request, counted on a wrapper around the real binding (d1-trips.ts), so a
 * new query can't slip into a hot page unnoticed. Issue 13's budget: the staff Face Sheet of a
 * client with 5 portal logins and 200 log entries, the Change Log form, portal Home and portal
 * Activity each in at most 2 round trips, the session check included; a sign-in in at most one
 * round trip before its password hash and one batch after it (the Login entry committed with it).
 */
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import worker from "../../src/index";
import { recordStaffEvent } from "../../src/clients/log";
import { countingD1 } from "./d1-trips";
import { Browser, DEMO, DEMO_PASSWORD } from "./fixtures";
import { PORTAL, PortalBrowser, createSettledLogin, lastSeq, logEntries } from "./portal.fixtures";

const counter = countingD1(env.DB);

/** A staff browser whose requests reach the Worker with the counting binding (and wait for deferred work). */
class CountingBrowser extends Browser {
  protected override async send(url: URL, init: RequestInit): Promise<Response> {
    const ctx = createExecutionContext();
    const res = await worker.fetch(new Request(url, init), { ...env, DB: counter.binding }, ctx);
    const body = await res.arrayBuffer();
    await waitOnExecutionContext(ctx);
    return new Response(body, { status: res.status, headers: res.headers });
  }
}

/** Trips made by one request, with their SQL for the failure message. */
async function tripsOf(request: () => Promise<Response>, label = "") {
  counter.reset();
  const res = await request();
  const trips = [...counter.log.trips];
  // The Worker's own D1 rows (not the logs' objects' writes): quoted in README › Scale on paper.
  console.log(`rows: ${label} read ${counter.log.rows.read}, written ${counter.log.rows.written}, trips ${trips.length}`);
  return { res, trips, describe: trips.map((t) => `${t.kind} ${t.sql.slice(0, 90)}`).join("\n") };
}

const CLIENT = DEMO.maria;
let caseId: number;

beforeAll(async () => {
  // 5 portal logins and 200 log entries on the client: a busy Face Sheet.
  for (let i = 0; i < 5; i++) await createSettledLogin({ clientId: CLIENT });
  const actor = { type: "staff" as const, id: 1, name: "Dana Whitfield" };
  await Promise.all(
    Array.from({ length: 200 }, (_, i) =>
      recordStaffEvent(env, { agencyId: DEMO.riverbend, clientId: CLIENT, actor, changeType: i % 2 ? "Face Sheet" : "Portal Login", description: `entry ${i}` }),
    ),
  );
  const row = await env.DB.prepare("SELECT id FROM cases WHERE client_id = ? ORDER BY id LIMIT 1").bind(CLIENT).first<{ id: number }>();
  caseId = row!.id;
});

describe("staff pages: at most 2 D1 round trips, the session check included", () => {
  it("Face Sheet of a client with 5 portal logins and 200 log entries", async () => {
    const b = await CountingBrowser.staff("staff@riverbend.test");
    await b.get(`/face-sheet/${CLIENT}`); // first view: nothing cached anywhere
    const { res, trips, describe } = await tripsOf(() => b.get(`/face-sheet/${CLIENT}`), "Face Sheet");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("Alvarez, Maria");
    expect(html.match(/Portal Username/g)?.length ?? 0).toBeGreaterThan(0);
    expect(trips.length, describe).toBeLessThanOrEqual(2);
  });

  it("the Face Sheet Change Log form, filtered and paged", async () => {
    const b = await CountingBrowser.staff("staff@riverbend.test");
    const path = `/document-center/clients/${CLIENT}/cases/${caseId}/face-sheet-log`;
    const first = await tripsOf(() => b.get(path), "Change Log");
    expect(first.res.status).toBe(200);
    expect(await first.res.text()).toContain("entry 199");
    expect(first.trips.length, first.describe).toBeLessThanOrEqual(2);

    const filtered = await tripsOf(() => b.get(`${path}?changeType=Face+Sheet&changedBy=Dana+Whitfield`), "Change Log filtered");
    expect(filtered.res.status).toBe(200);
    expect(filtered.trips.length, filtered.describe).toBeLessThanOrEqual(2);
  });

  it("a bad filter re-renders the form in the same budget", async () => {
    const b = await CountingBrowser.staff("staff@riverbend.test");
    const bad = await tripsOf(() => b.get(`/document-center/clients/${CLIENT}/cases/${caseId}/face-sheet-log?start=13%2F45%2F2020`));
    expect(bad.res.status).toBe(422);
    expect(bad.trips.length, bad.describe).toBeLessThanOrEqual(2);
  });
});

describe("portal pages: at most 2 D1 round trips, the session check included", () => {
  it("Home and Activity", async () => {
    const login = await createSettledLogin({ clientId: CLIENT });
    const b = new PortalBrowser(undefined, { DB: counter.binding });
    expect((await b.signIn(login.username, login.password)).status).toBe(303);

    const home = await tripsOf(() => b.get(PORTAL), "portal Home");
    expect(home.res.status).toBe(200);
    expect(await home.res.text()).toContain(`Signed in as <strong>${login.username}</strong>`);
    expect(home.trips.length, home.describe).toBeLessThanOrEqual(2);

    const activity = await tripsOf(() => b.get(`${PORTAL}/activity`), "portal Activity");
    expect(activity.res.status).toBe(200);
    expect(await activity.res.text()).toContain("Patient Portal login by");
    expect(activity.trips.length, activity.describe).toBeLessThanOrEqual(2);
  });

  it("a request without a session is answered in one round trip", async () => {
    const b = new PortalBrowser(undefined, { DB: counter.binding });
    const { res, trips, describe } = await tripsOf(() => b.get(`${PORTAL}/activity`), "portal Activity");
    expect(res.status).toBe(303);
    expect(trips.length, describe).toBeLessThanOrEqual(1);
  });
});

describe("sign-in: one round trip before the hash, one batch after it", () => {
  it("portal: the Login entry is in the client's log when the answer arrives", async () => {
    const login = await createSettledLogin({ clientId: CLIENT });
    const warm = new PortalBrowser(undefined, { DB: counter.binding });
    await warm.signIn(login.username, login.password);
    const before = await lastSeq(CLIENT);
    const b = new PortalBrowser(undefined, { DB: counter.binding });
    const { res, trips, describe } = await tripsOf(() => b.signIn(login.username, login.password), "portal sign-in");
    expect(res.status).toBe(303);
    // The Worker's own trips: the charge before the hash; after it, the session and the Login
    // entry go in the client log's one batch (a Durable Object call, not a trip of this binding).
    expect(trips.length, describe).toBeLessThanOrEqual(1);
    const entries = await logEntries(CLIENT, before);
    expect(entries.map((e) => e.description)).toContain(`Patient Portal login by ${login.username}`);
  });

  it("staff: the charge before the hash, the session and the charge given back in one batch after it", async () => {
    const b = new CountingBrowser();
    const { res, trips, describe } = await tripsOf(() => b.post("/sign-in", { email: "staff@riverbend.test", password: DEMO_PASSWORD }), "staff sign-in");
    expect(res.status).toBe(303);
    expect(trips.length, describe).toBeLessThanOrEqual(2);
  });
});
