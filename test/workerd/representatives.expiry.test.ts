/**
 * Access ends on time by itself: on a representative's end date (agency time zone) and on a
 * parent-of-a-minor's majority birthday, every way in stops at once — the signed-in session's next
 * request, a password sign-in (told "access has ended" only after the right password), a passkey
 * sign-in, an emailed invitation link, Forgot password? — without any cron. The hourly cron then
 * writes the client's log entry and emails the notice, once. Staff see upcoming expiries (14 days)
 * in an agency list.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { database } from "../../src/db";
import { recordEndedRepresentations } from "../../src/representatives/expiry";
import { Browser, DEMO } from "./fixtures";
import { alertText } from "./helpers";
import { demoToday } from "./portal-logins.helpers";
import { inviteLogin, MailingPortal, MailingStaff, openLink } from "./portal-links.fixtures";
import { loginWithPasskey, portalPasskeySignIn, signedInLogin } from "./portal-passkeys.fixtures";
import { createLogin, createSettledLogin, GENERIC_FAILURE, logEntries, PORTAL, PORTAL_COOKIE, PortalBrowser, sql } from "./portal.fixtures";

const ENDED = "Your access to the Riverbend Behavioral Health Client Portal has ended. Contact Riverbend Behavioral Health if you think this is a mistake.";

/** Ends a login's record by date: its end date becomes today (agency time zone). */
const endToday = (loginId: number) => sql("UPDATE portal_representations SET end_date = ? WHERE login_id = ?", demoToday(), loginId);

/** A client of Riverbend born `years` ago today (agency time zone), minus `days`. */
async function clientAged(years: number, days = 0): Promise<{ id: number; dob: string }> {
  const [y, m, d] = demoToday().split("-").map(Number) as [number, number, number];
  const dob = new Date(Date.UTC(y - years, m - 1, d - days)).toISOString().slice(0, 10);
  const id = 1000 + Math.floor(Math.random() * 100000);
  await sql(
    `INSERT INTO clients (id, agency_id, client_number, first_name, last_name, first_name_key, last_name_key, date_of_birth) VALUES (?, 1, ?, 'Teen', 'Young', 'teen', 'young', ?)`,
    id,
    `T-${id}`,
    dob,
  );
  return { id, dob };
}

describe("the end date ends a session at its next request", () => {
  it("a representative signed in before the end date: the next click ends at 'access has ended', the cookie gone", async () => {
    const { login, b } = await signedInLogin({ representative: true, clientId: DEMO.maria });
    expect((await b.get(`${PORTAL}/activity`)).status).toBe(200);
    await endToday(login.id);
    const next = await b.get(`${PORTAL}/activity`);
    expect(next.status).toBe(303);
    expect(next.headers.get("Location")).toBe(`${PORTAL}?ended=access&next=${encodeURIComponent(`${PORTAL}/activity`)}`);
    expect(b.cookies.has(PORTAL_COOKIE)).toBe(false);
    const page = await (await b.get(next.headers.get("Location")!)).text();
    expect(alertText(page)).toBe(ENDED);
  });

  it("Home itself says so on the request that finds the end", async () => {
    const { login, b } = await signedInLogin({ representative: true, clientId: DEMO.maria });
    await endToday(login.id);
    const res = await b.get(PORTAL);
    expect(res.status).toBe(200);
    expect(alertText(await res.text())).toBe(ENDED);
  });

  it("staff see the status Expired (representative) in the Client Portal table", async () => {
    const login = await createLogin({ representative: true, clientId: DEMO.james });
    await endToday(login.id);
    const admin = await Browser.staff("admin@riverbend.test");
    const html = await (await admin.get(`/face-sheet/${DEMO.james}`)).text();
    expect(html.replaceAll("<wbr/>", "")).toMatch(new RegExp(`${login.username}[\\s\\S]*?>Expired \\(representative\\)<`));
  });

  it("the day before the end date, access still holds", async () => {
    const { login, b } = await signedInLogin({ representative: true, clientId: DEMO.maria });
    await sql("UPDATE portal_representations SET end_date = ? WHERE login_id = ?", demoToday(1), login.id);
    expect((await b.get(`${PORTAL}/activity`)).status).toBe(200);
  });

  it("a JSON endpoint answers 401 with the access-ended redirect", async () => {
    const { login, b } = await signedInLogin({ representative: true, clientId: DEMO.maria });
    await endToday(login.id);
    const res = await b.fetch(`${PORTAL}/passkeys/options`, { method: "POST", headers: { "Content-Type": "application/json", Origin: "http://localhost" }, body: "{}" });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { redirect: string }).redirect).toBe(`${PORTAL}?ended=access`);
  });

  it("a record not started yet lets no one in", async () => {
    const login = await createSettledLogin({ representative: true, clientId: DEMO.maria, record: { startDate: demoToday(1) } });
    const res = await new PortalBrowser().signIn(login.username, login.password);
    expect(res.status).toBe(403);
    expect(alertText(await res.text())).toContain("has not started yet");
  });
});

