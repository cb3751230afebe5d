/**
 * Staff link an existing representative login to another client, from that client's Face Sheet
 * ("Link an existing login"), and end one link. Each link has its own record (same rules as the
 * Portal Login window's), is logged in the client's log, and shows in the client's Client Portal
 * table; other agencies' logins and clients are 404 and auditors are refused, with nothing
 * written; a blocked person needs an administrator.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { Browser } from "./fixtures";
import { alertText, fieldError } from "./helpers";
import { riverbendToday } from "./families.fixtures";
import { PORTAL, PortalBrowser, createSettledLogin, lastSeq, logEntries, sql, type CreatedLogin } from "./portal.fixtures";

const TARGET = 3; // Priya Natarajan, Riverbend
const LAKESIDE_CLIENT = 13;
const linkPath = (clientId: number) => `/face-sheet/${clientId}/linked-logins`;

let admin: Browser;
let staff: Browser;
let auditor: Browser;
let today: string;
let nextYear: string;

beforeAll(async () => {
  [admin, staff, auditor] = await Promise.all([Browser.staff("admin@riverbend.test"), Browser.staff("staff@riverbend.test"), Browser.staff("auditor@riverbend.test")]);
  today = await riverbendToday();
  nextYear = `${Number(today.slice(0, 4)) + 1}${today.slice(4)}`;
});

/** A filled record form for `loginId`. */
const record = (loginId: number, over: Record<string, string> = {}) => ({
  loginId: String(loginId),
  repName: "Pat Doe",
  relationship: "parent",
  legalBasis: "court-order",
  startDate: today,
  endDate: nextYear,
  ...over,
});

/** Every representation row of the login, its own client's record included. */
async function allRecords(loginId: number) {
  return (await env.DB.prepare("SELECT * FROM portal_representations WHERE login_id = ? ORDER BY id").bind(loginId).all<Record<string, unknown>>()).results;
}

/**
 * The login's links to clients other than the one it was created for: what linking writes. (A
 * representative login has a record for its own client from the start, made by createLogin as the
 * Portal Login window would.)
 */
async function representations(loginId: number) {
  return (
    await env.DB.prepare("SELECT r.* FROM portal_representations r JOIN portal_logins l ON l.id = r.login_id WHERE r.login_id = ? AND r.client_id <> l.client_id ORDER BY r.id")
      .bind(loginId)
      .all<Record<string, unknown>>()
  ).results;
}

/** A representative login of Riverbend created for client `clientId` (default: Maria). */
const repLogin = (clientId = 1, username?: string) => createSettledLogin({ clientId, representative: true, username });

