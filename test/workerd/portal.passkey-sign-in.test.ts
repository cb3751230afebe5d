/**
 * Sign in with a passkey at an agency's portal: the same gates as a password. A right passkey
 * starts a session (its own row, "passkey"), moves the counter on, and writes the seed's "Patient
 * Portal login by <username>" with a line saying a passkey was used. A wrong origin or RP ID, a
 * replayed challenge, a removed passkey, another agency's passkey or challenge, a staff passkey:
 * refused, counted against the address, nothing written. A deactivated login, a refused client,
 * a locked login: refused at once, logged for staff, nothing else written. Too many failures from
 * an address: refused before anything is checked.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { Browser } from "./fixtures";
import { authenticator as staffAuthenticator, registerPasskey as registerStaffPasskey } from "./passkeys.fixtures";
import { createStaff } from "./two-factor.fixtures";
import {
  authenticator,
  challengeCount,
  createPortalAgency,
  loginWithPasskey,
  passkeyFailures,
  portalPasskeyRows,
  portalPasskeySignIn,
  postJson,
  registerPortalPasskey,
  signedInLogin,
} from "./portal-passkeys.fixtures";
import { PORTAL, PORTAL_COOKIE, PortalBrowser, lastSeq, logEntries, loginRow, sessionRows, sql } from "./portal.fixtures";
import type { AuthenticationOptions } from "./webauthn.authenticator";

const NOT_ACCEPTED = "That passkey wasn't accepted. Try again.";
const USED = "That took too long or was already used. Try again.";
const NOT_ALLOWED = "That passkey can't sign you in to this portal. Contact Riverbend Behavioral Health for help.";

/** Nothing of a sign-in was written for the login: no session, no Login entry, the passkey unused. */
async function nothingWritten(b: PortalBrowser, login: { id: number; clientId: number }, before: number) {
  expect(b.cookies.has(PORTAL_COOKIE)).toBe(false);
  expect((await sessionRows(login.id)).filter((s) => s.method === "passkey")).toEqual([]);
  expect((await logEntries(login.clientId, before)).filter((e) => e.change_type === "Login")).toEqual([]);
  expect((await portalPasskeyRows(login.id))[0]!.last_used_at).toBeNull();
}

