/**
 * A portal user's passkeys, verified for real (the software authenticator registers, and
 * @simplewebauthn/server checks it inside the Worker): adding one asks for a discoverable,
 * user-verified credential bound to the portal's host and stores it under the login, with an
 * entry in the client's log; bad names, wrong origins or RP IDs, replayed or foreign challenges
 * store nothing. The list, rename and remove keep to the login's own passkeys: another login's or
 * another agency's passkey answers 404 and nothing changes.
 */
import { env } from "cloudflare:test";
import { encodeBase64urlNoPadding } from "@oslojs/encoding";
import { describe, expect, it } from "vitest";
import { userHandle } from "../../src/passkeys/user-handle";
import { portalRelyingParty } from "../../src/passkeys/relying-party";
import { Browser, ORIGIN } from "./fixtures";
import {
  authenticator,
  challengeCount,
  createPortalAgency,
  loginWithPasskey,
  portalPasskeyRows,
  postJson,
  registerPortalPasskey,
  signedInLogin,
} from "./portal-passkeys.fixtures";
import { PORTAL, PortalBrowser, actionRows, createLogin, fieldErrorOf, lastSeq, logEntries } from "./portal.fixtures";
import { SoftwareAuthenticator, type RegistrationOptions } from "./webauthn.authenticator";

const NOT_ACCEPTED = "That passkey wasn't accepted. Try again.";

