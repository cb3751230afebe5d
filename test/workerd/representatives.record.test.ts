/**
 * The representative record in the Portal Login window: asked for with Representative, saved with
 * the login in one commit and one entry, shown in the Client Portal table, changed with before →
 * after lines; every bad input (end before start, past start for a new record, no end date unless
 * parent of a minor, parent of a minor for an adult) answered 422 next to the field with nothing
 * written; other agencies' ids 404; roles without portal-logins.manage 403. An older representative
 * login without a record is "Record needed" and can't sign in until staff complete it.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { Browser, DEMO } from "./fixtures";
import { alertText, fieldError } from "./helpers";
import { addLogin, demoToday, editLogin, loginRow, loginsPath, logEntries } from "./portal-logins.helpers";
import { createLogin, createRecord } from "./portal.fixtures";

const GRACE = 11; // Riverbend, born 2009-05-19: a minor
let admin: Browser;
let auditor: Browser;
beforeAll(async () => {
  admin = await Browser.staff("admin@riverbend.test");
  auditor = await Browser.staff("auditor@riverbend.test");
});

interface RecordRow {
  id: number;
  name: string;
  relationship: string;
  legal_basis: string;
  start_date: string;
  end_date: string | null;
  guardianship: number;
  version: number;
  ended_at: number | null;
}
const recordOf = (loginId: number) => env.DB.prepare("SELECT * FROM portal_representations WHERE login_id = ?").bind(loginId).first<RecordRow>();
const countRecords = async () => (await env.DB.prepare("SELECT COUNT(*) AS n FROM portal_representations").first<{ n: number }>())!.n;

let n = 0;
const uname = (p: string) => `${p}.${++n}.${crypto.randomUUID().slice(0, 4)}`;

describe("representative record: add", () => {
  it("the window asks for the record's fields, with the client's 18th birthday shown for a parent of a minor", async () => {
    const html = await (await admin.get(`${loginsPath(GRACE)}/new`, { htmx: true })).text();
    for (const label of ["Full name", "Relationship", "Legal basis", "Start date", "End date", "Court-ordered guardianship recorded"]) expect(html).toContain(label);
    expect(html).toContain("Grace&#39;s 18th birthday (05/19/2027)");
    expect(html).toContain('<option value="parent-of-minor">Parent of a minor</option>');
  });

  it("for an adult client the window says Parent of a minor needs a guardianship, not a birthday that has passed", async () => {
    // Maria (Riverbend, client 1) is an adult: her 18th birthday is long past.
    const html = await (await admin.get(`${loginsPath(DEMO.maria)}/new`, { htmx: true })).text();
    expect(html).toMatch(/Parent of a minor: Maria turned 18 on \d\d\/\d\d\/\d{4}, so it applies only with a court-ordered guardianship recorded\./);
    expect(html).toContain("Required unless the legal basis is Parent of a minor with a court-ordered guardianship.");
    expect(html).not.toContain("Maria&#39;s 18th birthday");
  });

  it("saves the login and its record in one commit, one entry naming the record, and the table shows it", async () => {
    const username = uname("grace.parent");
    const res = await addLogin(admin, GRACE, {
      username,
      email: `${username}@example.com`,
      representative: true,
      record: { repName: "Helen Park", relationship: "parent", legalBasis: "parent-of-minor", endDate: "", startDate: demoToday() },
    });
    expect(res.status).toBe(200);
    const login = (await loginRow(username))!;
    const record = (await recordOf(login.id))!;
    expect(record).toMatchObject({ name: "Helen Park", relationship: "parent", legal_basis: "parent-of-minor", start_date: demoToday(), end_date: null, guardianship: 0, version: 1 });
    const entry = (await logEntries(GRACE)).at(-1)!;
    expect(entry.description).toBe("Added a new portal login");
    expect(entry.details.lines).toContain(`Representative record: Helen Park, Parent, Parent of a minor, from ${demoToday().slice(5, 7)}/${demoToday().slice(8)}/${demoToday().slice(0, 4)}, ends at the age of majority`);
    const table = await res.text();
    expect(table).toContain("Helen Park");
    expect(table).toContain("Parent · Parent of a minor");
    expect(table).toContain("ends 05/19/2027 (18th birthday)");
  });

  it.each([
    ["end before start", { startDate: demoToday(2), endDate: demoToday(1) }, "endDate", "The end date must be after the start date: access ends on the end date."],
    ["end equal to start", { startDate: demoToday(2), endDate: demoToday(2) }, "endDate", "The end date must be after the start date: access ends on the end date."],
    ["a past start date for a new record", { startDate: demoToday(-1) }, "startDate", "The start date can't be in the past for a new record."],
    ["no end date for a client's authorisation", { endDate: "" }, "endDate", "Enter the end date (required unless the legal basis is Parent of a minor)."],
    ["no name", { repName: "  " }, "repName", "Enter the representative's name."],
    ["an unknown relationship", { relationship: "neighbour" }, "relationship", "Choose the relationship to the client."],
    ["Other without saying what", { relationship: "other", relationshipOther: "" }, "relationshipOther", "Say what the relationship is."],
    ["not a date", { startDate: "31/31/2026" }, "startDate", "Enter the start date as a date"],
  ])("refuses %s: 422, the message next to the field, nothing written", async (_name, record, field, message) => {
    const before = await countRecords();
    const username = uname("bad");
    const res = await addLogin(admin, DEMO.maria, { username, email: `${username}@example.com`, representative: true, record });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(alertText(html)).toContain("Nothing was saved");
    expect(fieldError(html, field)).toContain(message);
    expect(await loginRow(username)).toBeNull();
    expect(await countRecords()).toBe(before);
  });

  it("refuses Parent of a minor for a client already of age, unless a court-ordered guardianship is recorded", async () => {
    const username = uname("maria.mother");
    const refused = await addLogin(admin, DEMO.maria, { username, email: `${username}@example.com`, representative: true, record: { legalBasis: "parent-of-minor", endDate: "" } });
    expect(refused.status).toBe(422);
    expect(fieldError(await refused.text(), "legalBasis")).toMatch(/^Maria is 39, past the 18th birthday \(03\/14\/2005\): Parent of a minor no longer applies/);
    expect(await loginRow(username)).toBeNull();
    const ok = await addLogin(admin, DEMO.maria, { username, email: `${username}@example.com`, representative: true, record: { legalBasis: "parent-of-minor", endDate: "", guardianship: true } });
    expect(ok.status).toBe(200);
    expect(await recordOf((await loginRow(username))!.id)).toMatchObject({ guardianship: 1, end_date: null });
  });

  it("keeps what was typed after a refusal", async () => {
    const res = await addLogin(admin, DEMO.maria, { username: uname("kept"), email: "kept@example.com", representative: true, record: { repName: "Kept Name", endDate: "" } });
    const html = await res.text();
    expect(html).toContain('value="Kept Name"');
    expect(html).toContain('<option value="parent" selected="">Parent</option>');
  });

  it("another agency's client is not found, and nothing is written", async () => {
    const before = await countRecords();
    const res = await addLogin(admin, DEMO.hannah, { username: uname("lakeside"), email: "x@example.com", representative: true });
    expect(res.status).toBe(404);
    expect(await countRecords()).toBe(before);
  });

  it("an auditor can't add one (403), nothing written", async () => {
    const before = await countRecords();
    const res = await addLogin(auditor, DEMO.maria, { username: uname("auditor"), email: "x@example.com", representative: true });
    expect(res.status).toBe(403);
    expect(await countRecords()).toBe(before);
  });
});

describe("representative record: edit", () => {
  async function addRep(clientId = DEMO.maria) {
    const username = uname("edit");
    expect((await addLogin(admin, clientId, { username, email: `${username}@example.com`, representative: true, record: { repName: "First Name" } })).status).toBe(200);
    const login = (await loginRow(username))!;
    return { username, login, record: (await recordOf(login.id))! };
  }

  it("the Edit window opens with the stored record", async () => {
    const { login } = await addRep();
    const html = await (await admin.get(`${loginsPath(DEMO.maria)}/${login.id}/edit`, { htmx: true })).text();
    expect(html).toContain('value="First Name"');
    expect(html).toContain('name="recordVersion" value="1"');
    expect(html).toContain("Block this person");
  });

  it("logs each changed field before → after in one entry; the client's Activity says only that the record changed", async () => {
    const { login } = await addRep();
    const res = await editLogin(admin, DEMO.maria, login.id, {
      email: login.email,
      representative: true,
      record: { repName: "Second Name", relationship: "legal-guardian", legalBasis: "court-order", endDate: demoToday(30), recordVersion: "1" },
    });
    expect(res.status).toBe(200);
    expect(await recordOf(login.id)).toMatchObject({ name: "Second Name", relationship: "legal-guardian", legal_basis: "court-order", end_date: demoToday(30), version: 2 });
    const entry = (await logEntries(DEMO.maria)).at(-1)!;
    const show = (d: string) => `${d.slice(5, 7)}/${d.slice(8)}/${d.slice(0, 4)}`;
    expect(entry.details.lines).toEqual([
      "Representative name: First Name → Second Name",
      "Relationship: Parent → Legal guardian",
      "Legal basis: Client's authorisation → Court order",
      `End date: ${show(demoToday(365))} → ${show(demoToday(30))}`,
    ]);
    expect(entry.details.portal!.description).toBe(`Portal Login ${login.username} was modified by Dana Whitfield. Changes: Representative record updated`);
  });

  it("a Save opened on an older record is a conflict (409), nothing written", async () => {
    const { login } = await addRep();
    await editLogin(admin, DEMO.maria, login.id, { email: login.email, representative: true, record: { repName: "By Someone Else", recordVersion: "1" } });
    const entries = (await logEntries(DEMO.maria)).length;
    const res = await editLogin(admin, DEMO.maria, login.id, { email: login.email, representative: true, record: { repName: "Stale", recordVersion: "1" } });
    expect(res.status).toBe(409);
    expect((await recordOf(login.id))!.name).toBe("By Someone Else");
    expect((await logEntries(DEMO.maria)).length).toBe(entries);
  });

  it("keeps a past start date already stored, but refuses moving it into the past", async () => {
    const login = await createLogin({ clientId: DEMO.maria, representative: true, record: { startDate: "2024-01-01", endDate: demoToday(100) } });
    const base = { email: `${login.username}@example.com`, representative: true };
    const kept = await editLogin(admin, DEMO.maria, login.id, { ...base, record: { repName: "Rosa A.", startDate: "2024-01-01", endDate: demoToday(100), recordVersion: "1" } });
    expect(kept.status).toBe(200);
    const moved = await editLogin(admin, DEMO.maria, login.id, { ...base, record: { repName: "Rosa A.", startDate: "2023-01-01", endDate: demoToday(100), recordVersion: "2" } });
    expect(moved.status).toBe(422);
    expect(fieldError(await moved.text(), "startDate")).toContain("The start date can't be moved into the past. Keep 01/01/2024");
    expect((await recordOf(login.id))!.start_date).toBe("2024-01-01");
  });

  it("an older representative login without a record shows Record needed, and Save requires the record", async () => {
    const login = await createLogin({ clientId: DEMO.james, representative: true, record: null });
    const section = await (await admin.get(`/face-sheet/${DEMO.james}`)).text();
    expect(section).toContain(">Record needed<");
    const window = await (await admin.get(`${loginsPath(DEMO.james)}/${login.id}/edit`, { htmx: true })).text();
    expect(window).toContain("This representative login has no record yet, so it can&#39;t sign in.");
    const refused = await editLogin(admin, DEMO.james, login.id, { email: `${login.username}@example.com`, representative: true, record: { repName: "" } });
    expect(refused.status).toBe(422);
    expect(await recordOf(login.id)).toBeNull();
    const saved = await editLogin(admin, DEMO.james, login.id, { email: `${login.username}@example.com`, representative: true });
    expect(saved.status).toBe(200);
    expect(await recordOf(login.id)).toMatchObject({ name: "Rosa Alvarez", version: 1 });
  });

  it("clearing Representative ends the record (kept as history) and logs it", async () => {
    const login = await createLogin({ clientId: DEMO.maria, representative: true });
    const res = await editLogin(admin, DEMO.maria, login.id, { email: `${login.username}@example.com`, representative: false });
    expect(res.status).toBe(200);
    expect((await recordOf(login.id))!.ended_at).not.toBeNull();
    expect((await logEntries(DEMO.maria)).at(-1)!.details.lines).toEqual(["Representative: Yes → No", "Representative record ended"]);
  });

  // Merged with families (issue 11 item 5, src/clients/linked-logins.ts): a representative login
  // linked to this client by a record in force is one of this client's logins, so its window
  // opens from here; one not linked (or whose link staff ended) is another client's: 404.
  it("a login of another client can't be edited through this client's URL (404) unless linked to it", async () => {
    const login = await createLogin({ clientId: DEMO.james, representative: true });
    expect((await editLogin(admin, DEMO.maria, login.id, { email: "x@example.com", representative: true })).status).toBe(404);
    const recordId = await createRecord(login.id, DEMO.maria);
    expect((await editLogin(admin, DEMO.maria, login.id, { email: "x@example.com", representative: true })).status).toBe(200);
    await env.DB.prepare("UPDATE portal_representations SET ended_at = ? WHERE id = ?").bind(Date.now(), recordId).run();
    expect((await editLogin(admin, DEMO.maria, login.id, { email: "y@example.com", representative: true })).status).toBe(404);
  });
});