describe("sign-in after the end", () => {
  it("the right password is told access has ended (403), no session, and staff see why", async () => {
    const login = await createSettledLogin({ representative: true, clientId: DEMO.maria });
    await endToday(login.id);
    const b = new PortalBrowser();
    const res = await b.signIn(login.username, login.password);
    expect(res.status).toBe(403);
    expect(alertText(await res.text())).toBe(ENDED);
    expect(b.cookies.has(PORTAL_COOKIE)).toBe(false);
    const entry = (await logEntries(DEMO.maria)).at(-1)!;
    expect(entry.description).toBe(`Failed Client Portal sign-in as ${login.username}: access has ended: the representative's end date has come.`);
  });

  it("a wrong password learns nothing about the end (the generic failure)", async () => {
    const login = await createSettledLogin({ representative: true, clientId: DEMO.maria });
    await endToday(login.id);
    const res = await new PortalBrowser().signIn(login.username, "not the password at all");
    expect(res.status).toBe(401);
    expect(alertText(await res.text())).toBe(GENERIC_FAILURE);
  });

  it("an older representative login without a record can't sign in", async () => {
    const login = await createSettledLogin({ representative: true, clientId: DEMO.maria, record: null });
    const res = await new PortalBrowser().signIn(login.username, login.password);
    expect(res.status).toBe(403);
  });

  it("a passkey sign-in after the end is refused with the same words, no session", async () => {
    const { login, auth } = await loginWithPasskey({ representative: true, clientId: DEMO.maria });
    await endToday(login.id);
    const b = new PortalBrowser();
    const { res, data } = await portalPasskeySignIn(b, auth);
    expect(res.status).toBe(403);
    expect(data.error).toBe(ENDED);
    expect(b.cookies.has(PORTAL_COOKIE)).toBe(false);
  });
});

describe("emailed links and Forgot password? after the end", () => {
  let staff: MailingStaff;
  beforeAll(async () => {
    staff = (await MailingStaff.staff("admin@riverbend.test")) as MailingStaff;
  });

  it("an invitation link of a representative whose access ended can't be used (410, says why)", async () => {
    const { link, id } = await inviteLogin(staff, DEMO.maria, { representative: true });
    await endToday(id);
    const res = await openLink(new MailingPortal(), link.path);
    expect(res.status).toBe(410);
    expect(alertText(await res.text())).toBe(ENDED);
  });

  it("Forgot password? sends no reset link to a representative whose access ended", async () => {
    const login = await createSettledLogin({ representative: true, clientId: DEMO.maria });
    await endToday(login.id);
    const res = await new MailingPortal().post(`${PORTAL}/forgot-password`, { account: login.username });
    expect(res.status).toBe(200);
    const tokens = await env.DB.prepare("SELECT COUNT(*) AS n FROM portal_tokens WHERE login_id = ?").bind(login.id).first<{ n: number }>();
    expect(tokens!.n).toBe(0);
  });
});

describe("the age of majority", () => {
  it("a parent of a minor loses access on the 18th birthday; the client's own login keeps working", async () => {
    // Signed in the day before the birthday; then the day comes (the date of birth moved by a day).
    const teen = await clientAged(18, -1);
    const parent = await signedInLogin({ representative: true, clientId: teen.id, record: { legalBasis: "parent-of-minor", endDate: null, startDate: "2020-01-01" } });
    const own = await signedInLogin({ clientId: teen.id });
    expect((await parent.b.get(`${PORTAL}/activity`)).status).toBe(200);
    const [y, m, d] = demoToday().split("-").map(Number) as [number, number, number];
    await sql("UPDATE clients SET date_of_birth = ? WHERE id = ?", new Date(Date.UTC(y - 18, m - 1, d)).toISOString().slice(0, 10), teen.id);
    const next = await parent.b.get(`${PORTAL}/activity`);
    expect(next.headers.get("Location")).toBe(`${PORTAL}?ended=access&next=${encodeURIComponent(`${PORTAL}/activity`)}`);
    expect((await own.b.get(`${PORTAL}/activity`)).status).toBe(200);
  });

  it("the day before the 18th birthday the parent is still in; with a court-ordered guardianship, after it too", async () => {
    const almost = await clientAged(18, -1);
    expect((await signedInLogin({ representative: true, clientId: almost.id, record: { legalBasis: "parent-of-minor", endDate: null, startDate: "2020-01-01" } })).b.cookies.has(PORTAL_COOKIE)).toBe(true);
    const adult = await clientAged(18);
    const guardian = await signedInLogin({ representative: true, clientId: adult.id, record: { legalBasis: "parent-of-minor", endDate: null, guardianship: true, startDate: "2020-01-01" } });
    expect((await guardian.b.get(`${PORTAL}/activity`)).status).toBe(200);
  });
});

