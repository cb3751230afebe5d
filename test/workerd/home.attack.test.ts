/**
 * Attack probes of portal Home's read sent beside the session check (src/portal/portal-reads.ts,
 * `portalHomeQuery`): two sessions of one login switching clients in parallel and interleaved, a
 * link ended / blocked / past its end date, a Part 2 consent revoked, a minor coming of age, the
 * representative standing changing, sessions ended elsewhere (log out everywhere, a password
 * changed), an expired temporary password, another agency's slug and cookie, unknown slugs, HEAD,
 * htmx, staff changing the Current Residence between two warm requests, and another agency's or an
 * unlinked client planted in the session's choice. Each checks status and body (no other client's
 * name, date of birth or address) and, where the one-trip path is the point, that it really ran.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { sessionLimits, signSession } from "../../src/auth/session";
import { countedPortal, countingD1 } from "./d1-trips";
import { Browser, seedDemoData, withoutCountdown } from "./fixtures";
import { clientRow, faceSheetForm } from "./helpers";
import { createLogin, createRecord, createSettledLogin, freshPassphrase, PORTAL, PORTAL_COOKIE, PortalBrowser, sql } from "./portal.fixtures";
import { linkRepresentation, parentOf } from "./families.fixtures";
import { createConsent, createRepresentation, LUIS, markPart2, riverbendDay } from "./part2.fixtures";

const counter = countingD1(env.DB);
const MARIA = 1;
const JAMES = 2;
const PRIYA = 3;
const GRACE = 11;
/** Robert Hill: the one client whose Face Sheet staff edit here (so the others' details stay as seeded). */
const ROBERT = 10;
const HANNAH = 13; // Lakeside

/** What Home shows of each client that no one else may see: the full name, date of birth, street. */
const DETAILS: Record<number, string[]> = {
  [MARIA]: ["Maria Alvarez", "03/14/1987", "41 Elm Street"],
  [JAMES]: ["James Okafor", "11/02/1979", "9 Quail Street"],
  [PRIYA]: ["Priya Natarajan", "06/21/1992", "220 Madison Avenue"],
  [GRACE]: ["Grace Park", "27 Maple Drive"],
  [LUIS]: ["Luis Ortega", "08/27/1963"],
  [HANNAH]: ["Hannah Weiss", "01/15/1990", "5 Shore Road"],
};

beforeAll(async () => {
  await seedDemoData();
});

const { tab, get } = countedPortal(counter);

/** A tab of `login`, signed in and acting for `clientId` (its "Whose information?" answered). */
async function tabFor(login: { username: string; password: string }, clientId: number): Promise<PortalBrowser> {
  const t = tab();
  await t.signIn(login.username, login.password);
  expect((await t.post(`${PORTAL}/whose`, { client: String(clientId) })).status).toBe(303);
  return t;
}

/** Home's Name fact and, for a representative, whom the page says it acts for. */
const shownName = (html: string) => /<dt>Name<\/dt>\s*<dd>([\s\S]*?)<\/dd>/.exec(html)?.[1]?.replace(/\s+/g, " ").trim();
const actingFor = (html: string) => /Representative for <strong>([^<]*)<\/strong>/.exec(html)?.[1];

/** The page shows all of `clientId`'s details. */
function showsClient(html: string, clientId: number) {
  for (const d of DETAILS[clientId]!) expect(html, `${clientId}: ${d}`).toContain(d);
}
/** The page shows none of these clients' details. */
function showsNoneOf(html: string, ...clientIds: number[]) {
  for (const id of clientIds) for (const d of DETAILS[id]!) expect(html, `${id}: ${d}`).not.toContain(d);
}
/** The session id (`sid`) a tab's Riverbend cookie carries. */
function sidOf(b: PortalBrowser): string {
  const payload = b.cookies.get(PORTAL_COOKIE)!.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/");
  return (JSON.parse(atob(payload)) as { sid: string }).sid;
}
const everyone = Object.keys(DETAILS).map(Number);
const othersThan = (id: number) => everyone.filter((c) => c !== id);