describe("Link an existing login: happy path", () => {
  it("finds the login by username or email, links it with its record, logs it, and shows it in the client's table", async () => {
    const login = await repLogin(1, `pat.doe.${crypto.randomUUID().slice(0, 4)}`);
    const faceSheet = await (await staff.get(`/face-sheet/${TARGET}`)).text();
    expect(faceSheet).toContain(`href="${linkPath(TARGET)}/new"`);

    for (const q of [login.username.slice(0, 8).toUpperCase(), `${login.username}@example`]) {
      const found = await staff.get(`${linkPath(TARGET)}/new?q=${encodeURIComponent(q)}`);
      expect(found.status, q).toBe(200);
      const html = await found.text();
      expect(html, q).toContain(`<strong>${login.username}</strong>`);
      expect(html, q).toContain("Created for Maria A.");
    }
    const chosen = await (await staff.get(`${linkPath(TARGET)}/new?login=${login.id}`)).text();
    expect(chosen).toContain(`Record for ${login.username}`);
    expect(chosen).toContain('id="link-one-person"');

    const seqTarget = await lastSeq(TARGET);
    const seqHome = await lastSeq(1);
    const res = await staff.post(linkPath(TARGET), record(login.id, { relationship: "legal-guardian" }));
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe(`/face-sheet/${TARGET}#client-portal-section`);
    expect(await representations(login.id)).toMatchObject([
      { agency_id: 1, client_id: TARGET, name: "Pat Doe", relationship: "legal-guardian", legal_basis: "court-order", start_date: today, end_date: nextYear, ended_at: null },
    ]);
    const entries = await logEntries(TARGET, seqTarget);
    expect(entries.map((e) => [e.actor_name, e.change_type, e.description])).toEqual([
      ["Sam Ortiz", "Portal Login", `Portal Login ${login.username} was linked to this client (representative: legal guardian).`],
    ]);
    expect(JSON.parse(entries[0]!.details).lines).toEqual(["Representative: Pat Doe", "Relationship: legal guardian", "Legal basis: Court order", `From ${today}, ends ${nextYear}`]);
    expect(await logEntries(1, seqHome)).toEqual([]);

    // In the client's Client Portal table, marked linked, with End link; its window says it is one person's.
    const table = await (await staff.get(`/face-sheet/${TARGET}`)).text();
    expect(table.replaceAll("<wbr/>", "")).toContain(`>${login.username}</span></td>`);
    expect(table).toContain("Created for Maria A.");
    expect(table).toContain(`id="end-link-${login.id}"`);
    const window = await (await staff.get(`/face-sheet/${TARGET}/portal-logins/${login.id}/edit`, { htmx: true })).text();
    expect(window).toContain('id="portal-login-linked"');
    // Not in the search any more: it is this client's now.
    expect(await (await staff.get(`${linkPath(TARGET)}/new?q=${login.username}`)).text()).not.toContain(`<strong>${login.username}</strong>`);

    // The person now chooses between the two clients after sign-in.
    const b = new PortalBrowser();
    await b.signIn(login.username, login.password);
    expect((await b.get(PORTAL)).headers.get("Location")).toBe(`${PORTAL}/whose`);
    const whose = await (await b.get(`${PORTAL}/whose`)).text();
    expect(whose).toContain("Maria A.");
    expect(whose).toContain("Priya N.");
  });

  it("takes a parent of a minor without an end date", async () => {
    const login = await repLogin();
    const res = await staff.post(linkPath(11), record(login.id, { legalBasis: "parent-of-minor", endDate: "" }));
    expect(res.status).toBe(303);
    expect(await representations(login.id)).toMatchObject([{ client_id: 11, legal_basis: "parent-of-minor", end_date: null }]);
  });
});

describe("Link an existing login: bad input writes nothing", () => {
  const cases: [string, Record<string, string>, string, string][] = [
    ["no name", { repName: " " }, "repName", "Enter the representative's name."],
    ["an unknown relationship", { relationship: "uncle" }, "relationship", "Choose the relationship to the client."],
    ["Other without saying what", { relationship: "other", relationshipOther: "" }, "relationshipOther", "Say what the relationship is."],
    ["an unknown legal basis", { legalBasis: "friendship" }, "legalBasis", "Choose the legal basis for the representative's access."],
    ["a start in the past", { startDate: "2020-01-01" }, "startDate", "The start date can't be in the past for a new record. Use today (TODAY) or later."],
    ["no start", { startDate: "" }, "startDate", "Enter the start date."],
    ["a start that is no date", { startDate: "31/31/2026" }, "startDate", "Enter the start date as a date, e.g. 06/16/2022."],
    ["end before start", { endDate: "2020-01-01", startDate: "2999-01-02" }, "endDate", "The end date must be after the start date: access ends on the end date."],
    ["an end on the start day (the end date is the first day without access)", { endDate: "2999-01-02", startDate: "2999-01-02" }, "endDate", "The end date must be after the start date: access ends on the end date."],
    ["no end for a court order", { endDate: "" }, "endDate", "Enter the end date (required unless the legal basis is Parent of a minor)."],
  ];
  // The Portal Login window's record rules and messages (src/representatives/record-form.ts): one set for both forms.
  for (const [what, over, field, template] of cases) {
    it(`${what}: 422, the message by the field, values kept`, async () => {
      const message = template.replace("TODAY", `${today.slice(5, 7)}/${today.slice(8, 10)}/${today.slice(0, 4)}`);
      const login = await repLogin();
      const seq = await lastSeq(TARGET);
      const res = await staff.post(linkPath(TARGET), record(login.id, { repName: "Kept Name", ...over }));
      expect(res.status).toBe(422);
      const html = await res.text();
      expect(fieldError(html, field)).toBe(message);
      expect(alertText(html)).toBe("Nothing was saved. Correct the fields marked below.");
      if (field !== "repName") expect(html).toContain('value="Kept Name"');
      expect(await representations(login.id)).toEqual([]);
      expect(await lastSeq(TARGET)).toBe(seq);
    });
  }

  it("a search of one character: 422 with the message, no results", async () => {
    const res = await staff.get(`${linkPath(TARGET)}/new?q=a`);
    expect(res.status).toBe(422);
    expect(fieldError(await res.text(), "q")).toBe("Type at least 2 characters of the Portal Username or email.");
  });
});

