/**
 * Fixtures for the portal tests: portal logins made straight in D1 (as the staff side would leave
 * them), and a cookie-keeping browser that calls the Worker with an execution context, so that
 * work the Worker defers (ctx.waitUntil: log entries of failed sign-ins) has finished before the
 * test looks.
 */
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import worker from "../../src/index";
import { hashPassword } from "../../src/auth/password";
import { isBreachedPassword, isCommonPassword } from "../../src/auth/password-rules";
import { keepCookies, ORIGIN } from "./fixtures";

export const RIVERBEND = { id: 1, slug: "riverbend", name: "Riverbend Behavioral Health" };
export const PORTAL = `/portal/${RIVERBEND.slug}`;
/** The Riverbend portal's session cookie. */
export const PORTAL_COOKIE = "__Host-portal_session-riverbend";
export const GENERIC_FAILURE = "That Portal Username and password don't match an active login. Check both and try again.";

let counter = 0;
/** A username no other test in the file uses. */
export function uniqueUsername(prefix = "user"): string {
  counter += 1;
  return `${prefix}.${counter}.${crypto.randomUUID().slice(0, 6)}`;
}

/** A documentation-range address no other test in the file uses (throttling counts per address). */
export function uniqueIp(): string {
  counter += 1;
  return `198.51.${Math.floor(counter / 250)}.${counter % 250}`;
}

export interface LoginSpec {
  agencyId?: number;
  clientId?: number;
  username?: string;
  password?: string;
  representative?: boolean;
  active?: boolean;
  mustChangePassword?: boolean;
  tempPasswordExpiresAt?: number | null;
  noPassword?: boolean;
  /**
   * A representative login's record for its client (portal_representations): by default one in
   * force (client's authorisation, 2020-01-01 to 2099-12-31); null for none (an older row).
   */
  record?: Partial<RecordSpec> | null;
  blockedAt?: number | null;
}

export interface RecordSpec {
  name: string;
  relationship: string;
  legalBasis: string;
  startDate: string;
  endDate: string | null;
  guardianship: boolean;
  endedAt: number | null;
}