/** A Home answer that is exactly `clientId`'s page: 200, its details, no one else's, name and standing agreeing. */
function isHomeOf(r: { res: Response; html: string }, clientId: number) {
  expect(r.res.status).toBe(200);
  showsClient(r.html, clientId);
  showsNoneOf(r.html, ...othersThan(clientId));
  const name = shownName(r.html);
  const acting = actingFor(r.html);
  if (acting !== undefined) expect(acting).toBe(name);
}

/** The sign-in form (Home without a session) or a redirect, with no client's details at all. */
function isNoHome(r: { res: Response; html: string }) {
  if (r.res.status === 200) expect(r.html).toContain('name="password"');
  else expect([303, 404]).toContain(r.res.status);
  expect(shownName(r.html)).toBeUndefined();
  showsNoneOf(r.html, ...everyone);
}

describe("Home's one-trip read under attack", () => {
  it("two sessions of one login on different clients, read in parallel and interleaved with switches: each page is one client's, whole", async () => {
    const login = await parentOf([MARIA, JAMES]);
    const a = await tabFor(login, MARIA);
    const b = await tabFor(login, JAMES);
    await Promise.all([get(a, PORTAL), get(b, PORTAL)]);
    for (let i = 0; i < 4; i++) {
      const [ra, rb] = await Promise.all([get(a, PORTAL), get(b, PORTAL)]);
      isHomeOf(ra, MARIA);
      isHomeOf(rb, JAMES);
    }
    // b switches back and forth while a and b keep reading in parallel: a is always Maria; every b
    // page is one client's, whole (its details and its "Representative for" agree).
    for (let i = 0; i < 4; i++) {
      const to = i % 2 === 0 ? MARIA : JAMES;
      const [ra, switched, rb] = await Promise.all([get(a, PORTAL), b.post(`${PORTAL}/whose`, { client: String(to) }), get(b, PORTAL)]);
      expect(switched.status).toBe(303);
      isHomeOf(ra, MARIA);
      expect(rb.res.status).toBe(200);
      const bClient = rb.html.includes("41 Elm Street") ? MARIA : JAMES;
      isHomeOf(rb, bClient);
      // After the switch has landed, b is the chosen client's, on the slow path first, then warm.
      const settled = await get(b, PORTAL);
      isHomeOf(settled, to);
      const warm = await get(b, PORTAL);
      isHomeOf(warm, to);
      expect(warm.trips).toBe(1);
    }
  });

  it("one session (two tabs, one cookie) switching clients between parallel Home reads: never a mixed or other page", async () => {
    const login = await parentOf([MARIA, JAMES]);
    const a = tab();
    await a.signIn(login.username, login.password);
    await a.post(`${PORTAL}/whose`, { client: String(MARIA) });
    for (let i = 0; i < 4; i++) {
      const to = i % 2 === 0 ? JAMES : MARIA;
      const [r1, , r2] = await Promise.all([get(a, PORTAL), a.post(`${PORTAL}/whose`, { client: String(to) }), get(a, PORTAL, { "HX-Request": "true" })]);
      for (const r of [r1, r2]) isHomeOf(r, r.html.includes("41 Elm Street") ? MARIA : JAMES);
      const after = await get(a, PORTAL);
      isHomeOf(after, to);
    }
  });

  it("a representative never chosen, or whose chosen client's link ended: sent to choose, no client's details even with rows already read", async () => {
    const login = await parentOf([MARIA, JAMES]);
    const a = tab();
    await a.signIn(login.username, login.password);
    // Never chosen: the scope remembered is the login's own client's, but Home asks whose first.
    for (let i = 0; i < 2; i++) {
      const r = await get(a, PORTAL);
      expect(r.res.status).toBe(303);
      expect(r.res.headers.get("Location")).toBe(`${PORTAL}/whose`);
      isNoHome(r);
    }
    await a.post(`${PORTAL}/whose`, { client: String(JAMES) });
    await get(a, PORTAL);
    isHomeOf(await get(a, PORTAL), JAMES);
    await sql("UPDATE portal_representations SET ended_at = ? WHERE login_id = ? AND client_id = ?", Date.now(), login.id, JAMES);
    for (let i = 0; i < 2; i++) {
      const r = await get(a, PORTAL);
      expect(r.res.status).toBe(303);
      expect(r.res.headers.get("Location")).toBe(`${PORTAL}/whose`);
      isNoHome(r);
    }
    expect((await a.post(`${PORTAL}/whose`, { client: String(JAMES) })).status).toBe(404);
    expect((await a.post(`${PORTAL}/whose`, { client: String(MARIA) })).status).toBe(303);
    const maria = await get(a, PORTAL);
    isHomeOf(maria, MARIA);
    expect(maria.trips).toBe(1); // the scope remembered while sent to choose was Maria's
  });

  it("the only link ended, blocked, or past its end date between warm Home requests: no details", async () => {
    const cases: [string, (loginId: number) => Promise<unknown>][] = [
      ["ended", (id) => sql("UPDATE portal_representations SET ended_at = ? WHERE login_id = ?", Date.now(), id)],
      ["blocked", (id) => sql("UPDATE portal_logins SET blocked_at = ? WHERE id = ?", Date.now(), id)],
      ["end date today", (id) => sql("UPDATE portal_representations SET end_date = ? WHERE login_id = ?", riverbendDay(0), id)],
      ["not started", (id) => sql("UPDATE portal_representations SET start_date = ? WHERE login_id = ?", riverbendDay(1), id)],
      ["deactivated", (id) => sql("UPDATE portal_logins SET active = 0 WHERE id = ?", id)],
    ];
    for (const [what, change] of cases) {
      const login = await createSettledLogin({ clientId: MARIA, representative: true });
      const a = tab();
      expect((await a.signIn(login.username, login.password)).status, what).toBe(303);
      await get(a, PORTAL);
      const warm = await get(a, PORTAL);
      isHomeOf(warm, MARIA);
      expect(warm.trips, what).toBe(1);
      await change(login.id);
      const after = await get(a, PORTAL);
      isNoHome(after);
      const again = await get(a, PORTAL);
      isNoHome(again);
    }
  });

  it("a Part 2 consent revoked between warm Home requests: no details, for the only client or one of two", async () => {
    await markPart2();
    const only = await createSettledLogin({ clientId: LUIS, representative: true });
    const consent = await createConsent(await createRepresentation(only.id, LUIS), LUIS);
    const a = tab();
    expect((await a.signIn(only.username, only.password)).status).toBe(303);
    await get(a, PORTAL);
    const warm = await get(a, PORTAL);
    isHomeOf(warm, LUIS);
    expect(warm.trips).toBe(1);
    await sql("UPDATE part2_consents SET revoked_at = ? WHERE id = ?", Date.now(), consent);
    isNoHome(await get(a, PORTAL));

    const two = await parentOf([MARIA]);
    const consent2 = await createConsent(await createRepresentation(two.id, LUIS), LUIS);
    const b = await tabFor(two, LUIS);
    await get(b, PORTAL);
    expect((await get(b, PORTAL)).trips).toBe(1);
    await sql("UPDATE part2_consents SET revoked_at = ? WHERE id = ?", Date.now(), consent2);
    const after = await get(b, PORTAL);
    expect(after.res.status).toBe(303);
    expect(after.res.headers.get("Location")).toBe(`${PORTAL}/whose`);
    isNoHome(after);
  });

  it("a parent of a minor whose child comes of age between warm Home requests: no details", async () => {
    const before = await clientRow(GRACE);
    const login = await createSettledLogin({ clientId: GRACE, representative: true, record: null });
    await linkRepresentation(login.id, GRACE, { legalBasis: "parent-of-minor", endDate: null });
    const a = tab();
    expect((await a.signIn(login.username, login.password)).status).toBe(303);
    try {
      await get(a, PORTAL);
      const warm = await get(a, PORTAL);
      isHomeOf(warm, GRACE);
      expect(warm.trips).toBe(1);
      // Eighteen today (the agency's age of majority: 18).
      const today = riverbendDay(0);
      await sql("UPDATE clients SET date_of_birth = ? WHERE id = ?", `${Number(today.slice(0, 4)) - 18}${today.slice(4)}`, GRACE);
      const after = await get(a, PORTAL);
      isNoHome(after);
    } finally {
      await sql("UPDATE clients SET date_of_birth = ? WHERE id = ?", before.date_of_birth, GRACE);
    }
  });

  it("the login made a representative, or not, between warm Home requests: the page is re-read for the new standing or not shown", async () => {
    const own = await createSettledLogin({ clientId: MARIA });
    const a = tab();
    await a.signIn(own.username, own.password);
    await get(a, PORTAL);
    const warm = await get(a, PORTAL);
    isHomeOf(warm, MARIA);
    expect(warm.html).toContain("Your information");
    // Ticked without a representation: no standing for anyone, no details.
    await sql("UPDATE portal_logins SET representative = 1 WHERE id = ?", own.id);
    isNoHome(await get(a, PORTAL));

    const own2 = await createSettledLogin({ clientId: MARIA });
    const b = tab();
    await b.signIn(own2.username, own2.password);
    await get(b, PORTAL);
    expect((await get(b, PORTAL)).trips).toBe(1);
    // Ticked with a representation in force: rows read for the client's own standing are dropped.
    await sql("UPDATE portal_logins SET representative = 1 WHERE id = ?", own2.id);
    await linkRepresentation(own2.id, MARIA);
    const ticked = await get(b, PORTAL);
    isHomeOf(ticked, MARIA);
    expect(ticked.trips).toBe(2);
    expect(actingFor(ticked.html)).toBe("Maria Alvarez");
    await sql("UPDATE portal_logins SET representative = 0 WHERE id = ?", own2.id);
    const unticked = await get(b, PORTAL);
    isHomeOf(unticked, MARIA);
    expect(unticked.trips).toBe(2);
    expect(unticked.html).toContain("Your information");
    expect(actingFor(unticked.html)).toBeUndefined();
  });

  it("sessions ended elsewhere (log out everywhere, a password changed in another browser, Devices' End): no details; the changing session carries on in one trip", async () => {
    const login = await createSettledLogin({ clientId: MARIA });
    const a = tab();
    const other = tab();
    await a.signIn(login.username, login.password);
    await other.signIn(login.username, login.password);
    await get(a, PORTAL);
    expect((await get(a, PORTAL)).trips).toBe(1);
    await get(other, PORTAL);
    const newPassword = freshPassphrase();
    const changed = await other.post(`${PORTAL}/change-password`, { currentPassword: login.password, newPassword, confirmPassword: newPassword });
    expect(changed.status).toBe(303);
    isNoHome(await get(a, PORTAL));
    const carriesOn = await get(other, PORTAL);
    isHomeOf(carriesOn, MARIA);
    expect(carriesOn.trips).toBe(1);
    // The old cookie kept aside and replayed after signing in again: still nothing.
    const c = tab();
    await c.signIn(login.username, newPassword);
    const stale = new Map(c.cookies);
    await get(c, PORTAL);
    expect((await get(c, PORTAL)).trips).toBe(1);
    expect((await other.post(`${PORTAL}/log-out-everywhere`, {})).status).toBe(303);
    isNoHome(await get(c, PORTAL));
    c.cookies = stale;
    isNoHome(await get(c, PORTAL));
    isNoHome(await get(other, PORTAL));
    // One device ended from the session row (what Devices › End and Log out leave): that one only.
    const d = tab();
    const e = tab();
    await d.signIn(login.username, newPassword);
    await e.signIn(login.username, newPassword);
    await get(d, PORTAL);
    await get(e, PORTAL);
    await sql("UPDATE portal_sessions SET ended_at = ? WHERE id = ?", Date.now(), sidOf(d));
    const [rd, re] = [await get(d, PORTAL), await get(e, PORTAL)];
    isNoHome(rd);
    isHomeOf(re, MARIA);
    expect(re.trips).toBe(1);
  });

  it("a temporary password, then the same expired: Home never shows the client, warm or cold", async () => {
    const login = await createLogin({ clientId: MARIA, mustChangePassword: true, tempPasswordExpiresAt: Date.now() + 60_000 });
    const a = tab();
    expect((await a.signIn(login.username, login.password)).status).toBe(303);
    for (let i = 0; i < 2; i++) {
      const r = await get(a, PORTAL);
      expect(r.res.status).toBe(303);
      expect(r.res.headers.get("Location")).toBe(`${PORTAL}/change-password`);
      isNoHome(r);
    }
    await sql("UPDATE portal_logins SET temp_password_expires_at = ? WHERE id = ?", Date.now() - 1000, login.id);
    isNoHome(await get(a, PORTAL));
    isNoHome(await get(a, PORTAL));
  });

  it("a Riverbend cookie under Lakeside's slug and name (portal on), and a Lakeside session's cookie under Riverbend's: no one's details", async () => {
    await sql("UPDATE agencies SET portal_enabled = 1 WHERE id = 2");
    try {
      const r = await createSettledLogin({ clientId: MARIA });
      const l = await createSettledLogin({ clientId: HANNAH, agencyId: 2 });
      const a = tab();
      const h = tab();
      await a.signIn(r.username, r.password);
      expect((await h.signIn(l.username, l.password, "/portal/lakeside")).status).toBe(303);
      await get(a, PORTAL);
      expect((await get(a, PORTAL)).trips).toBe(1);
      await get(h, "/portal/lakeside");
      const hWarm = await get(h, "/portal/lakeside");
      isHomeOf(hWarm, HANNAH);
      expect(hWarm.trips).toBe(1);
      const rToken = a.cookies.get(PORTAL_COOKIE)!;
      const lToken = h.cookies.get("__Host-portal_session-lakeside")!;
      const x = tab();
      x.cookies.set("__Host-portal_session-lakeside", rToken);
      isNoHome(await get(x, "/portal/lakeside"));
      const y = tab();
      y.cookies.set(PORTAL_COOKIE, lToken);
      isNoHome(await get(y, PORTAL));
      // Both tokens under both names at once, on either slug.
      const z = tab();
      z.cookies.set(PORTAL_COOKIE, lToken);
      z.cookies.set("__Host-portal_session-lakeside", rToken);
      isNoHome(await get(z, PORTAL));
      isNoHome(await get(z, "/portal/lakeside"));
      // The real sessions are unaffected.
      isHomeOf(await get(a, PORTAL), MARIA);
      isHomeOf(await get(h, "/portal/lakeside"), HANNAH);
    } finally {
      await sql("UPDATE agencies SET portal_enabled = 0 WHERE id = 2");
    }
  });

  it("unknown, odd or not-contracted slugs with a warm Riverbend session's cookie: 404 or a redirect, no details", async () => {
    const login = await createSettledLogin({ clientId: MARIA });
    const a = tab();
    await a.signIn(login.username, login.password);
    await get(a, PORTAL);
    expect((await get(a, PORTAL)).trips).toBe(1);
    const token = a.cookies.get(PORTAL_COOKIE)!;
    for (const slug of ["nope", "lakeside", "Riverbend", "riverbend-", "riverbend%2F", "riverbend.", "riverbend%00", "riverbend;", "r%69verbend%2Factivity"]) {
      const t = tab();
      t.cookies.set(PORTAL_COOKIE, token);
      t.cookies.set(`__Host-portal_session-${slug}`, token);
      const r = await get(t, `/portal/${slug}`);
      expect([303, 301, 404], slug).toContain(r.res.status);
      showsNoneOf(r.html, ...everyone);
    }
    // A percent-encoded spelling of the same slug is the same portal: this session's own Home, no one else's.
    const encoded = await get(a, "/portal/%72iverbend");
    isHomeOf(encoded, MARIA);
    const slash = await get(a, `${PORTAL}/`);
    expect(slash.res.status).toBe(301);
    expect(slash.res.headers.get("Location")).toBe(PORTAL);
    showsNoneOf(slash.html, ...everyone);
    isHomeOf(await get(a, `${PORTAL}?ended=access&next=/portal/lakeside`), MARIA);
  });

  it("HEAD and htmx Home: same client, HEAD with no body, htmx in one trip; after an htmx switch, never the old client", async () => {
    const login = await parentOf([MARIA, JAMES]);
    const a = tab();
    await a.signIn(login.username, login.password);
    await a.post(`${PORTAL}/whose`, { client: String(JAMES) });
    await get(a, PORTAL);
    const head = await get(a, PORTAL, {}, "HEAD");
    expect(head.res.status).toBe(200);
    expect(head.html).toBe("");
    const hx = await get(a, PORTAL, { "HX-Request": "true" });
    isHomeOf(hx, JAMES);
    expect(hx.trips).toBe(1);
    await a.fetch(`${PORTAL}/whose`, { method: "POST", body: new URLSearchParams({ client: String(MARIA) }), headers: { "HX-Request": "true" } });
    const headAfter = await get(a, PORTAL, {}, "HEAD");
    expect(headAfter.res.status).toBe(200);
    expect(headAfter.html).toBe("");
    const hx2 = await get(a, PORTAL, { "HX-Request": "true" });
    isHomeOf(hx2, MARIA);
    // HEAD by an ended session: no body, and the next GET is the sign-in form.
    await sql("UPDATE portal_sessions SET ended_at = ? WHERE login_id = ?", Date.now(), login.id);
    const endedHead = await get(a, PORTAL, {}, "HEAD");
    expect(endedHead.html).toBe("");
    isNoHome(await get(a, PORTAL, { "HX-Request": "true" }));
  });

  it("staff change the Current Residence between two warm Home requests: the one-trip page shows the new address at once", async () => {
    const login = await createSettledLogin({ clientId: ROBERT });
    const a = tab();
    await a.signIn(login.username, login.password);
    await get(a, PORTAL);
    const warm = await get(a, PORTAL);
    expect(warm.res.status).toBe(200);
    expect(shownName(warm.html)).toBe("Robert Hill");
    expect(warm.html).toContain("600 Broadway");
    showsNoneOf(warm.html, ...everyone);
    expect(warm.trips).toBe(1);
    const staff = await Browser.staff("staff@riverbend.test");
    const saved = await staff.post(`/face-sheet/${ROBERT}`, faceSheetForm(await clientRow(ROBERT), { residenceAddress: "77 Probe Lane", residenceCity: "Cohoes" }));
    expect(saved.status).toBe(303);
    const after = await get(a, PORTAL);
    expect(after.res.status).toBe(200);
    expect(after.trips).toBe(1);
    expect(after.html).toContain("77 Probe Lane");
    expect(after.html).toContain("Cohoes");
    expect(after.html).not.toContain("600 Broadway");
    showsNoneOf(after.html, ...everyone);
    // And the name, changed by staff, too.
    await staff.post(`/face-sheet/${ROBERT}`, faceSheetForm(await clientRow(ROBERT), { lastName: "Hill-Probe" }));
    const renamed = await get(a, PORTAL);
    expect(renamed.trips).toBe(1);
    expect(shownName(renamed.html)).toBe("Robert Hill-Probe");
  });

  it("another agency's client, or an unlinked one, planted in the session's choice: refused by /whose, and never on Home even when written straight into the session row", async () => {
    await sql("UPDATE agencies SET portal_enabled = 1 WHERE id = 2");
    try {
      const login = await parentOf([MARIA, JAMES]);
      // A representation row pointing at Lakeside's client: under Riverbend's agency, and under Lakeside's.
      await linkRepresentation(login.id, HANNAH, { agencyId: 1 });
      const a = tab();
      await a.signIn(login.username, login.password);
      await a.post(`${PORTAL}/whose`, { client: String(MARIA) });
      await get(a, PORTAL);
      expect((await get(a, PORTAL)).trips).toBe(1);
      for (const planted of [HANNAH, PRIYA, 999999, 0]) {
        const r = await a.post(`${PORTAL}/whose`, { client: String(planted) });
        expect([404, 422]).toContain(r.status);
        const home = await get(a, PORTAL);
        isHomeOf(home, MARIA);
        expect(home.trips).toBe(1);
      }
      // Written straight into the session row (as if any route let one through): never shown.
      for (const planted of [HANNAH, PRIYA]) {
        await sql("UPDATE portal_sessions SET client_id = ? WHERE login_id = ? AND ended_at IS NULL", planted, login.id);
        const r = await get(a, PORTAL);
        showsNoneOf(r.html, HANNAH, PRIYA, JAMES);
        if (r.res.status === 200) isHomeOf(r, MARIA);
        else expect(r.res.headers.get("Location")).toBe(`${PORTAL}/whose`);
      }
      // A login of one client (no choice to make) with a Lakeside client planted: its own client's Home.
      const own = await createSettledLogin({ clientId: MARIA });
      const b = tab();
      await b.signIn(own.username, own.password);
      await get(b, PORTAL);
      await sql("UPDATE portal_sessions SET client_id = ? WHERE login_id = ?", HANNAH, own.id);
      isHomeOf(await get(b, PORTAL), MARIA);
      // A Riverbend login's row moved to Lakeside's client (a corrupt row): no session, no details.
      const moved = await createSettledLogin({ clientId: PRIYA });
      const m = tab();
      await m.signIn(moved.username, moved.password);
      await get(m, PORTAL);
      expect((await get(m, PORTAL)).trips).toBe(1);
      await sql("UPDATE portal_logins SET client_id = ? WHERE id = ?", HANNAH, moved.id);
      isNoHome(await get(m, PORTAL));
      isNoHome(await get(m, "/portal/lakeside"));
    } finally {
      await sql("UPDATE agencies SET portal_enabled = 0 WHERE id = 2");
    }
  });

  it("two logins' sessions interleaving in one isolate, warm, in parallel: each sees only its own client", async () => {
    const one = await createSettledLogin({ clientId: MARIA });
    const two = await createSettledLogin({ clientId: JAMES });
    const three = await createSettledLogin({ clientId: JAMES, representative: true, record: null });
    await createRecord(three.id, JAMES);
    const [a, b, c] = [tab(), tab(), tab()];
    await a.signIn(one.username, one.password);
    await b.signIn(two.username, two.password);
    await c.signIn(three.username, three.password);
    for (let i = 0; i < 3; i++) {
      const [ra, rb, rc] = await Promise.all([get(a, PORTAL), get(b, PORTAL), get(c, PORTAL)]);
      isHomeOf(ra, MARIA);
      isHomeOf(rb, JAMES);
      isHomeOf(rc, JAMES);
    }
  });

  it("the cookie due for its once-a-minute refresh (the session's last-seen write in the same batch): still this client's rows, one trip, a fresh cookie", async () => {
    const login = await parentOf([MARIA, JAMES]);
    const a = await tabFor(login, MARIA);
    const b = await tabFor(login, JAMES);
    await get(a, PORTAL);
    await get(b, PORTAL);
    const now = Math.floor(Date.now() / 1000);
    for (const [t, client] of [[a, MARIA], [b, JAMES]] as const) {
      const old = await signSession(
        env.SESSION_SECRET,
        { sub: String(login.id), aud: "portal:riverbend", agencyId: 1, authTime: now - 200, ver: 1, sid: sidOf(t) },
        sessionLimits(env),
        now - 120,
      );
      t.cookies.set(PORTAL_COOKIE, old);
      const r = await get(t, PORTAL);
      isHomeOf(r, client);
      expect(r.trips).toBe(1);
      expect(counter.log.trips.filter((x) => x.origin !== "log")[0]!.kind).toBe("batch(5)"); // agency, touch, login, links, Home
      expect(t.cookies.get(PORTAL_COOKIE)).not.toBe(old);
      isHomeOf(await get(t, PORTAL), client);
    }
  });

  it("the one-trip page is the same page as the two-trip one, for clients with and without an email, an address, a phone", async () => {
    for (const client of [MARIA, JAMES, LUIS, GRACE, 5, 10]) {
      const login = await createSettledLogin({ clientId: client });
      const a = tab();
      await a.signIn(login.username, login.password);
      const cold = await get(a, PORTAL);
      expect(cold.trips, `client ${client}`).toBe(2);
      const warm = await get(a, PORTAL);
      expect(warm.trips, `client ${client}`).toBe(1);
      expect(withoutCountdown(warm.html)).toBe(withoutCountdown(cold.html));
      if (DETAILS[client]) isHomeOf(warm, client);
      else showsNoneOf(warm.html, ...everyone);
    }
  });

  it("a client's own login whose client is found younger than the agency's minimum age between warm requests: no details", async () => {
    const before = await clientRow(GRACE);
    const login = await createSettledLogin({ clientId: GRACE });
    const a = tab();
    await a.signIn(login.username, login.password);
    try {
      await get(a, PORTAL);
      const warm = await get(a, PORTAL);
      isHomeOf(warm, GRACE);
      expect(warm.trips).toBe(1);
      await sql("UPDATE clients SET date_of_birth = ? WHERE id = ?", riverbendDay(-5 * 365), GRACE);
      isNoHome(await get(a, PORTAL));
    } finally {
      await sql("UPDATE clients SET date_of_birth = ? WHERE id = ?", before.date_of_birth, GRACE);
    }
  });

  it("the agency's time zone moved to another day between warm requests (links re-read after the batch): still each session's own client", async () => {
    const login = await parentOf([MARIA, JAMES]);
    const own = await createSettledLogin({ clientId: PRIYA });
    const [a, b, c] = [tab(), tab(), tab()];
    await a.signIn(login.username, login.password);
    await b.signIn(login.username, login.password);
    await c.signIn(own.username, own.password);
    await a.post(`${PORTAL}/whose`, { client: String(MARIA) });
    await b.post(`${PORTAL}/whose`, { client: String(JAMES) });
    for (const t of [a, b, c]) await get(t, PORTAL);
    expect((await get(a, PORTAL)).trips).toBe(1);
    // UTC+14: a different calendar day from New York's at every hour but a few.
    const ny = riverbendDay(0);
    await sql("UPDATE agencies SET timezone = 'Pacific/Kiritimati' WHERE id = 1");
    try {
      const [ra, rb, rc] = [await get(a, PORTAL), await get(b, PORTAL), await get(c, PORTAL)];
      isHomeOf(ra, MARIA);
      isHomeOf(rb, JAMES);
      isHomeOf(rc, PRIYA);
      // The first request after the change judged the links on New York's day: re-read (unless the days agree now).
      const kiritimati = new Intl.DateTimeFormat("en-CA", { timeZone: "Pacific/Kiritimati", year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date());
      if (kiritimati !== ny) expect(ra.trips).toBe(2);
      const [wa, wb] = [await get(a, PORTAL), await get(b, PORTAL)];
      isHomeOf(wa, MARIA);
      isHomeOf(wb, JAMES);
      expect([wa.trips, wb.trips]).toEqual([1, 1]);
    } finally {
      await sql("UPDATE agencies SET timezone = 'America/New_York' WHERE id = 1");
    }
    isHomeOf(await get(a, PORTAL), MARIA);
    isHomeOf(await get(b, PORTAL), JAMES);
  });

  it("the agency's portal turned off between warm Home requests: 404 with no details; on again, the same client's Home", async () => {
    const login = await createSettledLogin({ clientId: MARIA });
    const a = tab();
    await a.signIn(login.username, login.password);
    await get(a, PORTAL);
    expect((await get(a, PORTAL)).trips).toBe(1);
    await sql("UPDATE agencies SET portal_enabled = 0 WHERE id = 1");
    try {
      const off = await get(a, PORTAL);
      expect(off.res.status).toBe(404);
      isNoHome(off);
      const offHx = await get(a, PORTAL, { "HX-Request": "true" });
      expect(offHx.res.status).toBe(404);
      isNoHome(offHx);
    } finally {
      await sql("UPDATE agencies SET portal_enabled = 1 WHERE id = 1");
    }
    isHomeOf(await get(a, PORTAL), MARIA);
  });

  it("a shared computer: one login logs out (or is replaced by signing in over it) and another signs in; Home is the new login's client, the old cookie opens nothing", async () => {
    const parent = await parentOf([MARIA, JAMES]);
    const james = await createSettledLogin({ clientId: JAMES });
    const maria = await createSettledLogin({ clientId: MARIA });
    const t = tab();
    await t.signIn(parent.username, parent.password);
    await t.post(`${PORTAL}/whose`, { client: String(MARIA) });
    await get(t, PORTAL);
    expect((await get(t, PORTAL)).trips).toBe(1);
    const parentCookie = t.cookies.get(PORTAL_COOKIE)!;
    expect((await t.post(`${PORTAL}/log-out`, {})).status).toBe(303);
    isNoHome(await get(t, PORTAL));
    await t.signIn(james.username, james.password);
    const j = await get(t, PORTAL);
    isHomeOf(j, JAMES);
    expect(j.trips).toBe(2); // a new session: nothing remembered for it
    isHomeOf(await get(t, PORTAL), JAMES);
    // Signing in over a live session, without logging out.
    await t.signIn(maria.username, maria.password);
    isHomeOf(await get(t, PORTAL), MARIA);
    isHomeOf(await get(t, PORTAL), MARIA);
    // The parent's logged-out cookie replayed: nothing.
    const replay = tab();
    replay.cookies.set(PORTAL_COOKIE, parentCookie);
    isNoHome(await get(replay, PORTAL));
    isNoHome(await get(replay, PORTAL, { "HX-Request": "true" }));
  });
});
