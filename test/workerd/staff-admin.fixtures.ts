/**
 * Fixtures for staff administration and sessions: signed-in staff browsers (over the Worker with
 * the recording EMAIL binding of staff-credentials.fixtures), a fresh agency with its own admins
 * (for the last-admin races), and what D1 holds about a member — their row, sessions and links —
 * to assert what was or wasn't written.
 */
import { env } from "cloudflare:test";
import { DEMO_PASSWORD } from "./fixtures";
import { createMember, StaffBrowser, type Member, type MemberSpec } from "./staff-credentials.fixtures";
import { lockStaffSignIn } from "./throttle.fixtures";

export const RIVERBEND_ADMIN = "admin@riverbend.test";

/** A staff browser signed in as `email` (demo password by default); throws if sign-in fails. */
export async function signedIn(email: string, password: string = DEMO_PASSWORD, opts: { ip?: string; userAgent?: string; envOverrides?: Partial<Env> } = {}): Promise<StaffBrowser> {
  const b = new StaffBrowser(opts.ip, opts.envOverrides);
  const headers = opts.userAgent ? { "User-Agent": opts.userAgent } : undefined;
  const res = await b.fetch("/sign-in", { method: "POST", body: new URLSearchParams({ email, password }), headers });
  if (res.status !== 303) throw new Error(`sign-in as ${email} failed: ${res.status}`);
  return b;
}

/** A member created in D1 and signed in. */
export async function signedInMember(spec: MemberSpec = {}): Promise<{ member: Member; browser: StaffBrowser }> {
  const member = await createMember(spec);
  return { member, browser: await signedIn(member.email, member.password!) };
}

let agencies = 0;
/** A new agency (no clients) with `admins` admins who have passwords; returns them signed in. */
export async function agencyWithAdmins(admins: number): Promise<{ agencyId: number; members: Member[]; browsers: StaffBrowser[] }> {
  agencies += 1;
  const slug = `race-${agencies}-${crypto.randomUUID().slice(0, 6)}`;
  const row = await env.DB.prepare("INSERT INTO agencies (name, slug, portal_enabled, timezone) VALUES (?, ?, 0, 'America/Chicago') RETURNING id")
    .bind(`Race Agency ${agencies}`, slug)
    .first<{ id: number }>();
  const members: Member[] = [];
  for (let i = 0; i < admins; i++) members.push(await createMember({ agencyId: row!.id, role: "admin", name: `Admin ${i + 1}`, email: `admin${i + 1}@${slug}.test` }));
  const browsers = await Promise.all(members.map((m) => signedIn(m.email, m.password!)));
  return { agencyId: row!.id, members, browsers };
}

export interface StaffRow {
  id: number;
  agency_id: number;
  name: string;
  email: string;
  role: string;
  password_hash: string | null;
  active: number;
  session_version: number;
  last_sign_in_at: number | null;
  invite_email_status: string | null;
}

/** The member's row; null when there is none. */
export function staffRowById(id: number): Promise<StaffRow | null> {
  return env.DB.prepare("SELECT * FROM staff_users WHERE id = ?").bind(id).first<StaffRow>();
}

/** The member's row by email; null when there is none. */
export function staffRowByEmail(email: string): Promise<StaffRow | null> {
  return env.DB.prepare("SELECT * FROM staff_users WHERE email = ?").bind(email).first<StaffRow>();
}

export interface SessionRow {
  id: string;
  agency_id: number;
  staff_id: number;
  created_at: number;
  last_seen_at: number;
  device: string;
  address: string;
  ended_at: number | null;
}

/** The member's session rows, oldest first. */
export async function sessionRows(staffId: number): Promise<SessionRow[]> {
  const { results } = await env.DB.prepare("SELECT * FROM staff_sessions WHERE staff_id = ? ORDER BY created_at, rowid").bind(staffId).all<SessionRow>();
  return results;
}

/** Every row of the tables staff administration writes, to show that nothing changed. */
export async function adminTables(): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const t of ["staff_users", "staff_tokens", "staff_sessions", "sign_in_throttle", "agencies"]) {
    out[t] = (await env.DB.prepare(`SELECT * FROM ${t} ORDER BY rowid`).all()).results;
  }
  return out;
}

/** Locks a member's sign-in as the throttle does after too many failures (throttle.fixtures.ts). */
export const lockSignIn = lockStaffSignIn;

/** An EMAIL binding that refuses every message, as production does for an unverified address. */
export const refusingEmail = {
  async send(): Promise<never> {
    throw new Error("destination address not verified: someone@example.org");
  },
} as unknown as SendEmail;

/** Whether a browser's session still opens the Main Menu (false: it was sent to sign-in). */
export async function stillSignedIn(b: StaffBrowser): Promise<boolean> {
  const res = await b.get("/menu");
  if (res.status === 200) return true;
  if (res.status === 302 && res.headers.get("Location")?.startsWith("/sign-in")) return false;
  throw new Error(`unexpected ${res.status} from /menu`);
}
