/**
 * "Require two-factor for staff": a member of such an agency who has no second factor is sent,
 * after the password, to set one up — an authenticator app or a passkey — and no session exists
 * until that is done. Enrolment at sign-in is only for them: someone holding just the password of
 * a member who already has a factor can't add their own.
 */
import { describe, expect, it } from "vitest";
import { Browser, DEMO_PASSWORD } from "./fixtures";
import { fieldError, STAFF_COOKIE } from "./helpers";
import { authenticator, passkeyRows, postJson, registerPasskey } from "./passkeys.fixtures";
import {
  createAgency,
  createStaff,
  enrolTotp,
  keyFromSetupPage,
  passwordStep,
  recoveryCodeCounts,
  recoveryCodesOn,
  requireTwoFactor,
  SECOND_STEP_COOKIE,
  totpCode,
  totpRow,
} from "./two-factor.fixtures";

const SIGN_IN_ENROL = { options: "/sign-in/two-factor/passkeys/options", verify: "/sign-in/two-factor/passkeys" };

/** A member without any second factor in an agency that requires one. */
async function memberOfRequiringAgency() {
  const agencyId = await createAgency({ requireTwoFactor: true });
  return createStaff(agencyId, "required");
}

describe("an agency that requires two-factor", () => {
  it("sends a member without a second factor to set one up, with no session until then", async () => {
    const member = await memberOfRequiringAgency();
    const { b, res } = await passwordStep(member.email);
    expect(res.headers.get("Location")).toBe("/sign-in/two-factor");
    expect(b.cookies.has(STAFF_COOKIE)).toBe(false);
    const page = await b.get("/sign-in/two-factor");
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("<h1>Set up two-factor sign-in</h1>");
    expect(html).toContain('action="/sign-in/two-factor/totp/start"');
    expect(html).toContain('data-passkey="register" data-options-url="/sign-in/two-factor/passkeys/options"');
    expect(html).not.toContain('name="code"');
    expect((await b.get("/menu")).status).toBe(302);
    // Codes mean nothing yet: there is nothing to check them against.
    expect((await b.post("/sign-in/two-factor", { code: "123456" })).headers.get("Location")).toBe("/sign-in/two-factor");
    expect(b.cookies.has(STAFF_COOKIE)).toBe(false);
  });

  it("lets them set up an authenticator app: a wrong code keeps them out (422); the right one starts the session and shows the recovery codes", async () => {
    const member = await memberOfRequiringAgency();
    const b = new Browser();
    await b.post("/sign-in", { email: member.email, password: DEMO_PASSWORD, next: "/face-sheet" });
    const start = await b.post("/sign-in/two-factor/totp/start", {});
    expect(start.headers.get("Location")).toBe("/sign-in/two-factor/totp");
    const setup = await (await b.get("/sign-in/two-factor/totp")).text();
    expect(setup).toContain('<img class="qr" src="data:image/svg+xml;base64,');
    const key = keyFromSetupPage(setup);

    const right = totpCode(key);
    const wrong = await b.post("/sign-in/two-factor/totp", { code: right === "000000" ? "111111" : "000000" });
    expect(wrong.status).toBe(422);
    expect(fieldError(await wrong.text(), "code")).toBe("That code isn't right. Check the app and enter the code it shows now.");
    expect(b.cookies.has(STAFF_COOKIE)).toBe(false);
    expect((await totpRow(member.id))!.confirmed_at).toBeNull();

    const done = await b.post("/sign-in/two-factor/totp", { code: right });
    expect(done.status).toBe(200);
    const html = await done.text();
    expect(recoveryCodesOn(html)).toHaveLength(10);
    expect(html).toContain('href="/face-sheet"'); // continue to where they were going
    expect(b.cookies.has(STAFF_COOKIE)).toBe(true);
    expect(b.cookies.has(SECOND_STEP_COOKIE)).toBe(false);
    expect((await b.get("/menu")).status).toBe(200);
    expect(await recoveryCodeCounts(member.id)).toEqual({ total: 10, unused: 10 });

    // From now on sign-in asks for the code.
    await b.post("/sign-out", {});
    const next = await passwordStep(member.email);
    expect(await (await next.b.get("/sign-in/two-factor")).text()).toContain('name="code"');
  });

  it("lets them register a passkey instead, which starts the session", async () => {
    const member = await memberOfRequiringAgency();
    const { b } = await passwordStep(member.email);
    const auth = authenticator();
    const { res, data } = await registerPasskey(b, auth, "My phone", SIGN_IN_ENROL);
    expect(res.status).toBe(200);
    expect(data).toEqual({ redirect: "/menu" });
    expect(b.cookies.has(STAFF_COOKIE)).toBe(true);
    expect((await passkeyRows(member.id)).map((p) => p.name)).toEqual(["My phone"]);
  });

  it("answers a bad passkey name at sign-in with 422 for the field, and an unverifiable passkey with 422; no session either way", async () => {
    const member = await memberOfRequiringAgency();
    const { b } = await passwordStep(member.email);
    const noName = await postJson(b, SIGN_IN_ENROL.options, { name: "" });
    expect(noName.res.status).toBe(422);
    expect(noName.data).toEqual({ error: "Enter a name for the passkey.", field: "name" });
    const auth = authenticator();
    auth.origin = "https://evil.example";
    expect((await registerPasskey(b, auth, "Phone", SIGN_IN_ENROL)).res.status).toBe(422);
    expect(b.cookies.has(STAFF_COOKIE)).toBe(false);
    expect(await passkeyRows(member.id)).toHaveLength(0);
  });

  it("doesn't let the password alone add a factor for a member who already has one", async () => {
    const agencyId = await createAgency();
    const member = await createStaff(agencyId, "has-factor");
    const signedIn = await Browser.staff(member.email);
    await enrolTotp(signedIn);
    const before = await totpRow(member.id);
    const { b } = await passwordStep(member.email);
    // Even when the agency requires two-factor, enrolment routes are closed to them.
    await requireTwoFactor(agencyId, true);
    expect((await b.post("/sign-in/two-factor/totp/start", {})).headers.get("Location")).toBe("/sign-in/two-factor");
    expect((await b.get("/sign-in/two-factor/totp")).headers.get("Location")).toBe("/sign-in/two-factor");
    expect(await totpRow(member.id)).toEqual(before);
    const passkey = await postJson(b, SIGN_IN_ENROL.options, { name: "Attacker" });
    expect(passkey.res.status).toBe(409);
    expect(await passkeyRows(member.id)).toHaveLength(0);
    expect(b.cookies.has(STAFF_COOKIE)).toBe(false);
  });

  it("in an agency that doesn't require it, a member without a factor isn't offered enrolment at sign-in", async () => {
    const member = await createStaff();
    const { b, res } = await passwordStep(member.email);
    expect(res.headers.get("Location")).toBe("/menu");
    expect((await b.post("/sign-in/two-factor/totp/start", {})).headers.get("Location")).toBe("/sign-in");
  });
});
