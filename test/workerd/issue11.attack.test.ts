/**
 * Issue 11 as an outsider would attack it: representatives, families, minors and 42 CFR Part 2.
 * Every probe here is a way in that must stay shut — another agency's ids, a tampered "Whose
 * information?" choice, a login turned into a client's own login while still linked, a minor's
 * email reached through "Link an existing login" or a plus-address, a blocked person, roles — and
 * checks that nothing was written when it is refused.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { Browser } from "./fixtures";
import { chosenClient, linkRepresentation, parentOf, riverbendToday } from "./families.fixtures";
import { PORTAL, PortalBrowser, createLogin, createSettledLogin, lastSeq, sql, type CreatedLogin } from "./portal.fixtures";
import { editLogin } from "./portal-logins.helpers";
import { consentForm, createConsent, createRepresentation, markPart2, riverbendDay } from "./part2.fixtures";

const MARIA = 1;
const JAMES = 2;
const PRIYA = 3;
const HANNAH = 13; // Lakeside's
const LUIS = 12; // an open case in Substance Use IOP

let admin: Browser;
let staff: Browser;
let auditor: Browser;
let lakesideAdmin: Browser;
let today: string;
let nextYear: string;

beforeAll(async () => {
  [admin, staff, auditor, lakesideAdmin] = await Promise.all([
    Browser.staff("admin@riverbend.test"),
    Browser.staff("staff@riverbend.test"),
    Browser.staff("auditor@riverbend.test"),
    Browser.staff("admin@lakeside.test"),
  ]);
  today = await riverbendToday();
  nextYear = `${Number(today.slice(0, 4)) + 1}${today.slice(4)}`;
});

/** Signs a fresh portal tab in as `login` (settled password). */
async function signIn(login: CreatedLogin) {
  const b = new PortalBrowser();
  const res = await b.signIn(login.username, login.password);
  expect(res.status).toBe(303);
  return b;
}

/** The client ids "Whose information?" offers this tab (empty when it is not asked). */
async function choicesOf(b: PortalBrowser): Promise<number[]> {
  const html = await (await b.get(`${PORTAL}/whose`)).text();
  return [...html.matchAll(/name="client" value="(\d+)"/g)].map((m) => Number(m[1]));
}

