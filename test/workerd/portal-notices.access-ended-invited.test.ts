/**
 * Deactivating a login that was invited but never set up: the person holds an invitation email
 * whose link now fails, so the access-ended notice goes to them too, saying the invitation link no
 * longer works — unless the invitation never arrived (every email to that address failed: the
 * notice could only fail too). A refused Save (bad input, a role that may not) sends nothing.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { DEMO } from "./fixtures";
import { loginsPath, windowForm } from "./portal-logins.helpers";
import { addWithMethod, inviteLogin, MailingPortal, MailingStaff, mailTo, openLink, outbox } from "./portal-links.fixtures";
import { emailRows } from "./portal-notices.fixtures";
import { loginRow } from "./portal.fixtures";

const ENDED = "Your Riverbend Behavioral Health Client Portal access has ended";

let admin: MailingStaff;
beforeAll(async () => {
  admin = await MailingStaff.staff("admin@riverbend.test");
});

/** The Portal Login window's Save for an existing login, as htmx sends it. */
const save = (b: MailingStaff, loginId: number, fields: Parameters<typeof windowForm>[0]) =>
  b.post(`${loginsPath(DEMO.maria)}/${loginId}`, windowForm({ resetPassword: false, ...fields }), { htmx: true });

describe("deactivating a login still waiting on its invitation", () => {
  it("sends the access-ended notice, saying the invitation link no longer works; the link then fails", async () => {
    const invited = await inviteLogin(admin, DEMO.maria, { prefix: "ended.inv" });
    const mark = outbox.length;
    const res = await save(admin, invited.id, { active: false, email: invited.email });
    expect(res.status).toBe(200);
    const [notice] = mailTo(invited.email, mark);
    expect(notice!.subject).toBe(ENDED);
    expect(notice!.text).toContain(`ended the access of your Riverbend Behavioral Health Client Portal login ${invited.username} on `);
    expect(notice!.text).toContain("before it was set up. The invitation link you were sent no longer works.");
    expect(notice!.text).not.toContain(invited.link.token);
    const row = (await emailRows(invited.id)).at(-1)!;
    expect(row).toMatchObject({ kind: "notice:access-ended", to_address: invited.email, status: "sent" });
    expect(JSON.parse(row.facts!)).toMatchObject({ reason: "staff", pending: "invitation" });
    expect((await openLink(new MailingPortal(), invited.link.path)).status).toBe(410);
  });

  it("sends nothing when the invitation never arrived (every email to the address failed)", async () => {
    const failing = await MailingStaff.staff("admin@riverbend.test");
    failing.envOverrides = { EMAIL_FROM: "" };
    const username = `ended.lost.${crypto.randomUUID().slice(0, 6)}`;
    expect((await addWithMethod(failing, DEMO.maria, { username, email: `${username}@example.com`, method: "link" })).status).toBe(200);
    const row = await env.DB.prepare("SELECT id, email FROM portal_logins WHERE username = ?").bind(username).first<{ id: number; email: string }>();
    const id = row!.id;
    expect((await emailRows(id)).map((e) => [e.kind, e.status])).toEqual([["invitation", "failed"]]);
    const mark = outbox.length;
    expect((await save(admin, id, { active: false, email: row!.email })).status).toBe(200);
    expect((await loginRow(id)).active).toBe(0);
    expect(outbox.length).toBe(mark);
    expect((await emailRows(id)).map((e) => e.kind)).toEqual(["invitation"]);
  });

  it("a Save with a bad email address: 422, still active, no notice", async () => {
    const invited = await inviteLogin(admin, DEMO.maria, { prefix: "ended.bad" });
    const mark = outbox.length;
    const res = await save(admin, invited.id, { active: false, email: "not an address" });
    expect(res.status).toBe(422);
    expect((await loginRow(invited.id)).active).toBe(1);
    expect(outbox.length).toBe(mark);
  });

  it("an auditor's Save: 403, still active, no notice", async () => {
    const invited = await inviteLogin(admin, DEMO.maria, { prefix: "ended.denied" });
    const auditor = await MailingStaff.staff("auditor@riverbend.test");
    const mark = outbox.length;
    expect((await save(auditor, invited.id, { active: false, email: invited.email })).status).toBe(403);
    expect((await loginRow(invited.id)).active).toBe(1);
    expect(outbox.length).toBe(mark);
  });
});
