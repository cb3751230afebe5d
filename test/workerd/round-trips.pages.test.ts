/**
 * Round trips to D1 per request, counted on a wrapper around the real binding (d1-trips.ts), so a
 * new query can't slip into a hot page unnoticed. Issue 13's budget: the staff Face Sheet of a
 * client with 5 portal logins and 200 log entries, the Change Log form, portal Home and portal
 * Activity each in at most 2 round trips, the session check included (for a representative linked
 * to two clients, one of them behind a 42 CFR Part 2 consent, too: the links in force are read in
 * the session's batch); a sign-in in at most one round trip before its password hash and one batch
 * after it (the Login entry committed with it).
 *
 * The logs' Durable Objects write D1 with their own binding: for this file their env's DB is the
 * same counting wrapper (origin "client log"), so a sign-in's trips are the Worker's and the
 * ClientLog's together, in order.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import worker from "../../src/index";
import { clientLogFor, recordStaffEvent } from "../../src/clients/log";
import { browserOver, countingD1, type TripLog } from "./d1-trips";
import { DEMO, DEMO_PASSWORD } from "./fixtures";
import { PORTAL, PortalBrowser, createSettledLogin, lastSeq, logEntries } from "./portal.fixtures";
import { parentOf } from "./families.fixtures";
import { createConsent, LUIS, markPart2 } from "./part2.fixtures";

const realDB = env.DB;
const counter = countingD1(realDB);
/** The Durable Objects' binding, counted into the same log. */
const logCounter = countingD1(realDB, "log", counter.log);

/** Points the Durable Objects' DB (one env for every object of the test isolate) at `db`. */
async function setObjectsDB(db: D1Database) {
  await runInDurableObject(clientLogFor(env, DEMO.maria), (instance) => {
    (instance as unknown as { env: Env }).env.DB = db;
  });
}

beforeAll(() => setObjectsDB(logCounter.binding));
afterAll(() => setObjectsDB(realDB));

const ofWorker = (trips: TripLog["trips"]) => trips.filter((t) => t.origin === "worker");

/** A browser whose requests go through the counting binding. */
const CountingBrowser = browserOver(counter.binding);

/** Trips made by one request, with their SQL for the failure message. */
async function tripsOf(request: () => Promise<Response>, label = "") {
  counter.reset();
  const res = await request();
  const all = [...counter.log.trips];
  const trips = ofWorker(all);
  // D1's rows for the request, the logs' objects' writes included: quoted in README › Scale on paper.
  console.log(`rows: ${label} read ${counter.log.rows.read}, written ${counter.log.rows.written}, trips ${trips.length} (Worker) + ${all.length - trips.length} (log objects)`);
  return { res, trips, all, describe: all.map((t) => `${t.origin}: ${t.kind} ${t.sql.slice(0, 90)}`).join("\n") };
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
  it("Face Sheet of a client with 5 portal logins and 200 log entries: 1 round trip once the isolate knows the agency", async () => {
    const b = await CountingBrowser.staff("staff@riverbend.test");
    const first = await tripsOf(() => b.get(`/face-sheet/${CLIENT}`), "Face Sheet, first"); // may be the isolate's first sight of the agency
    expect(first.trips.length, first.describe).toBeLessThanOrEqual(2);
    // The page's reads go in the session check's batch (src/auth/session-reads.ts).
    for (const path of [`/face-sheet/${CLIENT}`, `/face-sheet/${CLIENT}/edit`]) {
      const { res, trips, describe } = await tripsOf(() => b.get(path), path);
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(html).toContain("Alvarez, Maria");
      expect(html.match(/Portal Username/g)?.length ?? 0).toBeGreaterThan(0);
      expect(trips.length, describe).toBe(1);
    }
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
    // Once the isolate knows the agency, its reads go beside the session check (src/auth/session-reads.ts).
    expect(filtered.trips.length, filtered.describe).toBe(1);
    const older = await tripsOf(() => b.get(`${path}?before=9999999999999`, { htmx: true }), "Change Log, older page (htmx)");
    expect(older.res.status).toBe(200);
    expect(older.trips.length, older.describe).toBe(1);
    const straight = await tripsOf(() => b.get(`/document-center/clients/${CLIENT}/face-sheet-log`), "Change Log from the client");
    expect(straight.res.status).toBe(200);
    expect(straight.trips.length, straight.describe).toBe(1);
  });

  it("a bad filter re-renders the form in the same budget", async () => {
    const b = await CountingBrowser.staff("staff@riverbend.test");
    const bad = await tripsOf(() => b.get(`/document-center/clients/${CLIENT}/cases/${caseId}/face-sheet-log?start=13%2F45%2F2020`));
    expect(bad.res.status).toBe(422);
    expect(bad.trips.length, bad.describe).toBeLessThanOrEqual(1);
  });
});