/** Rows of a table, counted (to show nothing was written). */
async function count(table: string, where = "1", ...params: unknown[]): Promise<number> {
  const row = await env.DB.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`)
    .bind(...params)
    .first<{ n: number }>();
  return row!.n;
}

/** A filled "Link an existing login" record form for `loginId`. */
const linkForm = (loginId: number, over: Record<string, string> = {}) => ({
  loginId: String(loginId),
  repName: "Pat Doe",
  relationship: "parent",
  legalBasis: "court-order",
  startDate: today,
  endDate: nextYear,
  ...over,
});

describe("a representative login made a client's own login keeps no links", () => {
  it("unchecking Representative on its own client while still linked to another: 422 next to Representative, nothing written", async () => {
    const login = await parentOf([MARIA, JAMES]);
    const seq = await lastSeq(MARIA);
    const res = await editLogin(staff, MARIA, login.id, { email: `${login.username}@example.com`, representative: false });
    expect(res.status).toBe(422);
    expect(await res.text()).toContain("End those links first");
    expect((await env.DB.prepare("SELECT representative FROM portal_logins WHERE id = ?").bind(login.id).first<{ representative: number }>())!.representative).toBe(1);
    expect(await lastSeq(MARIA)).toBe(seq);
    // With James's link ended, it may become Maria's own login.
    await sql("UPDATE portal_representations SET ended_at = ? WHERE login_id = ? AND client_id = ?", Date.now(), login.id, JAMES);
    expect((await editLogin(staff, MARIA, login.id, { email: `${login.username}@example.com`, representative: false })).status).toBe(200);
  });

  it("a login made an own login by hand while linked gets no access to the linked child", async () => {
    const login = await parentOf([MARIA, JAMES]);
    await sql("UPDATE portal_logins SET representative = 0 WHERE id = ?", login.id);
    // Maria's own login now — James's information must be out of reach.
    const b = await signIn(login);
    expect((await b.get(PORTAL)).status).toBe(200);
    const seq = await lastSeq(JAMES);
    expect((await b.post(`${PORTAL}/whose`, { client: String(JAMES) })).status).toBe(404);
    expect(await chosenClient(login.id)).not.toBe(JAMES);
    expect(await lastSeq(JAMES)).toBe(seq);
  });

  it("a link staff ended is not revived by the login becoming an own login", async () => {
    const login = await createSettledLogin({ clientId: PRIYA, representative: true });
    await linkRepresentation(login.id, JAMES, { endedAt: Date.now() });
    await sql("UPDATE portal_logins SET representative = 0 WHERE id = ?", login.id);
    const b = await signIn(login);
    expect((await b.get(PORTAL)).status).toBe(200);
    expect((await b.post(`${PORTAL}/whose`, { client: String(JAMES) })).status).toBe(404);
    expect(await chosenClient(login.id)).not.toBe(JAMES);
  });
});

describe("Whose information? with a tampered client id writes nothing", () => {
  const tampered: [string, string][] = [
    ["a client not linked", String(PRIYA)],
    ["another agency's client", String(HANNAH)],
    ["junk", "1 OR 1=1"],
    ["a negative id", "-1"],
    ["a huge id", "99999999999999999999"],
    ["a NUL", "1\u0000"],
  ];
  for (const [what, client] of tampered) {
    it(`${what}: 404, the session's choice and the logs unchanged (plain and htmx)`, async () => {
      const login = await parentOf([MARIA, JAMES]);
      const b = await signIn(login);
      expect((await b.post(`${PORTAL}/whose`, { client: String(MARIA) })).status).toBe(303);
      const seqs = await Promise.all([MARIA, JAMES, PRIYA, HANNAH].map(lastSeq));
      expect((await b.post(`${PORTAL}/whose`, { client })).status).toBe(404);
      const htmx = await b.fetch(`${PORTAL}/whose`, { method: "POST", body: new URLSearchParams({ client }), headers: { "HX-Request": "true" } });
      expect(htmx.status).toBe(404);
      expect(await chosenClient(login.id)).toBe(MARIA);
      expect(await Promise.all([MARIA, JAMES, PRIYA, HANNAH].map(lastSeq))).toEqual(seqs);
    });
  }

  it("a link ended by staff can't be chosen, and a GET with ?client= chooses nothing", async () => {
    const login = await parentOf([MARIA, JAMES, PRIYA]);
    await sql("UPDATE portal_representations SET ended_at = ? WHERE login_id = ? AND client_id = ?", Date.now(), login.id, PRIYA);
    const b = await signIn(login);
    expect((await b.post(`${PORTAL}/whose`, { client: String(PRIYA) })).status).toBe(404);
    await b.get(`${PORTAL}/whose?client=${PRIYA}`);
    await b.get(`${PORTAL}/activity?client=${PRIYA}`);
    expect(await chosenClient(login.id)).toBeNull();
    expect(await choicesOf(b)).toEqual([JAMES, MARIA]);
  });

  it("a child whose Part 2 consent was revoked can't be chosen", async () => {
    await markPart2();
    const login = await createSettledLogin({ clientId: MARIA, representative: true });
    const rep = await createRepresentation(login.id, LUIS);
    await createConsent(rep, LUIS, { revokedAt: Date.now() });
    const b = await signIn(login);
    expect((await b.post(`${PORTAL}/whose`, { client: String(LUIS) })).status).toBe(404);
    expect(await chosenClient(login.id)).not.toBe(LUIS);
    await markPart2(undefined, false);
  });
});

