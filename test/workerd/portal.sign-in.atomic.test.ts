/**
 * A portal sign-in is one D1 batch: the login's update, this device's session row and the Login
 * entry land together or not at all. Found by `npm run soak` (D1 refusing a share of writes): the
 * session row used to be written after the commit, so a refused session insert answered 500
 * ("Nothing was changed") while the Login entry — and the login's last sign-in — had landed.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { verifyClientLog } from "../../src/clients/log";
import { database } from "../../src/db";
import { DEMO } from "./fixtures";
import { dobForm, inviteLogin, MailingPortal, MailingStaff, MARIA_DOB, openLink, tokenRows } from "./portal-links.fixtures";
import { loginWithPasskey, portalPasskeySignIn, portalPasskeyRows } from "./portal-passkeys.fixtures";
import { createSettledLogin, freshPassphrase, lastSeq, logEntries, loginRow, PORTAL, PORTAL_COOKIE, PortalBrowser, sessionRows } from "./portal.fixtures";

describe("portal sign-in and its session, in one batch", () => {
  it("when D1 refuses the session row, answers that nothing changed and writes neither the session nor a Login entry", async () => {
    const login = await createSettledLogin({ clientId: DEMO.james });
    const before = await lastSeq(DEMO.james);
    await env.DB.exec("CREATE TRIGGER injected_session_failure BEFORE INSERT ON portal_sessions BEGIN SELECT RAISE(ABORT, 'injected'); END");
    const tab = new PortalBrowser();
    try {
      const res = await tab.signIn(login.username, login.password);
      expect(res.status).toBe(500);
      expect(await res.text()).toContain("Nothing was changed");
      expect(tab.cookies.has(PORTAL_COOKIE)).toBe(false);
    } finally {
      await env.DB.exec("DROP TRIGGER IF EXISTS injected_session_failure");
    }
    // Nothing of the sign-in landed: no entry, no session, no last sign-in.
    expect(await logEntries(DEMO.james, before)).toEqual([]);
    expect(await sessionRows(login.id)).toEqual([]);
    expect((await loginRow(login.id)).last_login_at).toBeNull();

    // Once D1 takes writes again: one sign-in, one session row, one Login entry, the next number.
    const ok = await tab.signIn(login.username, login.password);
    expect(ok.status).toBe(303);
    expect(ok.headers.get("Location")).toBe(PORTAL);
    expect((await tab.get(PORTAL)).status).toBe(200);
    const entries = await logEntries(DEMO.james, before);
    expect(entries.map((e) => [e.seq, e.change_type, e.description])).toEqual([[before + 1, "Login", `Patient Portal login by ${login.username}`]]);
    const sessions = await sessionRows(login.id);
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({ method: "password", ended_at: null, session_version: 1 });
    expect((await loginRow(login.id)).last_login_at).toBe(sessions[0]!.created_at);
    expect(await verifyClientLog(env, database(env.DB), DEMO.riverbend, DEMO.james)).toMatchObject({ intact: true });
  });

  it("an inactive login's right password writes no session row (the session follows the login's update)", async () => {
    const login = await createSettledLogin({ clientId: DEMO.james, active: false });
    const before = await lastSeq(DEMO.james);
    const tab = new PortalBrowser();
    expect((await tab.signIn(login.username, login.password)).status).toBe(401);
    expect(await sessionRows(login.id)).toEqual([]);
    expect((await logEntries(DEMO.james, before)).filter((e) => e.change_type === "Login")).toEqual([]);
  });

  it("a passkey sign-in too: a refused session row leaves no Login entry and the passkey unused", async () => {
    const { login, auth } = await loginWithPasskey({ clientId: DEMO.james });
    const before = await lastSeq(DEMO.james);
    const sessionsBefore = (await sessionRows(login.id)).length;
    const tab = new PortalBrowser();
    await env.DB.exec("CREATE TRIGGER injected_session_failure BEFORE INSERT ON portal_sessions BEGIN SELECT RAISE(ABORT, 'injected'); END");
    try {
      const { res } = await portalPasskeySignIn(tab, auth);
      expect(res.status).toBe(500);
    } finally {
      await env.DB.exec("DROP TRIGGER IF EXISTS injected_session_failure");
    }
    expect(tab.cookies.has(PORTAL_COOKIE)).toBe(false);
    expect((await logEntries(DEMO.james, before)).filter((e) => e.change_type === "Login")).toEqual([]);
    expect(await sessionRows(login.id)).toHaveLength(sessionsBefore);
    expect((await portalPasskeyRows(login.id))[0]!.last_used_at).toBeNull();

    const { res, data } = await portalPasskeySignIn(tab, auth);
    expect(res.status).toBe(200);
    expect(data).toEqual({ redirect: PORTAL });
    expect((await logEntries(DEMO.james, before)).map((e) => e.change_type)).toEqual(["Login"]);
    expect((await sessionRows(login.id)).filter((s) => s.method === "passkey")).toHaveLength(1);
  });

  it("an emailed link too: a refused session row leaves the link unused, the password unset and no entry", async () => {
    const admin = await MailingStaff.staff("admin@riverbend.test");
    const { link, id } = await inviteLogin(admin, DEMO.maria, { prefix: "atomic" });
    const b = new MailingPortal();
    expect((await openLink(b, link.path)).status).toBe(200);
    expect((await b.post(`${PORTAL}/link/date-of-birth`, dobForm(MARIA_DOB))).status).toBe(303);
    const before = await lastSeq(DEMO.maria);
    const password = freshPassphrase();
    await env.DB.exec("CREATE TRIGGER injected_session_failure BEFORE INSERT ON portal_sessions BEGIN SELECT RAISE(ABORT, 'injected'); END");
    try {
      const res = await b.post(`${PORTAL}/link/password`, { newPassword: password, confirmPassword: password });
      expect(res.status).toBe(500);
      expect(await res.text()).toContain("Nothing was changed");
    } finally {
      await env.DB.exec("DROP TRIGGER IF EXISTS injected_session_failure");
    }
    expect(await logEntries(DEMO.maria, before)).toEqual([]);
    expect((await tokenRows(id))[0]!.used_at).toBeNull();
    expect(await loginRow(id)).toMatchObject({ password_hash: null, session_version: 1, last_login_at: null });
    expect(await sessionRows(id)).toEqual([]);

    // The same link, the same password, once D1 takes writes: signed in, both entries, one session.
    const set = await b.post(`${PORTAL}/link/password`, { newPassword: password, confirmPassword: password });
    expect(set.status).toBe(303);
    expect(b.cookies.has(PORTAL_COOKIE)).toBe(true);
    expect((await logEntries(DEMO.maria, before)).map((e) => e.change_type)).toEqual(["Reset Password", "Login"]);
    expect((await sessionRows(id)).map((r) => [r.method, r.session_version])).toEqual([["password", 2]]);
    expect((await b.get(PORTAL)).status).toBe(200);
  });
});
