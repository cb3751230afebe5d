import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { Browser, DEMO, DEMO_PASSWORD } from "./fixtures";
import { clientRow, faceSheetForm, rawPost, STAFF_COOKIE } from "./helpers";

// Only client 1 is a write target here, and every write to it must be refused.

function csp(res: Response): Map<string, string[]> {
  const header = res.headers.get("Content-Security-Policy");
  expect(header).not.toBeNull();
  return new Map(
    header!
      .split(";")
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...values]) => [name!.toLowerCase(), values]),
  );
}

async function signedInPages() {
  const b = await Browser.staff("admin@riverbend.test");
  return {
    b,
    pages: {
      "/menu": await b.get("/menu"),
      "/face-sheet": await b.get("/face-sheet?q=alv"),
      "/face-sheet fragment": await b.get("/face-sheet?q=alv", { htmx: true }),
      "/face-sheet/1": await b.get("/face-sheet/1"),
      "/face-sheet/1/edit": await b.get("/face-sheet/1/edit"),
      "404": await b.get("/face-sheet/9999"),
    } as Record<string, Response>,
  };
}

describe("Content-Security-Policy", () => {
  it("allows scripts only from the site itself: script-src 'self', nothing inline or eval'd", async () => {
    const { pages } = await signedInPages();
    const all = { ...pages, "/sign-in": await new Browser().get("/sign-in") };
    for (const [name, res] of Object.entries(all)) {
      const policy = csp(res);
      expect(policy.get("script-src"), name).toEqual(["'self'"]);
      expect(policy.get("default-src"), name).toEqual(["'self'"]);
      expect(policy.get("object-src"), name).toEqual(["'none'"]);
      expect(policy.get("frame-ancestors"), name).toEqual(["'none'"]);
      expect(policy.get("base-uri"), name).toEqual(["'none'"]);
      expect(policy.get("form-action"), name).toEqual(["'self'"]);
      const header = res.headers.get("Content-Security-Policy")!;
      expect(header, name).not.toContain("'unsafe-inline'");
      expect(header, name).not.toContain("'unsafe-eval'");
      expect(header, name).not.toMatch(/\*/);
    }
  });

  it("pages carry no inline script, event handler or style attribute that the policy would block", async () => {
    const { pages } = await signedInPages();
    const all = { ...pages, "/sign-in": await new Browser().get("/sign-in") };
    for (const [name, res] of Object.entries(all)) {
      const html = await res.text();
      for (const tag of html.match(/<script\b[^>]*>/g) ?? []) expect(tag, name).toMatch(/\bsrc="\/[^"]*"/);
      expect(html, name).not.toMatch(/<script\b[^>]*>[^<]+<\/script>/);
      expect(html, name).not.toMatch(/\son[a-z]+=/i);
      expect(html, name).not.toMatch(/\sstyle=/i);
      expect(html, name).not.toMatch(/<style\b/i);
    }
  });

  it("sends the other hardening headers", async () => {
    const res = await new Browser().get("/sign-in");
    expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(res.headers.get("X-Frame-Options")).toBe("SAMEORIGIN");
    expect(res.headers.get("Referrer-Policy")).toBe("same-origin");
    expect(res.headers.get("Strict-Transport-Security")).toMatch(/max-age=\d+/);
    expect(res.headers.get("Permissions-Policy")).toMatch(/camera=\(\)/);
  });
});

describe("Cache-Control", () => {
  it("marks every staff page, fragment and error page no-store", async () => {
    const { pages } = await signedInPages();
    for (const [name, res] of Object.entries(pages)) expect(res.headers.get("Cache-Control"), name).toBe("no-store");
  });

  it("marks the sign-in page, a failed sign-in and the redirects no-store", async () => {
    const anon = new Browser();
    const responses = {
      "GET /sign-in": await anon.get("/sign-in"),
      "failed sign-in": await anon.post("/sign-in", { email: "admin@riverbend.test", password: "wrong" }),
      "redirect to sign-in": await anon.get("/face-sheet/1"),
      "htmx redirect to sign-in": await anon.get("/face-sheet/1", { htmx: true }),
      "sign-in success": await anon.post("/sign-in", { email: "admin@riverbend.test", password: DEMO_PASSWORD }),
    } as Record<string, Response>;
    for (const [name, res] of Object.entries(responses)) expect(res.headers.get("Cache-Control"), name).toBe("no-store");
  });
});

