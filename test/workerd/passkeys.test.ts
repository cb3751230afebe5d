/**
 * Passkeys, verified for real: a software authenticator (WebCrypto ES256) registers and signs,
 * and @simplewebauthn/server checks it inside the Worker. Registration and sign-in succeed for the
 * right origin and RP ID; a wrong origin, a wrong RP ID, a replayed challenge or assertion, a
 * removed passkey and another member's challenge are refused with nothing written. The list,
 * rename and remove pages keep to the member's own passkeys.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { userHandle } from "../../src/passkeys/user-handle";
import { encodeBase64urlNoPadding } from "@oslojs/encoding";
import { Browser } from "./fixtures";
import { alertText, fieldError, noticeText, STAFF_COOKIE } from "./helpers";
import { addressFailures, authenticator, challengeCount, passkeyRows, passkeySignIn, postJson, registerPasskey } from "./passkeys.fixtures";
import { createAgency, createStaff, enrolTotp, passwordStep, requireTwoFactor, SECOND_STEP_COOKIE, secondFactorThrottle, uniqueIp } from "./two-factor.fixtures";
import { SoftwareAuthenticator, type AuthenticationOptions, type RegistrationOptions } from "./webauthn.authenticator";

async function signedInMember(agencyId = 1) {
  const member = await createStaff(agencyId, "passkey");
  return { member, b: await Browser.staff(member.email) };
}

/** A browser signed in with the passkey (the password alone now leads to the second step). */
async function signedInWithPasskey(auth: SoftwareAuthenticator) {
  const b = new Browser();
  const { res } = await passkeySignIn(b, auth);
  if (res.status !== 200) throw new Error(`passkey sign-in: ${res.status}`);
  return b;
}

/** A member with one registered passkey, signed out. */
async function memberWithPasskey(agencyId = 1) {
  const { member, b } = await signedInMember(agencyId);
  const auth = authenticator();
  const { res } = await registerPasskey(b, auth);
  if (res.status !== 200) throw new Error(`register: ${res.status}`);
  await b.post("/sign-out", {});
  return { member, auth };
}