describe("the hourly cron records each end once and emails the notice", () => {
  it("writes the entry and end_recorded_at, emails the access-ended notice; a second run does nothing", async () => {
    const login = await createLogin({ representative: true, clientId: DEMO.james, record: { name: "Ada Okafor" } });
    await endToday(login.id);
    const now = Date.now();
    expect(await recordEndedRepresentations(env, database(env.DB), now)).toBeGreaterThanOrEqual(1);
    const row = await env.DB.prepare("SELECT end_recorded_at FROM portal_representations WHERE login_id = ?").bind(login.id).first<{ end_recorded_at: number }>();
    expect(row!.end_recorded_at).toBe(now);
    const entries = (await logEntries(DEMO.james)).filter((e) => e.description === `Representative access of Portal Login ${login.username} (Ada Okafor) ended.`);
    expect(entries).toHaveLength(1);
    const emails = await env.DB.prepare("SELECT kind, status FROM portal_emails WHERE login_id = ?").bind(login.id).all<{ kind: string; status: string }>();
    expect(emails.results).toEqual([{ kind: "notice:access-ended", status: "sent" }]);

    await recordEndedRepresentations(env, database(env.DB), now + 3_600_000);
    expect((await logEntries(DEMO.james)).filter((e) => e.description.startsWith(`Representative access of Portal Login ${login.username}`))).toHaveLength(1);
    expect((await env.DB.prepare("SELECT COUNT(*) AS n FROM portal_emails WHERE login_id = ?").bind(login.id).first<{ n: number }>())!.n).toBe(1);
  });

  it("records nothing for an access still in force, and sends a blocked login no notice", async () => {
    const current = await createLogin({ representative: true, clientId: DEMO.james, record: { endDate: demoToday(1) } });
    const blocked = await createLogin({ representative: true, clientId: DEMO.james, blockedAt: Date.now() });
    await endToday(blocked.id);
    await recordEndedRepresentations(env, database(env.DB), Date.now());
    const rec = (id: number) => env.DB.prepare("SELECT end_recorded_at FROM portal_representations WHERE login_id = ?").bind(id).first<{ end_recorded_at: number | null }>();
    expect((await rec(current.id))!.end_recorded_at).toBeNull();
    expect((await rec(blocked.id))!.end_recorded_at).not.toBeNull();
    expect((await env.DB.prepare("SELECT COUNT(*) AS n FROM portal_emails WHERE login_id = ?").bind(blocked.id).first<{ n: number }>())!.n).toBe(0);
  });
});

describe("Reports Menu › Representative expiries", () => {
  it("lists the agency's representatives whose access ends within 14 days, soonest first, with majority birthdays", async () => {
    const soon = await createLogin({ representative: true, clientId: DEMO.maria, record: { name: "Ends Soon", endDate: demoToday(3) } });
    const later = await createLogin({ representative: true, clientId: DEMO.maria, record: { name: "Ends Later", endDate: demoToday(30) } });
    const teen = await clientAged(18, -10);
    await createLogin({ representative: true, clientId: teen.id, record: { name: "Teen Parent", legalBasis: "parent-of-minor", endDate: null } });
    const staff = await Browser.staff("staff@riverbend.test");
    const res = await staff.get("/representatives/expiries");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("Ends Soon");
    expect(html).toContain("(in 3 days)");
    expect(html).toContain("Teen Parent");
    expect(html).toContain("Client&#39;s 18th birthday");
    expect(html).not.toContain("Ends Later");
    expect(html.indexOf("Ends Soon")).toBeLessThan(html.indexOf("Teen Parent"));
    expect(html).toContain(soon.username);
    void later;
  });

  it("another agency sees none of them", async () => {
    await createLogin({ representative: true, clientId: DEMO.maria, record: { name: "Riverbend Only", endDate: demoToday(2) } });
    const html = await (await (await Browser.staff("admin@lakeside.test")).get("/representatives/expiries")).text();
    expect(html).not.toContain("Riverbend Only");
  });

  it("without a staff session, it is the sign-in page (no data)", async () => {
    const res = await new Browser().get("/representatives/expiries");
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toContain("/sign-in");
  });
});
