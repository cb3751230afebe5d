/**
 * 42 CFR Part 2's access rule (src/part2/rule.ts): a representative of a client with an open case
 * in a Part 2 programme may sign in, and keep a session, only while a current consent exists for
 * its link to that client. Checked on every request: a consent revoked, expired by date (agency
 * time zone) or ended by its event ends the session on its very next request, with no cron.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { database } from "../../src/db";
import { agencyToday } from "../../src/layout/agency-time";
import { part2ConsentHolds, part2ConsentRequired } from "../../src/part2/rule";
import { seedDemoData } from "./fixtures";
import { alertOf, createSettledLogin, PORTAL, PortalBrowser, sql } from "./portal.fixtures";
import { createConsent, createRepresentation, LUIS, markPart2, riverbendDay, SUD_PROGRAM } from "./part2.fixtures";

const db = () => database(env.DB);
const holds = (loginId: number, clientId = LUIS, today = riverbendDay(0)) => part2ConsentHolds(db(), { agencyId: 1, clientId, loginId, today });

beforeAll(async () => {
  await seedDemoData();
  await markPart2();
});

/** A representative login of Luis with its link; optionally a consent. */
async function representative(consent: Parameters<typeof createConsent>[2] | null = {}) {
  const login = await createSettledLogin({ clientId: LUIS, representative: true });
  const representationId = await createRepresentation(login.id, LUIS);
  const consentId = consent ? await createConsent(representationId, LUIS, consent) : null;
  return { login, representationId, consentId };
}

describe("part2ConsentHolds: the rule", () => {
  it("requires a consent only for a client with an open case in a programme marked Part 2", async () => {
    expect(await part2ConsentRequired(db(), 1, LUIS)).toBe(true);
    // James's Substance Use IOP case is closed: no consent needed.
    expect(await part2ConsentRequired(db(), 1, 2)).toBe(false);
    // Lakeside's programme of the same name is not marked: Omar (Lakeside, open SUD case) needs none.
    expect(await part2ConsentRequired(db(), 2, 14)).toBe(false);
  });

  it("holds with a current consent and not without one", async () => {
    const none = await representative(null);
    expect(await holds(none.login.id)).toBe(false);
    const current = await representative();
    expect(await holds(current.login.id)).toBe(true);
  });

  it("an expiry date ends access on that day in the agency's time zone, like an end date", async () => {
    const { login } = await representative({ expiresOn: riverbendDay(1) });
    expect(await holds(login.id)).toBe(true);
    expect(await holds(login.id, LUIS, riverbendDay(1))).toBe(false);
    const today = await representative({ expiresOn: riverbendDay(0) });
    expect(await holds(today.login.id)).toBe(false);
  });

  it("a revoked, superseded or event-ended consent doesn't hold", async () => {
    for (const spec of [{ revokedAt: Date.now() }, { supersededAt: Date.now() }, { expiryEvent: "discharge", expiresOn: null, eventOccurredAt: Date.now() }]) {
      const { login } = await representative(spec);
      expect(await holds(login.id)).toBe(false);
    }
    const eventOnly = await representative({ expiryEvent: "discharge", expiresOn: null });
    expect(await holds(eventOnly.login.id)).toBe(true);
  });

  it("a consent of a link staff ended, or of another agency, doesn't count", async () => {
    const login = await createSettledLogin({ clientId: LUIS, representative: true });
    const ended = await createRepresentation(login.id, LUIS, { endedAt: Date.now() });
    await createConsent(ended, LUIS);
    expect(await holds(login.id)).toBe(false);
    const other = await representative(null);
    await createConsent(other.representationId, LUIS, { agencyId: 2 });
    expect(await holds(other.login.id)).toBe(false);
  });

  it("unmarking the programme, or closing the case, lifts the requirement", async () => {
    const { login } = await representative(null);
    await markPart2(SUD_PROGRAM, false);
    expect(await holds(login.id)).toBe(true);
    await markPart2(SUD_PROGRAM, true);
    expect(await holds(login.id)).toBe(false);
  });
});

