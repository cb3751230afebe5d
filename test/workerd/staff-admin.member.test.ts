/**
 * Staff administration of one member: change role, deactivate / reactivate, unlock, sign out
 * everywhere. Each writes only under the state the admin acted on; a deactivated member's
 * sessions end at once. The agency always keeps one active admin — also when two admins demote or
 * deactivate each other at the same moment. Another agency's member is a 404 and a staff member's
 * attempt a 403: nothing written, logged.
 */
import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { database } from "../../src/db";
import { changeRole, deactivate, signOutEverywhere, unlock } from "../../src/staff-admin/member-changes";
import { alertText, noticeText } from "./helpers";
import { adminTables, agencyWithAdmins, lockSignIn, RIVERBEND_ADMIN, sessionRows, signedIn, signedInMember, staffRowById, stillSignedIn } from "./staff-admin.fixtures";
import { createMember, StaffBrowser, tokenRows } from "./staff-credentials.fixtures";
import { throttleCounter } from "./throttle.fixtures";
import { agencyLogRows } from "./agency-log.fixtures";
import { issueLink } from "../../src/staff-credentials/links";

afterEach(() => {
  vi.restoreAllMocks();
});

const db = () => database(env.DB);
const roleError = (html: string) => /<p class="error" id="f-role-error">([^<]*)<\/p>/.exec(html)?.[1]?.replace(/&#39;/g, "'");
const actionError = (html: string, id: string) => new RegExp(`<p class="error" id="${id}-error">([^<]*)</p>`).exec(html)?.[1]?.replace(/&#39;/g, "'");
/** Riverbend's agency_log row with this description (changes are committed with their entry). */
const agencyLogEntry = async (description: string) => (await agencyLogRows(1)).find((r) => r.description === description);
const activeAdmins = async (agencyId: number) =>
  (await env.DB.prepare("SELECT COUNT(*) AS n FROM staff_users WHERE agency_id = ? AND role = 'admin' AND active = 1 AND password_hash IS NOT NULL").bind(agencyId).first<{ n: number }>())!.n;

describe("a member's page", () => {
  it("shows role, status, two-factor, last sign-in, open sessions and the actions that apply", async () => {
    const { member } = await signedInMember({ name: "Pat Page" });
    const admin = await signedIn(RIVERBEND_ADMIN);
    const res = await admin.get(`/admin/staff/${member.id}`);
    expect(res.status).toBe(200);
    const text = (await res.text()).replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");
    expect(text).toMatch(/Role Staff Status Active Two-factor Off Last sign-in \d+\/\d+\/\d{4} [\d:]+ [AP]M Open sessions 1/);
    for (const action of ["Save role", "Sign out everywhere", "Deactivate"]) expect(text).toContain(action);
    expect(text).not.toContain("Resend invite");
    expect(text).not.toContain("Unlock");
  });

  it("answers 404 for a member of another agency, and for no member at all, logged without the id", async () => {
    const admin = await signedIn(RIVERBEND_ADMIN);
    const lakeside = await createMember({ agencyId: 2, name: "Lake Only" });
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    for (const id of [lakeside.id, 99999]) {
      const res = await admin.get(`/admin/staff/${id}`);
      expect(res.status).toBe(404);
      expect(await res.text()).not.toContain("Lake Only");
    }
    expect(warn.mock.calls.map((c) => String(c[0]))).toEqual([
      "staff admin: no such member in agency=1: GET /admin/staff/:staffId{[0-9]+} staff=1",
      "staff admin: no such member in agency=1: GET /admin/staff/:staffId{[0-9]+} staff=1",
    ]);
  });
});

describe("changing a role", () => {
  it("changes it at once (the member's next request has the new role's permissions)", async () => {
    const { member, browser } = await signedInMember({ name: "Rae Role" });
    expect((await browser.get(`/face-sheet/1/edit`)).status).toBe(200);
    const admin = await signedIn(RIVERBEND_ADMIN);
    const res = await admin.post(`/admin/staff/${member.id}/role`, { role: "auditor" });
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe(`/admin/staff/${member.id}?done=role`);
    expect((await staffRowById(member.id))!.role).toBe("auditor");
    expect(noticeText(await (await admin.get(res.headers.get("Location")!)).text())).toBe("Rae Role is now Auditor.");
    vi.spyOn(console, "warn").mockImplementation(() => {});
    expect((await browser.get(`/face-sheet/1/edit`)).status).toBe(403);
  });

  it("refuses a role that doesn't exist, or none, next to the field (422), writing nothing", async () => {
    const member = await createMember();
    const admin = await signedIn(RIVERBEND_ADMIN);
    for (const form of [{ role: "owner" }, {}, { role: "" }] as Record<string, string>[]) {
      const before = await adminTables();
      const res = await admin.post(`/admin/staff/${member.id}/role`, form);
      expect(res.status).toBe(422);
      const html = await res.text();
      expect(roleError(html)).toBe("Choose a role.");
      expect(alertText(html)).toBe("The role was not changed. Correct what is marked below.");
      expect(await adminTables()).toEqual(before);
    }
  });

  it("says nothing changed when the role is the same", async () => {
    const member = await createMember({ name: "Sue Same" });
    const admin = await signedIn(RIVERBEND_ADMIN);
    const before = await adminTables();
    const res = await admin.post(`/admin/staff/${member.id}/role`, { role: "staff" });
    expect(res.headers.get("Location")).toBe(`/admin/staff/${member.id}?done=unchanged`);
    expect(await adminTables()).toEqual(before);
  });

  it("refuses to demote the agency's last active admin (422 next to the role), writing nothing", async () => {
    const { agencyId, members, browsers } = await agencyWithAdmins(1);
    const [only] = members;
    // An invited admin doesn't count: they can't sign in.
    await createMember({ agencyId, role: "admin", password: null, email: `invited.admin.${agencyId}@example.org` });
    const before = await adminTables();
    const res = await browsers[0]!.post(`/admin/staff/${only!.id}/role`, { role: "staff" });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(roleError(html)).toBe("You are the agency's only active administrator. Make someone else an administrator first.");
    expect(html).toMatch(/id="f-role-staff" value="staff" checked/);
    expect(await adminTables()).toEqual(before);
  });

  it("lets an admin demote themselves while another admin remains, and sends them to the Main Menu", async () => {
    const { members, browsers } = await agencyWithAdmins(2);
    const res = await browsers[0]!.post(`/admin/staff/${members[0]!.id}/role`, { role: "staff" });
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/menu");
    expect((await staffRowById(members[0]!.id))!.role).toBe("staff");
  });

  it("keeps one active admin when two admins demote each other at the same moment (over HTTP)", async () => {
    const { agencyId, members, browsers } = await agencyWithAdmins(2);
    const [a, b] = members;
    const results = await Promise.all([
      browsers[0]!.post(`/admin/staff/${b!.id}/role`, { role: "staff" }),
      browsers[1]!.post(`/admin/staff/${a!.id}/role`, { role: "auditor" }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([303, 422]);
    expect(await activeAdmins(agencyId)).toBe(1);
  });

  it("keeps one active admin in every one of many simultaneous rounds of mutual demotion and deactivation", async () => {
    for (let round = 0; round < 8; round++) {
      const { agencyId, members } = await agencyWithAdmins(2);
      const [a, b] = members.map((m) => ({ id: m.id, name: m.name, email: m.email, role: "admin" as const, active: true }));
      const as = (m: typeof a) => ({ type: "staff" as const, id: m!.id, name: m!.name });
      const change = (actor: typeof a, member: typeof a) => ({ agencyId, actor: as(actor), member: member!, now: Date.now() });
      const outcomes =
        round % 2 === 0
          ? await Promise.all([changeRole(env, db(), change(a, b), "staff"), changeRole(env, db(), change(b, a), "staff")])
          : await Promise.all([deactivate(env, db(), change(a, b)), deactivate(env, db(), change(b, a))]);
      expect(outcomes.map((o) => o.kind).sort(), `round ${round}`).toEqual([round % 2 === 0 ? "changed" : "deactivated", "last-admin"]);
      expect(await activeAdmins(agencyId), `round ${round}`).toBe(1);
    }
  });

  it("answers 409 when the role changed since the admin read it, writing nothing", async () => {
    const member = await createMember({ name: "Moe Moved" });
    const stale = { id: member.id, name: member.name, email: member.email, role: "auditor" as const, active: true };
    const outcome = await changeRole(env, db(), { agencyId: 1, actor: { type: "staff", id: 1, name: "Dana Whitfield" }, member: stale, now: Date.now() }, "admin");
    expect(outcome.kind).toBe("stale");
    expect((await staffRowById(member.id))!.role).toBe("staff");
  });

  it('logs "Changed role of <name> (<email>) from Staff to Auditor"', async () => {
    const member = await createMember({ name: "Lee Logged" });
    const m = { id: member.id, name: member.name, email: member.email, role: "staff" as const, active: true };
    const outcome = await changeRole(env, db(), { agencyId: 1, actor: { type: "staff", id: 1, name: "Dana Whitfield" }, member: m, now: Date.now() }, "auditor");
    expect(outcome.entry.description).toBe(`Changed role of Lee Logged (${member.email}) from Staff to Auditor`);
    expect(outcome.entry.details.changes).toEqual([{ field: "role", before: "staff", after: "auditor" }]);
  });
});

describe("deactivating and reactivating", () => {
  it("ends the member's sessions at once: their next click lands at sign-in; they can't sign in; links stop", async () => {
    const { member, browser } = await signedInMember({ name: "Dee Active" });
    const second = await signedIn(member.email, member.password!);
    await issueLink(db(), { email: member.email, purpose: "reset", now: Date.now() });
    const before = (await staffRowById(member.id))!;
    const admin = await signedIn(RIVERBEND_ADMIN);

    const res = await admin.post(`/admin/staff/${member.id}/deactivate`, {});
    expect(res.status).toBe(303);
    expect(noticeText(await (await admin.get(res.headers.get("Location")!)).text())).toBe("Dee Active was deactivated and signed out everywhere.");
    const after = (await staffRowById(member.id))!;
    expect(after.active).toBe(0);
    expect(after.session_version).toBe(before.session_version + 1);
    expect((await sessionRows(member.id)).every((s) => s.ended_at !== null)).toBe(true);
    expect((await tokenRows(member.id)).every((t) => t.used_at !== null)).toBe(true);

    expect(await stillSignedIn(browser)).toBe(false);
    expect(await stillSignedIn(second)).toBe(false);
    expect((await new StaffBrowser().signIn(member.email, member.password!)).status).toBe(401);
  });

  it("reactivates: the member can sign in again, and old sessions stay ended", async () => {
    const { member, browser } = await signedInMember({ name: "Rita Return" });
    const admin = await signedIn(RIVERBEND_ADMIN);
    await admin.post(`/admin/staff/${member.id}/deactivate`, {});
    const res = await admin.post(`/admin/staff/${member.id}/reactivate`, {});
    expect(res.status).toBe(303);
    expect(noticeText(await (await admin.get(res.headers.get("Location")!)).text())).toBe("Rita Return was reactivated.");
    expect((await staffRowById(member.id))!.active).toBe(1);
    expect(await stillSignedIn(browser)).toBe(false);
    expect(await stillSignedIn(await signedIn(member.email, member.password!))).toBe(true);
  });

  it("answers 409 to deactivating an inactive member and reactivating an active one, writing nothing", async () => {
    const inactive = await createMember({ active: false, name: "In Active" });
    const active = await createMember({ name: "Al Ready" });
    const admin = await signedIn(RIVERBEND_ADMIN);
    const before = await adminTables();
    const a = await admin.post(`/admin/staff/${inactive.id}/deactivate`, {});
    expect(a.status).toBe(409);
    expect(alertText(await a.text())).toBe("In Active is already inactive; nothing changed.");
    const b = await admin.post(`/admin/staff/${active.id}/reactivate`, {});
    expect(b.status).toBe(409);
    expect(alertText(await b.text())).toBe("Al Ready is already active; nothing changed.");
    expect(await adminTables()).toEqual(before);
  });

  it("refuses an admin deactivating themselves (422 next to Deactivate), writing nothing", async () => {
    const { members, browsers } = await agencyWithAdmins(2);
    const before = await adminTables();
    const res = await browsers[0]!.post(`/admin/staff/${members[0]!.id}/deactivate`, {});
    expect(res.status).toBe(422);
    expect(actionError(await res.text(), "deactivate")).toBe("You can't deactivate your own account. Ask another administrator.");
    expect(await adminTables()).toEqual(before);
  });

  it("deactivates another admin while one remains", async () => {
    const { agencyId, members, browsers } = await agencyWithAdmins(2);
    expect((await browsers[0]!.post(`/admin/staff/${members[1]!.id}/deactivate`, {})).status).toBe(303);
    expect(await activeAdmins(agencyId)).toBe(1);
    expect(await stillSignedIn(browsers[1]!)).toBe(false);
  });

  it('logs "Deactivated <name> (<email>)"', async () => {
    const member = await createMember({ name: "Dora Logged" });
    const m = { id: member.id, name: member.name, email: member.email, role: "staff" as const, active: true };
    const outcome = await deactivate(env, db(), { agencyId: 1, actor: { type: "staff", id: 1, name: "Dana Whitfield" }, member: m, now: Date.now() });
    expect(outcome).toMatchObject({ kind: "deactivated", entry: { action: "Staff deactivated", description: `Deactivated Dora Logged (${member.email})` } });
    expect(await agencyLogEntry(`Deactivated Dora Logged (${member.email})`)).toMatchObject({ action: "Staff deactivated", actor_name: "Dana Whitfield" });
  });
});

describe("unlocking", () => {
  it("shows Locked with Unlock; Unlock clears it and the member can sign in", async () => {
    const member = await createMember({ name: "Lockie" });
    await lockSignIn(member.email);
    expect((await new StaffBrowser().signIn(member.email, member.password!)).status).toBe(429);
    const admin = await signedIn(RIVERBEND_ADMIN);
    const page = await (await admin.get(`/admin/staff/${member.id}`)).text();
    expect(page).toContain('<span class="badge bad">Locked</span>');
    expect(page).toContain(">Unlock</button>");

    const res = await admin.post(`/admin/staff/${member.id}/unlock`, {});
    expect(res.status).toBe(303);
    expect(noticeText(await (await admin.get(res.headers.get("Location")!)).text())).toBe("Lockie was unlocked and can sign in again.");
    expect(await throttleCounter.staffAccount(member.email)).toBeNull();
    expect((await new StaffBrowser().signIn(member.email, member.password!)).status).toBe(303);
  });

  it("answers 409 when there is nothing to unlock, writing nothing", async () => {
    const member = await createMember({ name: "Free Bird" });
    const admin = await signedIn(RIVERBEND_ADMIN);
    const before = await adminTables();
    const res = await admin.post(`/admin/staff/${member.id}/unlock`, {});
    expect(res.status).toBe(409);
    expect(alertText(await res.text())).toBe("Free Bird wasn't locked; nothing changed.");
    expect(await adminTables()).toEqual(before);
  });

  it('logs "Unlocked sign-in for <name> (<email>)"', async () => {
    const member = await createMember({ name: "Una Logged" });
    await lockSignIn(member.email);
    const m = { id: member.id, name: member.name, email: member.email, role: "staff" as const, active: true };
    const outcome = await unlock(env, db(), { agencyId: 1, actor: { type: "staff", id: 1, name: "Dana Whitfield" }, member: m, now: Date.now() });
    expect(outcome).toMatchObject({ kind: "unlocked", entry: { description: `Unlocked sign-in for Una Logged (${member.email})` } });
    expect(await agencyLogEntry(`Unlocked sign-in for Una Logged (${member.email})`)).toMatchObject({ action: "Staff unlocked", actor_name: "Dana Whitfield" });
    expect(await throttleCounter.staffAccount(member.email)).toBeNull();
  });
});

describe("signing a member out everywhere", () => {
  it("ends every session of theirs (rows ended, version moved on) and nobody else's", async () => {
    const { member, browser } = await signedInMember({ name: "Evie Where" });
    const phone = await signedIn(member.email, member.password!);
    const bystander = await signedInMember();
    const admin = await signedIn(RIVERBEND_ADMIN);
    const res = await admin.post(`/admin/staff/${member.id}/sign-out-everywhere`, {});
    expect(res.status).toBe(303);
    expect(noticeText(await (await admin.get(res.headers.get("Location")!)).text())).toBe("Evie Where was signed out everywhere.");
    expect(await stillSignedIn(browser)).toBe(false);
    expect(await stillSignedIn(phone)).toBe(false);
    expect((await sessionRows(member.id)).map((s) => s.ended_at !== null)).toEqual([true, true]);
    expect(await stillSignedIn(bystander.browser)).toBe(true);
    expect(await stillSignedIn(admin)).toBe(true);
    // They can sign in again.
    expect(await stillSignedIn(await signedIn(member.email, member.password!))).toBe(true);
  });

  it('logs "Signed <name> (<email>) out everywhere" with the number of sessions ended', async () => {
    const { member } = await signedInMember({ name: "Ola Logged" });
    const m = { id: member.id, name: member.name, email: member.email, role: "staff" as const, active: true };
    const outcome = await signOutEverywhere(env, db(), { agencyId: 1, actor: { type: "staff", id: 1, name: "Dana Whitfield" }, member: m, now: Date.now(), openSessions: 1 });
    expect(outcome.entry).toMatchObject({ description: `Signed Ola Logged (${member.email}) out everywhere`, details: { lines: ["1 open session ended"] } });
  });
});

describe("escalation and other agencies", () => {
  const ACTIONS = ["role", "deactivate", "reactivate", "unlock", "resend-invite", "sign-out-everywhere"] as const;

  it("answers 404 to every action on another agency's member, writing nothing, each logged", async () => {
    const lakeside = await createMember({ agencyId: 2, password: null, name: "Lake Target" });
    await lockSignIn(lakeside.email);
    const admin = await signedIn(RIVERBEND_ADMIN);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const before = await adminTables();
    for (const action of ACTIONS) {
      const res = await admin.post(`/admin/staff/${lakeside.id}/${action}`, { role: "auditor" });
      expect(res.status, action).toBe(404);
    }
    expect(await adminTables()).toEqual(before);
    expect(warn.mock.calls.map((c) => String(c[0]))).toEqual(ACTIONS.map((a) => `staff admin: no such member in agency=1: POST /admin/staff/:staffId{[0-9]+}/${a} staff=1`));
  });

  it("refuses a staff member making themselves admin, or deactivating the admin (403), writing nothing, logged", async () => {
    const { member, browser } = await signedInMember({ name: "Ambitious" });
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const before = await adminTables();
    expect((await browser.post(`/admin/staff/${member.id}/role`, { role: "admin" })).status).toBe(403);
    expect((await browser.post(`/admin/staff/1/deactivate`, {})).status).toBe(403);
    expect(await adminTables()).toEqual(before);
    expect(warn.mock.calls.map((c) => String(c[0]))).toEqual([
      expect.stringContaining("access denied: POST /admin/staff/:staffId{[0-9]+}/role "),
      expect.stringContaining("access denied: POST /admin/staff/:staffId{[0-9]+}/deactivate "),
    ]);
  });
});
