/**
 * Helpers for the Document Center and client-log tests: a client's log rows straight from D1, a
 * hand-built (correctly chained) log for filter and paging tests, and the Face Sheet form as the
 * Edit page submits it.
 */
import { env } from "cloudflare:test";
import { GENESIS_HASH, insertSql, sealWith } from "../../src/audit/chain";
import { CLIENT_LOG, clientLogFields, type Actor } from "../../src/audit/entry";
import { parseLogKeys, type LogKeys } from "../../src/audit/keys";

export interface LogRow {
  id: number;
  agency_id: number;
  client_id: number;
  seq: number;
  at: number;
  actor_type: string;
  actor_id: number | null;
  actor_name: string;
  change_type: string;
  description: string;
  details: string;
  prev_hash: string;
  key_id: string;
  hash: string;
}

/** The client's log rows in sequence order. */
export async function logRows(clientId: number): Promise<LogRow[]> {
  const { results } = await env.DB.prepare("SELECT * FROM client_log WHERE client_id = ? ORDER BY seq").bind(clientId).all<LogRow>();
  return results;
}

/** The client's row as D1 holds it. */
export async function clientRow(clientId: number): Promise<Record<string, unknown> & { version: number }> {
  const row = await env.DB.prepare("SELECT * FROM clients WHERE id = ?").bind(clientId).first<Record<string, unknown> & { version: number }>();
  if (!row) throw new Error(`no client ${clientId}`);
  return row;
}

/** The Face Sheet form exactly as the Edit page submits it for the client's current row, with overrides (undefined drops a field). */
export async function faceSheetForm(clientId: number, overrides: Record<string, string | undefined> = {}): Promise<Record<string, string>> {
  const r = await clientRow(clientId);
  const form: Record<string, string | undefined> = {
    version: String(r.version),
    firstName: String(r.first_name),
    lastName: String(r.last_name),
    dateOfBirth: String(r.date_of_birth),
    residenceAddress: String(r.residence_address),
    residenceCity: String(r.residence_city),
    residenceState: String(r.residence_state),
    residenceZip: String(r.residence_zip),
    residencePhone: String(r.residence_phone),
    residenceEmail: String(r.residence_email),
    residenceHomeless: r.residence_homeless ? "on" : undefined,
    refusedPortalLogin: r.refused_portal_login ? "on" : undefined,
    ...overrides,
  };
  return Object.fromEntries(Object.entries(form).filter((e): e is [string, string] => e[1] !== undefined));
}

export interface SeedEntry {
  at: number;
  actor: Actor;
  changeType: string;
  description: string;
  lines?: string[];
}

/**
 * Writes a correctly sealed and chained log for a client straight into D1 (times chosen by the
 * test, which the Durable Object can't do), with the Worker's signing key unless `keys` says
 * otherwise. Use clients whose ClientLog has not been touched in the file: the object takes its
 * head from D1 on first use, so it carries on from here.
 */
export async function seedLog(agencyId: number, clientId: number, entries: SeedEntry[], keys: LogKeys = parseLogKeys(env.LOG_HMAC_KEYS)): Promise<void> {
  let prevHash = GENESIS_HASH;
  const statements = entries.map((e, i) => {
    const fields = clientLogFields(agencyId, { actor: e.actor, changeType: e.changeType, description: e.description, details: { lines: e.lines ?? [] } });
    const sealed = sealWith(CLIENT_LOG, keys, fields, { stream: clientId, seq: i + 1, at: e.at, prevHash });
    prevHash = sealed.hash;
    const s = insertSql(CLIENT_LOG, sealed, { guarded: false, idempotent: false });
    return env.DB.prepare(s.sql).bind(...s.params);
  });
  for (let i = 0; i < statements.length; i += 100) await env.DB.batch(statements.slice(i, i + 100));
}

export const DANA: Actor = { type: "staff", id: 1, name: "Dana Whitfield" };
export const SAM: Actor = { type: "staff", id: 2, name: "Sam Ortiz" };

/** Decodes the few entities hono/jsx escapes, for matching rendered text. */
export function text(html: string): string {
  return html.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

/** The "Entry #N" numbers listed on a Change Log page, in the order shown. */
export function shownSeqs(html: string): number[] {
  return [...html.matchAll(/Entry #(?:<!-- -->)?(\d+)/g)].map((m) => Number(m[1]));
}

/** The href of the link with this id, entities decoded. */
export function linkHref(html: string, id: string): string | undefined {
  const m = new RegExp(`<a id="${id}"[^>]*\\bhref="([^"]*)"`).exec(html);
  return m ? text(m[1]!) : undefined;
}