describe("sign-in", () => {
  it("a representative without a current consent is told access has ended (after the password), and gets no session", async () => {
    const { login } = await representative(null);
    const b = new PortalBrowser();
    const res = await b.signIn(login.username, login.password);
    expect(res.status).toBe(403);
    expect(alertOf(await res.text())).toBe("Your access to the Riverbend Behavioral Health Client Portal has ended. Contact Riverbend Behavioral Health if you think this is a mistake.");
    expect([...b.cookies.keys()].some((k) => k.startsWith("__Host-portal_session"))).toBe(false);
    const { results } = await env.DB.prepare("SELECT description FROM client_log WHERE client_id = ? AND description LIKE ?").bind(LUIS, `%as ${login.username}%`).all<{ description: string }>();
    expect(results.map((r) => r.description)).toContain(`Failed Client Portal sign-in as ${login.username}: access has ended: no current 42 CFR Part 2 consent.`);
  });

  it("a wrong password for such a login still gets the generic failure (nothing about consent)", async () => {
    const { login } = await representative(null);
    const res = await new PortalBrowser().signIn(login.username, "not the password at all");
    expect(res.status).toBe(401);
    expect(alertOf(await res.text())).toMatch(/don't match an active login/);
  });

  it("with a current consent the representative signs in; the client's own login never needs one", async () => {
    const { login } = await representative();
    expect((await new PortalBrowser().signIn(login.username, login.password)).status).toBe(303);
    const own = await createSettledLogin({ clientId: LUIS });
    expect((await new PortalBrowser().signIn(own.username, own.password)).status).toBe(303);
  });
});

describe("a session: no request succeeds after the consent ends", () => {
  async function signedIn(consent: Parameters<typeof createConsent>[2] = {}) {
    const r = await representative(consent);
    const b = new PortalBrowser();
    await b.signInReady(r.login);
    expect((await b.get(`${PORTAL}/activity`)).status).toBe(200);
    return { ...r, b };
  }

  const refused = async (b: PortalBrowser) => {
    const res = await b.get(`${PORTAL}/activity`);
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toMatch(/^\/portal\/riverbend\?ended=access(&next=|$)/); // the page it was on rides along (idle-timeout return path)
  };

  it("revoked in the database mid-session: the next request is refused", async () => {
    const { b, consentId } = await signedIn();
    await sql("UPDATE part2_consents SET revoked_at = ? WHERE id = ?", Date.now(), consentId);
    await refused(b);
  });

  it("the expiry date comes mid-session (the date is now today): the next request is refused", async () => {
    const { b, consentId } = await signedIn({ expiresOn: riverbendDay(1) });
    await sql("UPDATE part2_consents SET expires_on = ? WHERE id = ?", riverbendDay(0), consentId);
    await refused(b);
  });

  it("the expiry event recorded mid-session: the next request is refused", async () => {
    const { b, consentId } = await signedIn({ expiryEvent: "discharge", expiresOn: null });
    await sql("UPDATE part2_consents SET event_occurred_at = ? WHERE id = ?", Date.now(), consentId);
    await refused(b);
  });

  it("the programme marked Part 2 mid-session for a representative without consent: the next request is refused", async () => {
    await markPart2(SUD_PROGRAM, false);
    const login = await createSettledLogin({ clientId: LUIS, representative: true });
    await createRepresentation(login.id, LUIS);
    const b = new PortalBrowser();
    await b.signInReady(login);
    expect((await b.get(PORTAL)).status).toBe(200);
    await markPart2(SUD_PROGRAM, true);
    await refused(b);
  });
});

describe("the agency's time zone decides the day", () => {
  it("a consent expiring tomorrow in Pago Pago (UTC−11) holds there, and has ended for an agency in Kiritimati (UTC+14), where that day has come", async () => {
    // The two zones are 25 hours apart: their dates always differ, whatever the time of day.
    const pagoToday = agencyToday("Pacific/Pago_Pago");
    const expiresOn = new Date(Date.parse(`${pagoToday}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    expect(agencyToday("Pacific/Kiritimati") >= expiresOn).toBe(true);
    await sql("UPDATE agencies SET timezone = 'Pacific/Pago_Pago' WHERE id = 1");
    try {
      const { login } = await representative({ expiresOn });
      const b = new PortalBrowser();
      await b.signInReady(login);
      expect((await b.get(`${PORTAL}/activity`)).status).toBe(200);
      // The agency moves: the same instant is already the next day there, so the consent has ended.
      await sql("UPDATE agencies SET timezone = 'Pacific/Kiritimati' WHERE id = 1");
      const res = await b.get(`${PORTAL}/activity`);
      expect(res.status).toBe(303);
      expect(res.headers.get("Location")).toMatch(/^\/portal\/riverbend\?ended=access(&next=|$)/); // the page it was on rides along (idle-timeout return path)
      expect((await new PortalBrowser().signIn(login.username, login.password)).status).toBe(403);
    } finally {
      await sql("UPDATE agencies SET timezone = 'America/New_York' WHERE id = 1");
    }
  });
});