describe("portal pages: at most 2 D1 round trips, the session check included", () => {
  it("Home and Activity", async () => {
    const login = await createSettledLogin({ clientId: CLIENT });
    const b = new PortalBrowser(undefined, { DB: counter.binding });
    expect((await b.signIn(login.username, login.password)).status).toBe(303);

    // A new session's first page: whom it acts for is not yet known here, so its read follows the check.
    const home = await tripsOf(() => b.get(PORTAL), "portal Home");
    expect(home.res.status).toBe(200);
    expect(await home.res.text()).toContain(`Signed in as <strong>${login.username}</strong>`);
    expect(home.trips.length, home.describe).toBeLessThanOrEqual(2);

    const activity = await tripsOf(() => b.get(`${PORTAL}/activity`), "portal Activity");
    expect(activity.res.status).toBe(200);
    expect(await activity.res.text()).toContain("Patient Portal login by");
    expect(activity.trips.length, activity.describe).toBe(1);
    // From then on Home's read goes with the session check too (src/portal/portal-reads.ts).
    const again = await tripsOf(() => b.get(PORTAL), "portal Home again");
    expect(again.res.status).toBe(200);
    expect(await again.res.text()).toContain(`Signed in as <strong>${login.username}</strong>`);
    expect(again.trips.length, again.describe).toBe(1);
  });

  it("a representative linked to two clients, one behind a 42 CFR Part 2 consent: Home and Activity in the same budget", async () => {
    // Luis has an open case in a Part 2 programme: the parent's access to him needs a current
    // consent, judged in SQL with the links in force — inside the session's one batch.
    await markPart2();
    const login = await parentOf([CLIENT, LUIS]);
    const luisLink = await realDB.prepare("SELECT id FROM portal_representations WHERE login_id = ? AND client_id = ?").bind(login.id, LUIS).first<{ id: number }>();
    await createConsent(luisLink!.id, LUIS);
    const b = new PortalBrowser(undefined, { DB: counter.binding });
    expect((await b.signIn(login.username, login.password)).status).toBe(303);

    // Two clients in force and none chosen: every page asks "Whose information?" first.
    const ask = await tripsOf(() => b.get(PORTAL), "portal Home before a choice");
    expect(ask.res.status).toBe(303);
    expect(ask.res.headers.get("Location")).toBe(`${PORTAL}/whose`);
    expect(ask.trips.length, ask.describe).toBeLessThanOrEqual(1);
    expect((await b.post(`${PORTAL}/whose`, { client: String(LUIS) })).status).toBe(303);

    const home = await tripsOf(() => b.get(PORTAL), "portal Home (representative, 2 clients)");
    expect(home.res.status).toBe(200);
    const html = await home.res.text();
    expect(html).toContain("Luis");
    expect(html).toContain('class="client-switcher"');
    expect(home.trips.length, home.describe).toBeLessThanOrEqual(2);

    const activity = await tripsOf(() => b.get(`${PORTAL}/activity`), "portal Activity (representative, 2 clients)");
    expect(activity.res.status).toBe(200);
    expect(await activity.res.text()).toContain(`Patient Portal login by ${login.username}`);
    // Its read went with the session check, for the client Home acted for (src/portal/portal-reads.ts).
    expect(activity.trips.length, activity.describe).toBe(1);
    const again = await tripsOf(() => b.get(PORTAL), "portal Home again (representative, 2 clients)");
    expect(again.res.status).toBe(200);
    expect(await again.res.text()).toContain("Luis");
    expect(again.trips.length, again.describe).toBe(1);
  });

  it("a request without a session is answered in one round trip", async () => {
    const b = new PortalBrowser(undefined, { DB: counter.binding });
    const { res, trips, describe } = await tripsOf(() => b.get(`${PORTAL}/activity`), "portal Activity");
    expect(res.status).toBe(303);
    expect(trips.length, describe).toBeLessThanOrEqual(1);
  });
});

describe("sign-in: one round trip before the hash, one batch after it", () => {
  it("portal: the charge (with the login's clients) before the hash; the ClientLog's one batch after it holds the session and the Login entry", async () => {
    const login = await createSettledLogin({ clientId: CLIENT });
    const warm = new PortalBrowser(undefined, { DB: counter.binding });
    await warm.signIn(login.username, login.password);
    const before = await lastSeq(CLIENT);
    const b = new PortalBrowser(undefined, { DB: counter.binding });
    const { res, all, describe } = await tripsOf(() => b.signIn(login.username, login.password), "portal sign-in");
    expect(res.status).toBe(303);
    // Counted on both bindings, in order: the Worker's charge batch (before the hash), then the
    // ClientLog's one batch (the charge given back, last login, the session row, the entry).
    expect(all.map((t) => `${t.origin} ${t.kind.replace(/\(\d+\)/, "")}`), describe).toEqual(["worker batch", "log batch"]);
    const entries = await logEntries(CLIENT, before);
    expect(entries.map((e) => e.description)).toContain(`Patient Portal login by ${login.username}`);
  });

  it("portal, a representative linked to two clients: one before the hash; after it the session's client's batch, then the other client's entry", async () => {
    const login = await parentOf([DEMO.james, CLIENT]);
    const warm = new PortalBrowser(undefined, { DB: counter.binding });
    await warm.signIn(login.username, login.password);
    const b = new PortalBrowser(undefined, { DB: counter.binding });
    const { res, all, describe } = await tripsOf(() => b.signIn(login.username, login.password), "portal sign-in (representative, 2 clients)");
    expect(res.status).toBe(303);
    // Each client's log is its own chain (its own object): the second client's Login entry is a
    // batch of its own, written after the first commit lands (never an entry without a sign-in).
    expect(all.map((t) => `${t.origin} ${t.kind.replace(/\(\d+\)/, "")}`), describe).toEqual(["worker batch", "log batch", "log batch"]);
  });

  it("staff: the charge before the hash, the session and the charge given back in one batch after it", async () => {
    const b = new CountingBrowser();
    const { res, trips, describe } = await tripsOf(() => b.post("/sign-in", { email: "staff@riverbend.test", password: DEMO_PASSWORD }), "staff sign-in");
    expect(res.status).toBe(303);
    expect(trips.length, describe).toBeLessThanOrEqual(2);
  });
});