describe("adding a passkey", () => {
  it("asks for a discoverable, user-verified passkey for the portal's host and stores it under the login, logged and shown in Activity", async () => {
    const { login, b } = await signedInLogin();
    const page = await (await b.get(`${PORTAL}/passkeys`)).text();
    expect(page).toContain("No passkeys yet.");
    expect(page).toContain(`data-passkey="register" data-options-url="${PORTAL}/passkeys/options" data-verify-url="${PORTAL}/passkeys"`);
    expect(page).toContain("This browser can&#39;t use passkeys.");

    const { res, data } = await postJson<{ options: RegistrationOptions & Record<string, any> }>(b, `${PORTAL}/passkeys/options`, { name: "My phone" });
    expect(res.status).toBe(200);
    const o = data.options;
    expect(o.rp).toEqual({ name: "Riverbend Behavioral Health Client Portal", id: "localhost" });
    expect(o.user).toMatchObject({ name: `${login.username} (Riverbend Behavioral Health)`, displayName: login.username });
    expect(o.user.id).toBe(encodeBase64urlNoPadding(await userHandle(env.TWO_FACTOR_KEY, { kind: "portal", id: login.id, agencyId: 1 })));
    // Not the staff handle of the same number: the two kinds of owner never share one.
    expect(o.user.id).not.toBe(encodeBase64urlNoPadding(await userHandle(env.TWO_FACTOR_KEY, { kind: "staff", id: login.id, agencyId: 1 })));
    expect(o.authenticatorSelection).toMatchObject({ residentKey: "required", requireResidentKey: true, userVerification: "required" });
    expect(o.attestation).toBe("none");
    expect(o.excludeCredentials).toEqual([]);

    const before = await lastSeq(login.clientId);
    const auth = authenticator();
    const verify = await postJson(b, `${PORTAL}/passkeys`, { name: " My phone ", response: await auth.register(o) });
    expect(verify.res.status).toBe(200);
    expect(verify.data).toEqual({ redirect: `${PORTAL}/passkeys?done=added` });
    const rows = await portalPasskeyRows(login.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: auth.id, login_id: login.id, agency_id: 1, name: "My phone", counter: 0, last_used_at: null });

    const entries = await logEntries(login.clientId, before);
    expect(entries.map((e) => [e.actor_type, e.change_type, e.description])).toEqual([["portal", "Portal Login", `Portal Login ${login.username} added a passkey: My phone.`]]);
    expect(actionRows(await (await b.get(`${PORTAL}/activity`)).text())[0]!.slice(0, 2)).toEqual(["Passkey Added", `Passkey "My phone" added by ${login.username}`]);

    const list = await (await b.get(`${PORTAL}/passkeys?done=added`)).text();
    expect(list).toContain("Passkey added.");
    expect(list).toContain('<td data-label="Name" class="passkey-name">My phone</td>');
    expect(list).toContain('<td data-label="Last used">Never</td>');
    const again = await postJson<{ options: { excludeCredentials: { id: string }[] } }>(b, `${PORTAL}/passkeys/options`, { name: "Laptop" });
    expect(again.data.options.excludeCredentials.map((c) => c.id)).toEqual([auth.id]);
  });

  it.each([
    ["an empty name", "", "Enter a name for the passkey."],
    ["a name over 60 characters", "x".repeat(61), "Use at most 60 characters."],
    ["no name at all", undefined, "Enter a name for the passkey."],
  ])("answers %s with 422 for the name field, before any challenge", async (_, name, message) => {
    const { login, b } = await signedInLogin();
    const before = await challengeCount();
    const { res, data } = await postJson(b, `${PORTAL}/passkeys/options`, { name });
    expect(res.status).toBe(422);
    expect(data).toEqual({ error: message, field: "name" });
    expect(await challengeCount()).toBe(before);
    expect(await portalPasskeyRows(login.id)).toHaveLength(0);
  });

  it.each<[string, { origin?: string; rpId?: string; noUv?: boolean }]>([
    ["signed on another origin", { origin: "https://evil.example" }],
    ["signed for another RP ID", { rpId: "evil.example" }],
    ["made without user verification", { noUv: true }],
  ])("refuses a registration %s and stores nothing", async (_, bad) => {
    const { login, b } = await signedInLogin();
    const before = await lastSeq(login.clientId);
    const auth = new SoftwareAuthenticator(bad.origin ?? ORIGIN, bad.rpId);
    if (bad.noUv) auth.userVerified = false;
    const { res, data } = await registerPortalPasskey(b, auth);
    expect(res.status).toBe(422);
    expect(data.error).toBe(NOT_ACCEPTED);
    expect(await portalPasskeyRows(login.id)).toHaveLength(0);
    expect(await logEntries(login.clientId, before)).toEqual([]);
  });

  it("refuses a replayed registration, and one answering another login's challenge", async () => {
    const { login, b } = await signedInLogin();
    const { data } = await postJson<{ options: RegistrationOptions }>(b, `${PORTAL}/passkeys/options`, { name: "Phone" });
    expect((await postJson(b, `${PORTAL}/passkeys`, { name: "Phone", response: await authenticator().register(data.options) })).res.status).toBe(200);
    const replay = await postJson(b, `${PORTAL}/passkeys`, { name: "Phone", response: await authenticator().register(data.options) });
    expect(replay.res.status).toBe(422);
    expect(replay.data.error).toBe("That took too long or was already used. Try again.");
    expect(await portalPasskeyRows(login.id)).toHaveLength(1);

    const other = await signedInLogin();
    const theirs = await postJson<{ options: RegistrationOptions }>(other.b, `${PORTAL}/passkeys/options`, { name: "Phone" });
    const stolen = await postJson(b, `${PORTAL}/passkeys`, { name: "Phone", response: await authenticator().register(theirs.data.options) });
    expect(stolen.res.status).toBe(422);
    expect(await portalPasskeyRows(login.id)).toHaveLength(1);
    expect(await portalPasskeyRows(other.login.id)).toHaveLength(0);
  });

  it("refuses a challenge issued by the staff app", async () => {
    const { login, b } = await signedInLogin();
    // A staff member's registration options (another kind of owner) answered at the portal.
    const member = await Browser.staff("staff@riverbend.test");
    const res = await member.fetch("/account/passkeys/options", { method: "POST", body: JSON.stringify({ name: "x" }), headers: { "Content-Type": "application/json" } });
    const { options } = (await res.json()) as { options: RegistrationOptions };
    const answer = await postJson(b, `${PORTAL}/passkeys`, { name: "Phone", response: await authenticator().register(options) });
    expect(answer.res.status).toBe(422);
    expect(await portalPasskeyRows(login.id)).toHaveLength(0);
  });

  it("answers without a session with 401 and the sign-in page, and before a first password with 403", async () => {
    const anonymous = await postJson(new PortalBrowser(), `${PORTAL}/passkeys/options`, { name: "Phone" });
    expect(anonymous.res.status).toBe(401);
    expect(anonymous.data).toEqual({ error: "Your session has ended. Sign in again.", redirect: `${PORTAL}?ended` });
    expect((await new PortalBrowser().get(`${PORTAL}/passkeys`)).status).toBe(303);

    const temporary = await createLogin();
    const b = new PortalBrowser();
    await b.signIn(temporary.username, temporary.password);
    const early = await postJson(b, `${PORTAL}/passkeys/options`, { name: "Phone" });
    expect(early.res.status).toBe(403);
    expect(early.data.redirect).toBe(`${PORTAL}/change-password`);
    expect((await b.get(`${PORTAL}/passkeys`)).headers.get("Location")).toBe(`${PORTAL}/change-password`);
  });

  it("refuses a cross-site POST (CSRF) and stores nothing", async () => {
    const { login, b } = await signedInLogin();
    const { data } = await postJson<{ options: RegistrationOptions }>(b, `${PORTAL}/passkeys/options`, { name: "Phone" });
    const response = await authenticator().register(data.options);
    const res = await postJson(b, `${PORTAL}/passkeys`, { name: "Phone", response }, { Origin: "https://evil.example" });
    expect(res.res.status).toBe(403);
    expect(await portalPasskeyRows(login.id)).toHaveLength(0);
  });
});

