/**
 * The Agency Portal URL (shown to staff, put in every credentials email) is built from the
 * agency's own origin setting, else PORTAL_ORIGIN. With neither, it falls back to the request's
 * origin only on a loopback host (local development): a deployed Worker reached as any other host
 * refuses to build a link from the Host header — which a client chooses — and says so, before
 * anything is saved or emailed.
 */
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import worker from "../../src/index";
import { effectiveSettings } from "../../src/db/agency-settings";
import { agencyPortalUrl as urlOf, PortalOriginError } from "../../src/portal-logins/portal-url";
import { UNSET_SETTINGS } from "./agency-settings.fixtures";
import { Browser, DEMO } from "./fixtures";
import { countLogins, loginsPath, windowForm } from "./portal-logins.helpers";
import { lastSeq } from "./portal.fixtures";

/** The Agency Portal URL with these Worker vars and, optionally, the agency's own origin setting. */
const agencyPortalUrl = (vars: { PORTAL_ORIGIN?: string }, requestUrl: string, slug: string, agencyOrigin: string | null = null) =>
  urlOf(effectiveSettings(vars, { ...UNSET_SETTINGS, portalOrigin: agencyOrigin }), requestUrl, slug);

describe("agencyPortalUrl", () => {
  it.each(["http://localhost:8787/x", "http://127.0.0.1:8787/x", "http://[::1]:8787/x", "http://app.localhost/x"])(
    "uses the request's origin on the loopback host %s when PORTAL_ORIGIN is empty",
    (url) => {
      expect(agencyPortalUrl({ PORTAL_ORIGIN: "" }, url, "riverbend")).toBe(`${new URL(url).origin}/portal/riverbend`);
    },
  );

  it.each(["https://ehr.example.org/face-sheet/1", "https://localhost.evil.example/x", "https://127.0.0.1.nip.io/x"])(
    "refuses to use the Host of %s when PORTAL_ORIGIN is empty, naming the variable",
    (url) => {
      expect(() => agencyPortalUrl({ PORTAL_ORIGIN: "" }, url, "riverbend")).toThrow(PortalOriginError);
      expect(() => agencyPortalUrl({}, url, "riverbend")).toThrow(/PORTAL_ORIGIN/);
    },
  );

  it("uses PORTAL_ORIGIN when set, whatever the request's host (a trailing slash is fine)", () => {
    expect(agencyPortalUrl({ PORTAL_ORIGIN: "https://portal.example.org/" }, "https://ehr.example.org/x", "riverbend")).toBe(
      "https://portal.example.org/portal/riverbend",
    );
    expect(agencyPortalUrl({ PORTAL_ORIGIN: "https://portal.example.org" }, "http://localhost:8787/x", "riverbend")).toBe(
      "https://portal.example.org/portal/riverbend",
    );
  });

  it("uses the agency's own origin when set: over PORTAL_ORIGIN, and on a deployed host without PORTAL_ORIGIN", () => {
    expect(agencyPortalUrl({ PORTAL_ORIGIN: "https://portal.example.org" }, "https://ehr.example.org/x", "riverbend", "https://care.riverbend.example")).toBe(
      "https://care.riverbend.example/portal/riverbend",
    );
    expect(agencyPortalUrl({ PORTAL_ORIGIN: "" }, "https://ehr.example.org/x", "riverbend", "https://care.riverbend.example")).toBe(
      "https://care.riverbend.example/portal/riverbend",
    );
  });

  it.each([
    ["not a URL", "portal.example.org"],
    ["with a path", "https://portal.example.org/clients"],
    ["plain http on a public host", "http://portal.example.org"],
    ["with credentials", "https://user:pw@portal.example.org"],
  ])("refuses a PORTAL_ORIGIN %s", (_, origin) => {
    expect(() => agencyPortalUrl({ PORTAL_ORIGIN: origin }, "https://ehr.example.org/x", "riverbend")).toThrow(PortalOriginError);
  });
});

/** A request as `b`'s browser would send it to `origin`, against the Worker with these vars. */
async function send(b: Browser, url: string, init: { method?: string; form?: Record<string, string> } = {}, vars: Partial<Env> = {}) {
  const headers = new Headers({ Cookie: [...b.cookies].map(([k, v]) => `${k}=${v}`).join("; ") });
  if (init.method === "POST") headers.set("Origin", new URL(url).origin);
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(url, { method: init.method ?? "GET", headers, body: init.form ? new URLSearchParams(init.form) : undefined, redirect: "manual" }),
    { ...env, ...vars },
    ctx,
  );
  const body = await res.text();
  await waitOnExecutionContext(ctx);
  return { status: res.status, body };
}

const DEPLOYED = "https://ehr.example.org";
let staff: Browser;

beforeAll(async () => {
  staff = await Browser.staff("admin@riverbend.test");
});

describe("a deployed Worker without PORTAL_ORIGIN", () => {
  it("refuses Add Client Portal Login with a page that names the setting, and saves and sends nothing", async () => {
    const [logins, seq] = [await countLogins(), await lastSeq(DEMO.maria)];
    const res = await send(staff, `${DEPLOYED}${loginsPath(DEMO.maria)}`, {
      method: "POST",
      form: windowForm({ username: "origin.missing", email: "origin.missing@example.com" }),
    });
    expect(res.status).toBe(500);
    expect(res.body).toContain("PORTAL_ORIGIN");
    expect(res.body).toContain("nothing was saved");
    expect(await countLogins()).toBe(logins);
    expect(await lastSeq(DEMO.maria)).toBe(seq);
  });

  it("does not show a Host-derived portal URL on the Face Sheet", async () => {
    const res = await send(staff, `${DEPLOYED}/face-sheet/${DEMO.maria}`);
    expect(res.status).toBe(500);
    expect(res.body).not.toContain(`${DEPLOYED}/portal/riverbend`);
    expect(res.body).toContain("PORTAL_ORIGIN");
  });
});

describe("a deployed Worker with PORTAL_ORIGIN", () => {
  it("adds the login and shows the configured portal URL, not the request's host", async () => {
    const vars = { PORTAL_ORIGIN: "https://portal.example.org" };
    const res = await send(
      staff,
      `${DEPLOYED}${loginsPath(DEMO.maria)}`,
      { method: "POST", form: windowForm({ username: "origin.set", email: "origin.set@example.com", resetPassword: false }) },
      vars,
    );
    expect(res.status).toBe(303);
    const page = await send(staff, `${DEPLOYED}/face-sheet/${DEMO.maria}`, {}, vars);
    expect(page.status).toBe(200);
    expect(page.body).toContain("https://portal.example.org/portal/riverbend");
    expect(page.body).not.toContain(`${DEPLOYED}/portal/`);
  });
});
