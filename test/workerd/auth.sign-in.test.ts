import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { Browser, DEMO_PASSWORD, ORIGIN } from "./fixtures";
import { alertText, inputValue, noticeText, resolvedLocation, STAFF_COOKIE } from "./helpers";
import { expectSameTiming } from "./timing";

// Storage is per file. Accounts used here: admin@riverbend.test (signs in, never changed),
// staff@riverbend.test (made inactive by one test), admin@lakeside.test (signs in, never changed).

const GENERIC = "That email and password don't match an active account.";

async function signIn(form: Record<string, string>) {
  const b = new Browser();
  const res = await b.post("/sign-in", form);
  return { b, res, html: await res.text() };
}

describe("staff sign-in", () => {
  it("signs in with the right password and reaches the Main Menu", async () => {
    const b = await Browser.staff("admin@riverbend.test");
    const res = await b.get("/menu");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("Main Menu");
    expect(html).toContain("Riverbend Behavioral Health");
  });

  it("sets an HttpOnly, Secure, SameSite=Lax cookie", async () => {
    const b = new Browser();
    const res = await b.post("/sign-in", { email: "admin@riverbend.test", password: DEMO_PASSWORD });
    // The session cookie, and beside it the device cookie the sign-in throttle gives a browser that
    // signed in and the D1 bookmark of the sign-in's writes (src/db/session.ts): all HttpOnly,
    // Secure, SameSite=Lax.
    const lines = res.headers.getSetCookie();
    expect(lines.map((l) => l.split("=")[0]).sort()).toEqual(["__Host-d1_bookmark", STAFF_COOKIE, "staff_device"].sort());
    for (const cookie of lines) {
      expect(cookie).toMatch(/; HttpOnly/);
      expect(cookie).toMatch(/; Secure/);
      expect(cookie).toMatch(/; SameSite=Lax/);
    }
  });

  it("sends a successful sign-in to the Main Menu with 303 by default", async () => {
    const { b, res } = await signIn({ email: "admin@lakeside.test", password: DEMO_PASSWORD });
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/menu");
    const menu = await b.get("/menu");
    expect(menu.status).toBe(200);
    expect(await menu.text()).toContain("Lakeside Recovery Center");
  });

  it("treats the email case-insensitively and ignores surrounding spaces", async () => {
    const { b, res } = await signIn({ email: "  Admin@RiverBend.TEST ", password: DEMO_PASSWORD });
    expect(res.status).toBe(303);
    expect(b.cookies.has(STAFF_COOKIE)).toBe(true);
  });

  it("shows the sign-in form", async () => {
    const res = await new Browser().get("/sign-in");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('action="/sign-in"');
    expect(inputValue(html, "email")).toBe("");
    expect(inputValue(html, "password")).toBe("");
    expect(inputValue(html, "next")).toBe("/menu");
  });
});

describe("staff sign-in failures", () => {
  it("answers a wrong password and an unknown email with the same status and the same message", async () => {
    const wrong = await signIn({ email: "admin@riverbend.test", password: "not-the-password" });
    const unknown = await signIn({ email: "nobody@riverbend.test", password: DEMO_PASSWORD });

    expect(wrong.res.status).toBe(401);
    expect(unknown.res.status).toBe(wrong.res.status);
    expect(alertText(wrong.html)).toBe(GENERIC);
    expect(alertText(unknown.html)).toBe(alertText(wrong.html));
    for (const { b, res } of [wrong, unknown]) {
      expect(b.cookies.has(STAFF_COOKIE)).toBe(false);
      expect(res.headers.getSetCookie().join("\n")).not.toMatch(/__Host-staff_session=[^;]/);
    }
    // The email typed is kept so it can be corrected; the password never comes back.
    expect(inputValue(wrong.html, "email")).toBe("admin@riverbend.test");
    expect(inputValue(wrong.html, "password")).toBe("");
    expect(wrong.html).not.toContain("not-the-password");
  });

  it.each([
    ["an empty email", { email: "", password: DEMO_PASSWORD }],
    ["an email of only spaces", { email: "   ", password: DEMO_PASSWORD }],
    ["an empty password", { email: "admin@riverbend.test", password: "" }],
    ["both empty", { email: "", password: "" }],
    ["no fields at all", {}],
  ])("refuses %s without signing in", async (_, form) => {
    const { b, res, html } = await signIn(form as Record<string, string>);
    expect(res.status).toBe(401);
    expect(alertText(html)).toBe(GENERIC);
    expect(b.cookies.has(STAFF_COOKIE)).toBe(false);
    expect((await b.get("/menu")).status).toBe(302);
  });

  it("refuses an inactive staff member with the right password, with the same message", async () => {
    await env.DB.prepare("UPDATE staff_users SET active = 0 WHERE email = ?").bind("staff@riverbend.test").run();
    const { b, res, html } = await signIn({ email: "staff@riverbend.test", password: DEMO_PASSWORD });
    expect(res.status).toBe(401);
    expect(alertText(html)).toBe(GENERIC);
    expect(b.cookies.has(STAFF_COOKIE)).toBe(false);
    expect((await b.get("/menu")).status).toBe(302);
  });
});