describe("adding a passkey", () => {
  it("asks for a discoverable, user-verified credential for this site and stores the passkey under its name", async () => {
    const { member, b } = await signedInMember();
    const { res, data } = await postJson<{ options: RegistrationOptions & Record<string, any> }>(b, "/account/passkeys/options", { name: "Work laptop" });
    expect(res.status).toBe(200);
    const o = data.options;
    expect(o.rp).toEqual({ name: "Riverbend Behavioral Health", id: "localhost" });
    expect(o.user).toMatchObject({ name: member.email });
    expect(o.user.id).toBe(encodeBase64urlNoPadding(await userHandle(env.TWO_FACTOR_KEY, { kind: "staff", id: member.id, agencyId: 1 })));
    expect(o.authenticatorSelection).toMatchObject({ residentKey: "required", requireResidentKey: true, userVerification: "required" });
    expect(o.attestation).toBe("none");
    expect(o.excludeCredentials).toEqual([]);
    expect(o.challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const auth = authenticator();
    const verify = await postJson(b, "/account/passkeys", { name: "  Work laptop ", response: await auth.register(o) });
    expect(verify.res.status).toBe(200);
    expect(verify.data).toEqual({ redirect: "/account/passkeys?done=added" });
    const rows = await passkeyRows(member.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: auth.id, name: "Work laptop", counter: 0, transports: '["internal"]', last_used_at: null });

    // The list shows it; a second registration excludes it.
    const page = await (await b.get("/account/passkeys?done=added")).text();
    expect(noticeText(page)).toBe("Passkey added.");
    expect(page).toContain('<td data-label="Name" class="passkey-name">Work laptop</td>');
    expect(page).toContain('<td data-label="Last used">Never</td>');
    const again = await postJson<{ options: { excludeCredentials: { id: string }[] } }>(b, "/account/passkeys/options", { name: "Phone" });
    expect(again.data.options.excludeCredentials.map((c) => c.id)).toEqual([auth.id]);
  });

  it("registers several passkeys, each with its own name", async () => {
    const { member, b } = await signedInMember();
    await registerPasskey(b, authenticator(), "Laptop");
    await registerPasskey(b, authenticator(), "Phone");
    expect((await passkeyRows(member.id)).map((r) => r.name)).toEqual(["Laptop", "Phone"]);
  });

  it.each([
    ["an empty name", "", "Enter a name for the passkey."],
    ["a name of spaces", "   ", "Enter a name for the passkey."],
    ["a name over 60 characters", "x".repeat(61), "Use at most 60 characters."],
    ["no name at all", undefined, "Enter a name for the passkey."],
  ])("answers %s with 422 for the name field, before any challenge", async (_, name, message) => {
    const { member, b } = await signedInMember();
    const before = await challengeCount();
    const { res, data } = await postJson(b, "/account/passkeys/options", { name });
    expect(res.status).toBe(422);
    expect(data).toEqual({ error: message, field: "name" });
    expect(await challengeCount()).toBe(before);
    expect(await passkeyRows(member.id)).toHaveLength(0);
  });

  it.each<[string, { origin?: string; rpId?: string; noUv?: boolean }]>([
    ["signed on another origin", { origin: "https://evil.example" }],
    ["signed for another RP ID", { rpId: "evil.example" }],
    ["made without user verification", { noUv: true }],
  ])("refuses a registration %s and stores nothing", async (_, bad) => {
    const { member, b } = await signedInMember();
    const auth = new SoftwareAuthenticator(bad.origin ?? "http://localhost", bad.rpId);
    if (bad.noUv) auth.userVerified = false;
    const { res, data } = await registerPasskey(b, auth);
    expect(res.status).toBe(422);
    expect(data.error).toBe("That passkey wasn't accepted. Try again.");
    expect(await passkeyRows(member.id)).toHaveLength(0);
  });

  it("refuses a replayed registration: its challenge was used up", async () => {
    const { member, b } = await signedInMember();
    const { data } = await postJson<{ options: RegistrationOptions }>(b, "/account/passkeys/options", { name: "Laptop" });
    const response = await authenticator().register(data.options);
    expect((await postJson(b, "/account/passkeys", { name: "Laptop", response })).res.status).toBe(200);
    // The same response again (even re-sent as a different credential's) is refused.
    const replay = await postJson(b, "/account/passkeys", { name: "Laptop", response: await authenticator().register(data.options) });
    expect(replay.res.status).toBe(422);
    expect(replay.data.error).toBe("That took too long or was already used. Try again.");
    expect(await passkeyRows(member.id)).toHaveLength(1);
  });

  it("refuses a response to a challenge issued to another member", async () => {
    const alice = await signedInMember();
    const bob = await signedInMember();
    const { data } = await postJson<{ options: RegistrationOptions }>(alice.b, "/account/passkeys/options", { name: "Laptop" });
    const stolen = await authenticator().register(data.options);
    const res = await postJson(bob.b, "/account/passkeys", { name: "Laptop", response: stolen });
    expect(res.res.status).toBe(422);
    expect(await passkeyRows(bob.member.id)).toHaveLength(0);
    expect(await passkeyRows(alice.member.id)).toHaveLength(0);
  });

  it("answers a body that isn't a passkey response, or isn't JSON, with 422 and stores nothing", async () => {
    const { member, b } = await signedInMember();
    await postJson(b, "/account/passkeys/options", { name: "Laptop" });
    expect((await postJson(b, "/account/passkeys", { name: "Laptop", response: { id: "x" } })).res.status).toBe(422);
    const form = await b.post("/account/passkeys", { name: "Laptop", response: "{}" });
    expect(form.status).toBe(422);
    expect(await passkeyRows(member.id)).toHaveLength(0);
  });
});

