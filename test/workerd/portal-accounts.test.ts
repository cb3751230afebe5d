/**
 * Reports Menu › Client Portal Accounts: every portal login of the agency — and none of another's
 * — with the same status words as the Face Sheet's Client Portal table; each status filter, search,
 * keyset paging across pages, CSV with formula cells made inert, bad input answered 422 with the
 * message by the field, and the page refused to anyone not signed in as the agency's staff.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { agencyLogRows, WaitingBrowser } from "./agency-log.fixtures";
import { Browser, DEMO } from "./fixtures";
import { createLogin, createSettledLogin, PortalBrowser, sql } from "./portal.fixtures";

const PATH = "/portal-accounts";
const HOUR = 3600_000;

/** The usernames in the list, in order. */
const usernames = (html: string) =>
  [...html.matchAll(/<td data-label="Portal Username" class="username"><span class="breakable">([\s\S]*?)<\/span><\/td>/g)].map((m) => m[1]!.replace(/<wbr\/?>/g, ""));
/** The row of a username: its cells' text, by column. */
function rowOf(html: string, username: string): Record<string, string> | undefined {
  for (const tr of html.match(/<tr>[\s\S]*?<\/tr>/g) ?? []) {
    const cells = Object.fromEntries(
      [...tr.matchAll(/<td data-label="([^"]+)"[^>]*>([\s\S]*?)<\/td>/g)].map((m) => [m[1], m[2]!.replace(/<wbr\/?>/g, "").replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim()]),
    );
    if (cells["Portal Username"] === username) return { ...cells, html: tr };
  }
  return undefined;
}
const nextHref = (html: string) => html.match(/<a class="button small" rel="next" href="([^"]+)"/)?.[1]?.replace(/&amp;/g, "&");
const prevHref = (html: string) => html.match(/<a class="button small" rel="prev" href="([^"]+)"/)?.[1]?.replace(/&amp;/g, "&");

const L = {} as Record<"invited" | "active" | "locked" | "linkLocked" | "expired" | "inactive" | "notSent" | "refused" | "lakeside", { id: number; username: string }>;

beforeAll(async () => {
  // One login per status, all named acct-… so a search finds just them.
  L.invited = await createLogin({ username: "acct-invited", clientId: DEMO.maria });
  L.active = await createSettledLogin({ username: "acct-active", clientId: DEMO.maria });
  L.locked = await createSettledLogin({ username: "acct-locked", clientId: DEMO.james });
  L.linkLocked = await createLogin({ username: "acct-link-locked", clientId: DEMO.james, noPassword: true });
  L.expired = await createLogin({ username: "acct-expired", clientId: 3, tempPasswordExpiresAt: Date.now() - HOUR });
  L.inactive = await createSettledLogin({ username: "acct-inactive", clientId: 3, active: false });
  L.notSent = await createLogin({ username: "acct-not-sent", clientId: 4 });
  L.refused = await createSettledLogin({ username: "acct-refused", clientId: 5 });
  await sql("UPDATE portal_logins SET email_status = 'sent' WHERE username LIKE 'acct-%' AND username <> 'acct-not-sent'");
  await sql("UPDATE portal_logins SET email_status = 'failed' WHERE id = ?", L.notSent.id);
  await sql("UPDATE portal_logins SET locked_until = ? WHERE id = ?", Date.now() + HOUR, L.locked.id);
  await sql("UPDATE portal_logins SET last_login_at = ? WHERE id = ?", Date.UTC(2026, 5, 16, 13, 46, 48), L.active.id);
  await sql("UPDATE clients SET refused_portal_login = 1 WHERE id = 5");
  // An invitation link locked by wrong dates of birth (Link locked).
  await sql(
    "INSERT INTO portal_tokens (agency_id, login_id, purpose, token_hash, created_at, expires_at, dob_failures, dob_locked_at) VALUES (1, ?, 'invite', ?, ?, ?, 5, ?)",
    L.linkLocked.id,
    crypto.randomUUID(),
    Date.now() - HOUR,
    Date.now() + HOUR,
    Date.now() - 60_000,
  );
  // 30 logins that chose a password, page-00 … page-29, for paging (no hashing: the list never reads it).
  const now = Date.now();
  await env.DB.batch(
    Array.from({ length: 30 }, (_, i) => `page-${String(i).padStart(2, "0")}`).map((u) =>
      env.DB.prepare(
        `INSERT INTO portal_logins (agency_id, client_id, username, username_key, email, active, password_hash, must_change_password, email_status, created_at)
         VALUES (1, 6, ?, ?, ?, 1, 'not-a-real-hash', 0, 'sent', ?)`,
      ).bind(u, u, `${u}@example.com`, now),
    ),
  );
  // Lakeside's login (another agency), named so that Riverbend's search would find it if it leaked.
  L.lakeside = await createSettledLogin({ username: "acct-lakeside", agencyId: DEMO.lakeside, clientId: DEMO.hannah });
});