describe("another agency's ids on the staff side answer 404 and write nothing", () => {
  it("Lakeside can't link a Riverbend login to its client, nor Riverbend a Lakeside login", async () => {
    const riverbendLogin = await createSettledLogin({ clientId: MARIA, representative: true });
    const lakesideLogin = await createSettledLogin({ agencyId: 2, clientId: HANNAH, representative: true, record: {} });
    const before = await count("portal_representations");
    expect((await lakesideAdmin.post(`/face-sheet/${HANNAH}/linked-logins`, linkForm(riverbendLogin.id))).status).toBe(404);
    expect((await admin.post(`/face-sheet/${MARIA}/linked-logins`, linkForm(lakesideLogin.id))).status).toBe(404);
    expect((await admin.post(`/face-sheet/${HANNAH}/linked-logins`, linkForm(riverbendLogin.id))).status).toBe(404);
    expect((await admin.get(`/face-sheet/${MARIA}/linked-logins/new?login=${lakesideLogin.id}`)).status).toBe(404);
    expect(await count("portal_representations")).toBe(before);
  });

  it("block, unblock, end link, consent and its revoke with a Lakeside client or login: 404", async () => {
    const lakesideLogin = await createSettledLogin({ agencyId: 2, clientId: HANNAH, representative: true, record: {} });
    const lakesideRep = (await env.DB.prepare("SELECT id FROM portal_representations WHERE login_id = ?").bind(lakesideLogin.id).first<{ id: number }>())!.id;
    const consentId = await createConsent(lakesideRep, HANNAH, { agencyId: 2 });
    const seq = await lastSeq(HANNAH);
    const paths = [
      [`/face-sheet/${HANNAH}/portal-logins/${lakesideLogin.id}/block`, { reason: "x" }],
      [`/face-sheet/${MARIA}/portal-logins/${lakesideLogin.id}/block`, { reason: "x" }],
      [`/face-sheet/${HANNAH}/portal-logins/${lakesideLogin.id}/unblock`, {}],
      [`/face-sheet/${HANNAH}/linked-logins/${lakesideLogin.id}/end`, {}],
      [`/face-sheet/${HANNAH}/portal-logins/${lakesideLogin.id}/consent/${consentId}/revoke`, {}],
      [`/face-sheet/${MARIA}/portal-logins/${lakesideLogin.id}/consent/${consentId}/revoke`, {}],
      [`/face-sheet/${HANNAH}/portal-logins/${lakesideLogin.id}/consent/${consentId}/event`, {}],
    ] as const;
    for (const [path, form] of paths) expect((await admin.post(path, form as Record<string, string>)).status, path).toBe(404);
    const row = await env.DB.prepare("SELECT blocked_at, session_version FROM portal_logins WHERE id = ?").bind(lakesideLogin.id).first<{ blocked_at: number | null }>();
    expect(row!.blocked_at).toBeNull();
    expect(await count("part2_consents", "id = ? AND revoked_at IS NULL", consentId)).toBe(1);
    expect(await lastSeq(HANNAH)).toBe(seq);
  });

  it("a Riverbend consent id under another Riverbend login of the same client is 404", async () => {
    await markPart2();
    const a = await createSettledLogin({ clientId: LUIS, representative: true });
    const b = await createSettledLogin({ clientId: LUIS, representative: true });
    const repA = (await env.DB.prepare("SELECT id FROM portal_representations WHERE login_id = ?").bind(a.id).first<{ id: number }>())!.id;
    const consentA = await createConsent(repA, LUIS);
    const seq = await lastSeq(LUIS);
    expect((await admin.post(`/face-sheet/${LUIS}/portal-logins/${b.id}/consent/${consentA}/revoke`, {})).status).toBe(404);
    expect(await count("part2_consents", "id = ? AND revoked_at IS NULL", consentA)).toBe(1);
    expect(await lastSeq(LUIS)).toBe(seq);
    await markPart2(undefined, false);
  });

  it("the expiries list shows none of another agency's representatives", async () => {
    const soon = new Date(Date.parse(`${today}T00:00:00Z`) + 3 * 86400_000).toISOString().slice(0, 10);
    await createSettledLogin({ agencyId: 2, clientId: HANNAH, representative: true, record: { name: "Lakeside Secret Person", endDate: soon, startDate: "2020-01-01" } });
    const html = await (await admin.get("/representatives/expiries")).text();
    expect(html).not.toContain("Lakeside Secret Person");
  });
});

describe("roles", () => {
  it("staff can't unblock; the auditor can't block, link, end, consent or revoke", async () => {
    const login = await createSettledLogin({ clientId: MARIA, representative: true, blockedAt: Date.now() });
    const seq = await lastSeq(MARIA);
    expect((await staff.post(`/face-sheet/${MARIA}/portal-logins/${login.id}/unblock`, {})).status).toBe(403);
    const other = await createSettledLogin({ clientId: PRIYA, representative: true });
    expect((await auditor.post(`/face-sheet/${MARIA}/portal-logins/${other.id}/block`, { reason: "x" })).status).toBe(403);
    expect((await auditor.post(`/face-sheet/${JAMES}/linked-logins`, linkForm(other.id))).status).toBe(403);
    expect((await auditor.post(`/face-sheet/${JAMES}/linked-logins/${other.id}/end`, {})).status).toBe(403);
    expect((await auditor.post(`/document-center/clients/${MARIA}/cases/1/minor-consented`, { minorConsented: "yes" })).status).toBe(403);
    expect((await auditor.post("/admin/programmes", { name: "Substance Use IOP", part2: "1" })).status).toBe(403);
    expect((await env.DB.prepare("SELECT blocked_at FROM portal_logins WHERE id = ?").bind(login.id).first<{ blocked_at: number | null }>())!.blocked_at).not.toBeNull();
    expect(await lastSeq(MARIA)).toBe(seq);
  });

  it("staff can't link a blocked person to another client", async () => {
    const login = await createSettledLogin({ clientId: MARIA, representative: true, blockedAt: Date.now() });
    const before = await count("portal_representations", "login_id = ?", login.id);
    expect((await staff.post(`/face-sheet/${JAMES}/linked-logins`, linkForm(login.id))).status).toBe(403);
    expect(await count("portal_representations", "login_id = ?", login.id)).toBe(before);
  });
});