/** Inserts a representation (a representative login's record for a client); returns its id. */
export async function createRecord(loginId: number, clientId: number, spec: Partial<RecordSpec> = {}, agencyId = 1): Promise<number> {
  const r: RecordSpec = {
    name: "Rosa Alvarez",
    relationship: "parent",
    legalBasis: "client-authorisation",
    startDate: "2020-01-01",
    endDate: "2099-12-31",
    guardianship: false,
    endedAt: null,
    ...spec,
  };
  const row = await env.DB.prepare(
    `INSERT INTO portal_representations (agency_id, login_id, client_id, name, relationship, legal_basis, start_date, end_date, guardianship, ended_at, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
  )
    .bind(agencyId, loginId, clientId, r.name, r.relationship, r.legalBasis, r.startDate, r.endDate, r.guardianship ? 1 : 0, r.endedAt, Date.now())
    .first<{ id: number }>();
  return row!.id;
}

export interface CreatedLogin {
  id: number;
  username: string;
  password: string;
  clientId: number;
}

/** Inserts a portal login as the staff side would: hashed password, by default temporary (24 h, the default lifetime). */
export async function createLogin(spec: LoginSpec = {}): Promise<CreatedLogin> {
  const username = spec.username ?? uniqueUsername();
  const password = spec.password ?? `temporary-${crypto.randomUUID()}`;
  const mustChange = spec.mustChangePassword ?? true;
  const expires = spec.tempPasswordExpiresAt !== undefined ? spec.tempPasswordExpiresAt : mustChange ? Date.now() + 24 * 3600_000 : null;
  const clientId = spec.clientId ?? 1;
  const row = await env.DB.prepare(
    `INSERT INTO portal_logins (agency_id, client_id, username, username_key, email, representative, active, password_hash,
       must_change_password, temp_password_expires_at, session_version, failed_attempts, blocked_at, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, 0, ?, ?) RETURNING id`,
  )
    .bind(
      spec.agencyId ?? 1,
      clientId,
      username,
      username.toLowerCase(),
      `${username}@example.com`,
      spec.representative ? 1 : 0,
      spec.active === false ? 0 : 1,
      spec.noPassword ? null : await hashPassword(password),
      mustChange ? 1 : 0,
      expires,
      spec.blockedAt ?? null,
      Date.now(),
    )
    .first<{ id: number }>();
  if (spec.representative && spec.record !== null) await createRecord(row!.id, clientId, spec.record ?? {}, spec.agencyId ?? 1);
  return { id: row!.id, username, password, clientId };
}

/** A login that already chose its own password (must_change_password = 0). */
export function createSettledLogin(spec: LoginSpec = {}): Promise<CreatedLogin> {
  return createLogin({ password: `settled ${crypto.randomUUID()} phrase`, ...spec, mustChangePassword: false });
}

export interface LoginRow {
  id: number;
  password_hash: string | null;
  must_change_password: number;
  temp_password_expires_at: number | null;
  session_version: number;
  failed_attempts: number;
  locked_until: number | null;
  last_login_at: number | null;
  active: number;
}

/** The login's row as stored. */
export async function loginRow(id: number): Promise<LoginRow> {
  const row = await env.DB.prepare("SELECT * FROM portal_logins WHERE id = ?").bind(id).first<LoginRow>();
  if (!row) throw new Error(`no portal login ${id}`);
  return row;
}

/** A session row for a login, as sign-in would store it; returns its id (the token's `sid`). */
export async function createSessionRow(
  loginId: number,
  opts: { agencyId?: number; version?: number; createdAt?: number; lastSeenAt?: number; device?: string; country?: string | null; city?: string | null } = {},
): Promise<string> {
  const id = crypto.randomUUID().replace(/-/g, "").slice(0, 22);
  const created = opts.createdAt ?? Date.now();
  await env.DB.prepare(
    `INSERT INTO portal_sessions (id, login_id, agency_id, session_version, created_at, last_seen_at, device, country, city, method)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'password')`,
  )
    .bind(id, loginId, opts.agencyId ?? 1, opts.version ?? 1, created, opts.lastSeenAt ?? created, opts.device ?? "Chrome on Linux", opts.country ?? null, opts.city ?? null)
    .run();
  return id;
}

export interface SessionRow {
  id: string;
  login_id: number;
  agency_id: number;
  session_version: number;
  created_at: number;
  last_seen_at: number;
  device: string;
  country: string | null;
  city: string | null;
  method: string;
  ended_at: number | null;
}

/** A login's session rows, oldest first. */
export async function sessionRows(loginId: number): Promise<SessionRow[]> {
  return (await env.DB.prepare("SELECT * FROM portal_sessions WHERE login_id = ? ORDER BY created_at, rowid").bind(loginId).all<SessionRow>()).results;
}

/** Runs one SQL statement (what the staff side's Save would do), e.g. the unlock. */
export function sql(statement: string, ...params: unknown[]) {
  return env.DB.prepare(statement).bind(...params).run();
}

export interface LogRow {
  seq: number;
  at: number;
  actor_type: string;
  actor_name: string;
  change_type: string;
  description: string;
  details: string;
}

/** The client's log entries after `afterSeq`, in order. */
export async function logEntries(clientId: number, afterSeq = 0): Promise<LogRow[]> {
  const { results } = await env.DB.prepare("SELECT * FROM client_log WHERE client_id = ? AND seq > ? ORDER BY seq")
    .bind(clientId, afterSeq)
    .all<LogRow>();
  return results;
}

/** The client's last log sequence number so far. */
export async function lastSeq(clientId: number): Promise<number> {
  const row = await env.DB.prepare("SELECT MAX(seq) AS seq FROM client_log WHERE client_id = ?").bind(clientId).first<{ seq: number | null }>();
  return row?.seq ?? 0;
}

/** A browser tab at the portal: keeps cookies (regardless of path: a stricter test), sends Origin on POST. */
export class PortalBrowser {
  cookies = new Map<string, string>();
  /** Set-Cookie lines of the last response. */
  lastSetCookie: string[] = [];
  /** Milliseconds the last response took (not counting deferred work). */
  lastMs = 0;

  constructor(
    public ip = uniqueIp(),
    /** Bindings and vars to change for this tab's requests (e.g. a recording EMAIL binding). */
    public envOverrides: Partial<Env> = {},
  ) {}

  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set("Cookie", [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    if (init.method && init.method !== "GET" && !headers.has("Origin")) headers.set("Origin", ORIGIN);
    if (!headers.has("CF-Connecting-IP")) headers.set("CF-Connecting-IP", this.ip);
    const ctx = createExecutionContext();
    const started = performance.now();
    const res = await worker.fetch(new Request(new URL(path, ORIGIN), { ...init, headers, redirect: "manual" }), { ...env, ...this.envOverrides }, ctx);
    const body = await res.text();
    this.lastMs = performance.now() - started;
    await waitOnExecutionContext(ctx);
    this.lastSetCookie = res.headers.getSetCookie();
    keepCookies(this.cookies, this.lastSetCookie);
    return new Response(body, { status: res.status, headers: res.headers });
  }

  get(path: string) {
    return this.fetch(path, { method: "GET" });
  }

  post(path: string, form: Record<string, string>) {
    return this.fetch(path, { method: "POST", body: new URLSearchParams(form) });
  }

  /** Posts the sign-in form. */
  signIn(username: string, password: string, portal = PORTAL) {
    return this.post(`${portal}/sign-in`, { username, password });
  }

  /** Signs in and, for a temporary password, chooses `newPassword`; throws if either fails. */
  async signInReady(login: CreatedLogin, newPassword = freshPassphrase()): Promise<string> {
    const res = await this.signIn(login.username, login.password);
    if (res.status !== 303) throw new Error(`sign-in as ${login.username} failed: ${res.status}`);
    if (res.headers.get("Location")?.endsWith("/change-password")) {
      const changed = await this.post(`${PORTAL}/change-password`, { newPassword, confirmPassword: newPassword });
      if (changed.status !== 303) throw new Error(`first password for ${login.username} failed: ${changed.status}`);
      return newPassword;
    }
    return login.password;
  }
}

/**
 * A random passphrase the bundled rules accept. A random one can, rarely (about 1 in 2,000), be a
 * false positive of the breached-password filter; drawing again keeps the tests that use it steady.
 */
export function freshPassphrase(): string {
  for (;;) {
    const candidate = `a new passphrase ${crypto.randomUUID()}`;
    if (!isBreachedPassword(candidate) && !isCommonPassword(candidate)) return candidate;
  }
}

/** The text of the page's alert, if any. */
export function alertOf(html: string): string | undefined {
  // A plain `<p>` alert, or ErrorSummary's box (its message is its first paragraph).
  const m = /<(?:p|div) class="error-summary" role="alert"[^>]*>(?:\s*<p>)?([^<]*)</.exec(html);
  return m ? decode(m[1]!).trim() : undefined;
}

/** The message under a field, if any. */
export function fieldErrorOf(html: string, name: string): string | undefined {
  const m = new RegExp(`<p class="error" id="f-${name}-error">([^<]*)</p>`).exec(html);
  return m ? decode(m[1]!) : undefined;
}

/** HTML entities back to text (the few hono/jsx writes). */
export function decode(s: string): string {
  return s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

/** Table rows of the Client Action Log as [action, description, timestamp]. */
export function actionRows(html: string): [string, string, string][] {
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? "";
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((tr) => {
    const cells = [...tr[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((m) => decode(m[1]!.replace(/<[^>]+>/g, "")).trim());
    return [cells[0]!, cells[1]!, cells[2]!];
  });
}
