/**
 * Home (who is signed in, for whom, the client's basic information, nothing else) and Activity
 * (the Client Action Log: the client's portal entries, newest first, in the agency's time zone,
 * shared by every login of the client, a page at a time). No portal URL takes a client id.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { recordPortalEvent, recordStaffEvent } from "../../src/clients/log";
import { formatActionLogTime as agencyTimestamp } from "../../src/layout/agency-time";
import { PORTAL, PortalBrowser, actionRows, createSettledLogin, logEntries, sql } from "./portal.fixtures";

async function signedIn(spec: Parameters<typeof createSettledLogin>[0] = {}) {
  const login = await createSettledLogin(spec);
  const b = new PortalBrowser();
  await b.signInReady(login);
  return { login, b };
}

describe("Home", () => {
  it("shows who is signed in and the client's name, date of birth and Current Residence only", async () => {
    const { login, b } = await signedIn();
    const res = await b.get(PORTAL);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(`Signed in as <strong>${login.username}</strong>`);
    expect(html).not.toContain("Representative for");
    for (const text of ["Maria Alvarez", "03/14/1987", "Current Residence", "41 Elm Street, Apt 2", "Albany, NY 12207", "(518) 555-0142", "maria.alvarez@example.com"]) {
      expect(html, text).toContain(text);
    }
    // Nothing else of the record: no client number, cases or programs.
    for (const text of ["R-1001", "RB-24-0101", "Outpatient Counseling", "Homeless", "Refused"]) expect(html, text).not.toContain(text);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
  });

  it("says whom a representative acts for", async () => {
    const { b } = await signedIn({ representative: true, clientId: 2 });
    const html = await (await b.get(PORTAL)).text();
    expect(html).toContain("Representative for <strong>James Okafor</strong>");
    expect(html).toContain("Not on file"); // James has no email
  });

  it("ignores any client id put in the URL: the session says whose data it is", async () => {
    const { b } = await signedIn();
    for (const path of [`${PORTAL}?clientId=2`, `${PORTAL}?client=13`]) {
      const html = await (await b.get(path)).text();
      expect(html).toContain("Maria Alvarez");
      expect(html).not.toContain("Okafor");
      expect(html).not.toContain("Weiss");
    }
    for (const path of [`${PORTAL}/clients/2`, `${PORTAL}/activity/2`, `${PORTAL}/home/13`]) expect((await b.get(path)).status, path).toBe(404);
  });
});

describe("Activity", () => {
  it("shows the Client Action Log: Action | Description | Timestamp, the client's portal entries newest first", async () => {
    // Client 3 (Priya) has no other test's entries.
    const { login, b } = await signedIn({ clientId: 3 });
    // A staff-side change with a portal line (as the Portal Login window writes it) and one without.
    await recordStaffEvent(env, {
      agencyId: 1,
      clientId: 3,
      actor: { type: "staff", id: 1, name: "Dana Whitfield" },
      changeType: "Portal Login",
      description: `Portal Login ${login.username} was modified. Password updated`,
      details: { portal: { action: "Profile Updated", description: `Portal Login ${login.username} was modified by Dana Whitfield. Changes: Password updated` } },
    });
    await recordStaffEvent(env, { agencyId: 1, clientId: 3, actor: { type: "staff", id: 1, name: "Dana Whitfield" }, changeType: "Face Sheet", description: "Updated the following dynamic fields: Current Residence" });
    await b.post(`${PORTAL}/log-out`, {});
    await b.signInReady(login);

    const res = await b.get(`${PORTAL}/activity`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("<h2 id=\"log-heading\">Client Action Log</h2>");
    expect(html).toMatch(/<th scope="col">Action<\/th><th scope="col">Description<\/th><th scope="col">Timestamp<\/th>/);
    const rows = actionRows(html);
    expect(rows.map(([a, d]) => [a, d])).toEqual([
      ["Login", `Patient Portal login by ${login.username}`],
      ["Logout", `Patient Portal logout by ${login.username}`],
      ["Profile Updated", `Portal Login ${login.username} was modified by Dana Whitfield. Changes: Password updated`],
      ["Login", `Patient Portal login by ${login.username}`],
    ]);
    expect(html).not.toContain("Updated the following dynamic fields");
    // Timestamps as the log stored them, in the agency's zone.
    const stored = (await logEntries(3)).filter((e) => JSON.parse(e.details).portal).reverse();
    expect(rows.map((r) => r[2])).toEqual(stored.map((e) => agencyTimestamp(e.at, "America/New_York")));
    expect(rows[0]![2]).toMatch(/^\d\d\/\d\d\/\d{4} \d\d:\d\d:\d\d (AM|PM)$/);
  });

  it("formats timestamps like 06/16/2022 09:47:16 AM in the agency's time zone", () => {
    const at = Date.UTC(2022, 5, 16, 13, 47, 16);
    expect(agencyTimestamp(at, "America/New_York")).toBe("06/16/2022 09:47:16 AM");
    expect(agencyTimestamp(at, "America/Chicago")).toBe("06/16/2022 08:47:16 AM");
    expect(agencyTimestamp(Date.UTC(2022, 0, 3, 4, 5, 6), "America/New_York")).toBe("01/02/2022 11:05:06 PM");
    expect(agencyTimestamp(Date.UTC(2022, 0, 3, 17, 0, 0), "America/New_York")).toBe("01/03/2022 12:00:00 PM");
    expect(agencyTimestamp(at, "Not/A_Zone")).toBe("06/16/2022 01:47:16 PM");
  });

  it("shows every login of one client (client and representatives) the same log, and another client's logins none of it", async () => {
    const own = await signedIn({ clientId: 4 });
    const rep = await signedIn({ clientId: 4, representative: true });
    const stranger = await signedIn({ clientId: 5 });
    const ownRows = actionRows(await (await own.b.get(`${PORTAL}/activity`)).text());
    const repRows = actionRows(await (await rep.b.get(`${PORTAL}/activity`)).text());
    expect(ownRows).toEqual(repRows);
    // A representative's entries name their standing — the relationship of its record (issue 11); the client's own login keeps the seed's text.
    expect(ownRows.map((r) => r[1])).toEqual([`Patient Portal login by ${rep.login.username} (representative: parent)`, `Patient Portal login by ${own.login.username}`]);
    const strangerRows = actionRows(await (await stranger.b.get(`${PORTAL}/activity`)).text());
    expect(strangerRows.map((r) => r[1])).toEqual([`Patient Portal login by ${stranger.login.username}`]);
  });

  it("pages the log 50 entries at a time, keeping the log's order", async () => {
    const { login, b } = await signedIn({ clientId: 6 });
    for (let i = 0; i < 54; i++) {
      await recordPortalEvent(env, { agencyId: 1, clientId: 6, loginId: login.id, username: login.username, event: i % 2 ? "Logout" : "Login" });
    }
    const first = await (await b.get(`${PORTAL}/activity`)).text();
    const second = await (await b.get(`${PORTAL}/activity?page=2`)).text();
    const p1 = actionRows(first);
    const p2 = actionRows(second);
    expect(p1).toHaveLength(50);
    expect(p2).toHaveLength(5);
    expect(first).toContain(`href="${PORTAL}/activity?page=2"`);
    expect(first).not.toContain("Newer entries");
    expect(second).toContain(`href="${PORTAL}/activity"`);
    expect(second).not.toContain("Older entries");
    const seqs = (await logEntries(6)).filter((e) => JSON.parse(e.details).portal).map((e) => e.description).reverse();
    expect([...p1, ...p2].map((r) => r[1])).toEqual(seqs);
    expect(actionRows(await (await b.get(`${PORTAL}/activity?page=9`)).text())).toEqual([]);
  });

  it("answers 404 to a page number that isn't one", async () => {
    const { b } = await signedIn({ clientId: 7 });
    for (const page of ["0", "-1", "abc", "1.5", "9999999"]) expect((await b.get(`${PORTAL}/activity?page=${page}`)).status, page).toBe(404);
  });

  it("needs a session", async () => {
    const res = await new PortalBrowser().get(`${PORTAL}/activity`);
    expect(res.status).toBe(303);
    // To sign-in, which returns to Activity afterwards.
    expect(res.headers.get("Location")).toBe(`${PORTAL}?next=${encodeURIComponent(`${PORTAL}/activity`)}`);
  });

  it("shows nothing of a client whose login was moved to another agency's client (corrupt row)", async () => {
    const { login, b } = await signedIn({ clientId: 8 });
    await sql("UPDATE portal_logins SET client_id = 14 WHERE id = ?", login.id);
    expect((await b.get(`${PORTAL}/activity`)).status).toBe(303);
  });
});