describe("renaming and removing passkeys", () => {
  async function signedInWithPasskey() {
    const { login, b } = await signedInLogin();
    const auth = authenticator();
    await registerPortalPasskey(b, auth);
    return { login, b, auth };
  }

  it("renames a passkey; an empty name is answered 422 next to the field, value kept, nothing changed", async () => {
    const { login, b, auth } = await signedInWithPasskey();
    const page = await b.get(`${PORTAL}/passkeys/${auth.id}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<label for="f-name">Name<span aria-hidden="true"> *</span></label>');
    const bad = await b.post(`${PORTAL}/passkeys/${auth.id}`, { name: "   " });
    expect(bad.status).toBe(422);
    expect(fieldErrorOf(await bad.text(), "name")).toBe("Enter a name for the passkey.");
    expect((await portalPasskeyRows(login.id))[0]!.name).toBe("My phone");

    const ok = await b.post(`${PORTAL}/passkeys/${auth.id}`, { name: "Old phone" });
    expect(ok.status).toBe(303);
    expect(ok.headers.get("Location")).toBe(`${PORTAL}/passkeys?done=renamed`);
    expect((await portalPasskeyRows(login.id))[0]!.name).toBe("Old phone");
  });

  it("removes a passkey, with its entry in the client's log", async () => {
    const { login, b, auth } = await signedInWithPasskey();
    const before = await lastSeq(login.clientId);
    const res = await b.post(`${PORTAL}/passkeys/${auth.id}/remove`, {});
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe(`${PORTAL}/passkeys?done=removed`);
    expect(await portalPasskeyRows(login.id)).toHaveLength(0);
    expect((await logEntries(login.clientId, before)).map((e) => e.description)).toEqual([`Portal Login ${login.username} removed a passkey: My phone.`]);
    expect(await (await b.get(`${PORTAL}/passkeys?done=removed`)).text()).toContain("Passkey removed.");
    // Removing it again: it is gone.
    expect((await b.post(`${PORTAL}/passkeys/${auth.id}/remove`, {})).status).toBe(404);
  });

  it("keeps another login's passkeys out of reach: 404 to view, rename or remove, nothing changed", async () => {
    const owner = await loginWithPasskey();
    const { b } = await signedInLogin();
    const id = owner.auth.id;
    const before = await lastSeq(owner.login.clientId);
    expect((await b.get(`${PORTAL}/passkeys/${id}`)).status).toBe(404);
    expect((await b.post(`${PORTAL}/passkeys/${id}`, { name: "Mine now" })).status).toBe(404);
    expect((await b.post(`${PORTAL}/passkeys/${id}/remove`, {})).status).toBe(404);
    expect(await (await b.get(`${PORTAL}/passkeys`)).text()).not.toContain(id);
    expect(await portalPasskeyRows(owner.login.id)).toMatchObject([{ id, name: "My phone" }]);
    expect(await logEntries(owner.login.clientId, before)).toEqual([]);
  });

  it("keeps another agency's passkeys out of reach, even for the same login id at its own portal", async () => {
    const other = await createPortalAgency();
    const foreign = await loginWithPasskey({ agencyId: other.id, clientId: other.clientId }, other.portal);
    const { b } = await signedInLogin();
    expect((await b.get(`${PORTAL}/passkeys/${foreign.auth.id}`)).status).toBe(404);
    expect((await b.post(`${PORTAL}/passkeys/${foreign.auth.id}`, { name: "Mine now" })).status).toBe(404);
    expect((await b.post(`${PORTAL}/passkeys/${foreign.auth.id}/remove`, {})).status).toBe(404);
    expect(await portalPasskeyRows(foreign.login.id)).toMatchObject([{ agency_id: other.id, name: "My phone" }]);
    // And a Riverbend session opens nothing at the other agency's portal.
    expect((await b.get(`${other.portal}/passkeys`)).status).toBe(303);
  });

  it("answers an id that can't be a passkey with 404", async () => {
    const { b } = await signedInLogin();
    expect((await b.get(`${PORTAL}/passkeys/not%20an%20id`)).status).toBe(404);
    expect((await b.post(`${PORTAL}/passkeys/${"x".repeat(1500)}/remove`, {})).status).toBe(404);
  });

  it("needs a session: rename and remove send the browser to sign-in and change nothing", async () => {
    const owner = await loginWithPasskey();
    const b = new PortalBrowser();
    expect((await b.post(`${PORTAL}/passkeys/${owner.auth.id}`, { name: "x" })).status).toBe(303);
    expect((await b.post(`${PORTAL}/passkeys/${owner.auth.id}/remove`, {})).status).toBe(303);
    expect(await portalPasskeyRows(owner.login.id)).toMatchObject([{ name: "My phone" }]);
  });
});

describe("the portal's relying party", () => {
  const ctx = (PORTAL_ORIGIN: string, url: string) => ({ env: { PORTAL_ORIGIN }, req: { url } }) as unknown as Parameters<typeof portalRelyingParty>[0];

  it("is PORTAL_ORIGIN and its host when set, whatever host the request names", () => {
    expect(portalRelyingParty(ctx("https://portal.example.org/", "https://other.example/portal/riverbend"))).toEqual({
      rpID: "portal.example.org",
      origin: "https://portal.example.org",
    });
  });

  it("is the request's origin and host when PORTAL_ORIGIN is empty (local development)", () => {
    expect(portalRelyingParty(ctx("", "http://localhost:8787/portal/riverbend/sign-in/passkey"))).toEqual({ rpID: "localhost", origin: "http://localhost:8787" });
  });
});