describe("a minor's own login and a parent never share a mailbox", () => {
  it("Link an existing login refuses a parent whose email is the minor's own login's", async () => {
    // Priya made 15 for this probe, with her own login.
    const dob = `${Number(today.slice(0, 4)) - 15}-01-15`;
    await sql("UPDATE clients SET date_of_birth = ? WHERE id = ?", dob, PRIYA);
    const own = await createSettledLogin({ clientId: PRIYA });
    const parent = await createSettledLogin({ clientId: MARIA, representative: true });
    await sql("UPDATE portal_logins SET email = (SELECT email FROM portal_logins WHERE id = ?) WHERE id = ?", own.id, parent.id);
    const res = await staff.post(`/face-sheet/${PRIYA}/linked-logins`, linkForm(parent.id));
    expect(res.status).toBe(422);
    expect(await res.text()).toContain("A representative of a minor needs a different email.");
    expect(await count("portal_representations", "login_id = ? AND client_id = ?", parent.id, PRIYA)).toBe(0);
  });

  it("a Gmail address with dots is the same mailbox (the minor's own login refused)", async () => {
    const dob = `${Number(today.slice(0, 4)) - 14}-03-10`;
    await sql("UPDATE clients SET date_of_birth = ? WHERE id = ?", dob, JAMES);
    const parent = await createSettledLogin({ clientId: JAMES, representative: true });
    await sql("UPDATE portal_logins SET email = 'pat.okafor@gmail.com' WHERE id = ?", parent.id);
    const own = await createSettledLogin({ clientId: JAMES, active: false });
    expect((await editLogin(staff, JAMES, own.id, { email: "PatOkafor+teen@googlemail.com", active: false })).status).toBe(422);
    // Another mailbox is fine.
    expect((await editLogin(staff, JAMES, own.id, { email: "james.okafor@gmail.com", active: false })).status).toBe(200);
  });

  const variants: [string, (e: string) => string][] = [
    ["upper case", (e) => e.toUpperCase()],
    ["a plus tag", (e) => e.replace("@", "+kid@")],
    ["spaces around", (e) => `  ${e} `],
  ];
  for (const [what, variant] of variants) {
    it(`the minor's own login with the parent's email in ${what} is refused (422, nothing written)`, async () => {
      const dob = `${Number(today.slice(0, 4)) - 14}-03-10`;
      await sql("UPDATE clients SET date_of_birth = ? WHERE id = ?", dob, JAMES);
      const parent = await createSettledLogin({ clientId: JAMES, representative: true });
      const own = await createSettledLogin({ clientId: JAMES, active: false });
      const email = variant(`${parent.username}@example.com`);
      const res = await editLogin(staff, JAMES, own.id, { email, active: false });
      expect(res.status).toBe(422);
      expect((await env.DB.prepare("SELECT email FROM portal_logins WHERE id = ?").bind(own.id).first<{ email: string }>())!.email).toBe(`${own.username}@example.com`);
    });
  }
});

describe("a linked login's Edit can't make the person another client's own login", () => {
  it("unticking Representative from the linked client's Face Sheet: 422 next to Representative, nothing written", async () => {
    const login = await parentOf([MARIA, JAMES]);
    const seqs = await Promise.all([MARIA, JAMES].map(lastSeq));
    const res = await editLogin(staff, JAMES, login.id, { email: `${login.username}@example.com`, representative: false });
    expect(res.status).toBe(422);
    expect(await res.text()).toContain("it stays a representative");
    expect((await env.DB.prepare("SELECT representative FROM portal_logins WHERE id = ?").bind(login.id).first<{ representative: number }>())!.representative).toBe(1);
    expect(await count("portal_representations", "login_id = ? AND ended_at IS NULL", login.id)).toBe(2);
    expect(await Promise.all([MARIA, JAMES].map(lastSeq))).toEqual(seqs);
  });
});

