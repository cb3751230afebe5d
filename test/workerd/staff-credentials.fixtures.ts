/**
 * Fixtures for staff links, passwords and the operator API: staff members made straight in D1, a
 * cookie-keeping browser that calls the Worker with an execution context (so work the Worker does
 * after answering — the forgot-password email — has finished before the test looks), and the
 * emails the Worker sent.
 *
 * Emails: the Worker is given the real EMAIL binding wrapped so that each message it hands over
 * is also kept here, after the binding accepted it (the binding still checks sender and format,
 * and a refusal still reaches the Worker). The local binding keeps its store outside workerd,
 * where these tests can't read it; the browser tests read that store (test/browser/mailbox.ts).
 */
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import worker from "../../src/index";
import { hashPassword } from "../../src/auth/password";
import { keepCookies, ORIGIN } from "./fixtures";

export interface SentMail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Every message the Worker handed to the binding in this file, oldest first. */
export const outbox: SentMail[] = [];

type SendArg = Parameters<SendEmail["send"]>[0];
const recordingEmail = {
  async send(message: SendArg) {
    const result = await env.EMAIL.send(message as never);
    const m = message as unknown as SentMail;
    outbox.push({ to: String(m.to), subject: m.subject, text: m.text, html: m.html });
    return result;
  },
};

/** The Worker's environment with the recording EMAIL binding, plus any overrides. */
export function workerEnv(overrides: Partial<Env> = {}): Env {
  return { ...env, EMAIL: recordingEmail as unknown as SendEmail, ...overrides };
}

/** Messages sent to `address` since `mark` (an outbox length taken earlier). */
export function mailTo(address: string, mark = 0): SentMail[] {
  return outbox.slice(mark).filter((m) => m.to.toLowerCase() === address.toLowerCase());
}

/** The one staff link (`/staff-link/<token>`) in an email's text. */
export function linkIn(mail: SentMail): { url: string; path: string; token: string } {
  const m = /(https?:\/\/[^\s/]+)(\/staff-link\/([A-Za-z0-9_-]+))/.exec(mail.text);
  if (!m) throw new Error(`no staff link in "${mail.subject}"`);
  return { url: m[0], path: m[2]!, token: m[3]! };
}

let counter = 0;
/** An address no other test in the file uses (throttling counts per address). */
export function uniqueIp(): string {
  counter += 1;
  return `203.0.${Math.floor(counter / 250)}.${counter % 250}`;
}

/** An email no other test in the file uses. */
export function uniqueEmail(prefix = "member"): string {
  counter += 1;
  return `${prefix}.${counter}.${crypto.randomUUID().slice(0, 6)}@riverbend.test`;
}

/** A browser tab on the staff app: keeps cookies, sends Origin on POST, one address. */
export class StaffBrowser {
  cookies = new Map<string, string>();
  lastSetCookie: string[] = [];
  /** Milliseconds the last response took (not counting work done after answering). */
  lastMs = 0;

  constructor(
    public ip = uniqueIp(),
    public envOverrides: Partial<Env> = {},
  ) {}

  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set("Cookie", [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    if (init.method && init.method !== "GET" && !headers.has("Origin")) headers.set("Origin", ORIGIN);
    if (!headers.has("CF-Connecting-IP")) headers.set("CF-Connecting-IP", this.ip);
    const ctx = createExecutionContext();
    const started = performance.now();
    const res = await worker.fetch(new Request(new URL(path, ORIGIN), { ...init, headers, redirect: "manual" }), workerEnv(this.envOverrides), ctx);
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

  /** Signs in; returns the response (303 on success). */
  signIn(email: string, password: string) {
    return this.post("/sign-in", { email, password });
  }

  /** Opens an emailed link as a browser would: the link, then where it redirects. */
  async openLink(path: string): Promise<Response> {
    const first = await this.get(path);
    if (first.status !== 303) return first;
    return this.get(first.headers.get("Location")!);
  }
}

export interface MemberSpec {
  agencyId?: number;
  email?: string;
  name?: string;
  role?: "admin" | "staff";
  /** null: invited, no password yet. */
  password?: string | null;
  active?: boolean;
}

export interface Member {
  id: number;
  agencyId: number;
  email: string;
  name: string;
  password: string | null;
}

/** Inserts a staff member as an admin would leave them (Riverbend, active, a password by default). */
export async function createMember(spec: MemberSpec = {}): Promise<Member> {
  const email = spec.email ?? uniqueEmail();
  const name = spec.name ?? "Jordan Reyes";
  const password = spec.password === undefined ? `a member passphrase ${crypto.randomUUID()}` : spec.password;
  const agencyId = spec.agencyId ?? 1;
  const row = await env.DB.prepare("INSERT INTO staff_users (agency_id, name, email, role, password_hash, active) VALUES (?, ?, ?, ?, ?, ?) RETURNING id")
    .bind(agencyId, name, email, spec.role ?? "staff", password === null ? null : await hashPassword(password), spec.active === false ? 0 : 1)
    .first<{ id: number }>();
  return { id: row!.id, agencyId, email, name, password };
}

export interface MemberRow {
  id: number;
  agency_id: number;
  password_hash: string | null;
  session_version: number;
  active: number;
}

/** The member's row as stored. */
export async function memberRow(id: number): Promise<MemberRow> {
  const row = await env.DB.prepare("SELECT id, agency_id, password_hash, session_version, active FROM staff_users WHERE id = ?").bind(id).first<MemberRow>();
  if (!row) throw new Error(`no staff member ${id}`);
  return row;
}

export interface TokenRow {
  id: number;
  agency_id: number;
  staff_id: number;
  purpose: string;
  token_hash: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

/** The member's links, oldest first. */
export async function tokenRows(staffId: number): Promise<TokenRow[]> {
  const { results } = await env.DB.prepare("SELECT * FROM staff_tokens WHERE staff_id = ? ORDER BY id").bind(staffId).all<TokenRow>();
  return results;
}

/** Runs one SQL statement. */
export function sql(statement: string, ...params: unknown[]) {
  return env.DB.prepare(statement).bind(...params).run();
}

/** A new password that passes every rule. */
export const goodPassword = () => `river stone lantern ${crypto.randomUUID().slice(0, 8)} orbit`;
