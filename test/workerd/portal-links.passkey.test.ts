/**
 * An emailed link's last step with a passkey instead of a password ("Create a passkey instead"):
 * once the date of birth is answered in this browser, a registration ceremony for the link's login
 * (challenge purpose "link-register", used once; the portal's origin and RP ID; user verification)
 * uses the link exactly as a password would — single use, one commit with its log entries, other
 * sessions and links ended, the user signed in on Home — and leaves the login with the passkey
 * only. Every refusal (no link, no date of birth, a link used, expired or locked, a replayed
 * challenge, a wrong origin or RP ID, no user verification) writes nothing.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { credentialState } from "../../src/portal-logins/credential-state";
import { loginStatus } from "../../src/portal-logins/status";
import { linkLockedText, linkUnusableText } from "../../src/portal/link-views";
import { DEMO } from "./fixtures";
import { dobForm, inviteLogin, lastMailTo, linkSnapshot, MailingPortal, MailingStaff, MARIA_DOB, openLink, outbox, portalLinkIn, tokenRows } from "./portal-links.fixtures";
import { authenticator, challengeCount, portalPasskeyRows, portalPasskeySignIn, postJson } from "./portal-passkeys.fixtures";
import { createSettledLogin, logEntries, loginRow, PORTAL, PORTAL_COOKIE, RIVERBEND, sql } from "./portal.fixtures";
import { SoftwareAuthenticator, type RegistrationOptions } from "./webauthn.authenticator";
import { ORIGIN } from "./fixtures";

const LINK = `${PORTAL}/link`;
const UNUSABLE = linkUnusableText(RIVERBEND.name);

let admin: MailingStaff;
beforeAll(async () => {
  admin = await MailingStaff.staff("admin@riverbend.test");
});

/** A browser that opened the link and answered the date of birth. */
async function pastDob(path: string, b = new MailingPortal()) {
  expect((await openLink(b, path)).status).toBe(200);
  expect((await b.post(`${LINK}/date-of-birth`, dobForm(MARIA_DOB))).status).toBe(303);
  return b;
}

/** The link step's passkey options for `b`. */
const options = (b: MailingPortal, name: unknown = "My phone") => postJson<{ options: RegistrationOptions; error?: string; field?: string; redirect?: string }>(b, `${LINK}/passkey/options`, { name });

/** Options, the authenticator's answer, the verify answer. */
async function createPasskey(b: MailingPortal, auth: SoftwareAuthenticator, name = "My phone") {
  const { data } = await options(b, name);
  const response = await auth.register(data.options);
  return { response, ...(await postJson<{ redirect?: string; error?: string; field?: string }>(b, `${LINK}/passkey`, { name, response })) };
}

const linkCookieCleared = (b: MailingPortal) => b.lastSetCookie.some((l) => /^__Secure-portal_link=;/.test(l) || /^__Secure-portal_link=.*Max-Age=0/i.test(l));

