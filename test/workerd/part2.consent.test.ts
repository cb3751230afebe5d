/**
 * The Portal Login window's 42 CFR Part 2 consent: recording a consent with every §2.31 element
 * (bad input → the message next to the field, 422, nothing written), a new consent superseding
 * the one in force, Revoke consent and "the expiry event has occurred" ending access at once
 * (the representative's next request refused) with their client-log entries, a representative
 * that can't be saved active without a current consent, and who may do any of it.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { Browser, seedDemoData } from "./fixtures";
import { alertText, fieldError, noticeText } from "./helpers";
import { tableRows } from "./portal-logins.helpers";
import { createSettledLogin, loginRow, PORTAL, PortalBrowser, PORTAL_COOKIE, logEntries, lastSeq } from "./portal.fixtures";
import { consentForm, consentRows, createConsent, createRepresentation, LUIS, markPart2, recordFields } from "./part2.fixtures";
import { riverbendDay } from "./part2.fixtures";
import { database } from "../../src/db";
import { findRepresentation, recordConsent } from "../../src/part2/consents";
import { parseConsentForm } from "../../src/part2/consent-form";

let admin: Browser;
beforeAll(async () => {
  await seedDemoData();
  await markPart2();
  admin = await Browser.staff("admin@riverbend.test");
});

const base = (loginId: number, clientId = LUIS) => `/face-sheet/${clientId}/portal-logins/${loginId}`;

async function representative(withConsent = false) {
  const login = await createSettledLogin({ clientId: LUIS, representative: true });
  const representationId = await createRepresentation(login.id, LUIS);
  const consentId = withConsent ? await createConsent(representationId, LUIS) : null;
  return { login, representationId, consentId };
}

describe("the consent section in the window", () => {
  it("Edit on a representative login shows the section, prefilled with the client, the agency and the representative", async () => {
    const { login } = await representative();
    const html = await (await admin.get(`${base(login.id)}/edit`, { htmx: true })).text();
    expect(html).toContain('id="part2-consent"');
    expect(html).toContain("This client has an open case in a 42 CFR Part 2 programme");
    expect(html).toContain('name="clientName" type="text" value="Luis Ortega"');
    expect(html).toContain('name="discloser" type="text" value="Riverbend Behavioral Health"');
    expect(html).toContain('name="recipient" type="text" value="Rosa Ortega"');
    expect(html).toContain("No consent in force.");
  });

  it("the client's own login has no consent section", async () => {
    const own = await createSettledLogin({ clientId: LUIS });
    const html = await (await admin.get(`${base(own.id)}/edit`, { htmx: true })).text();
    expect(html).not.toContain('id="part2-consent"');
  });
});

describe("recording a consent", () => {
  it("saves every element, logs it, and lets the representative sign in", async () => {
    const { login, representationId } = await representative();
    const before = await lastSeq(LUIS);
    const res = await admin.post(`${base(login.id)}/consent`, consentForm({ signedBy: "other", signerAuthority: "Court-appointed guardian", signedOnPaper: "on" }), { htmx: true });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(noticeText(html)).toBe("Consent recorded. Rosa Ortega may see the client's records while it is in force.");
    expect(html).toContain("Consent in force");
    const [row] = await consentRows(representationId);
    expect(row).toMatchObject({
      client_name: "Luis Ortega",
      discloser: "Riverbend Behavioral Health",
      recipient: "Rosa Ortega",
      purpose: "To support Luis in his treatment",
      expires_on: riverbendDay(180),
      signed_on: riverbendDay(0),
      signer_authority: "Court-appointed guardian",
      right_to_revoke_stated: 1,
      signed_on_paper: 1,
      revoked_at: null,
    });
    const [entry] = await logEntries(LUIS, before);
    expect(entry!.change_type).toBe("Part 2 Consent");
    expect(entry!.description).toBe("42 CFR Part 2 consent recorded: Luis Ortega consents to disclosure to Rosa Ortega (representative).");
    expect(JSON.parse(entry!.details).lines).toContain("Purpose: To support Luis in his treatment");
    expect((await new PortalBrowser().signIn(login.username, login.password)).status).toBe(303);
  });

  it("a new consent supersedes the one in force", async () => {
    const { login, representationId, consentId } = await representative(true);
    expect((await admin.post(`${base(login.id)}/consent`, consentForm({ expiresOn: "", expiryEvent: "discharge from the programme" }), { htmx: true })).status).toBe(200);
    const rows = await consentRows(representationId);
    expect(rows).toHaveLength(2);
    expect(rows[0]!.id).toBe(consentId);
    expect(rows[0]!.superseded_at).not.toBeNull();
    expect(rows[1]).toMatchObject({ expires_on: null, expiry_event: "discharge from the programme", superseded_at: null });
  });

  const bad: [string, Record<string, string | undefined>, string, string][] = [
    ["no purpose", { purpose: "" }, "purpose", "Enter the purpose of the disclosure, as on the form."],
    ["no information", { information: "  " }, "information", "Enter how much and what kind of information may be disclosed."],
    ["no recipient", { recipient: "" }, "recipient", "Enter the recipient: the representative, by name."],
    ["no client name", { clientName: "" }, "clientName", "Enter the client's name as on the signed form."],
    ["no discloser", { discloser: "" }, "discloser", "Enter who may disclose the information (the agency)."],
    ["neither expiry date nor event", { expiresOn: "", expiryEvent: "" }, "expiresOn", "Enter the date the consent expires, or the event that ends it (or both: whichever comes first)."],
    ["expiry before the signature", { signedOn: riverbendDay(-10), expiresOn: riverbendDay(-20) }, "expiresOn", "The expiry date must be after the signature date."],
    ["an expiry already past", { signedOn: riverbendDay(-10), expiresOn: riverbendDay(-1) }, "expiresOn", "The expiry date must be after today: access ends on the expiry date, so this consent would already have ended."],
    ["an expiry today (access ends on the expiry date)", { signedOn: riverbendDay(-10), expiresOn: riverbendDay(0) }, "expiresOn", "The expiry date must be after today: access ends on the expiry date, so this consent would already have ended."],
    ["a signature in the future", { signedOn: riverbendDay(1) }, "signedOn", "The signature date is in the future. Enter the date the form was signed."],
    ["no signature date", { signedOn: "" }, "signedOn", "Enter the date the form was signed."],
    ["a date that isn't one", { signedOn: "2026-02-30" }, "signedOn", "Enter the Signature date as a date, e.g. 06/16/2022."],
    ["signed by someone else without their authority", { signedBy: "other", signerAuthority: "" }, "signerAuthority", "Enter the signer's authority to sign for the client (e.g. court-appointed guardian)."],
    ["the right to revoke not stated", { rightToRevoke: undefined }, "rightToRevoke", "A consent must state the client's right to revoke it (42 CFR §2.31(a)(4)). Check this only if the signed form says so."],
    ["an unknown signer choice", { signedBy: "neighbour" }, "signedBy", "Choose who signed the form."],
  ];
  for (const [what, overrides, field, message] of bad) {
    it(`${what}: the message next to the field, 422, nothing written, values kept`, async () => {
      const { login, representationId } = await representative();
      const before = await lastSeq(LUIS);
      const res = await admin.post(`${base(login.id)}/consent`, consentForm(overrides), { htmx: true });
      expect(res.status).toBe(422);
      const html = await res.text();
      expect(fieldError(html, field)).toBe(message);
      expect(alertText(html)).toBe("The consent was not saved. Correct the fields marked below.");
      const typed = consentForm(overrides);
      expect(html).toContain(typed.purpose || typed.information);
      expect(await consentRows(representationId)).toHaveLength(0);
      expect(await lastSeq(LUIS)).toBe(before);
    });
  }

  it("a link ended by staff: 409 from the window; ended between the read and the write: nothing written, the old consent ended with the link", async () => {
    const { login, representationId, consentId } = await representative(true);
    const db = database(env.DB);
    const stale = (await findRepresentation(db, 1, LUIS, login.id))!;
    const endedAt = Date.now();
    await env.DB.prepare("UPDATE portal_representations SET ended_at = ? WHERE id = ?").bind(endedAt, representationId).run();
    expect((await admin.post(`${base(login.id)}/consent`, consentForm(), { htmx: true })).status).toBe(409);
    const form = parseConsentForm(consentForm(), riverbendDay(0));
    if (!form.ok) throw new Error("the fixture form should be valid");
    const before = await lastSeq(LUIS);
    const who = { agencyId: 1, clientId: LUIS, representation: stale, username: login.username, actor: { type: "staff" as const, id: 1, name: "Dana Whitfield" } };
    expect(await recordConsent(env, db, who, form.data, Date.now())).toEqual({ recorded: false });
    const rows = await consentRows(representationId);
    // The only consent is the old one, ended when its link ended (migration 0014's trigger), not by this call.
    expect(rows.map((r) => [r.id, r.superseded_at])).toEqual([[consentId, endedAt]]);
    expect(await lastSeq(LUIS)).toBe(before);
  });

  it("a login with no representative's record: 409, nothing written", async () => {
    const login = await createSettledLogin({ clientId: LUIS, representative: true, record: null });
    const res = await admin.post(`${base(login.id)}/consent`, consentForm(), { htmx: true });
    expect(res.status).toBe(409);
    expect((await env.DB.prepare("SELECT COUNT(*) AS n FROM part2_consents WHERE client_id = ? AND created_by IS NOT NULL AND recipient = 'nobody'").bind(LUIS).first<{ n: number }>())!.n).toBe(0);
  });
});

describe("Revoke consent", () => {
  it("ends access at once: the representative's next request is refused, sessions ended, logged; a second revoke writes nothing", async () => {
    const { login, representationId, consentId } = await representative(true);
    const portal = new PortalBrowser();
    await portal.signInReady(login);
    expect((await portal.get(PORTAL)).status).toBe(200);
    const version = (await loginRow(login.id)).session_version;
    const before = await lastSeq(LUIS);

    const res = await admin.post(`${base(login.id)}/consent/${consentId}/revoke`, {}, { htmx: true });
    expect(res.status).toBe(200);
    expect(noticeText(await res.text())).toBe("Consent revoked. Rosa Ortega can no longer sign in or see the client's records; their sessions have ended.");
    const [row] = await consentRows(representationId);
    expect(row!.revoked_at).not.toBeNull();
    expect(row!.revoked_by).not.toBeNull();
    expect((await loginRow(login.id)).session_version).toBe(version + 1);
    const entries = await logEntries(LUIS, before);
    expect(entries).toHaveLength(1);
    expect(entries[0]!.description).toMatch(/^42 CFR Part 2 consent revoked: Rosa Ortega \(portal login /);

    const next = await portal.get(`${PORTAL}/activity`);
    expect(next.status).toBe(303);
    expect(next.headers.get("Location")).toMatch(/^\/portal\/riverbend\?ended=access(&next=|$)/); // access itself has ended (its only client), and the page it was on rides along
    expect((await new PortalBrowser().signIn(login.username, login.password)).status).toBe(403);

    const beforeAgain = await lastSeq(LUIS);
    const again = await admin.post(`${base(login.id)}/consent/${consentId}/revoke`, {}, { htmx: true });
    expect(again.status).toBe(409);
    expect(alertText(await again.text())).toBe("This consent is no longer in force (already revoked, replaced or ended), so nothing was changed.");
    expect(await lastSeq(LUIS)).toBe(beforeAgain);
    expect((await loginRow(login.id)).session_version).toBe(version + 1);
  });

  it("the Client Portal table says Consent needed once the consent no longer holds, In use while it does", async () => {
    const { login, consentId } = await representative(true);
    const status = async () =>
      tableRows(await (await admin.get(`/face-sheet/${LUIS}`)).text()).find((r) => r["Portal Username"] === login.username)!.Status;
    expect(await status()).toBe("In use");
    expect((await admin.post(`${base(login.id)}/consent/${consentId}/revoke`, {}, { htmx: true })).status).toBe(200);
    expect(await status()).toBe("Consent needed");
  });

  it("the expiry event recorded by staff ends access like a date; a consent without an event refuses it", async () => {
    const login = await createSettledLogin({ clientId: LUIS, representative: true });
    const representationId = await createRepresentation(login.id, LUIS);
    const consentId = await createConsent(representationId, LUIS, { expiresOn: null, expiryEvent: "discharge" });
    const portal = new PortalBrowser();
    await portal.signInReady(login);
    const res = await admin.post(`${base(login.id)}/consent/${consentId}/event`, {}, { htmx: true });
    expect(res.status).toBe(200);
    expect((await consentRows(representationId))[0]!.event_occurred_at).not.toBeNull();
    expect((await portal.get(PORTAL)).status).toBe(200); // the sign-in page, signed out
    expect(portal.cookies.has(PORTAL_COOKIE)).toBe(false);

    const dated = await representative(true);
    const before = await lastSeq(LUIS);
    expect((await admin.post(`${base(dated.login.id)}/consent/${dated.consentId}/event`, {}, { htmx: true })).status).toBe(409);
    expect(await lastSeq(LUIS)).toBe(before);
  });

  it("another representation's consent id, or one that doesn't exist: 404, nothing written", async () => {
    const a = await representative(true);
    const b = await representative(true);
    const before = await lastSeq(LUIS);
    expect((await admin.post(`${base(a.login.id)}/consent/${b.consentId}/revoke`, {}, { htmx: true })).status).toBe(404);
    expect((await admin.post(`${base(a.login.id)}/consent/999999/revoke`, {}, { htmx: true })).status).toBe(404);
    expect((await consentRows(b.representationId))[0]!.revoked_at).toBeNull();
    expect(await lastSeq(LUIS)).toBe(before);
  });
});

describe("Active needs a current consent", () => {
  it("a new representative login of a client in a Part 2 programme can't be saved active", async () => {
    const res = await admin.post(`/face-sheet/${LUIS}/portal-logins`, { username: "rosa.new", email: "rosa@example.com", representative: "on", active: "on", ...recordFields(riverbendDay(0)) }, { htmx: true });
    expect(res.status).toBe(422);
    const message = fieldError(await res.text(), "active");
    expect(message).toMatch(/^This client has an open case in a 42 CFR Part 2 programme: a representative's login can be active only with a current consent/);
    expect(message).toContain("Enter the consent below");
    expect(await env.DB.prepare("SELECT id FROM portal_logins WHERE username_key = 'rosa.new'").first()).toBeNull();
    // Saved inactive, it is added.
    expect((await admin.post(`/face-sheet/${LUIS}/portal-logins`, { username: "rosa.new", email: "rosa@example.com", representative: "on", ...recordFields(riverbendDay(0)) }, { htmx: true })).status).toBe(200);
  });

  it("the Add window asks for the consent of a Part 2 client's representative; saved with it, the login is active and can sign in", async () => {
    const window = await (await admin.get(`/face-sheet/${LUIS}/portal-logins/new`, { htmx: true })).text();
    expect(window).toContain('id="new-login-consent"');
    expect(window).toMatch(/id="f-clientName"[^>]*value="Luis Ortega"/);
    // A client with no Part 2 case: no consent fields.
    expect(await (await admin.get(`/face-sheet/1/portal-logins/new`, { htmx: true })).text()).not.toContain('id="new-login-consent"');

    const before = await lastSeq(LUIS);
    const res = await admin.post(
      `/face-sheet/${LUIS}/portal-logins`,
      { username: "rosa.with.consent", email: "rosa.c@example.com", representative: "on", active: "on", resetPassword: "on", credentialMethod: "password", ...recordFields(riverbendDay(0)), ...consentForm() },
      { htmx: true },
    );
    expect(res.status).toBe(200);
    const login = await env.DB.prepare("SELECT id, active FROM portal_logins WHERE username_key = 'rosa.with.consent'").first<{ id: number; active: number }>();
    expect(login!.active).toBe(1);
    const representation = await env.DB.prepare("SELECT id FROM portal_representations WHERE login_id = ? AND client_id = ?").bind(login!.id, LUIS).first<{ id: number }>();
    const [row] = await consentRows(representation!.id);
    expect(row).toMatchObject({ client_name: "Luis Ortega", recipient: "Rosa Ortega", purpose: "To support Luis in his treatment", signed_on: riverbendDay(0), right_to_revoke_stated: 1, revoked_at: null });
    expect(row!.created_by).not.toBeNull();
    // One entry: the login, its record and its consent.
    const entries = await logEntries(LUIS, before);
    expect(entries.map((e) => e.description)).toEqual(["Added a new portal login"]);
    const lines = JSON.parse(entries[0]!.details).lines as string[];
    expect(lines).toContain("42 CFR Part 2 consent recorded:");
    expect(lines).toContain("Purpose: To support Luis in his treatment");
  });

  it("a new login's consent with an element missing: 422, the message next to the field, values kept, nothing written", async () => {
    const before = await lastSeq(LUIS);
    const res = await admin.post(
      `/face-sheet/${LUIS}/portal-logins`,
      { username: "rosa.bad.consent", email: "rosa.b@example.com", representative: "on", active: "on", ...recordFields(riverbendDay(0)), ...consentForm({ purpose: "", rightToRevoke: undefined }) },
      { htmx: true },
    );
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(fieldError(html, "purpose")).toBe("Enter the purpose of the disclosure, as on the form.");
    expect(fieldError(html, "rightToRevoke")).toMatch(/^A consent must state the client's right to revoke it/);
    expect(html).toContain("Attendance, treatment plan and progress; not counselling notes");
    expect(await env.DB.prepare("SELECT id FROM portal_logins WHERE username_key = 'rosa.bad.consent'").first()).toBeNull();
    expect(await lastSeq(LUIS)).toBe(before);
  });

  it("an existing representative login: Save as active refused without a consent, allowed with one", async () => {
    const { login, representationId } = await representative();
    await env.DB.prepare("UPDATE portal_logins SET active = 0 WHERE id = ?").bind(login.id).run();
    const body = { email: `${login.username}@example.com`, representative: "on", active: "on", ...recordFields() };
    const refused = await admin.post(base(login.id), body, { htmx: true });
    expect(refused.status).toBe(422);
    expect((await loginRow(login.id)).active).toBe(0);
    await createConsent(representationId, LUIS);
    expect((await admin.post(base(login.id), body, { htmx: true })).status).toBe(200);
    expect((await loginRow(login.id)).active).toBe(1);
  });
});

describe("who may", () => {
  it("the auditor: 403 for recording and revoking, nothing written", async () => {
    const { login, consentId, representationId } = await representative(true);
    const auditor = await Browser.staff("auditor@riverbend.test");
    expect((await auditor.post(`${base(login.id)}/consent`, consentForm(), { htmx: true })).status).toBe(403);
    expect((await auditor.post(`${base(login.id)}/consent/${consentId}/revoke`, {}, { htmx: true })).status).toBe(403);
    expect(await consentRows(representationId)).toHaveLength(1);
    expect((await consentRows(representationId))[0]!.revoked_at).toBeNull();
  });

  it("staff of another agency: 404", async () => {
    const { login, consentId, representationId } = await representative(true);
    const lee = await Browser.staff("admin@lakeside.test");
    expect((await lee.post(`${base(login.id)}/consent`, consentForm(), { htmx: true })).status).toBe(404);
    expect((await lee.post(`${base(login.id)}/consent/${consentId}/revoke`, {}, { htmx: true })).status).toBe(404);
    expect((await consentRows(representationId))[0]!.revoked_at).toBeNull();
  });

  it("staff (not admin) may record and revoke", async () => {
    const { login, consentId } = await representative(true);
    const sam = await Browser.staff("staff@riverbend.test");
    expect((await sam.post(`${base(login.id)}/consent/${consentId}/revoke`, {}, { htmx: true })).status).toBe(200);
  });

  it("a portal user (portal cookie, no staff session) is sent to staff sign-in; the client's own login or a client mismatch: 404", async () => {
    const { login, consentId, representationId } = await representative(true);
    const portal = new PortalBrowser();
    await portal.signInReady(login);
    const res = await portal.post(`${base(login.id)}/consent/${consentId}/revoke`, {});
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toMatch(/^\/sign-in/);
    expect((await consentRows(representationId))[0]!.revoked_at).toBeNull();
    const own = await createSettledLogin({ clientId: LUIS });
    expect((await admin.post(`${base(own.id)}/consent`, consentForm(), { htmx: true })).status).toBe(404);
    expect((await admin.post(`${base(login.id, 1)}/consent`, consentForm(), { htmx: true })).status).toBe(404);
  });
});

describe("the portal's Consent page", () => {
  it("shows the representative what the consent covers and the right to revoke; linked from the menu", async () => {
    const { login } = await representative(true);
    const portal = new PortalBrowser();
    await portal.signInReady(login);
    const home = await (await portal.get(PORTAL)).text();
    expect(home).toContain(`href="${PORTAL}/consent"`);
    const res = await portal.get(`${PORTAL}/consent`);
    expect(res.status).toBe(200);
    const html = await res.text();
    for (const text of ["Riverbend Behavioral Health", "Rosa Ortega", "Support in treatment", "Attendance and progress", `On ${riverbendDay(90)} (access ends that day)`]) {
      expect(html).toContain(text);
    }
    expect(html).toContain("may revoke this consent at any time by telling Riverbend Behavioral Health");
  });

  it("the client's own login has no Consent page (404) and no menu entry", async () => {
    const own = await createSettledLogin({ clientId: LUIS });
    const portal = new PortalBrowser();
    await portal.signInReady(own);
    expect(await (await portal.get(PORTAL)).text()).not.toContain(`href="${PORTAL}/consent"`);
    expect((await portal.get(`${PORTAL}/consent`)).status).toBe(404);
  });

  it("without a session: back to sign-in; after revocation the page is refused on the next request", async () => {
    expect((await new PortalBrowser().get(`${PORTAL}/consent`)).status).toBe(303);
    const { login, consentId } = await representative(true);
    const portal = new PortalBrowser();
    await portal.signInReady(login);
    expect((await admin.post(`${base(login.id)}/consent/${consentId}/revoke`, {}, { htmx: true })).status).toBe(200);
    const res = await portal.get(`${PORTAL}/consent`);
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toMatch(/^\/portal\/riverbend\?ended=access(&next=|$)/); // access itself has ended
  });
});
