/**
 * Helpers shared by the workerd tests: reading rows straight from D1 (to check what was or
 * wasn't written), building a Face Sheet form from a row, crafting session tokens, and reading
 * values out of rendered HTML.
 */
import { env, SELF } from "cloudflare:test";
import { newSessionId } from "../../src/auth/session-records";
import { sessionLimits, signSession } from "../../src/auth/session";
import { Browser, ORIGIN } from "./fixtures";

export const STAFF_COOKIE = "__Host-staff_session";

/** A `clients` row as D1 returns it (snake_case, booleans as 0/1). */
export interface ClientRow {
  id: number;
  agency_id: number;
  client_number: string;
  first_name: string;
  last_name: string;
  first_name_key: string;
  last_name_key: string;
  date_of_birth: string;
  residence_address: string;
  residence_city: string;
  residence_state: string;
  residence_zip: string;
  residence_phone: string;
  residence_email: string;
  residence_homeless: number;
  refused_portal_login: number;
  version: number;
}

export async function clientRow(id: number): Promise<ClientRow> {
  const row = await env.DB.prepare("SELECT * FROM clients WHERE id = ?").bind(id).first<ClientRow>();
  if (!row) throw new Error(`no client ${id}`);
  return row;
}

export async function staffRow(email: string) {
  const row = await env.DB.prepare("SELECT id, agency_id, password_hash, active FROM staff_users WHERE email = ?")
    .bind(email)
    .first<{ id: number; agency_id: number; password_hash: string; active: number }>();
  if (!row) throw new Error(`no staff ${email}`);
  return row;
}

/** The Face Sheet form exactly as the Edit page would submit it for this row, with overrides. */
export function faceSheetForm(row: ClientRow, overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const form: Record<string, string | undefined> = {
    version: String(row.version),
    firstName: row.first_name,
    lastName: row.last_name,
    dateOfBirth: row.date_of_birth,
    residenceAddress: row.residence_address,
    residenceCity: row.residence_city,
    residenceState: row.residence_state,
    residenceZip: row.residence_zip,
    residencePhone: row.residence_phone,
    residenceEmail: row.residence_email,
    // Browsers send "on" for a checked box and nothing at all for an unchecked one.
    residenceHomeless: row.residence_homeless ? "on" : undefined,
    refusedPortalLogin: row.refused_portal_login ? "on" : undefined,
    ...overrides,
  };
  return Object.fromEntries(Object.entries(form).filter((e): e is [string, string] => e[1] !== undefined));
}

/**
 * A staff session token for the Worker's secret, as of `now` (epoch seconds), with an open session
 * row (staff_sessions) for it when the staff id exists — as sign-in would leave.
 */
export async function staffToken(claims: { sub: number | string; agencyId: number; authTime: number; aud?: string }, now: number, secret = env.SESSION_SECRET) {
  const sid = newSessionId();
  await env.DB.prepare(
    "INSERT INTO staff_sessions (id, agency_id, staff_id, created_at, last_seen_at, device, address) SELECT ?, ?, id, ?, ?, 'Test', 'unknown' FROM staff_users WHERE id = ?",
  )
    .bind(sid, claims.agencyId, claims.authTime * 1000, now * 1000, Number(claims.sub))
    .run();
  return signSession(
    secret,
    { sub: String(claims.sub), aud: claims.aud ?? "staff", agencyId: claims.agencyId, authTime: claims.authTime, ver: 1, sid },
    sessionLimits(env),
    now,
  );
}

/** A browser holding just this session cookie. */
export function browserWithToken(token: string): Browser {
  const b = new Browser();
  b.cookies.set(STAFF_COOKIE, token);
  return b;
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);

/**
 * A POST straight to the Worker with exactly the headers given (no Origin added), carrying the
 * browser's cookies: what a cross-site form or a non-browser client would send.
 */
export function rawPost(b: Browser | null, path: string, form: Record<string, string>, headers: Record<string, string> = {}) {
  const h = new Headers(headers);
  if (b?.cookies.size) h.set("Cookie", [...b.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
  return SELF.fetch(new URL(path, ORIGIN), { method: "POST", body: new URLSearchParams(form), headers: h, redirect: "manual" });
}

const unescape = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");

/** The `value` of the input named `name`, or undefined when there is no such input. */
export function inputValue(html: string, name: string): string | undefined {
  const tag = new RegExp(`<input[^>]*\\bname="${name}"[^>]*>`).exec(html)?.[0];
  if (!tag) return undefined;
  const m = /\bvalue="([^"]*)"/.exec(tag);
  return m ? unescape(m[1]!) : "";
}

/** Whether the checkbox named `name` is rendered checked; undefined when there is no such input. */
export function isChecked(html: string, name: string): boolean | undefined {
  const tag = new RegExp(`<input[^>]*\\bname="${name}"[^>]*>`).exec(html)?.[0];
  return tag === undefined ? undefined : /\bchecked\b/.test(tag);
}

/** The message shown under the field `name` (Field's `<p class="error" id="f-<name>-error">`). */
export function fieldError(html: string, name: string): string | undefined {
  const m = new RegExp(`<p class="error" id="f-${name}-error">([^<]*)</p>`).exec(html);
  return m ? unescape(m[1]!) : undefined;
}

/** The text of the page's alert (error summary), if any. */
export function alertText(html: string): string | undefined {
  // A plain `<p>` alert, or ErrorSummary's box (its message is its first paragraph).
  const m = /<(?:p|div) class="error-summary" role="alert"[^>]*>(?:\s*<p>)?([^<]*)</.exec(html);
  return m ? unescape(m[1]!).trim() : undefined;
}

/** The text of the page's status notice, if any. */
export function noticeText(html: string): string | undefined {
  const m = /<p class="notice" role="status"[^>]*>([^<]*)<\/p>/.exec(html);
  return m ? unescape(m[1]!).trim() : undefined;
}

/** Client ids linked from a search result list, in order. */
export function resultIds(html: string): number[] {
  const list = /<ul class="results"[^>]*>([\s\S]*?)<\/ul>/.exec(html)?.[1] ?? "";
  return [...list.matchAll(/href="\/face-sheet\/(\d+)"/g)].map((m) => Number(m[1]));
}

/** The Location of a redirect resolved as a browser would (tabs and newlines stripped, etc.). */
export function resolvedLocation(res: Response): URL {
  const loc = res.headers.get("Location");
  if (loc === null) throw new Error(`no Location on a ${res.status}`);
  return new URL(loc, ORIGIN);
}
