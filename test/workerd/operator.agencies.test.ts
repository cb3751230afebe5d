/**
 * The operator API (POST /operator/agencies): off (404) without OPERATOR_TOKEN, 401 without the
 * bearer token, 422 with per-field errors for bad input and for a slug or email already taken —
 * writing nothing — and, on success, the agency, its first admin (no password) and the admin's
 * invitation link in one batch, with the invitation emailed.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { LINK_LIFETIME_MS } from "../../src/staff-credentials/links";
import { linkIn, mailTo, memberRow, outbox, StaffBrowser, tokenRows } from "./staff-credentials.fixtures";
import { rawPost } from "./helpers";

const TOKEN = env.OPERATOR_TOKEN;

function operatorPost(body: unknown, opts: { token?: string | null; envOverrides?: Partial<Env>; contentType?: string } = {}) {
  const headers: Record<string, string> = { "Content-Type": opts.contentType ?? "application/json" };
  const token = opts.token === undefined ? TOKEN : opts.token;
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  return new StaffBrowser(undefined, opts.envOverrides).fetch("/operator/agencies", {
    method: "POST",
    body: typeof body === "string" ? body : JSON.stringify(body),
    headers,
  });
}

let n = 0;
function newAgency(overrides: Record<string, unknown> = {}) {
  n += 1;
  return {
    name: `Hillcrest Family Services ${n}`,
    slug: `hillcrest-${n}`,
    portalEnabled: true,
    adminName: "Avery Stone",
    adminEmail: `avery.${n}.${crypto.randomUUID().slice(0, 6)}@hillcrest.example`,
    ...overrides,
  };
}

const count = async (table: string) => (await env.DB.prepare(`SELECT COUNT(*) AS n FROM ${table}`).first<{ n: number }>())!.n;
const counts = async () => ({ agencies: await count("agencies"), staff: await count("staff_users"), tokens: await count("staff_tokens") });

describe("access", () => {
  it("does not exist (404) when OPERATOR_TOKEN is unset or too short, whatever is sent", async () => {
    const before = await counts();
    for (const OPERATOR_TOKEN of ["", "short-secret"]) {
      const res = await operatorPost(newAgency(), { envOverrides: { OPERATOR_TOKEN }, token: OPERATOR_TOKEN || "anything" });
      expect(res.status).toBe(404);
    }
    expect(await counts()).toEqual(before);
  });

  it("answers 401 without the token or with a wrong one, and writes nothing", async () => {
    const before = await counts();
    for (const token of [null, "", `${TOKEN}x`, TOKEN.slice(0, -1), "Basic abc"]) {
      const res = await operatorPost(newAgency(), { token });
      expect(res.status, String(token)).toBe(401);
      expect(res.headers.get("WWW-Authenticate")).toBe('Bearer realm="operator"');
    }
    expect(await counts()).toEqual(before);
  });

  it("ignores a staff session cookie: only the bearer token opens it", async () => {
    const admin = new StaffBrowser();
    expect((await admin.signIn("admin@riverbend.test", "demo-password-2026")).status).toBe(303);
    const res = await admin.fetch("/operator/agencies", { method: "POST", body: JSON.stringify(newAgency()), headers: { "Content-Type": "application/json" } });
    expect(res.status).toBe(401);
  });

  it("needs no Origin (it is not a browser form) yet stays outside the CSRF exemption for every other path", async () => {
    const res = await rawPost(null, "/operator/agencies", {}, { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" });
    expect(res.status).not.toBe(403);
    // A cookie route posted without Origin is still refused.
    expect((await rawPost(null, "/forgot-password", { email: "a@b.example" })).status).toBe(403);
  });

  it("has nothing else under /operator", async () => {
    const b = new StaffBrowser();
    for (const [method, path] of [["GET", "/operator/agencies"], ["GET", "/operator"], ["POST", "/operator/staff"], ["DELETE", "/operator/agencies"]] as const) {
      const res = await b.fetch(path, { method, headers: { Authorization: `Bearer ${TOKEN}` } });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
  });
});

describe("creating an agency and its first admin", () => {
  it("writes the agency, the admin without a password and a 24-hour invitation, and emails the link", async () => {
    const input = newAgency({ name: "Hillcrest Family Services", slug: "hillcrest", portalEnabled: true, timezone: "America/Chicago", adminEmail: "Avery.Stone@Hillcrest.example" });
    const mark = outbox.length;
    const res = await operatorPost(input);
    expect(res.status).toBe(201);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    const body = (await res.json()) as {
      agency: { id: number; slug: string; portalEnabled: boolean; timezone: string };
      admin: { id: number; email: string; role: string };
      invite: { expiresAt: string; validFor: string };
      email: { sent: boolean };
    };
    expect(body.agency).toMatchObject({ name: "Hillcrest Family Services", slug: "hillcrest", portalEnabled: true, timezone: "America/Chicago" });
    expect(body.admin).toMatchObject({ name: "Avery Stone", email: "avery.stone@hillcrest.example", role: "admin" });
    expect(body.invite.validFor).toBe("24 hours");
    expect(body.email.sent).toBe(true);
    expect(JSON.stringify(body)).not.toMatch(/staff-link/);

    const agency = await env.DB.prepare("SELECT * FROM agencies WHERE id = ?").bind(body.agency.id).first();
    expect(agency).toMatchObject({ name: "Hillcrest Family Services", slug: "hillcrest", portal_enabled: 1, timezone: "America/Chicago" });
    const admin = await env.DB.prepare("SELECT * FROM staff_users WHERE id = ?").bind(body.admin.id).first();
    expect(admin).toMatchObject({ agency_id: body.agency.id, name: "Avery Stone", email: "avery.stone@hillcrest.example", role: "admin", password_hash: null, active: 1 });
    const [token] = await tokenRows(body.admin.id);
    expect(token).toMatchObject({ agency_id: body.agency.id, purpose: "invite", used_at: null });
    expect(token!.expires_at - token!.created_at).toBe(LINK_LIFETIME_MS.invite);
    expect(new Date(body.invite.expiresAt).getTime()).toBe(token!.expires_at);

    const [mail] = mailTo("avery.stone@hillcrest.example", mark);
    expect(mail!.subject).toBe("Set up your Hillcrest Family Services staff account");
    expect(mail!.text).toContain("Hello Avery Stone,");
    expect(mail!.text).toContain("The link works once and for 24 hours.");

    // The link opens the set-password page; the password signs the new admin in to their agency.
    const b = new StaffBrowser();
    expect((await b.openLink(linkIn(mail!).path)).status).toBe(200);
    const password = "granite meadow teapot violin sunrise";
    expect((await b.post("/staff-link", { newPassword: password, confirmPassword: password })).status).toBe(303);
    const menu = await b.get("/menu");
    expect(await menu.text()).toContain("Hillcrest Family Services");
    expect((await memberRow(body.admin.id)).password_hash).toMatch(/^\$argon2id\$/);
  });

  it("defaults the time zone, and creates an agency without the portal", async () => {
    const res = await operatorPost(newAgency({ portalEnabled: false }));
    expect(res.status).toBe(201);
    const body = (await res.json()) as { agency: { id: number; portalEnabled: boolean; timezone: string } };
    expect(body.agency).toMatchObject({ portalEnabled: false, timezone: "America/New_York" });
  });

  it("uses STAFF_ORIGIN for the link when configured", async () => {
    const input = newAgency();
    const mark = outbox.length;
    const res = await operatorPost(input, { envOverrides: { STAFF_ORIGIN: "https://ehr.example.org/" } });
    expect(res.status).toBe(201);
    expect(linkIn(mailTo(input.adminEmail, mark)[0]!).url).toMatch(/^https:\/\/ehr\.example\.org\/staff-link\//);
  });

  it("reports an email the binding refused, with the agency created", async () => {
    const input = newAgency();
    const res = await operatorPost(input, { envOverrides: { EMAIL_FROM: "" } });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { email: { sent: boolean; reason?: string } };
    expect(body.email).toEqual({ sent: false, reason: "EMAIL_FROM is not configured" });
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM agencies WHERE slug = ?").bind(input.slug).first()).toEqual({ n: 1 });
  });
});

describe("bad input: 422 with a message per field, nothing written", () => {
  const cases: [string, Record<string, unknown>, string, string][] = [
    ["a slug with capitals", { slug: "Hillcrest" }, "slug", "Use 1–63 lower-case letters"],
    ["a slug ending in a hyphen", { slug: "hill-" }, "slug", "Use 1–63 lower-case letters"],
    ["a slug of digits alone", { slug: "211" }, "slug", "Use at least one letter"],
    ["an empty name", { name: "  " }, "name", "Give the agency's name."],
    ["portal as a string", { portalEnabled: "yes" }, "portalEnabled", "Say whether the agency has the Client Portal (true or false)."],
    ["a malformed email", { adminEmail: "avery-at-hillcrest" }, "adminEmail", "Give an email address, like name@example.org."],
    ["a missing admin name", { adminName: undefined }, "adminName", "Give the first admin's name."],
    ["an unknown time zone", { timezone: "Mars/Olympus" }, "timezone", "Use an IANA time zone, e.g. America/New_York."],
    ["an unknown key", { admin_email: "x@y.example" }, "body", "Unrecognized key"],
  ];
  for (const [what, overrides, field, message] of cases) {
    it(what, async () => {
      const before = await counts();
      const res = await operatorPost(newAgency(overrides));
      expect(res.status).toBe(422);
      const body = (await res.json()) as { errors: Record<string, string> };
      expect(body.errors[field] ?? "", JSON.stringify(body)).toContain(message);
      expect(await counts()).toEqual(before);
    });
  }

  it("refuses a body that isn't JSON (400) or isn't sent as JSON (415)", async () => {
    const before = await counts();
    expect((await operatorPost("{not json")).status).toBe(400);
    expect((await operatorPost(newAgency(), { contentType: "text/plain" })).status).toBe(415);
    expect(await counts()).toEqual(before);
  });

  it("refuses a slug already taken, and an email any agency's staff already uses", async () => {
    const before = await counts();
    const slug = await operatorPost(newAgency({ slug: "riverbend" }));
    expect(slug.status).toBe(422);
    expect(((await slug.json()) as { errors: Record<string, string> }).errors).toEqual({ slug: 'An agency with the slug "riverbend" already exists.' });
    const email = await operatorPost(newAgency({ adminEmail: "ADMIN@lakeside.test" }));
    expect(email.status).toBe(422);
    expect(((await email.json()) as { errors: Record<string, string> }).errors).toEqual({
      adminEmail: "A staff account with this email already exists (staff emails are unique across agencies).",
    });
    expect(await counts()).toEqual(before);
  });

  it("lets exactly one of two simultaneous creations of the same slug through", async () => {
    const a = newAgency();
    const b = newAgency({ slug: a.slug });
    const results = await Promise.all([operatorPost(a), operatorPost(b)]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 422]);
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM agencies WHERE slug = ?").bind(a.slug).first()).toEqual({ n: 1 });
    // The loser's admin was not left behind without an agency.
    const loser = results[0]!.status === 201 ? b : a;
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM staff_users WHERE email = ?").bind(loser.adminEmail).first()).toEqual({ n: 0 });
  });
});