describe("signing in with a passkey", () => {
  it("offers any of this site's passkeys with user verification required, and starts the session", async () => {
    const { member, auth } = await memberWithPasskey();
    const b = new Browser();
    const signIn = await b.get("/sign-in");
    expect(await signIn.text()).toContain('data-passkey="authenticate" data-options-url="/sign-in/passkey/options"');

    const { options, res, data } = await passkeySignIn(b, auth);
    expect(options.rpId).toBe("localhost");
    expect(options.allowCredentials ?? []).toEqual([]);
    expect((options as unknown as { userVerification: string }).userVerification).toBe("required");
    expect(res.status).toBe(200);
    expect(data).toEqual({ redirect: "/menu" });
    expect(b.cookies.has(STAFF_COOKIE)).toBe(true);
    expect((await b.get("/menu")).status).toBe(200);
    const [row] = await passkeyRows(member.id);
    expect(row!.counter).toBe(1);
    expect(row!.last_used_at).not.toBeNull();
  });

  it("goes to a same-site `next`, and to the Main Menu for any other", async () => {
    const { auth } = await memberWithPasskey();
    expect((await passkeySignIn(new Browser(), auth, { next: "/face-sheet/1" })).data.redirect).toBe("/face-sheet/1");
    expect((await passkeySignIn(new Browser(), auth, { next: "//evil.example" })).data.redirect).toBe("/menu");
  });

  it("works even when the agency requires two-factor: a passkey is both factors", async () => {
    const agencyId = await createAgency();
    const { auth } = await memberWithPasskey(agencyId);
    await requireTwoFactor(agencyId, true);
    const fresh = new Browser();
    expect((await passkeySignIn(fresh, auth)).res.status).toBe(200);
    expect(fresh.cookies.has(STAFF_COOKIE)).toBe(true);
    expect((await fresh.get("/menu")).status).toBe(200);
  });

  it.each([
    ["signed on another origin", (a: SoftwareAuthenticator) => (a.origin = "https://evil.example")],
    ["signed for another RP ID", (a: SoftwareAuthenticator) => (a.rpIdOverride = "evil.example")],
    ["without user verification", (a: SoftwareAuthenticator) => (a.userVerified = false)],
  ])("refuses an assertion %s, counts it against the address and starts nothing", async (_, spoil) => {
    const { member, auth } = await memberWithPasskey();
    spoil(auth);
    const ip = uniqueIp();
    const b = new Browser();
    const { res, data } = await passkeySignIn(b, auth, { ip });
    expect(res.status).toBe(422);
    expect(data.error).toBe("That passkey wasn't accepted. Try again.");
    expect(b.cookies.has(STAFF_COOKIE)).toBe(false);
    expect(await addressFailures(ip)).toEqual({ address: 1, passkeySignIn: 1 });
    expect((await passkeyRows(member.id))[0]!.last_used_at).toBeNull();
  });

  it("refuses a replayed assertion: the challenge is single-use", async () => {
    const { auth } = await memberWithPasskey();
    const first = await passkeySignIn(new Browser(), auth);
    expect(first.res.status).toBe(200);
    const thief = new Browser();
    const replay = await postJson(thief, "/sign-in/passkey", { response: first.response });
    expect(replay.res.status).toBe(422);
    expect(replay.data.error).toBe("That took too long or was already used. Try again.");
    expect(thief.cookies.has(STAFF_COOKIE)).toBe(false);
  });

  it("refuses an assertion whose counter went backwards (a cloned authenticator)", async () => {
    const { member, auth } = await memberWithPasskey();
    expect((await passkeySignIn(new Browser(), auth)).res.status).toBe(200);
    await env.DB.prepare("UPDATE staff_passkeys SET counter = 50 WHERE staff_id = ?").bind(member.id).run();
    expect((await passkeySignIn(new Browser(), auth)).res.status).toBe(422);
  });

  it("refuses a removed passkey, and an inactive member's passkey", async () => {
    const removed = await memberWithPasskey();
    const b = await signedInWithPasskey(removed.auth);
    expect((await b.post(`/account/passkeys/${removed.auth.id}/remove`, {})).status).toBe(303);
    expect((await passkeySignIn(new Browser(), removed.auth)).res.status).toBe(422);

    const inactive = await memberWithPasskey();
    await env.DB.prepare("UPDATE staff_users SET active = 0 WHERE id = ?").bind(inactive.member.id).run();
    const attempt = new Browser();
    expect((await passkeySignIn(attempt, inactive.auth)).res.status).toBe(422);
    expect(attempt.cookies.has(STAFF_COOKIE)).toBe(false);
  });

  it("refuses a challenge issued for the second step or for registration", async () => {
    const { member, auth } = await memberWithPasskey();
    const { b } = await passwordStep(member.email);
    const { data } = await postJson<{ options: AuthenticationOptions }>(b, "/sign-in/two-factor/passkey/options", {});
    const response = await auth.authenticate(data.options);
    const res = await postJson(new Browser(), "/sign-in/passkey", { response });
    expect(res.res.status).toBe(422);
  });
});