describe("Block from a linked client's Face Sheet", () => {
  const blockedAt = async (id: number) => (await env.DB.prepare("SELECT blocked_at FROM portal_logins WHERE id = ?").bind(id).first<{ blocked_at: number | null }>())!.blocked_at;

  it("blocks the person (every client), ends the session, and is logged in that client's log", async () => {
    const login = await parentOf([MARIA, JAMES]);
    const b = await signIn(login);
    expect((await b.post(`${PORTAL}/whose`, { client: String(MARIA) })).status).toBe(303);
    const seq = await lastSeq(JAMES);
    const res = await staff.post(`/face-sheet/${JAMES}/portal-logins/${login.id}/block`, { reason: "Custody order: no contact" });
    expect(res.status).toBe(303);
    expect(await blockedAt(login.id)).not.toBeNull();
    const [entry] = (await env.DB.prepare("SELECT description FROM client_log WHERE client_id = ? AND seq > ?").bind(JAMES, seq).all<{ description: string }>()).results;
    expect(entry?.description).toBe(`Portal Login ${login.username} was blocked.`);
    // The session it had on Maria ends too: a block is of the person.
    const next = await b.get(`${PORTAL}/activity`);
    expect(next.status).toBe(303);
    expect(next.headers.get("Location")).toContain(`${PORTAL}?ended`);
    expect((await new PortalBrowser().signIn(login.username, login.password)).status).toBe(401);
  });

  it("an administrator unblocks from the linked client too", async () => {
    const login = await parentOf([MARIA, JAMES]);
    expect((await admin.post(`/face-sheet/${JAMES}/portal-logins/${login.id}/block`, { reason: "x" })).status).toBe(303);
    expect(await blockedAt(login.id)).not.toBeNull();
    expect((await admin.post(`/face-sheet/${JAMES}/portal-logins/${login.id}/unblock`, {})).status).toBe(303);
    expect(await blockedAt(login.id)).toBeNull();
  });
});

describe("races", () => {
  it("linking the same login to the same client five times at once: one record, one entry", async () => {
    const login = await createSettledLogin({ clientId: MARIA, representative: true });
    const seq = await lastSeq(PRIYA);
    const answers = await Promise.all(Array.from({ length: 5 }, () => admin.post(`/face-sheet/${PRIYA}/linked-logins`, linkForm(login.id))));
    expect(answers.filter((r) => r.status === 303).length).toBeGreaterThanOrEqual(1);
    for (const r of answers) expect([303, 404, 409]).toContain(r.status);
    expect(await count("portal_representations", "login_id = ? AND client_id = ?", login.id, PRIYA)).toBe(1);
    const linked = await env.DB.prepare("SELECT COUNT(*) AS n FROM client_log WHERE client_id = ? AND seq > ? AND description LIKE ?")
      .bind(PRIYA, seq, `Portal Login ${login.username} was linked%`)
      .first<{ n: number }>();
    expect(linked!.n).toBe(1);
  });

  it("many switches at once, some tampered: the session ends on a client in force, nothing logged", async () => {
    const login = await parentOf([MARIA, JAMES]);
    const b = await signIn(login);
    const seqs = await Promise.all([MARIA, JAMES, PRIYA].map(lastSeq));
    const picks = [MARIA, JAMES, PRIYA, HANNAH, MARIA, JAMES, PRIYA, JAMES];
    const answers = await Promise.all(picks.map((id) => b.post(`${PORTAL}/whose`, { client: String(id) })));
    answers.forEach((r, i) => expect(r.status, String(picks[i])).toBe([MARIA, JAMES].includes(picks[i]!) ? 303 : 404));
    expect([MARIA, JAMES]).toContain(await chosenClient(login.id));
    expect(await Promise.all([MARIA, JAMES, PRIYA].map(lastSeq))).toEqual(seqs);
  });

  it("Revoke consent while the representative clicks around: afterwards no request gets through", async () => {
    await markPart2();
    const login = await createSettledLogin({ clientId: LUIS, representative: true });
    const rep = await createRepresentation(login.id, LUIS);
    const consentId = await createConsent(rep, LUIS);
    const b = await signIn(login);
    const [revoked] = await Promise.all([
      admin.post(`/face-sheet/${LUIS}/portal-logins/${login.id}/consent/${consentId}/revoke`, {}),
      b.get(`${PORTAL}/activity`),
      b.get(`${PORTAL}/consent`),
    ]);
    expect(revoked.status).toBe(303);
    const next = await b.get(`${PORTAL}/consent`);
    expect(next.status).toBe(303);
    expect(next.headers.get("Location")).toContain(`${PORTAL}?ended`);
    expect((await new PortalBrowser().signIn(login.username, login.password)).status).toBe(403);
    await markPart2(undefined, false);
  });

  it("Block while the person signs in: whatever session sign-in made doesn't work afterwards", async () => {
    const login = await createSettledLogin({ clientId: MARIA, representative: true });
    const b = new PortalBrowser();
    await Promise.all([staff.post(`/face-sheet/${MARIA}/portal-logins/${login.id}/block`, { reason: "Court order" }), b.signIn(login.username, login.password)]);
    const next = await b.get(`${PORTAL}/activity`);
    expect(next.status).toBe(303);
    expect(next.headers.get("Location")).not.toBe(`${PORTAL}/activity`);
    expect(next.headers.get("Location")).toContain(PORTAL);
    expect((await b.get(PORTAL)).status).toBe(200);
    expect(await (await b.get(PORTAL)).text()).not.toContain("Sign out");
  });
});

