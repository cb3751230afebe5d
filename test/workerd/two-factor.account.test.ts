/**
 * A signed-in member's two-factor settings: setting up the authenticator app (QR code and typed
 * key, confirmed with a code; ten recovery codes shown once and stored only hashed), turning it
 * off with a current code, replacing recovery codes; bad input answered 422 with nothing written;
 * no session, no page.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { hashRecoveryCode } from "../../src/two-factor/recovery-codes";
import { totpKeyUri } from "../../src/two-factor/totp";
import { Browser } from "./fixtures";
import { alertText, fieldError, noticeText } from "./helpers";
import {
  createAgency,
  createStaff,
  enrolTotp,
  keyFromSetupPage,
  passwordStep,
  recoveryCodeCounts,
  recoveryCodesOn,
  totpCode,
  totpRow,
  uniqueIp,
} from "./two-factor.fixtures";

async function signedInMember(agencyId = 1) {
  const member = await createStaff(agencyId);
  return { member, b: await Browser.staff(member.email) };
}

const storedCodeHashes = async (staffId: number) =>
  (await env.DB.prepare("SELECT code_hash FROM staff_recovery_codes WHERE staff_id = ? ORDER BY id").bind(staffId).all<{ code_hash: string }>()).results.map(
    (r) => r.code_hash,
  );

describe("the two-factor page", () => {
  it("is linked from the Main Menu with Passkeys, and shows the authenticator app as off at first", async () => {
    const { b } = await signedInMember();
    const menu = await (await b.get("/menu")).text();
    expect(menu).toContain('href="/account/two-factor"');
    expect(menu).toContain('href="/account/passkeys"');
    const res = await b.get("/account/two-factor");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("<h1>Two-factor sign-in</h1>");
    expect(html).toContain('action="/account/two-factor/totp/start"');
    expect(html).toContain("No passkeys yet.");
  });

  it("needs a session: every two-factor account route sends the browser to sign-in", async () => {
    const b = new Browser();
    for (const [method, path] of [
      ["GET", "/account/two-factor"],
      ["POST", "/account/two-factor/totp/start"],
      ["GET", "/account/two-factor/totp"],
      ["POST", "/account/two-factor/totp"],
      ["POST", "/account/two-factor/totp/disable"],
      ["POST", "/account/two-factor/recovery-codes"],
    ] as const) {
      const res = method === "GET" ? await b.get(path) : await b.post(path, { code: "123456" });
      expect(res.status, `${method} ${path}`).toBe(302);
      expect(res.headers.get("Location")).toMatch(/^\/sign-in\?next=/);
    }
  });
});

describe("setting up the authenticator app", () => {
  it("shows a QR code and the key as text, turns on with a right code, and shows ten recovery codes once", async () => {
    const { member, b } = await signedInMember();
    // a. Start: a sealed secret, pending until confirmed.
    const start = await b.post("/account/two-factor/totp/start", {});
    expect(start.status).toBe(303);
    expect(start.headers.get("Location")).toBe("/account/two-factor/totp");
    expect((await totpRow(member.id))!.confirmed_at).toBeNull();

    // b. The setup page: the QR code is an SVG rendered on the server; the key is typed in groups.
    const page = await (await b.get("/account/two-factor/totp")).text();
    const qr = /<img class="qr" src="data:image\/svg\+xml;base64,([^"]+)"/.exec(page)?.[1];
    expect(qr).toBeDefined();
    expect(atob(qr!)).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" viewBox="0 0 \d+ \d+"><rect fill="white"/);
    expect(page).toMatch(/<p class="typed-secret"><code[^>]*>([A-Z2-7]{4} ){7}[A-Z2-7]{4}<\/code>/);
    const key = keyFromSetupPage(page);
    expect(key).toHaveLength(20);
    // The secret is stored sealed, not as the key.
    const typed = /<code[^>]*>([A-Z2-7 ]+)<\/code>/.exec(page)![1]!.replace(/ /g, "");
    expect((await totpRow(member.id))!.secret_box).not.toContain(typed);

    // c. A right code turns it on and shows the recovery codes, which are stored only hashed.
    const confirm = await b.post("/account/two-factor/totp", { code: totpCode(key) });
    expect(confirm.status).toBe(200);
    const codes = recoveryCodesOn(await confirm.text());
    expect(codes).toHaveLength(10);
    expect((await totpRow(member.id))!.confirmed_at).not.toBeNull();
    const hashes = await storedCodeHashes(member.id);
    expect(hashes.sort()).toEqual(codes.map(hashRecoveryCode).sort());

    // d. The page now says it's on; the codes are never shown again.
    const status = await (await b.get("/account/two-factor")).text();
    expect(status).toContain('<span class="badge ok">On</span>');
    expect(status).toContain("10 unused codes of 10");
    expect(status).not.toContain(codes[0]);
  });

  it("answers a wrong or malformed first code with 422 next to the field, keeping the same key and writing nothing", async () => {
    const { member, b } = await signedInMember();
    await b.post("/account/two-factor/totp/start", {});
    const page = await (await b.get("/account/two-factor/totp")).text();
    const key = keyFromSetupPage(page);
    const right = totpCode(key);
    for (const [code, message] of [
      [right === "000000" ? "111111" : "000000", "That code isn't right. Check the app and enter the code it shows now."],
      ["12345", "Enter the 6-digit code from your authenticator app."],
      ["", "Enter the 6-digit code from your authenticator app."],
    ]) {
      const res = await b.post("/account/two-factor/totp", { code: code! });
      expect(res.status).toBe(422);
      const html = await res.text();
      expect(fieldError(html, "code")).toBe(message);
      expect(keyFromSetupPage(html)).toEqual(key);
    }
    expect((await totpRow(member.id))!.confirmed_at).toBeNull();
    expect(await recoveryCodeCounts(member.id)).toEqual({ total: 0, unused: 0 });
    // Not confirmed, so the password alone still signs in.
    await b.post("/sign-out", {});
    expect((await passwordStep(member.email)).res.headers.get("Location")).toBe("/menu");
  });

  it("encodes an otpauth:// URI with the agency as issuer and the email as account", () => {
    const uri = totpKeyUri("Riverbend Behavioral Health", "a@riverbend.test", new TextEncoder().encode("12345678901234567890"));
    expect(uri).toBe(
      "otpauth://totp/Riverbend%20Behavioral%20Health:a%40riverbend.test?issuer=Riverbend+Behavioral+Health&algorithm=SHA1&secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&period=30&digits=6",
    );
  });

  it("won't replace an authenticator that is on (turn it off first), and has no setup page without a pending setup", async () => {
    const { member, b } = await signedInMember();
    expect((await b.get("/account/two-factor/totp")).headers.get("Location")).toBe("/account/two-factor");
    await enrolTotp(b);
    const before = await totpRow(member.id);
    const again = await b.post("/account/two-factor/totp/start", {});
    expect(again.headers.get("Location")).toBe("/account/two-factor?done=already-on");
    expect(noticeText(await (await b.get("/account/two-factor?done=already-on")).text())).toMatch(/already set up/);
    expect(await totpRow(member.id)).toEqual(before);
    expect((await b.get("/account/two-factor/totp")).headers.get("Location")).toBe("/account/two-factor");
  });
});

describe("turning the authenticator app off", () => {
  it("charges each code like a second step at sign-in: parallel wrong codes can't pass the limit, and then even a right one waits (429)", async () => {
    const { member, b } = await signedInMember();
    const { key } = await enrolTotp(b);
    const from = { headers: { "CF-Connecting-IP": uniqueIp() } };
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => b.post("/account/two-factor/totp/disable", { code: totpCode(key, -5 - i) }, from)));
    expect(answers.filter((r) => r.status === 422).length).toBeLessThanOrEqual(10);
    expect(answers.some((r) => r.status === 429)).toBe(true);
    expect((await b.post("/account/two-factor/totp/disable", { code: totpCode(key, 1) }, from)).status).toBe(429);
    expect((await totpRow(member.id))!.confirmed_at).not.toBeNull();
  });

  it("needs a current code: a wrong one is answered 422 and changes nothing; a right one removes it and the recovery codes", async () => {
    const { member, b } = await signedInMember();
    const { key } = await enrolTotp(b);
    const wrong = await b.post("/account/two-factor/totp/disable", { code: totpCode(key, -5) });
    expect(wrong.status).toBe(422);
    expect(fieldError(await wrong.text(), "code")).toBe("That code isn't right. Check the app and enter the code it shows now.");
    expect((await totpRow(member.id))!.confirmed_at).not.toBeNull();

    // The code used to enrol can't be used again.
    const replayed = await b.post("/account/two-factor/totp/disable", { code: totpCode(key, 0) });
    expect(replayed.status).toBe(422);

    const off = await b.post("/account/two-factor/totp/disable", { code: totpCode(key, 1) });
    expect(off.status).toBe(303);
    expect(off.headers.get("Location")).toBe("/account/two-factor?done=totp-off");
    expect(await totpRow(member.id)).toBeNull();
    expect(await recoveryCodeCounts(member.id)).toEqual({ total: 0, unused: 0 });
    await b.post("/sign-out", {});
    expect((await passwordStep(member.email)).res.headers.get("Location")).toBe("/menu");
  });

  it("is refused while the agency requires two-factor and there is no passkey", async () => {
    const agencyId = await createAgency();
    const { member, b } = await signedInMember(agencyId);
    const { key } = await enrolTotp(b);
    await env.DB.prepare("UPDATE agencies SET require_two_factor = 1 WHERE id = ?").bind(agencyId).run();
    const res = await b.post("/account/two-factor/totp/disable", { code: totpCode(key, 1) });
    expect(res.status).toBe(422);
    expect(alertText(await res.text())).toMatch(/requires two-factor sign-in: add a passkey/);
    expect((await totpRow(member.id))!.confirmed_at).not.toBeNull();
  });
});

describe("new recovery codes", () => {
  it("replace all the old ones, shown once", async () => {
    const { member, b } = await signedInMember();
    const { recoveryCodes: old } = await enrolTotp(b);
    const res = await b.post("/account/two-factor/recovery-codes", {});
    expect(res.status).toBe(200);
    const fresh = recoveryCodesOn(await res.text());
    expect(fresh).toHaveLength(10);
    expect(fresh.some((c) => old.includes(c))).toBe(false);
    expect((await storedCodeHashes(member.id)).sort()).toEqual(fresh.map(hashRecoveryCode).sort());

    // An old code no longer signs in; a new one does.
    await b.post("/sign-out", {});
    const attempt = await passwordStep(member.email);
    expect((await attempt.b.post("/sign-in/two-factor/recovery", { recoveryCode: old[0]! })).status).toBe(422);
    expect((await attempt.b.post("/sign-in/two-factor/recovery", { recoveryCode: fresh[0]! })).status).toBe(303);
  });

  it("need a second factor to back up", async () => {
    const { member, b } = await signedInMember();
    const res = await b.post("/account/two-factor/recovery-codes", {});
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/account/two-factor");
    expect(await recoveryCodeCounts(member.id)).toEqual({ total: 0, unused: 0 });
  });
});