describe("staff sign-in timing", () => {
  it("answers an unknown email as fast as a known one with a wrong password (medians over 100 interleaved pairs)", { timeout: 60_000 }, async () => {
    let ip = 0;
    const timed = async (email: string, password: string) => {
      // A new address each time: no throttling delay enters the measurement.
      const started = performance.now();
      const res = await new Browser().post("/sign-in", { email, password }, { headers: { "CF-Connecting-IP": `198.18.0.${++ip % 250}` } });
      await res.text();
      const ms = performance.now() - started;
      expect(res.status).toBe(401);
      return ms;
    };
    for (let i = 0; i < 3; i++) {
      await timed(`warm${i}@riverbend.test`, "warm-up password");
      await timed("admin@lakeside.test", "warm-up password");
    }
    await expectSameTiming("staff sign-in", {
      pairs: 100,
      known: (i) => timed("admin@lakeside.test", `wrong password ${i}`),
      unknown: (i) => timed(`ghost${i}@riverbend.test`, `wrong password ${i}`),
      // Keep the known account's count low (an unknown email starts at 1 each time too).
      between: () => env.DB.prepare("DELETE FROM sign_in_throttle WHERE key = subject").run(),
    });
  });
});

describe("sign-in `next`", () => {
  it("returns to the page that asked for sign-in", async () => {
    const b = new Browser();
    const first = await b.get("/face-sheet/1?tab=cases");
    expect(first.status).toBe(302);
    const signInUrl = first.headers.get("Location")!;
    expect(signInUrl).toBe("/sign-in?next=%2Fface-sheet%2F1%3Ftab%3Dcases");

    const page = await (await b.get(signInUrl)).text();
    const next = inputValue(page, "next")!;
    expect(next).toBe("/face-sheet/1?tab=cases");

    const res = await b.post("/sign-in", { email: "admin@riverbend.test", password: DEMO_PASSWORD, next });
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/face-sheet/1?tab=cases");
    expect((await b.get("/face-sheet/1")).status).toBe(200);
  });

  it("keeps `next` through a failed attempt", async () => {
    const { html } = await signIn({ email: "admin@riverbend.test", password: "wrong", next: "/face-sheet/2" });
    expect(inputValue(html, "next")).toBe("/face-sheet/2");
  });

  it.each([
    ["protocol-relative", "//evil.example"],
    ["protocol-relative with a path", "//evil.example/menu"],
    ["absolute", "https://evil.example/"],
    ["backslash", "/\\evil.example"],
    ["javascript:", "javascript:alert(1)"],
    // Browsers strip tabs and newlines from URLs, so "/<TAB>/evil.example" is "//evil.example".
    ["tab-smuggled protocol-relative", "/\t/evil.example"],
    ["newline-smuggled protocol-relative", "/\n/evil.example"],
    ["relative without a slash", "evil.example"],
  ])("sends a %s `next` (%j) to /menu instead", async (_, next) => {
    const { res } = await signIn({ email: "admin@riverbend.test", password: DEMO_PASSWORD, next });
    expect(res.status).toBe(303);
    const to = resolvedLocation(res);
    expect(to.origin).toBe(ORIGIN);
    expect(res.headers.get("Location")).toBe("/menu");
  });

  it("does not put a foreign `next` from the query string into the form", async () => {
    const html = await (await new Browser().get("/sign-in?next=%2F%2Fevil.example")).text();
    expect(inputValue(html, "next")).toBe("/menu");
  });
});

describe("sign-out", () => {
  it("removes the session cookie; the Main Menu then asks for sign-in again", async () => {
    const b = await Browser.staff("admin@riverbend.test");
    expect((await b.get("/menu")).status).toBe(200);

    const res = await b.post("/sign-out", {});
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/sign-in?signed-out");
    const cleared = res.headers.getSetCookie().find((c) => c.startsWith(`${STAFF_COOKIE}=`));
    expect(cleared).toBeDefined();
    expect(cleared).toMatch(/^__Host-staff_session=;/);
    expect(cleared).toMatch(/Max-Age=0/i);
    expect(cleared).toMatch(/Path=\//);
    expect(b.cookies.has(STAFF_COOKIE)).toBe(false);

    const menu = await b.get("/menu");
    expect(menu.status).toBe(302);
    expect(menu.headers.get("Location")).toBe("/sign-in?next=%2Fmenu");

    const page = await (await b.get("/sign-in?signed-out")).text();
    expect(noticeText(page)).toBe("You have signed out.");
  });

  it("ends the session on the server: a copy of the old cookie no longer opens anything", async () => {
    const b = await Browser.staff("admin@lakeside.test");
    const copy = new Browser();
    copy.cookies = new Map(b.cookies);
    expect((await copy.get("/menu")).status).toBe(200);
    await b.post("/sign-out", {});
    const res = await copy.get("/menu");
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toMatch(/^\/sign-in/);
    // Signing in again works and gets a fresh session.
    const again = await Browser.staff("admin@lakeside.test");
    expect((await again.get("/menu")).status).toBe(200);
  });
});