describe("the invitation's last step with a passkey", () => {
  it("offers Create a passkey instead beside the password form, posting to token-less JSON endpoints", async () => {
    const { link } = await inviteLogin(admin, DEMO.maria, { prefix: "pkpage" });
    const b = await pastDob(link.path);
    const html = await (await b.get(LINK)).text();
    expect(html).toContain("Create a passkey instead");
    expect(html).toContain(`data-options-url="${LINK}/passkey/options"`);
    expect(html).toContain(`data-verify-url="${LINK}/passkey"`);
    expect(html).toContain('<script src="/passkeys.js" defer=""></script>');
    expect(html).not.toContain(link.token);
  });

  it("creates the passkey, uses the link, signs in on Home; logged; notice sent; the passkey signs in later", async () => {
    const { link, id, email, username, clientId } = await inviteLogin(admin, DEMO.maria, { prefix: "pkjourney" });
    const b = await pastDob(link.path);
    const mark = outbox.length;
    const auth = authenticator();
    const { data: opts } = await options(b);
    // Discoverable, user verification required, RP ID the portal's host.
    expect(opts.options.rp.id).toBe(new URL(ORIGIN).hostname);
    expect(opts.options).toMatchObject({ authenticatorSelection: { residentKey: "required", userVerification: "required" } });
    const issued = await env.DB.prepare("SELECT purpose, owner_kind, login_id, agency_id FROM webauthn_challenges WHERE challenge = ?").bind(opts.options.challenge).first();
    expect(issued).toEqual({ purpose: "link-register", owner_kind: "portal", login_id: id, agency_id: RIVERBEND.id });

    const response = await auth.register(opts.options);
    const { res, data } = await postJson<{ redirect?: string }>(b, `${LINK}/passkey`, { name: "My phone", response });
    expect(res.status).toBe(200);
    expect(data.redirect).toBe(`${PORTAL}?passkey-set`);
    expect(linkCookieCleared(b)).toBe(true);
    expect(b.cookies.has(PORTAL_COOKIE)).toBe(true);

    const home = await (await b.get(data.redirect!)).text();
    expect(home).toContain("Welcome. Your passkey is set");
    expect(home).toContain(`Signed in as <strong>${username}</strong>`);

    expect(await portalPasskeyRows(id)).toMatchObject([{ id: auth.id, name: "My phone", agency_id: RIVERBEND.id }]);
    expect(await loginRow(id)).toMatchObject({ password_hash: null, must_change_password: 0, temp_password_expires_at: null });
    expect((await tokenRows(id)).every((t) => t.used_at !== null)).toBe(true);
    const [added, signedIn] = (await logEntries(clientId)).slice(-2);
    expect(added).toMatchObject({ actor_type: "portal", change_type: "Portal Login", description: `Portal Login ${username} added a passkey: My phone.` });
    expect(JSON.parse(added!.details).lines).toEqual(["Created with the invitation link, instead of a password."]);
    expect(signedIn!.description).toBe(`Patient Portal login by ${username}`);
    const notice = lastMailTo(email, mark);
    expect(notice.subject).toBe(`A passkey was added to your ${RIVERBEND.name} Client Portal login`);
    expect(notice.text).toContain("with your invitation link");
    expect(notice.text).not.toContain(link.token);

    // The link is spent; Log out, then Sign in with a passkey.
    expect((await openLink(new MailingPortal(), link.path)).status).toBe(410);
    expect((await b.post(`${PORTAL}/log-out`, {})).status).toBe(303);
    const again = await portalPasskeySignIn(new MailingPortal(), auth);
    expect(again.res.status).toBe(200);
    expect(again.data.redirect).toBe(PORTAL);
  });

  it("lets the passkey-only login set a password later without a current one", async () => {
    const { link, id } = await inviteLogin(admin, DEMO.maria, { prefix: "pkthenpw" });
    const b = await pastDob(link.path);
    expect((await createPasskey(b, authenticator())).res.status).toBe(200);
    const page = await (await b.get(`${PORTAL}/change-password`)).text();
    expect(page).toContain("<h1>Set a password</h1>");
    expect(page).not.toContain('name="currentPassword"');
    const password = `a chosen passphrase ${crypto.randomUUID()}`;
    const res = await b.post(`${PORTAL}/change-password`, { newPassword: password, confirmPassword: password });
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe(`${PORTAL}?password-changed`);
    expect((await loginRow(id)).password_hash).not.toBeNull();
  });
});

describe("a reset link's last step with a passkey", () => {
  it("replaces the forgotten password: the old one stops working, other sessions end; logged", async () => {
    const login = await createSettledLogin({ clientId: DEMO.maria });
    const email = `${login.username}@example.com`;
    await sql("UPDATE portal_logins SET email = ? WHERE id = ?", email, login.id);
    const elsewhere = new MailingPortal();
    expect((await elsewhere.signIn(login.username, login.password)).status).toBe(303);
    let mark = outbox.length;
    expect((await new MailingPortal().post(`${PORTAL}/forgot-password`, { account: login.username })).status).toBe(200);
    const link = portalLinkIn(lastMailTo(email, mark));
    const b = await pastDob(link.path);
    mark = outbox.length;
    const { res } = await createPasskey(b, authenticator(), "Laptop");
    expect(res.status).toBe(200);

    expect(await loginRow(login.id)).toMatchObject({ password_hash: null, must_change_password: 0 });
    expect((await new MailingPortal().signIn(login.username, login.password)).status).toBe(401);
    expect(await (await elsewhere.get(PORTAL)).text()).toContain("Your session has ended. Please sign in again.");
    const added = (await logEntries(DEMO.maria)).findLast((e) => e.description === `Portal Login ${login.username} added a passkey: Laptop.`)!;
    expect(JSON.parse(added.details).lines).toEqual(["Created with a password-reset link, instead of a new password: the previous password no longer works."]);
    expect(lastMailTo(email, mark).text).toContain("Your previous password no longer works");
  });
});

