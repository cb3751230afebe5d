/**
 * Text fields refuse characters nobody can see (Unicode Cc/Cf: controls, bidi overrides,
 * zero-width characters) and are normalised to NFC, in every form: Face Sheet, Portal Login
 * window, both sign-ins, both client searches, the Change Log filters. Each refusal is a 422 with
 * a message next to the field (or in the filter summary) that names the character, and nothing is
 * written.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { hiddenCharacter, plainText } from "../../src/forms/text";
import { Browser, DEMO, DEMO_PASSWORD } from "./fixtures";
import { clientRow, faceSheetForm, fieldError } from "./helpers";
import { addLogin, countLogins } from "./portal-logins.helpers";
import { PORTAL, PortalBrowser, fieldErrorOf } from "./portal.fixtures";
import { throttleRows } from "./throttle.fixtures";

const RLO = "\u202E"; // RIGHT-TO-LEFT OVERRIDE
const ZWSP = "\u200B"; // ZERO WIDTH SPACE
const SPOOF = `Emily${RLO}gnp.exe`;
const hidden = (label: string, cp: string) => `${label} contains a hidden character (${cp}) that can disguise what it says. Type it again rather than pasting it.`;

describe("the text rule", () => {
  it.each([
    ["a right-to-left override", SPOOF, "U+202E"],
    ["NUL", "Em\u0000ily", "U+0000"],
    ["a zero-width space", `Em${ZWSP}ily`, "U+200B"],
    ["a zero-width joiner between Latin letters", "Em\u200Dily", "U+200D"],
    ["a byte-order mark", "\uFEFFEmily", "U+FEFF"],
    ["a soft hyphen", "Em\u00ADily", "U+00AD"],
    ["a left-to-right isolate", "\u2066Emily", "U+2066"],
    ["a tag character", "Emily\u{E0041}", "U+E0041"],
    ["a newline", "Emily\nChen", "U+000A"],
    ["a line separator", "Emily\u2028Chen", "U+2028"],
    ["a lone surrogate", "Emily\uD800", "U+D800"],
  ])("refuses %s", (_, value, cp) => {
    expect(hiddenCharacter(value)).toBe(cp);
    const result = plainText("First name").safeParse(value);
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.message).toBe(hidden("First name", cp));
  });

  it.each([
    ["Persian with ZWNJ", "نامه\u200Cها"],
    ["Devanagari with ZWJ after a virama", "क्\u200Dष"],
    ["Malayalam with ZWNJ", "സ്\u200Cത"],
    ["accents, apostrophes, hyphens and spaces", "Zoë O'Brien-Núñez"],
    ["CJK", "陈美玲"],
  ])("accepts %s", (_, value) => {
    expect(hiddenCharacter(value)).toBeNull();
    expect(plainText("Name").parse(value)).toBe(value.normalize("NFC"));
  });

  it("normalises to NFC: e + combining acute becomes é", () => {
    expect(plainText("Last name").parse("Jose\u0301")).toBe("José");
  });
});

describe("the Face Sheet", () => {
  it.each([
    ["firstName", "First name", SPOOF, "U+202E"],
    ["lastName", "Last name", `Chen${ZWSP}`, "U+200B"],
    ["residenceAddress", "Address", "12 Partridge\u0000 Street", "U+0000"],
    ["residenceCity", "City", "Albany\u2067", "U+2067"],
    ["residenceEmail", "Email", `emily${RLO}@example.com`, "U+202E"],
    ["residencePhone", "Phone", `518${ZWSP}5550133`, "U+200B"],
    ["residenceZip", "ZIP", `12206${ZWSP}`, "U+200B"],
    ["residenceState", "State", `N${ZWSP}Y`, "U+200B"],
    ["dateOfBirth", "Date of birth", `1999-02-11${RLO}`, "U+202E"],
  ])("refuses %s with a hidden character (422, message next to it, nothing written)", async (field, label, value, cp) => {
    const b = await Browser.staff("admin@riverbend.test");
    const before = await clientRow(9);
    const res = await b.post("/face-sheet/9", faceSheetForm(before, { [field]: value }));
    expect(res.status).toBe(422);
    expect(fieldError(await res.text(), field)).toBe(hidden(label, cp));
    expect(await clientRow(9)).toEqual(before);
  });

  it("stores names in NFC, so they are found however the accent was typed", async () => {
    const b = await Browser.staff("admin@riverbend.test");
    const before = await clientRow(10);
    const res = await b.post("/face-sheet/10", faceSheetForm(before, { firstName: "Rene\u0301" }));
    expect(res.status).toBe(303);
    const after = await clientRow(10);
    expect(after.first_name).toBe("René");
    expect(after.first_name_key).toBe("rené");
    const found = await (await b.get(`/face-sheet?q=${encodeURIComponent("rene\u0301")}`)).text();
    expect(found).toContain('href="/face-sheet/10"');
  });
});

describe("the Portal Login window", () => {
  it("refuses a username with a zero-width space, saying so next to it (422, nothing added)", async () => {
    const b = await Browser.staff("admin@riverbend.test");
    const logins = await countLogins();
    const res = await addLogin(b, DEMO.maria, { username: `maria${ZWSP}.alvarez`, email: "m@example.com" });
    expect(res.status).toBe(422);
    expect(fieldError(await res.text(), "username")).toBe(hidden("Portal Username", "U+200B"));
    expect(await countLogins()).toBe(logins);
  });

  it("refuses a Portal User Email with a bidi override (422, nothing added)", async () => {
    const b = await Browser.staff("admin@riverbend.test");
    const logins = await countLogins();
    const res = await addLogin(b, DEMO.maria, { username: "text.email", email: `m${RLO}@example.com` });
    expect(res.status).toBe(422);
    expect(fieldError(await res.text(), "email")).toBe(hidden("Portal User Email", "U+202E"));
    expect(await countLogins()).toBe(logins);
  });
});

describe("sign-in", () => {
  it("staff sign-in names a hidden character in the email next to the field (422), and counts no failure", async () => {
    // Earlier sign-ins in this file left counters (a success gives its charge back; the address's
    // row stays): this attempt must change none of them, nor add one.
    const before = await throttleRows();
    const res = await new Browser().post("/sign-in", { email: `admin@riverbend.test${ZWSP}`, password: DEMO_PASSWORD });
    expect(res.status).toBe(422);
    expect(fieldError(await res.text(), "email")).toBe(hidden("Email", "U+200B"));
    expect(await throttleRows()).toEqual(before);
  });

  it("portal sign-in names a hidden character in the username next to the field (422)", async () => {
    const res = await new PortalBrowser().post(`${PORTAL}/sign-in`, { username: `maria\u0000`, password: "whatever it is" });
    expect(res.status).toBe(422);
    expect(fieldErrorOf(await res.text(), "username")).toBe(hidden("Portal Username", "U+0000"));
  });
});

describe("searches and filters", () => {
  let b: Browser;
  let logPath: string;
  beforeAll(async () => {
    b = await Browser.staff("admin@riverbend.test");
    const kase = await env.DB.prepare("SELECT id FROM cases WHERE client_id = ? ORDER BY id LIMIT 1").bind(DEMO.maria).first<{ id: number }>();
    logPath = `/document-center/clients/${DEMO.maria}/cases/${kase!.id}/face-sheet-log`;
  });

  it.each(["/face-sheet", "/document-center"])("%s search refuses a hidden character next to the box (422, page and fragment)", async (path) => {
    const q = encodeURIComponent(`alv${RLO}`);
    const page = await b.get(`${path}?q=${q}`);
    expect(page.status).toBe(422);
    const html = await page.text();
    expect(fieldError(html, "client-search")).toBe(hidden("Search clients", "U+202E"));
    expect(html).toMatch(/<input id="client-search"[^>]*aria-invalid="true"/);
    expect(html).not.toContain("Alvarez");
    const fragment = await b.get(`${path}?q=${q}`, { htmx: true });
    expect(fragment.status).toBe(422);
    expect(fieldError(await fragment.text(), "client-search")).toBe(hidden("Search clients", "U+202E"));
  });

  it("the Change Log filter refuses a hidden character in Changes By (422, said in the filter summary)", async () => {
    const res = await b.get(`${logPath}?changedBy=${encodeURIComponent(`Dana${ZWSP} Whitfield`)}`);
    expect(res.status).toBe(422);
    expect(await res.text()).toContain(hidden("Changes By", "U+200B"));
  });
});