describe("cross-site request forgery", () => {
  it.each([
    ["no Origin and no Sec-Fetch-Site", {}],
    ["a foreign Origin", { Origin: "https://evil.example" }],
    ["a look-alike Origin", { Origin: "http://localhost.evil.example" }],
    ["Origin: null", { Origin: "null" }],
    ["Sec-Fetch-Site: cross-site and no Origin", { "Sec-Fetch-Site": "cross-site" }],
    ["Sec-Fetch-Site: same-site and no Origin", { "Sec-Fetch-Site": "same-site" }],
  ])("refuses a signed-in Face Sheet Update with %s (403) and writes nothing", async (_, headers) => {
    const b = await Browser.staff("admin@riverbend.test");
    const before = await clientRow(DEMO.maria);
    const res = await rawPost(b, `/face-sheet/${DEMO.maria}`, faceSheetForm(before, { residenceCity: "Forged" }), headers);
    expect(res.status).toBe(403);
    expect(await clientRow(DEMO.maria)).toEqual(before);
  });

  it("refuses a multipart or text/plain Update without Origin too (403)", async () => {
    const b = await Browser.staff("admin@riverbend.test");
    const before = await clientRow(DEMO.maria);
    const fd = new FormData();
    for (const [k, v] of Object.entries(faceSheetForm(before, { residenceCity: "Forged" }))) fd.set(k, v);
    const cookie = `${STAFF_COOKIE}=${b.cookies.get(STAFF_COOKIE)}`;
    const multipart = await SELF.fetch("http://localhost/face-sheet/1", { method: "POST", body: fd, headers: { Cookie: cookie }, redirect: "manual" });
    expect(multipart.status).toBe(403);
    const plain = await SELF.fetch("http://localhost/face-sheet/1", {
      method: "POST",
      body: "residenceCity=Forged",
      headers: { Cookie: cookie, "Content-Type": "text/plain" },
      redirect: "manual",
    });
    expect(plain.status).toBe(403);
    expect(await clientRow(DEMO.maria)).toEqual(before);
  });

  it("accepts Sec-Fetch-Site: same-origin without Origin (what browsers send for the site's own forms)", async () => {
    const b = await Browser.staff("admin@riverbend.test");
    const before = await clientRow(DEMO.maria);
    // Nothing changed, so this is accepted without writing: a 303 rather than a 403.
    const res = await rawPost(b, `/face-sheet/${DEMO.maria}`, faceSheetForm(before), { "Sec-Fetch-Site": "same-origin" });
    expect(res.status).toBe(303);
    expect(await clientRow(DEMO.maria)).toEqual(before);
  });

  it("refuses a cross-site sign-in (login CSRF) without setting a session", async () => {
    const res = await rawPost(null, "/sign-in", { email: "admin@riverbend.test", password: DEMO_PASSWORD }, { Origin: "https://evil.example" });
    expect(res.status).toBe(403);
    expect(res.headers.getSetCookie().join("\n")).not.toContain(`${STAFF_COOKIE}=`);
    const bare = await rawPost(null, "/sign-in", { email: "admin@riverbend.test", password: DEMO_PASSWORD });
    expect(bare.status).toBe(403);
  });

  it("refuses a cross-site sign-out, leaving the session in place", async () => {
    const b = await Browser.staff("admin@riverbend.test");
    const res = await rawPost(b, "/sign-out", {}, { Origin: "https://evil.example" });
    expect(res.status).toBe(403);
    expect(res.headers.getSetCookie().join("\n")).not.toContain(`${STAFF_COOKIE}=`);
    expect((await b.get("/menu")).status).toBe(200);
  });

  it("answers a refused POST with a plain 403, not an error page claiming a server fault", async () => {
    const res = await rawPost(null, "/sign-in", { email: "a@b.c", password: "x" });
    expect(res.status).toBe(403);
    expect(await res.text()).not.toContain("Something went wrong");
  });
});

describe("nothing of a patient's record stays in the browser", () => {
  it("tells htmx to keep no page history in localStorage", async () => {
    const b = await Browser.staff("admin@riverbend.test");
    const html = await (await b.get("/face-sheet/1")).text();
    const config = JSON.parse(html.match(/<meta name="htmx-config" content="([^"]+)"/)![1]!.replace(/&quot;/g, '"'));
    expect(config.historyCacheSize).toBe(0);
    expect(config.refreshOnHistoryMiss).toBe(true);
  });

  it("clears the site's cache and storage at sign-out", async () => {
    const b = await Browser.staff("admin@riverbend.test");
    const res = await b.post("/sign-out", {});
    expect(res.headers.get("Clear-Site-Data")).toBe('"cache", "storage"');
  });
});

describe("unreadable form bodies", () => {
  it("answer 400, not 500, on public and staff routes alike", async () => {
    const b = await Browser.staff("admin@riverbend.test");
    for (const path of ["/sign-in", "/face-sheet/1", "/portal/riverbend/sign-in"]) {
      const res = await b.fetch(path, {
        method: "POST",
        headers: { "Content-Type": "multipart/form-data; boundary=zzz" },
        body: "not a multipart body",
      });
      expect(res.status).toBe(400);
    }
  });
});
