/**
 * A case consented to by the minor themselves (HIPAA 164.502(g)(3)): staff flag it on the case
 * page (Document Center), logged; representatives then see no Activity entry tied to that case
 * (`details.caseId`) — the client's own login still does, entries tied to no case stay visible to
 * both, and unflagging shows them again. Bad input, other roles and agencies change nothing.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { clientLogFor } from "../../src/clients/log";
import { Browser, seedDemoData } from "./fixtures";
import { fieldError, noticeText } from "./helpers";
import { actionRows, createSettledLogin, lastSeq, logEntries, PORTAL, PortalBrowser } from "./portal.fixtures";

/** Grace Park (Riverbend, born 2009): one case, "Youth and Family". */
const GRACE = 11;
let caseId: number;
let admin: Browser;

beforeAll(async () => {
  await seedDemoData();
  admin = await Browser.staff("admin@riverbend.test");
  caseId = (await env.DB.prepare("SELECT id FROM cases WHERE client_id = ?").bind(GRACE).first<{ id: number }>())!.id;
});

const path = (clientId = GRACE, id = caseId) => `/document-center/clients/${clientId}/cases/${id}/minor-consented`;
const flagged = async () => (await env.DB.prepare("SELECT minor_consented AS f FROM cases WHERE id = ?").bind(caseId).first<{ f: number }>())!.f;

/** An Activity entry about the case (as a later case feature would write), and one about no case. */
async function caseEntries(tag: string) {
  const log = clientLogFor(env, GRACE);
  const actor = { type: "staff" as const, id: null, name: "Test" };
  await log.record({ agencyId: 1, clientId: GRACE, entry: { actor, changeType: "Case", description: tag, details: { caseId, portal: { action: "Case", description: `Case news ${tag}` } } } });
  await log.record({ agencyId: 1, clientId: GRACE, entry: { actor, changeType: "Note", description: tag, details: { portal: { action: "Note", description: `General news ${tag}` } } } });
}

async function activity(b: PortalBrowser): Promise<string[]> {
  const res = await b.get(`${PORTAL}/activity`);
  expect(res.status).toBe(200);
  return actionRows(await res.text()).map((r) => r[1]);
}

describe("flagging a case", () => {
  it("the case page shows the choice to staff who may edit, read-only to the auditor", async () => {
    const page = await (await admin.get(`/document-center/clients/${GRACE}/cases/${caseId}`)).text();
    expect(page).toContain("Did the minor consent to this treatment themselves?");
    const auditor = await Browser.staff("auditor@riverbend.test");
    const read = await (await auditor.get(`/document-center/clients/${GRACE}/cases/${caseId}`)).text();
    expect(read).toContain("Consented to by the minor");
    expect(read).not.toContain('name="minorConsented"');
  });

  it("hides the case's Activity entries from representatives, not from the client; unflagging shows them again", async () => {
    const parent = await createSettledLogin({ clientId: GRACE, representative: true });
    const own = await createSettledLogin({ clientId: GRACE });
    const parentTab = new PortalBrowser();
    const ownTab = new PortalBrowser();
    await parentTab.signInReady(parent);
    await ownTab.signInReady(own);
    await caseEntries("one");
    expect(await activity(parentTab)).toEqual(expect.arrayContaining(["Case news one", "General news one"]));

    const before = await lastSeq(GRACE);
    const res = await admin.post(path(), { minorConsented: "yes" }, { htmx: true });
    expect(res.status).toBe(200);
    expect(noticeText(await res.text())).toBe("Saved: representatives see no data from this case.");
    expect(await flagged()).toBe(1);
    const [entry] = await logEntries(GRACE, before);
    expect(entry!.description).toBe("Case RB-26-0102 (Youth and Family) marked as consented to by the minor: representatives see no data from this case.");
    expect(JSON.parse(entry!.details).caseId).toBe(caseId);
    expect(await (await admin.get(`/face-sheet/${GRACE}`)).text()).toContain("Consented to by the minor: hidden from representatives");

    await caseEntries("two");
    const parentSees = await activity(parentTab);
    expect(parentSees).toContain("General news one");
    expect(parentSees).toContain("General news two");
    expect(parentSees.filter((d) => d.startsWith("Case news") || d.startsWith("Case RB-26-0102"))).toEqual([]);
    const ownSees = await activity(ownTab);
    expect(ownSees).toEqual(expect.arrayContaining(["Case news one", "Case news two", entry!.description]));

    expect((await admin.post(path(), { minorConsented: "no" }, { htmx: true })).status).toBe(200);
    expect(await flagged()).toBe(0);
    expect(await activity(parentTab)).toEqual(expect.arrayContaining(["Case news one", "Case news two"]));
  });

  it("a Save that changes nothing writes nothing; without JavaScript it redirects to the case", async () => {
    const before = await lastSeq(GRACE);
    const same = await admin.post(path(), { minorConsented: "no" }, { htmx: true });
    expect(noticeText(await same.text())).toBe("No change to save.");
    expect(await lastSeq(GRACE)).toBe(before);
    const plain = await admin.post(path(), { minorConsented: "no" });
    expect(plain.status).toBe(303);
    expect(plain.headers.get("Location")).toBe(`/document-center/clients/${GRACE}/cases/${caseId}#minor-consent`);
  });

  it("bad input: neither yes nor no → 422 with the message, nothing written", async () => {
    const before = await lastSeq(GRACE);
    const res = await admin.post(path(), { minorConsented: "maybe" }, { htmx: true });
    expect(res.status).toBe(422);
    expect(fieldError(await res.text(), "minorConsented")).toBe("Choose Yes or No.");
    expect(await flagged()).toBe(0);
    expect(await lastSeq(GRACE)).toBe(before);
  });
});

describe("who may", () => {
  it("the auditor: 403; another agency's admin or a case of another client: 404; no staff session: sign-in — nothing written", async () => {
    const before = await lastSeq(GRACE);
    const auditor = await Browser.staff("auditor@riverbend.test");
    expect((await auditor.post(path(), { minorConsented: "yes" }, { htmx: true })).status).toBe(403);
    const lee = await Browser.staff("admin@lakeside.test");
    expect((await lee.post(path(), { minorConsented: "yes" }, { htmx: true })).status).toBe(404);
    expect((await admin.post(path(1), { minorConsented: "yes" }, { htmx: true })).status).toBe(404);
    const own = await createSettledLogin({ clientId: GRACE });
    const portal = new PortalBrowser();
    await portal.signInReady(own);
    const res = await portal.post(path(), { minorConsented: "yes" });
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toMatch(/^\/sign-in/);
    expect(await flagged()).toBe(0);
    // Only the own login's sign-in entries were added meanwhile: no Case entry.
    expect((await logEntries(GRACE, before)).filter((e) => e.change_type === "Case")).toEqual([]);
  });
});
