/**
 * Helpers for the portal-login tests: the window's form as a browser would submit it, and rows
 * read straight from D1 to check what was (or wasn't) written.
 */
import { env } from "cloudflare:test";
import type { Browser } from "./fixtures";
import { agencyToday } from "../../src/layout/agency-time";

/** A temporary password as generated (xxxx-xxxx-xxxx-xxxx from the unambiguous alphabet). */
export const TEMP_PASSWORD = /\b[a-km-np-z2-9]{4}-[a-km-np-z2-9]{4}-[a-km-np-z2-9]{4}-[a-km-np-z2-9]{4}\b/;

export const loginsPath = (clientId: number) => `/face-sheet/${clientId}/portal-logins`;

export interface WindowFields {
  username?: string;
  email?: string;
  resetPassword?: boolean;
  representative?: boolean;
  active?: boolean;
  /** "The client has changed their mind…" (shown only for a client marked refused). */
  changedMind?: boolean;
  populate?: boolean;
  /**
   * The representative record's fields (src/representatives/record-form.ts). With Representative
   * checked and no record given, a valid one is sent (today in the demo agencies' zone, for a year);
   * null sends none.
   */
  record?: Partial<RecordFields> | null;
}

export interface RecordFields {
  repName: string;
  relationship: string;
  relationshipOther: string;
  legalBasis: string;
  startDate: string;
  endDate: string;
  guardianship: boolean;
  recordVersion: string;
}

/** Today in the demo agencies' time zone (America/New_York), YYYY-MM-DD, moved by `days`. */
export function demoToday(days = 0): string {
  const today = agencyToday("America/New_York");
  const [y, m, d] = today.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** A valid record for a representative (client's authorisation, from today for a year). */
export const defaultRecord = (): RecordFields => ({
  repName: "Rosa Alvarez",
  relationship: "parent",
  relationshipOther: "",
  legalBasis: "client-authorisation",
  startDate: demoToday(),
  endDate: demoToday(365),
  guardianship: false,
  recordVersion: "",
});

/** The Portal Login form as the browser sends it: checked boxes as "on", unchecked ones absent. */
export function windowForm(f: WindowFields): Record<string, string> {
  const form: Record<string, string> = {};
  if (f.username !== undefined) form.username = f.username;
  if (f.email !== undefined) form.email = f.email;
  if (f.resetPassword ?? true) form.resetPassword = "on";
  if (f.representative) form.representative = "on";
  if (f.active ?? true) form.active = "on";
  if (f.changedMind) form.changedMind = "on";
  if (f.populate) form.populate = "1";
  if (f.representative && f.record !== null) {
    const { guardianship, recordVersion, ...rest } = { ...defaultRecord(), ...f.record };
    Object.assign(form, rest);
    if (guardianship) form.guardianship = "on";
    if (recordVersion) form.recordVersion = recordVersion;
  }
  return form;
}

/** Save in the Add window. */
export function addLogin(b: Browser, clientId: number, f: WindowFields, opts: { htmx?: boolean } = { htmx: true }) {
  return b.post(loginsPath(clientId), windowForm(f), opts);
}

/** Save in the Edit window (Reset Password unchecked unless given). */
export function editLogin(b: Browser, clientId: number, loginId: number, f: WindowFields, opts: { htmx?: boolean } = { htmx: true }) {
  return b.post(`${loginsPath(clientId)}/${loginId}`, windowForm({ resetPassword: false, ...f }), opts);
}

/** A `portal_logins` row as D1 returns it. */
export interface LoginRow {
  id: number;
  agency_id: number;
  client_id: number;
  username: string;
  username_key: string;
  email: string;
  representative: number;
  active: number;
  password_hash: string | null;
  must_change_password: number;
  temp_password_expires_at: number | null;
  session_version: number;
  failed_attempts: number;
  locked_until: number | null;
  last_login_at: number | null;
  email_status: "sent" | "failed" | null;
  created_at: number;
}

export async function loginRow(username: string, agencyId = 1): Promise<LoginRow | null> {
  return env.DB.prepare("SELECT * FROM portal_logins WHERE agency_id = ? AND username_key = ?").bind(agencyId, username.toLowerCase()).first<LoginRow>();
}

export async function countLogins(where = "1", ...params: unknown[]): Promise<number> {
  const row = await env.DB.prepare(`SELECT COUNT(*) AS n FROM portal_logins WHERE ${where}`)
    .bind(...params)
    .first<{ n: number }>();
  return row!.n;
}

/** A `client_log` row with its details parsed. */
export interface LogRow {
  seq: number;
  actor_type: string;
  actor_name: string;
  change_type: string;
  description: string;
  details: { lines?: string[]; changes?: unknown[]; portal?: { action: string; description: string } };
  raw: string;
}

export async function logEntries(clientId: number): Promise<LogRow[]> {
  const { results } = await env.DB.prepare(
    "SELECT seq, actor_type, actor_name, change_type, description, details FROM client_log WHERE client_id = ? ORDER BY seq",
  )
    .bind(clientId)
    .all<Omit<LogRow, "details" | "raw"> & { details: string }>();
  return results.map((r) => ({ ...r, details: JSON.parse(r.details), raw: JSON.stringify(r) }));
}

/** The outcome line sent out of band after an htmx Save (or rendered on the page). */
export function statusText(html: string): string | undefined {
  const m = /<div id="portal-login-status"[^>]*>\s*<p class="(?:notice|warning)">([^<]*)<\/p>/.exec(html);
  return m?.[1]?.replace(/&amp;/g, "&").replace(/&#39;/g, "'").replace(/&quot;/g, '"');
}

/** The table rows of the Client Portal section: each cell's text, keyed by its column label. */
export function tableRows(html: string): Record<string, string>[] {
  const body = /<table class="stack portal-logins">[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? "";
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((tr) => {
    const row: Record<string, string> = {};
    for (const td of tr[1]!.matchAll(/<td data-label="([^"]+)"[^>]*>([\s\S]*?)<\/td>/g)) {
      row[td[1]!] = td[2]!
        .replace(/<span class="visually-hidden">[\s\S]*?<\/span>/g, "")
        .replace(/<wbr\/>/g, "")
        .replace(/<[^>]+>/g, " ")
        .replace(/\s+/g, " ")
        .trim();
    }
    return row;
  });
}