describe("signing in with a passkey", () => {
  it("offers the portal's passkeys with user verification required, starts a session on Home and logs the Login with a passkey line", async () => {
    const { login, auth } = await loginWithPasskey();
    const b = new PortalBrowser();
    const page = await (await b.get(PORTAL)).text();
    expect(page).toContain(`data-passkey="authenticate" data-options-url="${PORTAL}/sign-in/passkey/options" data-verify-url="${PORTAL}/sign-in/passkey"`);
    expect(page).toContain("This browser can&#39;t use passkeys.");

    const before = await lastSeq(login.clientId);
    const { options, res, data } = await portalPasskeySignIn(b, auth);
    expect(options.rpId).toBe("localhost");
    expect(options.allowCredentials ?? []).toEqual([]);
    expect((options as unknown as { userVerification: string }).userVerification).toBe("required");
    expect(res.status).toBe(200);
    expect(data).toEqual({ redirect: PORTAL });
    expect(b.cookies.has(PORTAL_COOKIE)).toBe(true);
    const home = await (await b.get(PORTAL)).text();
    expect(home).toContain(`Signed in as <strong>${login.username}</strong>`);

    const [row] = await portalPasskeyRows(login.id);
    expect(row!.counter).toBe(1);
    expect(row!.last_used_at).not.toBeNull();
    expect((await loginRow(login.id)).last_login_at).toBe(row!.last_used_at);
    const sessions = await sessionRows(login.id);
    expect(sessions.at(-1)).toMatchObject({ method: "passkey", ended_at: null, session_version: 1 });
    const entries = await logEntries(login.clientId, before);
    expect(entries.map((e) => [e.change_type, e.description])).toEqual([["Login", `Patient Portal login by ${login.username}`]]);
    expect(JSON.parse(entries[0]!.details)).toEqual({
      portal: { action: "Login", description: `Patient Portal login by ${login.username}` },
      lines: ["Signed in with a passkey (My phone)."],
    });
    // The charge is given back after a success.
    expect(await passkeyFailures(b.ip)).toBe(0);
  });

  it.each<[string, (a: ReturnType<typeof staffAuthenticator>) => void]>([
    ["signed on another origin", (a) => (a.origin = "https://evil.example")],
    ["signed for another RP ID", (a) => (a.rpIdOverride = "evil.example")],
    ["without user verification", (a) => (a.userVerified = false)],
  ])("refuses an assertion %s, counts it against the address and writes nothing", async (_, spoil) => {
    const { login, auth } = await loginWithPasskey();
    spoil(auth);
    const before = await lastSeq(login.clientId);
    const b = new PortalBrowser();
    const { res, data } = await portalPasskeySignIn(b, auth);
    expect(res.status).toBe(422);
    expect(data.error).toBe(NOT_ACCEPTED);
    expect(await passkeyFailures(b.ip)).toBe(1);
    await nothingWritten(b, login, before);
  });

  it("refuses a replayed challenge: the same assertion again, from anywhere", async () => {
    const { login, auth } = await loginWithPasskey();
    const first = await portalPasskeySignIn(new PortalBrowser(), auth);
    expect(first.res.status).toBe(200);
    const before = await lastSeq(login.clientId);
    const thief = new PortalBrowser();
    const replay = await postJson(thief, `${PORTAL}/sign-in/passkey`, { response: first.response });
    expect(replay.res.status).toBe(422);
    expect(replay.data.error).toBe(USED);
    expect(thief.cookies.has(PORTAL_COOKIE)).toBe(false);
    expect(await logEntries(login.clientId, before)).toEqual([]);
    expect((await portalPasskeyRows(login.id))[0]!.counter).toBe(1);
  });

  it("refuses a counter that went backwards (a cloned authenticator)", async () => {
    const { login, auth } = await loginWithPasskey();
    expect((await portalPasskeySignIn(new PortalBrowser(), auth)).res.status).toBe(200);
    await sql("UPDATE portal_passkeys SET counter = 50 WHERE login_id = ?", login.id);
    const b = new PortalBrowser();
    expect((await portalPasskeySignIn(b, auth)).res.status).toBe(422);
    expect(b.cookies.has(PORTAL_COOKIE)).toBe(false);
  });

  it("refuses a removed passkey", async () => {
    const { login, b } = await signedInLogin();
    const auth = authenticator();
    await registerPortalPasskey(b, auth);
    expect((await b.post(`${PORTAL}/passkeys/${auth.id}/remove`, {})).status).toBe(303);
    const before = await lastSeq(login.clientId);
    const attempt = new PortalBrowser();
    const { res, data } = await portalPasskeySignIn(attempt, auth);
    expect(res.status).toBe(422);
    expect(data.error).toBe(NOT_ACCEPTED);
    expect(attempt.cookies.has(PORTAL_COOKIE)).toBe(false);
    expect(await logEntries(login.clientId, before)).toEqual([]);
  });

  it("refuses a staff member's passkey at the portal", async () => {
    const member = await createStaff(1, "portal-passkey");
    const staff = await Browser.staff(member.email);
    const auth = staffAuthenticator();
    expect((await registerStaffPasskey(staff, auth)).res.status).toBe(200);
    const b = new PortalBrowser();
    const { res, data } = await portalPasskeySignIn(b, auth);
    expect(res.status).toBe(422);
    expect(data.error).toBe(NOT_ACCEPTED);
    expect(b.cookies.has(PORTAL_COOKIE)).toBe(false);
  });

  it("refuses another agency's passkey, and a challenge issued by another agency's portal", async () => {
    const other = await createPortalAgency();
    const foreign = await loginWithPasskey({ agencyId: other.id, clientId: other.clientId }, other.portal);
    // Their passkey at Riverbend's portal: not one of Riverbend's.
    const atRiverbend = new PortalBrowser();
    expect((await portalPasskeySignIn(atRiverbend, foreign.auth)).res.status).toBe(422);
    // No cookie but the D1 bookmark a POST's writes leave (src/db/session.ts).
    expect([...atRiverbend.cookies.keys()].filter((k) => k !== "__Host-d1_bookmark")).toEqual([]);
    // A Riverbend passkey answering the other portal's challenge, sent to Riverbend.
    const mine = await loginWithPasskey();
    const b = new PortalBrowser();
    const { data } = await postJson<{ options: AuthenticationOptions }>(b, `${other.portal}/sign-in/passkey/options`, {});
    const crossed = await postJson(b, `${PORTAL}/sign-in/passkey`, { response: await mine.auth.authenticate(data.options) });
    expect(crossed.res.status).toBe(422);
    expect(crossed.data.error).toBe(USED);
    expect(b.cookies.has(PORTAL_COOKIE)).toBe(false);
    // At its own portal it works.
    expect((await portalPasskeySignIn(new PortalBrowser(), foreign.auth, other.portal)).data).toEqual({ redirect: other.portal });
  });

  it.each<[string, (login: { id: number; clientId: number }) => Promise<unknown>, number, string, string]>([
    ["a deactivated login", (l) => sql("UPDATE portal_logins SET active = 0, session_version = session_version + 1 WHERE id = ?", l.id), 403, NOT_ALLOWED, "the login is inactive"],
    [
      "a client who refused portal login",
      (l) => sql("UPDATE clients SET refused_portal_login = 1 WHERE id = ?", l.clientId),
      403,
      NOT_ALLOWED,
      "the client refused portal login (Client Refused Portal Login is set)",
    ],
    [
      "a locked login",
      (l) => sql("UPDATE portal_logins SET failed_attempts = 10, locked_until = ?, last_failed_at = ? WHERE id = ?", Date.now() + 15 * 60_000, Date.now(), l.id),
      403,
      "This login is locked after too many failed sign-ins. Try again later, or contact Riverbend Behavioral Health for help.",
      "the login is locked after failed sign-in attempts",
    ],
  ])("refuses %s at once, logs why for staff, and writes nothing else", async (_, change, status, message, reason) => {
    // A client of its own, so the refused flag touches no other test's client.
    const { login, auth } = await loginWithPasskey({ agencyId: 1, clientId: await riverbendClient() });
    await change(login);
    const before = await lastSeq(login.clientId);
    const b = new PortalBrowser();
    const { res, data } = await portalPasskeySignIn(b, auth);
    expect(res.status).toBe(status);
    expect(data.error).toBe(message);
    await nothingWritten(b, login, before);
    const entries = await logEntries(login.clientId, before);
    expect(entries.map((e) => [e.change_type, e.description])).toEqual([["Portal Sign-in", `Failed Client Portal sign-in as ${login.username} with a passkey: ${reason}.`]]);
    expect(JSON.parse(entries[0]!.details).lines).toEqual([`From address ${b.ip}`]);
    expect(JSON.parse(entries[0]!.details).portal).toBeUndefined();
  });

  it("ends a passkey session at once when staff deactivate the login", async () => {
    const { login, auth } = await loginWithPasskey();
    const b = new PortalBrowser();
    expect((await portalPasskeySignIn(b, auth)).res.status).toBe(200);
    expect((await b.get(`${PORTAL}/activity`)).status).toBe(200);
    await sql("UPDATE portal_logins SET active = 0 WHERE id = ?", login.id);
    const res = await b.get(`${PORTAL}/activity`);
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe(`${PORTAL}?ended&next=${encodeURIComponent(`${PORTAL}/activity`)}`);
  });

  it("refuses everything from an address after too many failures, before checking the passkey", async () => {
    const { login, auth } = await loginWithPasskey();
    const b = new PortalBrowser();
    const first = await postJson<{ options: AuthenticationOptions }>(b, `${PORTAL}/sign-in/passkey/options`, {});
    const second = await postJson<{ options: AuthenticationOptions }>(b, `${PORTAL}/sign-in/passkey/options`, {});
    const good = await auth.authenticate(second.data.options);
    const signed = await auth.authenticate(first.data.options);
    const spoiled = { ...signed, response: { ...signed.response, signature: "AAAA" } };
    for (let i = 0; i < 10; i++) expect((await postJson(b, `${PORTAL}/sign-in/passkey`, { response: spoiled })).res.status).toBe(422);
    expect(await passkeyFailures(b.ip)).toBe(10);

    const challenges = await challengeCount();
    const options = await postJson(b, `${PORTAL}/sign-in/passkey/options`, {});
    expect(options.res.status).toBe(429);
    expect(options.data.error).toBe("Too many attempts. Wait 15 minutes and try again, or contact Riverbend Behavioral Health for help.");
    // A right passkey now: refused without being checked (its challenge is still unspent).
    const refused = await postJson(b, `${PORTAL}/sign-in/passkey`, { response: good });
    expect(refused.res.status).toBe(429);
    expect(await challengeCount()).toBe(challenges);
    expect(b.cookies.has(PORTAL_COOKIE)).toBe(false);
    expect((await portalPasskeyRows(login.id))[0]!.last_used_at).toBeNull();
  });

  it("answers a body that can't be read with 400, and a cross-site POST with 403", async () => {
    const b = new PortalBrowser();
    expect((await b.fetch(`${PORTAL}/sign-in/passkey`, { method: "POST", body: "not json", headers: { "Content-Type": "application/json" } })).status).toBe(400);
    const cross = await postJson(b, `${PORTAL}/sign-in/passkey/options`, {}, { Origin: "https://evil.example" });
    expect(cross.res.status).toBe(403);
  });

  it("answers 404 at a portal that isn't contracted", async () => {
    expect((await postJson(new PortalBrowser(), "/portal/lakeside/sign-in/passkey/options", {})).res.status).toBe(404);
  });
});

/** A new Riverbend client (so changing its flags touches no other test's client). */
async function riverbendClient(): Promise<number> {
  const row = await env.DB.prepare(
    `INSERT INTO clients (agency_id, client_number, first_name, last_name, first_name_key, last_name_key, date_of_birth)
     VALUES (1, ?, 'Pat', 'Passkey', 'pat', 'passkey', '1985-05-05') RETURNING id`,
  )
    .bind(`PK-${crypto.randomUUID().slice(0, 8)}`)
    .first<{ id: number }>();
  return row!.id;
}