describe("Link an existing login: denied", () => {
  let login: CreatedLogin;
  let lakeside: CreatedLogin;
  beforeAll(async () => {
    login = await repLogin();
    lakeside = await createSettledLogin({ agencyId: 2, clientId: LAKESIDE_CLIENT, representative: true });
  });

  it("an auditor: 403 on every route, nothing written", async () => {
    const seq = await lastSeq(TARGET);
    for (const [method, path, form] of [
      ["GET", `${linkPath(TARGET)}/new?q=user`],
      ["POST", linkPath(TARGET), record(login.id)],
      ["POST", `${linkPath(TARGET)}/${login.id}/end`, {}],
    ] as const) {
      const res = method === "GET" ? await auditor.get(path) : await auditor.post(path, form ?? {});
      expect(res.status, path).toBe(403);
    }
    expect(await representations(login.id)).toEqual([]);
    expect(await lastSeq(TARGET)).toBe(seq);
  });

  it("another agency's login, or another agency's client: 404, nothing written", async () => {
    const seq = await lastSeq(TARGET);
    expect((await admin.get(`${linkPath(TARGET)}/new?login=${lakeside.id}`)).status).toBe(404);
    expect((await admin.post(linkPath(TARGET), record(lakeside.id))).status).toBe(404);
    expect(await (await admin.get(`${linkPath(TARGET)}/new?q=${lakeside.username}`)).text()).not.toContain(`<strong>${lakeside.username}</strong>`);
    expect((await admin.get(`${linkPath(LAKESIDE_CLIENT)}/new`)).status).toBe(404);
    expect((await admin.post(linkPath(LAKESIDE_CLIENT), record(login.id))).status).toBe(404);
    expect(await representations(lakeside.id)).toEqual([]);
    expect(await representations(login.id)).toEqual([]);
    expect(await lastSeq(TARGET)).toBe(seq);
    expect(await lastSeq(LAKESIDE_CLIENT)).toBe(0);
  });

  it("a client's own (not representative) login, or the login's own client: 404, nothing written", async () => {
    const own = await createSettledLogin({ clientId: 1 });
    expect((await staff.post(linkPath(TARGET), record(own.id))).status).toBe(404);
    expect((await staff.post(linkPath(1), record(login.id))).status).toBe(404);
    expect(await representations(own.id)).toEqual([]);
    expect(await representations(login.id)).toEqual([]);
    // Its own client's record is untouched.
    expect(await allRecords(login.id)).toMatchObject([{ client_id: 1, name: "Rosa Alvarez", version: 1 }]);
  });

  it("a tampered login id: 404", async () => {
    for (const loginId of ["", "0", "abc", "99999999"]) {
      expect((await staff.post(linkPath(TARGET), { ...record(login.id), loginId })).status, loginId).toBe(404);
    }
  });

  it("a portal user's session opens no staff route", async () => {
    const b = new PortalBrowser();
    await b.signIn(login.username, login.password);
    const res = await b.post(linkPath(TARGET), record(login.id));
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toMatch(/^\/sign-in/);
    expect(await representations(login.id)).toEqual([]);
  });

  it("a blocked person: staff are refused (403, nothing written); an administrator links them", async () => {
    const blocked = await repLogin();
    await sql("UPDATE portal_logins SET blocked_at = ?, blocked_reason = 'custody dispute' WHERE id = ?", Date.now(), blocked.id);
    const form = await (await staff.get(`${linkPath(TARGET)}/new?login=${blocked.id}`)).text();
    expect(form).toContain("Only an administrator can link a blocked person");
    expect(form).not.toContain("Link login</button>");
    const seq = await lastSeq(TARGET);
    const refused = await staff.post(linkPath(TARGET), record(blocked.id));
    expect(refused.status).toBe(403);
    expect(await representations(blocked.id)).toEqual([]);
    expect(await lastSeq(TARGET)).toBe(seq);

    expect((await admin.post(linkPath(TARGET), record(blocked.id))).status).toBe(303);
    expect(await representations(blocked.id)).toHaveLength(1);
    const entry = (await logEntries(TARGET, seq))[0]!;
    expect(JSON.parse(entry.details).lines).toContain("This person is blocked; linked by an administrator.");
    expect(entry.description).not.toContain("custody");
  });
});