describe("Programmes admin is the agency's own", () => {
  it("a Riverbend admin can't mark a programme only Lakeside has (422, nothing written)", async () => {
    await markPart2("Lakeside Detox", false, 2);
    const before = await count("programs");
    const res = await admin.post("/admin/programmes", { name: "Lakeside Detox", part2: "1" });
    expect(res.status).toBe(422);
    expect(await count("programs")).toBe(before);
    expect(await count("programs", "name = 'Lakeside Detox' AND part2 = 1")).toBe(0);
    expect(await (await admin.get("/admin/programmes")).text()).not.toContain("Lakeside Detox");
  });
});

describe("a parent's email can't be moved onto a linked minor's own login's mailbox", () => {
  it("Edit on the parent's home client refuses the email of a linked child's own login (422, nothing written)", async () => {
    const dob = `${Number(today.slice(0, 4)) - 14}-07-01`;
    await sql("UPDATE clients SET date_of_birth = ? WHERE id = ?", dob, 4);
    const childOwn = await createSettledLogin({ clientId: 4 });
    const parent = await parentOf([MARIA, 4]);
    const seq = await lastSeq(MARIA);
    const res = await editLogin(staff, MARIA, parent.id, { email: `${childOwn.username.toUpperCase()}@example.com`, representative: true, record: { repName: "Pat Doe", startDate: today, endDate: nextYear } });
    expect(res.status).toBe(422);
    expect(await res.text()).toContain("A representative of a minor needs a different email.");
    expect((await env.DB.prepare("SELECT email FROM portal_logins WHERE id = ?").bind(parent.id).first<{ email: string }>())!.email).toBe(`${parent.username}@example.com`);
    expect(await lastSeq(MARIA)).toBe(seq);
  });
});

describe("a client who refused a portal login", () => {
  it("Link an existing login is refused for them (409, nothing written)", async () => {
    await sql("UPDATE clients SET refused_portal_login = 1 WHERE id = ?", 6);
    const login = await createSettledLogin({ clientId: MARIA, representative: true });
    const seq = await lastSeq(6);
    const res = await staff.post(`/face-sheet/6/linked-logins`, linkForm(login.id));
    expect(res.status).toBe(409);
    expect(await res.text()).toContain("refused a portal login");
    expect(await count("portal_representations", "login_id = ? AND client_id = 6", login.id)).toBe(0);
    expect(await lastSeq(6)).toBe(seq);
    await sql("UPDATE clients SET refused_portal_login = 0 WHERE id = ?", 6);
  });

  it("a representative linked before the client refused can no longer choose them", async () => {
    const login = await parentOf([MARIA, 7]);
    await sql("UPDATE clients SET refused_portal_login = 1 WHERE id = ?", 7);
    const b = await signIn(login);
    expect((await b.get(`${PORTAL}/activity`)).status).toBe(200);
    expect((await b.post(`${PORTAL}/whose`, { client: "7" })).status).toBe(404);
    expect(await chosenClient(login.id)).not.toBe(7);
    await sql("UPDATE clients SET refused_portal_login = 0 WHERE id = ?", 7);
  });
});