describe("bad input", () => {
  it("an empty passkey name: answered next to the field, no challenge issued", async () => {
    const { link } = await inviteLogin(admin, DEMO.maria, { prefix: "pkname" });
    const b = await pastDob(link.path);
    const before = await challengeCount();
    const { res, data } = await options(b, "   ");
    expect(res.status).toBe(422);
    expect(data).toMatchObject({ field: "name", error: "Enter a name for the passkey." });
    expect(await challengeCount()).toBe(before);
  });

  it("an unreadable or non-JSON answer: refused, the link unused and nothing written", async () => {
    const { link, id, clientId } = await inviteLogin(admin, DEMO.maria, { prefix: "pkjunk" });
    const b = await pastDob(link.path);
    const before = await linkSnapshot(id, clientId);
    const junk = await postJson(b, `${LINK}/passkey`, { name: "My phone", response: { id: "x" } });
    expect(junk.res.status).toBe(422);
    const form = await b.fetch(`${LINK}/passkey`, { method: "POST", body: new URLSearchParams({ name: "My phone" }) });
    expect(form.status).toBe(422);
    expect(await linkSnapshot(id, clientId)).toEqual(before);
    expect(await portalPasskeyRows(id)).toEqual([]);
  });
});

describe("refused, nothing written", () => {
  it("without a link cookie, or before the date of birth is answered", async () => {
    const { link, id, clientId } = await inviteLogin(admin, DEMO.maria, { prefix: "pknodob" });
    const before = await challengeCount();
    const none = await options(new MailingPortal());
    expect(none.res.status).toBe(410);
    expect(none.data).toMatchObject({ error: UNUSABLE, redirect: LINK });

    const opened = new MailingPortal();
    await openLink(opened, link.path);
    const early = await options(opened);
    expect(early.res.status).toBe(403);
    expect(early.data).toMatchObject({ error: "Confirm the date of birth first.", redirect: LINK });
    expect(await challengeCount()).toBe(before);

    // A ceremony done in another browser (past its date of birth) can't be finished in this one.
    const other = await pastDob(link.path);
    const { data } = await options(other);
    const snapshot = await linkSnapshot(id, clientId);
    const response = await authenticator().register(data.options);
    expect((await postJson(opened, `${LINK}/passkey`, { name: "My phone", response })).res.status).toBe(403);
    expect(await linkSnapshot(id, clientId)).toEqual(snapshot);
  });

  it("a link used, expired or locked in the meantime", async () => {
    for (const change of ["used", "expired", "locked"] as const) {
      const { link, id, clientId } = await inviteLogin(admin, DEMO.maria, { prefix: `pk${change}` });
      const b = await pastDob(link.path);
      const { data } = await options(b);
      const response = await authenticator().register(data.options);
      const [token] = await tokenRows(id);
      if (change === "used") await sql("UPDATE portal_tokens SET used_at = ? WHERE id = ?", Date.now(), token!.id);
      if (change === "expired") await sql("UPDATE portal_tokens SET expires_at = ? WHERE id = ?", Date.now() - 1, token!.id);
      if (change === "locked") await sql("UPDATE portal_tokens SET dob_locked_at = ? WHERE id = ?", Date.now(), token!.id);
      const before = await linkSnapshot(id, clientId);
      const { res, data: answer } = await postJson<{ error?: string; redirect?: string }>(b, `${LINK}/passkey`, { name: "My phone", response });
      expect(res.status, change).toBe(410);
      expect(answer, change).toEqual({ error: change === "locked" ? linkLockedText(RIVERBEND.name) : UNUSABLE, redirect: LINK });
      expect(await linkSnapshot(id, clientId), change).toEqual(before);
      expect(await portalPasskeyRows(id), change).toEqual([]);
    }
  });

  it("a replayed challenge: the second answer over a spent challenge is refused", async () => {
    const { link, id, clientId } = await inviteLogin(admin, DEMO.maria, { prefix: "pkreplay" });
    const b = await pastDob(link.path);
    const { data } = await options(b);
    // The first answer signs for the wrong site: refused, and its challenge is spent.
    const wrongSite = new SoftwareAuthenticator(ORIGIN, "evil.example");
    expect((await postJson(b, `${LINK}/passkey`, { name: "My phone", response: await wrongSite.register(data.options) })).res.status).toBe(422);
    const before = await linkSnapshot(id, clientId);
    const replay = await postJson<{ error?: string }>(b, `${LINK}/passkey`, { name: "My phone", response: await authenticator().register(data.options) });
    expect(replay.res.status).toBe(422);
    expect(replay.data.error).toBe("That took too long or was already used. Try again.");
    expect(await linkSnapshot(id, clientId)).toEqual(before);
    expect(await portalPasskeyRows(id)).toEqual([]);
  });

  it("a wrong origin (in the answer, or of the request), or no user verification", async () => {
    const { link, id, clientId } = await inviteLogin(admin, DEMO.maria, { prefix: "pkorigin" });
    const b = await pastDob(link.path);
    const before = await linkSnapshot(id, clientId);
    const phished = new SoftwareAuthenticator("https://riverbend-portal.example");
    const first = await postJson<{ error?: string }>(b, `${LINK}/passkey`, { name: "My phone", response: await phished.register((await options(b)).data.options) });
    expect(first.res.status).toBe(422);
    expect(first.data.error).toBe("That passkey wasn't accepted. Try again.");

    const noUv = authenticator();
    noUv.userVerified = false;
    expect((await postJson(b, `${LINK}/passkey`, { name: "My phone", response: await noUv.register((await options(b)).data.options) })).res.status).toBe(422);

    const fine = await authenticator().register((await options(b)).data.options);
    const crossSite = await postJson(b, `${LINK}/passkey`, { name: "My phone", response: fine }, { Origin: "https://evil.example" });
    expect(crossSite.res.status).toBe(403);
    expect(await linkSnapshot(id, clientId)).toEqual(before);
    expect(await portalPasskeyRows(id)).toEqual([]);
  });
});

