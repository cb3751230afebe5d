/**
 * Fixtures for portal links (invitations and Forgot password?): a staff browser and a portal
 * browser whose emails are kept (the real EMAIL binding, wrapped: staff-credentials.fixtures.ts),
 * the link found in an email, and the rows a link leaves in D1.
 */
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import worker from "../../src/index";
import { Browser } from "./fixtures";
import { loginsPath, windowForm, type WindowFields } from "./portal-logins.helpers";
import { PortalBrowser, uniqueIp } from "./portal.fixtures";
import { mailTo, outbox, workerEnv, type SentMail } from "./staff-credentials.fixtures";

export { mailTo, outbox, type SentMail };

/** A signed-in staff tab whose emails are kept in `outbox` (and whose deferred work has finished when a request returns). */
export class MailingStaff extends Browser {
  envOverrides: Partial<Env> = {};

  protected override async send(url: URL, init: RequestInit): Promise<Response> {
    const ctx = createExecutionContext();
    const res = await worker.fetch(new Request(url, init), workerEnv(this.envOverrides), ctx);
    const body = await res.text();
    await waitOnExecutionContext(ctx);
    return new Response(body, { status: res.status, headers: res.headers });
  }
}

/** A portal tab whose emails are kept in `outbox`. */
export class MailingPortal extends PortalBrowser {
  constructor(ip = uniqueIp(), overrides: Partial<Env> = {}) {
    super(ip, workerEnv(overrides));
  }
}

/** An EMAIL binding that refuses every message, as production does an unverified destination. */
export const refusingEmail = {
  async send(): Promise<never> {
    throw new Error("destination address is not a verified address");
  },
} as unknown as SendEmail;

/** The one portal link (`/portal/<slug>/link/<token>`) in an email's text. */
export function portalLinkIn(mail: SentMail): { url: string; path: string; token: string } {
  const m = /(https?:\/\/[^\s/]+)(\/portal\/[a-z0-9-]+\/link\/([A-Za-z0-9_-]+))/.exec(mail.text);
  if (!m) throw new Error(`no portal link in "${mail.subject}"`);
  return { url: m[0], path: m[2]!, token: m[3]! };
}

/** Save in the Add window with Reset Password and the given credential method. */
export function addWithMethod(b: Browser, clientId: number, f: WindowFields & { method?: "password" | "link" }) {
  const form = windowForm(f);
  if (f.method) form.credentialMethod = f.method;
  return b.post(loginsPath(clientId), form, { htmx: true });
}

/** The newest email to `address` since `mark`. */
export function lastMailTo(address: string, mark = 0): SentMail {
  const mail = mailTo(address, mark).at(-1);
  if (!mail) throw new Error(`no email to ${address}`);
  return mail;
}

export interface TokenRow {
  id: number;
  agency_id: number;
  login_id: number;
  purpose: "invite" | "reset";
  token_hash: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  dob_failures: number;
  dob_locked_at: number | null;
}

/** A login's links, oldest first. */
export async function tokenRows(loginId: number): Promise<TokenRow[]> {
  const { results } = await env.DB.prepare("SELECT * FROM portal_tokens WHERE login_id = ? ORDER BY id").bind(loginId).all<TokenRow>();
  return results;
}

/** Everything a link could change for a login: its row, its links, its client's log length, and throttle rows. */
export async function linkSnapshot(loginId: number, clientId: number) {
  const login = await env.DB.prepare("SELECT * FROM portal_logins WHERE id = ?").bind(loginId).first();
  const log = await env.DB.prepare("SELECT COUNT(*) AS n FROM client_log WHERE client_id = ?").bind(clientId).first<{ n: number }>();
  const throttle = await env.DB.prepare("SELECT COUNT(*) AS n FROM sign_in_throttle").first<{ n: number }>();
  return { login, tokens: await tokenRows(loginId), log: log!.n, throttle: throttle!.n };
}

/** Opens an emailed link as a browser does: the link, then where it redirects. */
export async function openLink(b: PortalBrowser, path: string): Promise<Response> {
  const first = await b.get(path);
  if (first.status !== 303) return first;
  return b.get(first.headers.get("Location")!);
}

/** Month, Day and Year of an ISO date, as the date-of-birth form posts them. */
export function dobForm(iso: string): Record<string, string> {
  const [year, month, day] = iso.split("-");
  return { month: month!, day: day!, year: year! };
}

/** Maria Alvarez's date of birth (demo data). */
export const MARIA_DOB = "1987-03-14";

let invited = 0;

/** Adds a portal login for a client with an invitation link (through the Portal Login window); returns it and its link. */
export async function inviteLogin(staff: MailingStaff, clientId: number, opts: { prefix?: string; representative?: boolean } = {}) {
  invited += 1;
  const username = `${opts.prefix ?? "invited"}.${invited}.${crypto.randomUUID().slice(0, 4)}`;
  const email = `${username}@example.com`;
  const mark = outbox.length;
  const res = await addWithMethod(staff, clientId, { username, email, method: "link", representative: opts.representative });
  if (res.status !== 200) throw new Error(`invitation for ${username} failed: ${res.status}`);
  const row = await env.DB.prepare("SELECT id, client_id FROM portal_logins WHERE username = ?").bind(username).first<{ id: number; client_id: number }>();
  return { username, email, id: row!.id, clientId: row!.client_id, link: portalLinkIn(lastMailTo(email, mark)) };
}
