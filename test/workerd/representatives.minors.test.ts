/**
 * Minors in the Portal Login window (agency settings: own login from 12, majority at 18): a client
 * under the minimum age gets no own login (the window says so and opens on a representative's
 * login; Save refuses 422); from it, the minor's own login and every representative's never share
 * an email, either way round (422 next to the email, nothing written); once of age, the rule no
 * longer applies. The agency's own minimum age is followed.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { Browser } from "./fixtures";
import { fieldError } from "./helpers";
import { addLogin, demoToday, editLogin, loginRow, loginsPath } from "./portal-logins.helpers";
import { createLogin, sql } from "./portal.fixtures";

let admin: Browser;
beforeAll(async () => {
  admin = await Browser.staff("admin@riverbend.test");
});

let n = 0;
const uname = (p: string) => `${p}.${++n}.${crypto.randomUUID().slice(0, 4)}`;

/** A Riverbend client `years` old today (agency time zone). */
async function clientAged(years: number, first = "Kid"): Promise<number> {
  const [y, m, d] = demoToday().split("-").map(Number) as [number, number, number];
  const dob = new Date(Date.UTC(y - years, m - 1, d)).toISOString().slice(0, 10);
  const id = 2000 + Math.floor(Math.random() * 100000);
  await sql(
    `INSERT INTO clients (id, agency_id, client_number, first_name, last_name, first_name_key, last_name_key, date_of_birth) VALUES (?, 1, ?, ?, 'Minor', ?, 'minor', ?)`,
    id,
    `M-${id}`,
    first,
    first.toLowerCase(),
    dob,
  );
  return id;
}

describe("a client under the minimum age (12)", () => {
  it("the window says there is no own login, and opens with Representative checked", async () => {
    const kid = await clientAged(9, "Nina");
    const html = await (await admin.get(`${loginsPath(kid)}/new`, { htmx: true })).text();
    expect(html).toContain("Nina is 9: this client can&#39;t have an own portal login yet (from age 12).");
    expect(html).toMatch(/<input id="f-representative" name="representative" type="checkbox" checked=""/);
  });

  it("refuses an own login (422, next to Representative, nothing written); a parent's login is fine", async () => {
    const kid = await clientAged(11, "Omar");
    const own = uname("omar");
    const res = await addLogin(admin, kid, { username: own, email: `${own}@example.com` });
    expect(res.status).toBe(422);
    expect(fieldError(await res.text(), "representative")).toBe(
      "Omar is 11: a client gets their own portal login from age 12 (agency setting). Check Representative to add a parent's or guardian's login instead.",
    );
    expect(await loginRow(own)).toBeNull();
    const parent = uname("omar.parent");
    expect((await addLogin(admin, kid, { username: parent, email: `${parent}@example.com`, representative: true, record: { legalBasis: "parent-of-minor", endDate: "" } })).status).toBe(200);
  });

  it("follows the agency's own minimum age (10)", async () => {
    await sql("UPDATE agencies SET minor_own_login_age = 10 WHERE id = 1");
    try {
      const kid = await clientAged(11);
      const own = uname("eleven");
      expect((await addLogin(admin, kid, { username: own, email: `${own}@example.com` })).status).toBe(200);
    } finally {
      await sql("UPDATE agencies SET minor_own_login_age = NULL WHERE id = 1");
    }
  });
});

describe("a minor's own login and the representatives' emails", () => {
  it("refuses the minor's own login with a parent's email, and a parent's login with the minor's", async () => {
    const teen = await clientAged(15, "Tess");
    const parent = uname("tess.parent");
    expect((await addLogin(admin, teen, { username: parent, email: "family@example.com", representative: true, record: { legalBasis: "parent-of-minor", endDate: "" } })).status).toBe(200);

    const own = uname("tess");
    const refused = await addLogin(admin, teen, { username: own, email: "FAMILY@example.com " });
    expect(refused.status).toBe(422);
    expect(fieldError(await refused.text(), "email")).toBe(`This is the email of a representative of Tess (${parent}). A minor's own login needs an email of their own.`);
    expect(await loginRow(own)).toBeNull();

    expect((await addLogin(admin, teen, { username: own, email: "tess@example.com" })).status).toBe(200);
    const second = uname("tess.other");
    const clash = await addLogin(admin, teen, { username: second, email: "tess@example.com", representative: true, record: { legalBasis: "parent-of-minor", endDate: "" } });
    expect(clash.status).toBe(422);
    expect(fieldError(await clash.text(), "email")).toBe(`This is the email of Tess's own login (${own}). A representative of a minor needs a different email.`);
    expect(await loginRow(second)).toBeNull();
  });

  it("refuses an Edit that moves the minor's own email onto a parent's (nothing written)", async () => {
    const teen = await clientAged(14, "Ivy");
    const parent = await createLogin({ clientId: teen, representative: true, record: { legalBasis: "parent-of-minor", endDate: null } });
    const own = await createLogin({ clientId: teen });
    const res = await editLogin(admin, teen, own.id, { email: `${parent.username}@example.com` });
    expect(res.status).toBe(422);
    const row = await env.DB.prepare("SELECT email FROM portal_logins WHERE id = ?").bind(own.id).first<{ email: string }>();
    expect(row!.email).toBe(`${own.username}@example.com`);
  });

  it("an adult client's own login may share a representative's email", async () => {
    const adult = await clientAged(30, "Alex");
    const rep = uname("alex.spouse");
    expect((await addLogin(admin, adult, { username: rep, email: "home@example.com", representative: true })).status).toBe(200);
    expect((await addLogin(admin, adult, { username: uname("alex"), email: "home@example.com" })).status).toBe(200);
  });
});