describe("what staff see", () => {
  it("a login that chose a passkey: Active, Passkey chosen by the user (no password)", () => {
    const login = { credentialMethod: "invitation", passwordHash: null, mustChangePassword: false, tempPasswordExpiresAt: null, lastLoginAt: 1, active: true, lockedUntil: null } as const;
    expect(loginStatus(login, Date.now())).toBe("Active");
    expect(credentialState(login, [], Date.now(), String)).toEqual({ method: "Passkey only", lines: ["Passkey chosen by the user (no password)"] });
  });
});

describe("a login with a passkey and no password", () => {
  it("can't remove its last passkey (409, kept); with a password set, it can", async () => {
    const { link, id } = await inviteLogin(admin, DEMO.maria, { prefix: "pklast" });
    const b = await pastDob(link.path);
    const auth = authenticator();
    expect((await createPasskey(b, auth)).res.status).toBe(200);
    const page = await (await b.get(`${PORTAL}/passkeys/${auth.id}`)).text();
    expect(page).toContain("You have no password, so your last passkey can&#39;t be removed");
    const refused = await b.post(`${PORTAL}/passkeys/${auth.id}/remove`, {});
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain("This passkey was not removed: it is your only way to sign in.");
    expect(await portalPasskeyRows(id)).toHaveLength(1);
    const password = `a chosen passphrase ${crypto.randomUUID()}`;
    expect((await b.post(`${PORTAL}/change-password`, { newPassword: password, confirmPassword: password })).status).toBe(303);
    expect((await b.post(`${PORTAL}/passkeys/${auth.id}/remove`, {})).status).toBe(303);
    expect(await portalPasskeyRows(id)).toEqual([]);
  });
});