describe("bad input writes nothing", () => {
  const linkCases: [string, Record<string, string>][] = [
    ["a NUL in the representative's name", { repName: "Pat\u0000Doe" }],
    ["a bidi override in the name", { repName: "Pat \u202Eeod" }],
    ["a name of 10,000 characters", { repName: "P".repeat(10_000) }],
    ["30 February", { endDate: "2998-02-30" }],
    ["an end before the start", { startDate: "2998-06-01", endDate: "2998-01-01" }],
    ["a start in the past", { startDate: "2001-01-01" }],
  ];
  for (const [what, over] of linkCases) {
    it(`Link an existing login with ${what}: 422, no record, no entry`, async () => {
      const login = await createSettledLogin({ clientId: MARIA, representative: true });
      const seq = await lastSeq(PRIYA);
      expect((await staff.post(`/face-sheet/${PRIYA}/linked-logins`, linkForm(login.id, over))).status).toBe(422);
      expect(await count("portal_representations", "login_id = ? AND client_id = ?", login.id, PRIYA)).toBe(0);
      expect(await lastSeq(PRIYA)).toBe(seq);
    });
  }

  const consentCases: [string, Record<string, string | undefined>][] = [
    ["no purpose", { purpose: undefined }],
    ["a purpose of 5,000 characters", { purpose: "x".repeat(5_000) }],
    ["an escape character in the recipient", { recipient: "Rosa\u001bOrtega" }],
    ["no right to revoke stated", { rightToRevoke: undefined }],
    ["neither expiry date nor event", { expiresOn: "", expiryEvent: "" }],
    ["an expiry date of today (the first day without access)", { expiresOn: riverbendDay(0), signedOn: riverbendDay(-3) }],
    ["a signature tomorrow", { signedOn: riverbendDay(1) }],
    ["signed by someone else without their authority", { signedBy: "other", signerAuthority: "" }],
  ];
  for (const [what, over] of consentCases) {
    it(`a Part 2 consent with ${what}: 422, no consent, no entry`, async () => {
      const login = await createSettledLogin({ clientId: LUIS, representative: true });
      const rep = await createRepresentation(login.id, LUIS);
      const seq = await lastSeq(LUIS);
      const res = await admin.post(`/face-sheet/${LUIS}/portal-logins/${login.id}/consent`, consentForm(over), { htmx: true });
      expect(res.status).toBe(422);
      expect(await count("part2_consents", "representation_id = ?", rep)).toBe(0);
      expect(await lastSeq(LUIS)).toBe(seq);
    });
  }

  it("a block reason with a NUL or of 5,000 characters: 422, not blocked", async () => {
    const login = await createSettledLogin({ clientId: MARIA, representative: true });
    for (const reason of ["Court\u0000order", "r".repeat(5_000), "   "]) {
      expect((await staff.post(`/face-sheet/${MARIA}/portal-logins/${login.id}/block`, { reason })).status).toBe(422);
    }
    expect((await env.DB.prepare("SELECT blocked_at FROM portal_logins WHERE id = ?").bind(login.id).first<{ blocked_at: number | null }>())!.blocked_at).toBeNull();
  });
});

describe("the first day without access, per linked client", () => {
  it("a link whose end date is today, a child turning 18 today, a consent expiring today: none can be chosen", async () => {
    await markPart2();
    const login = await parentOf([MARIA]);
    await linkRepresentation(login.id, JAMES, { startDate: "2020-01-01", endDate: today });
    const eighteen = `${Number(today.slice(0, 4)) - 18}${today.slice(4)}`;
    await sql("UPDATE clients SET date_of_birth = ? WHERE id = ?", eighteen, 8);
    await linkRepresentation(login.id, 8, { startDate: "2020-01-01", endDate: null, legalBasis: "parent-of-minor" });
    const luis = await linkRepresentation(login.id, LUIS, { startDate: "2020-01-01" });
    await createConsent(luis, LUIS, { expiresOn: today });
    const b = await signIn(login);
    expect((await b.get(PORTAL)).status).toBe(200);
    for (const id of [JAMES, 8, LUIS]) expect((await b.post(`${PORTAL}/whose`, { client: String(id) })).status, String(id)).toBe(404);
    // The day before each, all three were in: a guardianship keeps the 18-year-old too.
    await sql("UPDATE portal_representations SET guardianship = 1 WHERE login_id = ? AND client_id = 8", login.id);
    expect((await b.post(`${PORTAL}/whose`, { client: "8" })).status).toBe(303);
    await markPart2(undefined, false);
  });
});

