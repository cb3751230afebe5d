/**
 * One person, several clients (issue 11 item 5), on the portal: a representative login linked to
 * clients 1 and 2 of Riverbend — not to client 3, and not to Lakeside's client 13 — asks "Whose
 * information?" after sign-in, shows a switcher on every page, and scopes every page, POST and
 * entry to the client this session chose (portal_sessions.client_id). A client id the login may
 * not act for (tampered form) is 404 with nothing written; ending one link — or revoking one
 * child's Part 2 consent — leaves the others, and the next request says whose access ended on
 * "Whose information?" instead of switching silently.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { recordPortalEvent } from "../../src/clients/log";
import { chosenClient, linkRepresentation, parentOf, riverbendToday } from "./families.fixtures";
import { authenticator, loginWithPasskey, portalPasskeySignIn, registerPortalPasskey } from "./portal-passkeys.fixtures";
import { PORTAL, PortalBrowser, actionRows, createLogin, createSettledLogin, freshPassphrase, lastSeq, logEntries, loginRow, sql, type CreatedLogin } from "./portal.fixtures";
import { Browser } from "./fixtures";
import { noticeText } from "./helpers";
import { createConsent, markPart2 } from "./part2.fixtures";

const MARIA = { id: 1, full: "Maria Alvarez", short: "Maria A." };
const JAMES = { id: 2, full: "James Okafor", short: "James O." };
const PRIYA = { id: 3, full: "Priya Natarajan", short: "Priya N." };
const AISHA = { id: 5, full: "Aisha Mohammed", short: "Aisha M." };
const HANNAH = { id: 13 }; // Lakeside's
const LUIS = { id: 12, full: "Luis Ortega", short: "Luis O." }; // an open case in Substance Use IOP

/** The text of the page's warning alert (Whose information? after the chosen client's access ended). */
function warningText(html: string): string | undefined {
  const m = /<p class="warning" role="alert"[^>]*>([^<]*)<\/p>/.exec(html);
  return m ? m[1]!.replace(/&#39;/g, "'").replace(/&amp;/g, "&").trim() : undefined;
}

/** Signs in a fresh browser as `login` (settled password). */
async function signIn(login: CreatedLogin) {
  const b = new PortalBrowser();
  const res = await b.signIn(login.username, login.password);
  expect(res.status).toBe(303);
  return b;
}

/** The option the header's switcher shows as selected, if any. */
function switcherSelected(html: string): string | null {
  const form = /<form[^>]*class="client-switcher"[\s\S]*?<\/form>/.exec(html)?.[0];
  if (!form) return null;
  return /<option[^>]*selected=""[^>]*>([^<]*)<\/option>/.exec(form)?.[1] ?? null;
}

const PAGES = ["", "/activity", "/passkeys", "/devices", "/change-password"];

describe("Whose information? after sign-in", () => {
  it("asks before any page when the login has two clients in force, listing only those", async () => {
    const login = await parentOf([MARIA.id, JAMES.id]);
    const b = await signIn(login);
    for (const page of PAGES) {
      const res = await b.get(`${PORTAL}${page}`);
      expect(res.status, page).toBe(303);
      expect(res.headers.get("Location"), page).toBe(`${PORTAL}/whose`);
    }
    const html = await (await b.get(`${PORTAL}/whose`)).text();
    expect(html).toContain("Whose information?");
    expect(html).toContain(`>${MARIA.short}</button>`);
    expect(html).toContain(`>${JAMES.short}</button>`);
    expect(html).not.toContain(PRIYA.short);
    expect(await chosenClient(login.id)).toBeNull();
  });

  it("a temporary password is replaced first, then the question is asked", async () => {
    const login = await createLogin({ clientId: MARIA.id, representative: true });
    await linkRepresentation(login.id, MARIA.id);
    await linkRepresentation(login.id, JAMES.id);
    const b = new PortalBrowser();
    const res = await b.signIn(login.username, login.password);
    expect(res.headers.get("Location")).toBe(`${PORTAL}/change-password`);
    expect((await b.get(`${PORTAL}/whose`)).headers.get("Location")).toBe(`${PORTAL}/change-password`);
    const next = freshPassphrase();
    expect((await b.post(`${PORTAL}/change-password`, { newPassword: next, confirmPassword: next })).status).toBe(303);
    expect((await b.get(PORTAL)).headers.get("Location")).toBe(`${PORTAL}/whose`);
  });

  it("never asks a login with one client, and /whose sends it Home", async () => {
    const login = await parentOf([PRIYA.id]);
    const b = await signIn(login);
    const home = await b.get(PORTAL);
    expect(home.status).toBe(200);
    const html = await home.text();
    expect(html).toContain(`Representative for <strong>${PRIYA.full}</strong>`);
    expect(switcherSelected(html)).toBeNull();
    const whose = await b.get(`${PORTAL}/whose`);
    expect(whose.status).toBe(303);
    expect(whose.headers.get("Location")).toBe(PORTAL);
  });

  it("ignores links not yet started or already past their end date", async () => {
    const today = await riverbendToday();
    const login = await parentOf([MARIA.id]);
    await linkRepresentation(login.id, JAMES.id, { startDate: "2999-01-01", endDate: "2999-12-31" });
    await linkRepresentation(login.id, PRIYA.id, { startDate: "2020-01-01", endDate: "2020-12-31" });
    const b = await signIn(login);
    const res = await b.get(PORTAL);
    expect(res.status, today).toBe(200);
    expect(await res.text()).toContain(`Representative for <strong>${MARIA.full}</strong>`);
  });
});

describe("the scoping matrix: every page and POST acts for the chosen client only", () => {
  let login: CreatedLogin;
  beforeAll(async () => {
    login = await parentOf([MARIA.id, JAMES.id], { [JAMES.id]: "legal-guardian" });
    // Lakeside's client, even with a row claiming Riverbend, is never one of the login's clients.
    await linkRepresentation(login.id, HANNAH.id);
    // A marker in each client's Activity.
    for (const c of [MARIA, JAMES, PRIYA]) await recordPortalEvent(env, { agencyId: 1, clientId: c.id, loginId: 0, username: `marker-${c.id}`, event: "Login" });
  });

  for (const [chosen, other] of [
    [MARIA, JAMES],
    [JAMES, MARIA],
  ] as const) {
    it(`with ${chosen.short} chosen: Home, Activity, Passkeys, Devices and Change password show ${chosen.short}'s information and the switcher`, async () => {
      const b = await signIn(login);
      const pick = await b.post(`${PORTAL}/whose`, { client: String(chosen.id) });
      expect(pick.status).toBe(303);
      expect(pick.headers.get("Location")).toBe(PORTAL);
      expect(await chosenClient(login.id)).toBe(chosen.id);

      const home = await (await b.get(PORTAL)).text();
      expect(home).toContain(`Representative for <strong>${chosen.full}</strong>`);
      expect(home).not.toContain(other.full);
      const activity = actionRows(await (await b.get(`${PORTAL}/activity`)).text()).map((r) => r[1]);
      expect(activity).toContain(`Patient Portal login by marker-${chosen.id}`);
      expect(activity).not.toContain(`Patient Portal login by marker-${other.id}`);
      expect(activity).not.toContain(`Patient Portal login by marker-${PRIYA.id}`);
      for (const page of PAGES) {
        const res = await b.get(`${PORTAL}${page}`);
        expect(res.status, page).toBe(200);
        expect(switcherSelected(await res.text()), page).toBe(chosen.short);
      }
    });

    it(`with ${chosen.short} chosen: a password change and Log out are written to the right logs`, async () => {
      const b = await signIn(login);
      await b.post(`${PORTAL}/whose`, { client: String(chosen.id) });
      const seqs = { chosen: await lastSeq(chosen.id), other: await lastSeq(other.id), priya: await lastSeq(PRIYA.id) };
      const next = freshPassphrase();
      const changed = await b.post(`${PORTAL}/change-password`, { currentPassword: login.password, newPassword: next, confirmPassword: next });
      expect(changed.status).toBe(303);
      expect(changed.headers.get("Location")).toBe(`${PORTAL}?password-changed`);
      login.password = next;
      const relation = chosen.id === JAMES.id ? "legal guardian" : "parent";
      expect((await logEntries(chosen.id, seqs.chosen)).map((e) => e.description)).toEqual([`Password changed by ${login.username} (representative: ${relation})`]);
      expect(await logEntries(other.id, seqs.other)).toEqual([]);
      // The session carries on, still on the chosen client.
      expect(await (await b.get(PORTAL)).text()).toContain(`Representative for <strong>${chosen.full}</strong>`);

      const out = await b.post(`${PORTAL}/log-out`, {});
      expect(out.status).toBe(303);
      // Sign-out, like sign-in, goes to every client the session could act for — never to client 3.
      expect((await logEntries(chosen.id, seqs.chosen)).at(-1)!.description).toBe(`Patient Portal logout by ${login.username} (representative: ${relation})`);
      const otherRelation = other.id === JAMES.id ? "legal guardian" : "parent";
      expect((await logEntries(other.id, seqs.other)).map((e) => e.description)).toEqual([`Patient Portal logout by ${login.username} (representative: ${otherRelation})`]);
      expect(await logEntries(PRIYA.id, seqs.priya)).toEqual([]);
      expect(await logEntries(HANNAH.id)).toEqual([]);
    });
  }

  it("switching from the header keeps the page: Activity stays Activity, for the other client", async () => {
    const b = await signIn(login);
    await b.post(`${PORTAL}/whose`, { client: String(MARIA.id) });
    const res = await b.post(`${PORTAL}/whose`, { client: String(JAMES.id), return: "activity" });
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe(`${PORTAL}/activity`);
    const activity = actionRows(await (await b.get(`${PORTAL}/activity`)).text()).map((r) => r[1]);
    expect(activity).toContain(`Patient Portal login by marker-${JAMES.id}`);
    expect(activity).not.toContain(`Patient Portal login by marker-${MARIA.id}`);
  });

  it("a tampered switch — a client not linked, another agency's, or no client — is 404 and writes nothing", async () => {
    const b = await signIn(login);
    await b.post(`${PORTAL}/whose`, { client: String(MARIA.id) });
    const before = { maria: await lastSeq(MARIA.id), james: await lastSeq(JAMES.id), priya: await lastSeq(PRIYA.id), hannah: await lastSeq(HANNAH.id) };
    for (const form of [
      { client: String(PRIYA.id) },
      { client: String(HANNAH.id) },
      { client: "0" },
      { client: "999999" },
      { client: "1 " },
      { client: "abc" },
      {},
      { client: String(JAMES.id), return: "/evil" },
    ]) {
      const res = await b.post(`${PORTAL}/whose`, form as Record<string, string>);
      expect(res.status, JSON.stringify(form)).toBe(404);
      expect(await chosenClient(login.id), JSON.stringify(form)).toBe(MARIA.id);
    }
    expect({ maria: await lastSeq(MARIA.id), james: await lastSeq(JAMES.id), priya: await lastSeq(PRIYA.id), hannah: await lastSeq(HANNAH.id) }).toEqual(before);
    // Still on Maria.
    expect(await (await b.get(PORTAL)).text()).toContain(`Representative for <strong>${MARIA.full}</strong>`);
  });

  it("a switch without a session goes to sign-in and stores nothing", async () => {
    const b = new PortalBrowser();
    const res = await b.post(`${PORTAL}/whose`, { client: String(MARIA.id) });
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe(PORTAL);
  });
});

describe("ending one link leaves the others", () => {
  it("a session on the ended client goes back to Whose information?, without it", async () => {
    const login = await parentOf([MARIA.id, JAMES.id, AISHA.id]);
    const b = await signIn(login);
    await b.post(`${PORTAL}/whose`, { client: String(JAMES.id) });
    expect((await b.get(PORTAL)).status).toBe(200);
    await sql("UPDATE portal_representations SET ended_at = ? WHERE login_id = ? AND client_id = ?", Date.now(), login.id, JAMES.id);

    const next = await b.get(`${PORTAL}/activity`);
    expect(next.status).toBe(303);
    expect(next.headers.get("Location")).toBe(`${PORTAL}/whose`);
    const whose = await (await b.get(`${PORTAL}/whose`)).text();
    expect(warningText(whose)).toBe("Your access to James's information has ended. Contact Riverbend Behavioral Health if you think this is a mistake.");
    expect(whose).toContain(MARIA.short);
    expect(whose).toContain(AISHA.short);
    expect(whose).not.toContain(JAMES.short);
    const seq = await lastSeq(JAMES.id);
    expect((await b.post(`${PORTAL}/whose`, { client: String(JAMES.id) })).status).toBe(404);
    expect(await lastSeq(JAMES.id)).toBe(seq);
    expect((await b.post(`${PORTAL}/whose`, { client: String(AISHA.id) })).status).toBe(303);
    expect(await (await b.get(PORTAL)).text()).toContain(`Representative for <strong>${AISHA.full}</strong>`);
  });

  it("with one client left, the next request says whose access ended and offers the other; with none, it has ended", async () => {
    const login = await parentOf([MARIA.id, JAMES.id]);
    const b = await signIn(login);
    await b.post(`${PORTAL}/whose`, { client: String(JAMES.id) });
    await sql("UPDATE portal_representations SET ended_at = ? WHERE login_id = ? AND client_id = ?", Date.now(), login.id, JAMES.id);
    // Never silently swapped for Maria: the person is told, then chooses.
    const next = await b.get(PORTAL);
    expect(next.status).toBe(303);
    expect(next.headers.get("Location")).toBe(`${PORTAL}/whose`);
    const whose = await (await b.get(`${PORTAL}/whose`)).text();
    expect(warningText(whose)).toBe("Your access to James's information has ended. Contact Riverbend Behavioral Health if you think this is a mistake.");
    expect(whose).toContain(`>${MARIA.short}</button>`);
    expect(whose).not.toContain(JAMES.short);
    expect((await b.post(`${PORTAL}/whose`, { client: String(MARIA.id) })).status).toBe(303);
    const home = await b.get(PORTAL);
    expect(home.status).toBe(200);
    const html = await home.text();
    expect(html).toContain(`Representative for <strong>${MARIA.full}</strong>`);
    expect(html).not.toContain(JAMES.full);
    expect(switcherSelected(html)).toBeNull();
    // Chosen again: the question (and its alert) is gone.
    expect((await b.get(`${PORTAL}/whose`)).headers.get("Location")).toBe(PORTAL);

    await sql("UPDATE portal_representations SET ended_at = ? WHERE login_id = ? AND client_id = ?", Date.now(), login.id, MARIA.id);
    const ended = await b.get(`${PORTAL}/activity`);
    expect(ended.status).toBe(303);
    expect(ended.headers.get("Location")).toMatch(/^\/portal\/riverbend\?ended=access(&next=|$)/); // the page it was on rides along (idle-timeout return path)
  });
});

describe("Revoke consent (42 CFR Part 2) for one child mid-session", () => {
  it("the parent's next request goes to Whose information? saying whose access ended; the other child stays reachable; a switch back is 404", async () => {
    await markPart2(); // Luis has an open case in Substance Use IOP; James's is closed.
    const login = await parentOf([JAMES.id, LUIS.id]);
    const luisLink = await linkRepresentation(login.id, LUIS.id);
    const consentId = await createConsent(luisLink, LUIS.id);
    const b = await signIn(login);
    expect((await b.post(`${PORTAL}/whose`, { client: String(LUIS.id) })).status).toBe(303);
    expect(await (await b.get(PORTAL)).text()).toContain(`Representative for <strong>${LUIS.full}</strong>`);
    const version = (await loginRow(login.id)).session_version;

    const admin = await Browser.staff("admin@riverbend.test");
    const before = await lastSeq(LUIS.id);
    const res = await admin.post(`/face-sheet/${LUIS.id}/portal-logins/${login.id}/consent/${consentId}/revoke`, {}, { htmx: true });
    expect(res.status).toBe(200);
    expect(noticeText(await res.text())).toBe("Consent revoked. Rosa Ortega can no longer see this client's records; their login still reaches the other clients it is linked to.");
    // Logged on Luis's log; the login's sessions carry on (its other child is untouched).
    expect((await logEntries(LUIS.id, before)).map((e) => e.description)).toEqual([
      `42 CFR Part 2 consent revoked: Rosa Ortega (portal login ${login.username}) may no longer see the client's records. The login's links to other clients are unchanged.`,
    ]);
    expect((await loginRow(login.id)).session_version).toBe(version);

    const next = await b.get(`${PORTAL}/activity`);
    expect(next.status).toBe(303);
    expect(next.headers.get("Location")).toBe(`${PORTAL}/whose`);
    const whose = await b.get(`${PORTAL}/whose`);
    expect(whose.status).toBe(200);
    const html = await whose.text();
    expect(warningText(html)).toBe("Your access to Luis's information has ended. Contact Riverbend Behavioral Health if you think this is a mistake.");
    expect(html).toContain(`>${JAMES.short}</button>`);
    expect(html).not.toContain(`>${LUIS.short}</button>`);

    // A tampered switch back to Luis: 404, the session still on him (so still asked), nothing logged.
    const seqs = { luis: await lastSeq(LUIS.id), james: await lastSeq(JAMES.id) };
    const back = await b.post(`${PORTAL}/whose`, { client: String(LUIS.id), return: "activity" });
    expect(back.status).toBe(404);
    expect(await chosenClient(login.id)).toBe(LUIS.id);
    expect({ luis: await lastSeq(LUIS.id), james: await lastSeq(JAMES.id) }).toEqual(seqs);
    expect((await b.get(`${PORTAL}/activity`)).headers.get("Location")).toBe(`${PORTAL}/whose`);

    // James is still reachable.
    expect((await b.post(`${PORTAL}/whose`, { client: String(JAMES.id) })).status).toBe(303);
    const home = await (await b.get(PORTAL)).text();
    expect(home).toContain(`Representative for <strong>${JAMES.full}</strong>`);
    expect(home).not.toContain(LUIS.full);
  });

  it("a login with no other link: revoking ends its sessions, as before, and says access has ended", async () => {
    await markPart2(); // on its own too, not only after the test above
    const login = await parentOf([LUIS.id]);
    const luisLink = await linkRepresentation(login.id, LUIS.id);
    const consentId = await createConsent(luisLink, LUIS.id);
    const b = await signIn(login);
    expect((await b.get(PORTAL)).status).toBe(200);
    const version = (await loginRow(login.id)).session_version;
    const admin = await Browser.staff("admin@riverbend.test");
    const res = await admin.post(`/face-sheet/${LUIS.id}/portal-logins/${login.id}/consent/${consentId}/revoke`, {}, { htmx: true });
    expect(noticeText(await res.text())).toBe("Consent revoked. Rosa Ortega can no longer sign in or see the client's records; their sessions have ended.");
    expect((await loginRow(login.id)).session_version).toBe(version + 1);
    expect((await b.get(`${PORTAL}/activity`)).headers.get("Location")).toMatch(/^\/portal\/riverbend\?ended=access(&next=|$)/);
  });
});

describe("Activity entries name who acted", () => {
  it("a client's own login keeps the seed's text exactly", async () => {
    const login = await createSettledLogin({ clientId: 4 });
    const seq = await lastSeq(4);
    await signIn(login);
    expect((await logEntries(4, seq)).map((e) => [e.description, JSON.parse(e.details).portal.description])).toEqual([
      [`Patient Portal login by ${login.username}`, `Patient Portal login by ${login.username}`],
    ]);
  });

  it("a representative's sign-in is written to each client's log with the standing for that client", async () => {
    const login = await parentOf([6, 7], { 7: "health-care-agent" });
    const seqs = [await lastSeq(6), await lastSeq(7)];
    await signIn(login);
    expect((await logEntries(6, seqs[0])).map((e) => e.description)).toEqual([`Patient Portal login by ${login.username} (representative: parent)`]);
    expect((await logEntries(7, seqs[1])).map((e) => e.description)).toEqual([`Patient Portal login by ${login.username} (representative: health-care agent)`]);
    const entry = (await logEntries(7, seqs[1]))[0]!;
    expect([entry.actor_type, entry.actor_name]).toEqual(["portal", login.username]);
  });

  // Merged rule (src/representatives/access.ts): a representative login needs a record for the
  // client — one made before records existed gets no access — so every representative's entry
  // names the relationship of its record.
  it("a representative login names its record's relationship; one without a record gets no access and no Login entry", async () => {
    const login = await createSettledLogin({ clientId: 8, representative: true });
    const seq = await lastSeq(8);
    await signIn(login);
    expect((await logEntries(8, seq)).map((e) => e.description)).toEqual([`Patient Portal login by ${login.username} (representative: parent)`]);

    const older = await createSettledLogin({ clientId: 8, representative: true, record: null });
    const seqOlder = await lastSeq(8);
    expect((await new PortalBrowser().signIn(older.username, older.password)).status).toBe(403);
    expect((await logEntries(8, seqOlder)).map((e) => e.description).filter((d) => d.startsWith("Patient Portal login"))).toEqual([]);
  });
});

describe("passkeys of a login linked to several clients", () => {
  it("a passkey sign-in is written to each client's log; a passkey added goes to the chosen client's log only", async () => {
    const { login, auth } = await loginWithPasskey({ clientId: 9, representative: true });
    await linkRepresentation(login.id, 9);
    await linkRepresentation(login.id, 10, { relationship: "legal-guardian" });
    const seqs = [await lastSeq(9), await lastSeq(10)];
    const b = new PortalBrowser();
    const { res, data } = await portalPasskeySignIn(b, auth);
    expect(res.status).toBe(200);
    expect(data.redirect).toBe(PORTAL);
    expect((await logEntries(9, seqs[0])).map((e) => [e.description, JSON.parse(e.details).lines])).toEqual([
      [`Patient Portal login by ${login.username} (representative: parent)`, ["Signed in with a passkey (My phone)."]],
    ]);
    expect((await logEntries(10, seqs[1])).map((e) => e.description)).toEqual([`Patient Portal login by ${login.username} (representative: legal guardian)`]);

    expect((await b.get(PORTAL)).headers.get("Location")).toBe(`${PORTAL}/whose`);
    await b.post(`${PORTAL}/whose`, { client: "10" });
    const after = [await lastSeq(9), await lastSeq(10)];
    const added = await registerPortalPasskey(b, authenticator(), "Laptop");
    expect(added.res.status).toBe(200);
    expect(await logEntries(9, after[0])).toEqual([]);
    const entry = (await logEntries(10, after[1]))[0]!;
    expect(JSON.parse(entry.details).portal.description).toBe(`Passkey "Laptop" added by ${login.username} (representative: legal guardian)`);
  });
});