describe("a passkey as the second step after the password", () => {
  it("is offered to a member with a passkey, lists only their passkeys, and starts the session", async () => {
    const { member, auth } = await memberWithPasskey();
    const { b, res } = await passwordStep(member.email);
    expect(res.headers.get("Location")).toBe("/sign-in/two-factor");
    const page = await (await b.get("/sign-in/two-factor")).text();
    expect(page).toContain('data-passkey="authenticate" data-options-url="/sign-in/two-factor/passkey/options"');
    expect(page).not.toContain('name="code"'); // no authenticator app

    const { data } = await postJson<{ options: AuthenticationOptions }>(b, "/sign-in/two-factor/passkey/options", {});
    expect(data.options.allowCredentials!.map((c) => c.id)).toEqual([auth.id]);
    const verify = await postJson(b, "/sign-in/two-factor/passkey", { response: await auth.authenticate(data.options) });
    expect(verify.data).toEqual({ redirect: "/menu" });
    expect(b.cookies.has(STAFF_COOKIE)).toBe(true);
    expect(b.cookies.has(SECOND_STEP_COOKIE)).toBe(false);
  });

  it("refuses another member's passkey and counts the failure", async () => {
    const { member } = await memberWithPasskey();
    const other = await memberWithPasskey();
    const { b } = await passwordStep(member.email);
    const { data } = await postJson<{ options: AuthenticationOptions }>(b, "/sign-in/two-factor/passkey/options", {});
    const res = await postJson(b, "/sign-in/two-factor/passkey", { response: await other.auth.authenticate(data.options) });
    expect(res.res.status).toBe(422);
    expect(b.cookies.has(STAFF_COOKIE)).toBe(false);
    expect((await secondFactorThrottle(member.id))?.failures).toBe(1);
  });

  it("without a pending step answers 401 and points back to sign-in", async () => {
    const { data, res } = await postJson(new Browser(), "/sign-in/two-factor/passkey/options", {});
    expect(res.status).toBe(401);
    expect(data).toEqual({ error: "Your sign-in timed out. Sign in again.", redirect: "/sign-in" });
  });
});

describe("renaming and removing passkeys", () => {
  it("renames a passkey; an empty name is answered 422 next to the field and changes nothing", async () => {
    const { member, auth } = await memberWithPasskey();
    const b = await signedInWithPasskey(auth);
    const page = await b.get(`/account/passkeys/${auth.id}`);
    expect(page.status).toBe(200);
    const bad = await b.post(`/account/passkeys/${auth.id}`, { name: "  " });
    expect(bad.status).toBe(422);
    expect(fieldError(await bad.text(), "name")).toBe("Enter a name for the passkey.");
    expect((await passkeyRows(member.id))[0]!.name).toBe("Work laptop");

    const ok = await b.post(`/account/passkeys/${auth.id}`, { name: "Old laptop" });
    expect(ok.status).toBe(303);
    expect(ok.headers.get("Location")).toBe("/account/passkeys?done=renamed");
    expect((await passkeyRows(member.id))[0]!.name).toBe("Old laptop");
  });

  it("removes a passkey", async () => {
    const { member, auth } = await memberWithPasskey();
    const b = await signedInWithPasskey(auth);
    const res = await b.post(`/account/passkeys/${auth.id}/remove`, {});
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/account/passkeys?done=removed");
    expect(await passkeyRows(member.id)).toHaveLength(0);
  });

  it("keeps another member's passkeys out of reach: 404 to view, rename or remove", async () => {
    const owner = await memberWithPasskey();
    const { b } = await signedInMember();
    expect((await b.get(`/account/passkeys/${owner.auth.id}`)).status).toBe(404);
    expect((await b.post(`/account/passkeys/${owner.auth.id}`, { name: "Mine now" })).status).toBe(404);
    expect((await b.post(`/account/passkeys/${owner.auth.id}/remove`, {})).status).toBe(404);
    expect((await b.get("/account/passkeys")).status).toBe(200);
    expect(await (await b.get("/account/passkeys")).text()).not.toContain(owner.auth.id);
    expect((await passkeyRows(owner.member.id))[0]!.name).toBe("Work laptop");
  });

  it("won't remove the last second factor while the agency requires two-factor", async () => {
    const agencyId = await createAgency();
    const { member, b } = await signedInMember(agencyId);
    const auth = authenticator();
    await registerPasskey(b, auth);
    await requireTwoFactor(agencyId, true);
    const res = await b.post(`/account/passkeys/${auth.id}/remove`, {});
    expect(res.status).toBe(422);
    expect(alertText(await res.text())).toMatch(/requires two-factor sign-in/);
    expect(await passkeyRows(member.id)).toHaveLength(1);
    // With an authenticator app as well, it can go.
    await enrolTotp(b);
    expect((await b.post(`/account/passkeys/${auth.id}/remove`, {})).status).toBe(303);
  });

  it("need a session: the passkey pages and endpoints send the browser to sign-in", async () => {
    const b = new Browser();
    expect((await b.get("/account/passkeys")).status).toBe(302);
    expect((await b.get("/account/passkeys/abc")).status).toBe(302);
    const json = await b.fetch("/account/passkeys/options", { method: "POST", body: "{}", headers: { "Content-Type": "application/json" } });
    expect(json.status).toBe(302);
    expect((await b.post("/account/passkeys/abc/remove", {})).status).toBe(302);
  });
});
