/**
 * Fixtures for the portal-email tests (notices, Email history, Resend): the rows of
 * `portal_emails`, and browsers — on the staff app or the portal — whose Worker sends through the
 * recording EMAIL binding of staff-credentials.fixtures.ts (so the messages can be read), or
 * whose sends all fail (no sender configured, refused before the binding is reached).
 */
import { env } from "cloudflare:test";
import { DEMO_PASSWORD } from "./fixtures";
import { StaffBrowser } from "./staff-credentials.fixtures";

export { mailTo, outbox, StaffBrowser } from "./staff-credentials.fixtures";

/** A `portal_emails` row as D1 returns it. */
export interface EmailRow {
  id: number;
  agency_id: number;
  client_id: number;
  login_id: number;
  kind: string;
  to_address: string;
  status: "sent" | "failed";
  error: string | null;
  message_id: string | null;
  expires_at: number | null;
  facts: string | null;
  resend_of: number | null;
  created_at: number;
}

/** The login's emails, oldest first. */
export async function emailRows(loginId: number): Promise<EmailRow[]> {
  const { results } = await env.DB.prepare("SELECT * FROM portal_emails WHERE login_id = ? ORDER BY id").bind(loginId).all<EmailRow>();
  return results;
}

/** Env overrides under which every send fails: the send path refuses without a sender. */
export const FAILING_EMAIL = { EMAIL_FROM: "" } as const;

/** A browser on the portal or the staff app; `failing`: the Worker can't send any email. */
export function mailBrowser(opts: { failing?: boolean } = {}) {
  return new StaffBrowser(undefined, opts.failing ? { ...FAILING_EMAIL } : {});
}

/** A staff browser signed in (demo password). */
export async function staffMailBrowser(email = "admin@riverbend.test", opts: { failing?: boolean } = {}) {
  const b = mailBrowser(opts);
  const res = await b.signIn(email, DEMO_PASSWORD);
  if (res.status !== 303) throw new Error(`sign-in as ${email} failed: ${res.status}`);
  return b;
}

/** A POST as htmx sends it (the section and the window answer with fragments). */
export function htmxPost(b: StaffBrowser, path: string, form: Record<string, string> = {}) {
  return b.fetch(path, { method: "POST", body: new URLSearchParams(form), headers: { "HX-Request": "true" } });
}

/** A GET as htmx sends it. */
export function htmxGet(b: StaffBrowser, path: string) {
  return b.fetch(path, { method: "GET", headers: { "HX-Request": "true" } });
}
