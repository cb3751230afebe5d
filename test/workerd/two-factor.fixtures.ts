/**
 * Fixtures for the two-factor and passkey tests: staff members made straight in D1, TOTP codes
 * computed from the key the setup page shows (as an authenticator app would), enrolment through
 * the real pages, and the state rows read back from D1.
 */
import { env } from "cloudflare:test";
import { generateHOTP } from "@oslojs/otp";
import { decodeBase32IgnorePadding } from "@oslojs/encoding";
import { hashPassword } from "../../src/auth/password";
import { Browser, DEMO_PASSWORD } from "./fixtures";
import { throttleCounter } from "./throttle.fixtures";

export const SECOND_STEP_COOKIE = "staff_second_step";

let counter = 0;
let demoHash: Promise<string> | undefined;

/** A new active staff member (demo password) of an agency, with an email no other test uses. */
export async function createStaff(agencyId = 1, prefix = "member"): Promise<{ id: number; email: string; agencyId: number }> {
  counter += 1;
  const email = `${prefix}.${counter}.${crypto.randomUUID().slice(0, 6)}@riverbend.test`;
  demoHash ??= hashPassword(DEMO_PASSWORD);
  const row = await env.DB.prepare("INSERT INTO staff_users (agency_id, name, email, role, password_hash, active) VALUES (?, ?, ?, 'staff', ?, 1) RETURNING id")
    .bind(agencyId, `Test Member ${counter}`, email, await demoHash)
    .first<{ id: number }>();
  return { id: row!.id, email, agencyId };
}

/** A documentation-range address no other test in the file uses (the throttle counts per address). */
export function uniqueIp(): string {
  counter += 1;
  return `203.0.${Math.floor(counter / 250)}.${counter % 250}`;
}

/** The TOTP code for the step `offset` steps from now (what an app with a drifting clock shows). */
export function totpCode(key: Uint8Array, offset = 0, nowMs = Date.now()): string {
  return generateHOTP(key, BigInt(Math.floor(nowMs / 30_000) + offset), 6);
}

/** The key an authenticator app would read: the typed secret on the setup page, decoded. */
export function keyFromSetupPage(html: string): Uint8Array {
  const typed = /<p class="typed-secret"><code[^>]*>([A-Z2-7 ]+)<\/code>/.exec(html)?.[1];
  if (!typed) throw new Error("no typed secret on the page");
  return decodeBase32IgnorePadding(typed.replace(/ /g, ""));
}

/** The recovery codes listed on a page. */
export function recoveryCodesOn(html: string): string[] {
  const list = /<ol class="recovery-codes"[^>]*>([\s\S]*?)<\/ol>/.exec(html)?.[1] ?? "";
  return [...list.matchAll(/<code>([a-z0-9-]+)<\/code>/g)].map((m) => m[1]!);
}

/** Signs in with the password only: a browser holding the pending second-step cookie (or a session). */
export async function passwordStep(email: string, headers: Record<string, string> = {}) {
  const b = new Browser();
  const res = await b.post("/sign-in", { email, password: DEMO_PASSWORD }, { headers });
  return { b, res };
}

/**
 * Turns TOTP on for a signed-in member through the account pages, as a person would: start, read
 * the key, confirm with the current code. Returns the key and the ten recovery codes shown.
 */
export async function enrolTotp(b: Browser): Promise<{ key: Uint8Array; recoveryCodes: string[]; enrolledStep: number }> {
  const start = await b.post("/account/two-factor/totp/start", {});
  if (start.status !== 303) throw new Error(`start: ${start.status}`);
  const key = keyFromSetupPage(await (await b.get("/account/two-factor/totp")).text());
  const enrolledStep = currentStep();
  const confirm = await b.post("/account/two-factor/totp", { code: totpCode(key, 0, enrolledStep * 30_000) });
  if (confirm.status !== 200) throw new Error(`confirm: ${confirm.status}`);
  return { key, recoveryCodes: recoveryCodesOn(await confirm.text()), enrolledStep };
}

/** The TOTP step now. */
export const currentStep = () => Math.floor(Date.now() / 30_000);

/** A member with TOTP on (enrolled through the pages), signed out again. */
export async function memberWithTotp(agencyId = 1) {
  const member = await createStaff(agencyId, "totp");
  const b = await Browser.staff(member.email);
  const enrolled = await enrolTotp(b);
  await b.post("/sign-out", {});
  return { ...member, ...enrolled };
}

/** The member's TOTP row as stored. */
export function totpRow(staffId: number) {
  return env.DB.prepare("SELECT secret_box, confirmed_at, last_used_step FROM staff_totp WHERE staff_id = ?")
    .bind(staffId)
    .first<{ secret_box: string; confirmed_at: number | null; last_used_step: number | null }>();
}

/** How many unused recovery codes the member has (and how many in all). */
export async function recoveryCodeCounts(staffId: number) {
  const row = await env.DB.prepare("SELECT COUNT(*) AS total, SUM(used_at IS NULL) AS unused FROM staff_recovery_codes WHERE staff_id = ?")
    .bind(staffId)
    .first<{ total: number; unused: number | null }>();
  return { total: row?.total ?? 0, unused: row?.unused ?? 0 };
}

/** Failures counted against the member's second step (0 when none, or after a lock reset it). */
export function secondFactorThrottle(staffId: number) {
  return throttleCounter.secondFactor(staffId);
}

/** Sets whether an agency requires two-factor of its staff. */
export async function requireTwoFactor(agencyId: number, on: boolean) {
  await env.DB.prepare("UPDATE agencies SET require_two_factor = ? WHERE id = ?").bind(on ? 1 : 0, agencyId).run();
}

/** A new agency (not requiring two-factor unless asked) for tests that change agency settings. */
export async function createAgency(opts: { requireTwoFactor?: boolean } = {}): Promise<number> {
  counter += 1;
  const row = await env.DB.prepare("INSERT INTO agencies (name, slug, portal_enabled, timezone, require_two_factor) VALUES (?, ?, 0, 'America/New_York', ?) RETURNING id")
    .bind(`Test Agency ${counter}`, `test-agency-${counter}-${crypto.randomUUID().slice(0, 6)}`, opts.requireTwoFactor ? 1 : 0)
    .first<{ id: number }>();
  return row!.id;
}