describe("another site's forms", () => {
  it("a cross-site POST can't switch the client, link, block or revoke (refused, nothing written)", async () => {
    const login = await parentOf([MARIA, JAMES]);
    const b = await signIn(login);
    expect((await b.post(`${PORTAL}/whose`, { client: String(MARIA) })).status).toBe(303);
    const evil = { Origin: "https://evil.example" };
    const switched = await b.fetch(`${PORTAL}/whose`, { method: "POST", body: new URLSearchParams({ client: String(JAMES) }), headers: evil });
    expect(switched.status).toBe(403);
    expect(await chosenClient(login.id)).toBe(MARIA);

    const other = await createSettledLogin({ clientId: MARIA, representative: true });
    const seq = await lastSeq(PRIYA);
    const linked = await admin.fetch(`/face-sheet/${PRIYA}/linked-logins`, { method: "POST", body: new URLSearchParams(linkForm(other.id)), headers: evil });
    expect(linked.status).toBe(403);
    const blocked = await admin.fetch(`/face-sheet/${MARIA}/portal-logins/${other.id}/block`, { method: "POST", body: new URLSearchParams({ reason: "x" }), headers: evil });
    expect(blocked.status).toBe(403);
    expect(await count("portal_representations", "login_id = ? AND client_id = ?", other.id, PRIYA)).toBe(0);
    expect((await env.DB.prepare("SELECT blocked_at FROM portal_logins WHERE id = ?").bind(other.id).first<{ blocked_at: number | null }>())!.blocked_at).toBeNull();
    expect(await lastSeq(PRIYA)).toBe(seq);
  });
});

describe("End link, then link again, on a 42 CFR Part 2 client", () => {
  it("the old consent doesn't carry over to the new link: no access until a new consent is recorded", async () => {
    await markPart2();
    const login = await createSettledLogin({ clientId: MARIA, representative: true });
    const rep = await createRepresentation(login.id, LUIS);
    const consentId = await createConsent(rep, LUIS);
    expect((await admin.post(`/face-sheet/${LUIS}/linked-logins/${login.id}/end`, {})).status).toBe(303);
    expect(await count("part2_consents", "id = ? AND superseded_at IS NOT NULL", consentId)).toBe(1);
    // Taken up again, with another person's name and relationship.
    const relinked = await admin.post(`/face-sheet/${LUIS}/linked-logins`, linkForm(login.id, { repName: "Someone Else", relationship: "other", relationshipOther: "neighbour", legalBasis: "client-authorisation" }));
    expect(relinked.status).toBe(303);
    const b = await signIn(login);
    expect((await b.post(`${PORTAL}/whose`, { client: String(LUIS) })).status).toBe(404);
    await markPart2(undefined, false);
  });
});

describe("Representative unticked, then ticked again, on a 42 CFR Part 2 client", () => {
  it("the record ends with its consents: ticking Representative again needs a new consent before any access", async () => {
    await markPart2();
    const login = await createSettledLogin({ clientId: LUIS, representative: true });
    const rep = await createRepresentation(login.id, LUIS);
    const consentId = await createConsent(rep, LUIS);
    const email = `${login.username}@example.com`;
    expect((await editLogin(admin, LUIS, login.id, { email, representative: false })).status).toBe(200);
    expect(await count("part2_consents", "id = ? AND superseded_at IS NOT NULL", consentId)).toBe(1);
    // Ticked again (active, with a record): the old consent no longer counts, so the window asks
    // for a new one first, as for any representative of a Part 2 client; nothing is saved.
    const again = await editLogin(admin, LUIS, login.id, { email, representative: true });
    expect(again.status).toBe(422);
    expect(await again.text()).toContain("a representative&#39;s login can be active only with a current consent");
    expect(await count("part2_consents", "id = ? AND superseded_at IS NULL AND revoked_at IS NULL", consentId)).toBe(0);
    expect(await count("portal_representations", "id = ? AND ended_at IS NULL", rep)).toBe(0);
    await markPart2(undefined, false);
  });
});