describe("End link", () => {
  it("ends this client's link only: logged, the portal session leaves the client, the other link works; linking again takes it up", async () => {
    // The login's record for its own client (made with the login), and the link to the target.
    const login = await repLogin(1);
    expect((await staff.post(linkPath(TARGET), record(login.id))).status).toBe(303);
    const b = new PortalBrowser();
    await b.signIn(login.username, login.password);
    await b.post(`${PORTAL}/whose`, { client: String(TARGET) });
    expect(await (await b.get(PORTAL)).text()).toContain("Representative for <strong>Priya Natarajan</strong>");

    const seq = await lastSeq(TARGET);
    const ended = await staff.post(`${linkPath(TARGET)}/${login.id}/end`, {});
    expect(ended.status).toBe(303);
    expect((await logEntries(TARGET, seq)).map((e) => e.description)).toEqual([
      `Portal Login ${login.username} was unlinked from this client: its access to this client's information has ended.`,
    ]);
    const rows = await allRecords(login.id);
    expect(rows.find((r) => r.client_id === 1)).toMatchObject({ ended_at: null });
    expect(rows.find((r) => r.client_id === TARGET)!.ended_at).not.toBeNull();
    // Not in the target's table any more.
    expect((await (await staff.get(`/face-sheet/${TARGET}`)).text()).replaceAll("<wbr/>", "")).not.toContain(`>${login.username}</span></td>`);
    // The session's next request: Maria's, the one left.
    const home = await (await b.get(PORTAL)).text();
    expect(home).toContain("Representative for <strong>Maria Alvarez</strong>");
    expect(home).not.toContain("Priya");
    // Ending again, or the client's own login: 404.
    expect((await staff.post(`${linkPath(TARGET)}/${login.id}/end`, {})).status).toBe(404);
    expect((await staff.post(`${linkPath(1)}/${login.id}/end`, {})).status).toBe(404);

    // Linking again takes the ended record up, with the new values.
    expect((await staff.post(linkPath(TARGET), record(login.id, { repName: "Pat Q. Doe" }))).status).toBe(303);
    expect((await allRecords(login.id)).find((r) => r.client_id === TARGET)).toMatchObject({ name: "Pat Q. Doe", ended_at: null, version: 3 });
  });
});