describe("Client Portal Accounts: the list", () => {
  it("lists every login of the agency with client, username, representative, status, email state and last login with the zone", async () => {
    const b = await Browser.staff("staff@riverbend.test");
    const res = await b.get(`${PATH}?q=acct-`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(usernames(html)).toEqual([
      "acct-active",
      "acct-expired",
      "acct-inactive",
      "acct-invited",
      "acct-link-locked",
      "acct-locked",
      "acct-not-sent",
      "acct-refused",
    ]);
    const active = rowOf(html, "acct-active")!;
    expect(active.Client).toBe("Alvarez, Maria Client # R-1001");
    expect(active.html).toContain(`href="/face-sheet/${DEMO.maria}"`);
    expect(active.Representative).toBe("No");
    expect(active.Status).toBe("In use");
    expect(active["Portal User Email"]).toBe("acct-active@example.com Email sent");
    expect(active["Last login"]).toBe("6/16/2026 9:46:48 AM EDT");
    expect(rowOf(html, "acct-invited")!.Status).toBe("Invited");
    expect(rowOf(html, "acct-invited")!["Last login"]).toBe("Never");
    expect(rowOf(html, "acct-locked")!.Status).toBe("Locked");
    expect(rowOf(html, "acct-link-locked")!.Status).toBe("Link locked");
    expect(rowOf(html, "acct-expired")!.Status).toBe("Expired");
    expect(rowOf(html, "acct-inactive")!.Status).toBe("Inactive");
    expect(rowOf(html, "acct-not-sent")!["Portal User Email"]).toBe("acct-not-sent@example.com Email not sent");
    expect(rowOf(html, "acct-refused")!.Client).toContain("Client refused portal login");
    // The email wraps only before the @ and after dots, never mid-word.
    expect(active.html).toContain("acct-<wbr/>active<wbr/>@example.<wbr/>com");
  });

  it("never shows another agency's logins (Lakeside's acct-lakeside)", async () => {
    const b = await Browser.staff("admin@riverbend.test");
    const html = await (await b.get(`${PATH}?q=acct-lakeside`)).text();
    expect(usernames(html)).toEqual([]);
    expect(html).not.toContain("acct-lakeside@");
    const csv = await (await b.get(`${PATH}.csv?q=acct-`)).text();
    expect(csv).not.toContain("acct-lakeside");
  });

  it("shows Lakeside's admin only Lakeside's logins once Lakeside is contracted for the portal", async () => {
    await sql("UPDATE agencies SET portal_enabled = 1 WHERE id = ?", DEMO.lakeside);
    try {
      const b = await Browser.staff("admin@lakeside.test");
      const html = await (await b.get(`${PATH}?q=acct-`)).text();
      expect(usernames(html)).toEqual(["acct-lakeside"]);
    } finally {
      await sql("UPDATE agencies SET portal_enabled = 0 WHERE id = ?", DEMO.lakeside);
    }
  });

  it.each([
    // acct-not-sent is Invited too: its temporary password is waiting, only its email failed.
    ["Invited", ["acct-invited", "acct-not-sent"]],
    ["Active", ["acct-active", "acct-refused"]],
    ["Locked", ["acct-link-locked", "acct-locked"]],
    ["Expired", ["acct-expired"]],
    ["Inactive", ["acct-inactive"]],
    ["Email not sent", ["acct-not-sent"]],
    ["Refused", ["acct-refused"]],
  ])("the %s filter lists exactly the logins the Face Sheet shows with that status", async (status, expected) => {
    const b = await Browser.staff("staff@riverbend.test");
    const res = await b.get(`${PATH}?status=${encodeURIComponent(status)}&q=acct-`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(usernames(html)).toEqual(expected);
    expect(html).toMatch(new RegExp(`<option value="${status}" selected`));
  });

  it("the Face Sheet's Client Portal table shows the same status words", async () => {
    const b = await Browser.staff("staff@riverbend.test");
    const html = (await (await b.get(`/face-sheet/${DEMO.james}/portal-logins`, { htmx: true })).text()).replace(/<wbr\/?>/g, "");
    expect(html).toMatch(/acct-locked[\s\S]*?badge bad[^>]*>Locked</);
    expect(html).toMatch(/acct-link-locked[\s\S]*?badge bad[^>]*>Link locked</);
  });

  it("a representative's access rule reads as on the Face Sheet: Blocked, Expired (representative)", async () => {
    const b = await Browser.staff("staff@riverbend.test");
    const blocked = await createSettledLogin({ clientId: DEMO.james, representative: true, username: "rep-acct-blocked" });
    const ended = await createSettledLogin({ clientId: DEMO.james, representative: true, username: "rep-acct-ended" });
    await sql("UPDATE portal_logins SET blocked_at = ?, blocked_reason = 'custody' WHERE id = ?", Date.now(), blocked.id);
    // createSettledLogin gave each its record, in force; this one's ended years ago.
    await sql("UPDATE portal_representations SET start_date = '2020-01-01', end_date = '2021-01-01' WHERE login_id = ?", ended.id);
    const html = await (await b.get(`${PATH}?q=rep-acct`)).text();
    expect(rowOf(html, "rep-acct-blocked")!.Status).toBe("Blocked");
    expect(rowOf(html, "rep-acct-ended")!.Status).toBe("Expired (representative)");
    const table = (await (await b.get(`/face-sheet/${DEMO.james}/portal-logins`, { htmx: true })).text()).replace(/<wbr\/?>/g, "");
    expect(table).toMatch(/rep-acct-blocked[\s\S]*?>Blocked</);
    expect(table).toMatch(/rep-acct-ended[\s\S]*?>Expired \(representative\)</);
  });

  it("search finds the start of a username or of an email, any case", async () => {
    const b = await Browser.staff("staff@riverbend.test");
    expect(usernames(await (await b.get(`${PATH}?q=ACCT-IN`)).text())).toEqual(["acct-inactive", "acct-invited"]);
    await sql("UPDATE portal_logins SET email = 'Guardian.Jones@Example.org' WHERE id = ?", L.refused.id);
    expect(usernames(await (await b.get(`${PATH}?q=guardian.jones@`)).text())).toEqual(["acct-refused"]);
    const none = await (await b.get(`${PATH}?q=zz-nobody`)).text();
    expect(usernames(none)).toEqual([]);
    expect(none).toContain("No portal logins match these filters.");
  });

  it("pages by keyset: 25 a page, Next to the rest, Previous back, nothing repeated or skipped", async () => {
    const b = await Browser.staff("auditor@riverbend.test");
    const first = await (await b.get(`${PATH}?q=page-`)).text();
    expect(usernames(first)).toEqual(Array.from({ length: 25 }, (_, i) => `page-${String(i).padStart(2, "0")}`));
    expect(prevHref(first)).toBeUndefined();
    const next = nextHref(first)!;
    expect(next).toBe(`${PATH}?q=page-&after=page-24`);
    const second = await (await b.get(next)).text();
    expect(usernames(second)).toEqual(["page-25", "page-26", "page-27", "page-28", "page-29"]);
    expect(nextHref(second)).toBeUndefined();
    const back = await (await b.get(prevHref(second)!)).text();
    expect(usernames(back)).toEqual(usernames(first));
    // Paging keeps the status filter.
    await sql("UPDATE portal_logins SET active = 0 WHERE username IN ('page-03', 'page-27')");
    const inactive = await (await b.get(`${PATH}?q=page-&status=Inactive`)).text();
    expect(usernames(inactive)).toEqual(["page-03", "page-27"]);
    const rest = await (await b.get(`${PATH}?q=page-&status=Active&after=page-24`)).text();
    expect(usernames(rest)).toEqual(["page-25", "page-26", "page-28", "page-29"]);
  });
});

describe("Client Portal Accounts: CSV", () => {
  it("exports every matching login (not only the page) with the list's words, formula cells made inert, and logs the export", async () => {
    await sql("UPDATE clients SET last_name = '=HYPERLINK(\"http://x\")' WHERE id = 4");
    try {
      const b = await WaitingBrowser.staff("staff@riverbend.test");
      const res = await b.get(`${PATH}.csv?q=acct-`);
      expect(res.status).toBe(200);
      expect(res.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
      expect(res.headers.get("Content-Disposition")).toMatch(/^attachment; filename="client-portal-accounts-riverbend-\d{4}-\d{2}-\d{2}\.csv"$/);
      const lines = (await res.text()).replace(/^\ufeff/, "").trimEnd().split("\r\n");
      expect(lines[0]).toBe("Client,Client #,Client Refused Portal Login,Portal Username,Representative,Active,Status,Portal User Email,Email,Last login");
      expect(lines).toHaveLength(9);
      expect(lines).toContain('"Alvarez, Maria",R-1001,No,acct-active,No,Yes,In use,acct-active@example.com,Email sent,6/16/2026 9:46:48 AM EDT');
      const notSent = lines.find((l) => l.includes("acct-not-sent"))!;
      expect(notSent.startsWith(`"'=HYPERLINK(""http://x""), Daniel"`)).toBe(true);
      expect(notSent).toContain(",Email not sent,Never");
      const paged = await (await b.get(`${PATH}.csv?q=page-`)).text();
      expect(paged.trimEnd().split("\r\n")).toHaveLength(31);
      const filtered = await (await b.get(`${PATH}.csv?status=Locked&q=acct-`)).text();
      expect(filtered.trimEnd().split("\r\n").slice(1).map((l) => l.split(",")[4])).toEqual(["acct-link-locked", "acct-locked"]);
    } finally {
      await sql("UPDATE clients SET last_name = 'Kowalski' WHERE id = 4");
    }
    const exports = (await agencyLogRows(DEMO.riverbend)).filter((r) => r.action === "CSV export");
    expect(exports.map((r) => r.description)).toContain("Exported the Client Portal Accounts list as CSV.");
  });

  it("refuses a bad filter with 422 and the message", async () => {
    const b = await Browser.staff("staff@riverbend.test");
    const res = await b.get(`${PATH}.csv?status=Deleted`);
    expect(res.status).toBe(422);
    expect(await res.text()).toContain("Choose a Status from the list");
  });
});

describe("Client Portal Accounts: bad input", () => {
  it("an unknown status: 422, the message by the Status field, what was typed kept, no stale list", async () => {
    const b = await Browser.staff("staff@riverbend.test");
    const res = await b.get(`${PATH}?status=Deleted&q=acct-`);
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('<p class="error" id="f-status-error">Choose a Status from the list: Invited, In use, Locked, Expired, Inactive, Email not sent, Refused.</p>');
    expect(html).toContain('<a href="#f-status">Choose a Status');
    expect(html).toMatch(/<title>Error: Client Portal Accounts/);
    expect(html).toMatch(/id="f-q"[^>]*value="acct-"/);
    expect(usernames(html)).toEqual([]);
  });

  it("a malformed page position: 422 with a plain message and a way back to the first page", async () => {
    const b = await Browser.staff("staff@riverbend.test");
    for (const cursor of ["'%20OR%201=1--", "%00", "x".repeat(80)]) {
      const res = await b.get(`${PATH}?after=${cursor}`);
      expect(res.status, cursor).toBe(422);
      const html = await res.text();
      expect(html).toContain("That page link is damaged or out of date. Start again from the first page.");
      expect(html).toContain(`<a class="button" href="${PATH}">Clear Filters</a>`);
      expect(usernames(html)).toEqual([]);
    }
  });

  it("a search too long or with hidden characters: 422 by the Search field", async () => {
    const b = await Browser.staff("staff@riverbend.test");
    const res = await b.get(`${PATH}?q=${"a".repeat(101)}`);
    expect(res.status).toBe(422);
    expect(await res.text()).toContain('id="f-q-error"');
  });
});

describe("Client Portal Accounts: who may open it", () => {
  it("admin, staff and auditor may (read-only: the list offers no Edit)", async () => {
    for (const email of ["admin@riverbend.test", "staff@riverbend.test", "auditor@riverbend.test"]) {
      const b = await Browser.staff(email);
      const res = await b.get(`${PATH}?q=acct-`);
      expect(res.status, email).toBe(200);
      expect(await res.text()).not.toMatch(/>Edit</);
    }
  });

  it("signed out: sent to sign in, for the list and the CSV", async () => {
    for (const path of [PATH, `${PATH}.csv`]) {
      const res = await new Browser().get(path);
      expect(res.status, path).toBe(302);
      expect(res.headers.get("Location")).toMatch(/^\/sign-in/);
    }
  });

  it("a portal user's session is no staff session: sent to the staff sign-in", async () => {
    const portal = new PortalBrowser();
    const login = await createSettledLogin({ clientId: DEMO.maria });
    await portal.signInReady(login);
    const res = await portal.get(PATH);
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toMatch(/^\/sign-in/);
    expect(await res.text()).not.toContain("acct-");
  });

  it("an agency not contracted for the Client Portal (Lakeside): 404, list and CSV", async () => {
    const b = await Browser.staff("admin@lakeside.test");
    for (const path of [PATH, `${PATH}.csv`]) {
      const res = await b.get(path);
      expect(res.status, path).toBe(404);
      expect(await res.text()).not.toContain("acct-");
    }
  });
});
