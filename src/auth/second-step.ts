/**
 * The second step of staff sign-in. After the password, a member with a second factor (TOTP or a
 * passkey) — or whose agency requires one — gets no session yet: a signed, five-minute
 * `staff_second_step` cookie (HttpOnly, Secure, SameSite=Lax, Path=/sign-in) names them, and
 * /sign-in/two-factor (src/two-factor) asks for the code, a recovery code or a passkey, or has
 * them enrol one. Only then does the session start.
 *
 * The cookie carries the member's session version: signing out everywhere, deactivation or a new
 * password (anything that bumps it) also voids a pending second step.
 */
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { and, count, eq, isNull } from "drizzle-orm";
import { jwtVerify, SignJWT } from "jose";
import type { AppEnv } from "../app";
import type { Db } from "../db";
import { agencies, staffPasskeys, staffRecoveryCodes, staffTotp } from "../db/schema";

export const SECOND_STEP_COOKIE = "staff_second_step";
const AUDIENCE = "staff-second-step";
/** How long the second step may take. */
export const SECOND_STEP_SECONDS = 5 * 60;

/** A staff member, by id and agency (the tenant boundary every query names). */
export interface StaffRef {
  id: number;
  agencyId: number;
}

export interface TwoFactorStatus {
  /** A confirmed TOTP authenticator. */
  totp: boolean;
  /** TOTP enrolment started (secret made) but not confirmed with a code yet. */
  totpPending: boolean;
  passkeys: number;
  recoveryCodesLeft: number;
  /** The agency requires a second factor of every staff member. */
  required: boolean;
}

/** Whether the member has any second factor (a confirmed TOTP or a passkey). */
export const hasSecondFactor = (s: TwoFactorStatus) => s.totp || s.passkeys > 0;

/** What the staff member has enrolled, and whether their agency requires it (one read batch). */
export async function twoFactorStatus(db: Db, staff: StaffRef): Promise<TwoFactorStatus> {
  const [totpRows, passkeyRows, codeRows, agencyRows] = await db.batch([
    db.select({ confirmedAt: staffTotp.confirmedAt }).from(staffTotp).where(and(eq(staffTotp.staffId, staff.id), eq(staffTotp.agencyId, staff.agencyId))),
    db.select({ n: count() }).from(staffPasskeys).where(and(eq(staffPasskeys.staffId, staff.id), eq(staffPasskeys.agencyId, staff.agencyId))),
    db
      .select({ n: count() })
      .from(staffRecoveryCodes)
      .where(and(eq(staffRecoveryCodes.staffId, staff.id), eq(staffRecoveryCodes.agencyId, staff.agencyId), isNull(staffRecoveryCodes.usedAt))),
    db.select({ required: agencies.requireTwoFactor }).from(agencies).where(eq(agencies.id, staff.agencyId)),
  ]);
  const totp = totpRows[0];
  return {
    totp: totp?.confirmedAt != null,
    totpPending: totp !== undefined && totp.confirmedAt == null,
    passkeys: passkeyRows[0]?.n ?? 0,
    recoveryCodesLeft: codeRows[0]?.n ?? 0,
    required: agencyRows[0]?.required ?? false,
  };
}

/** A sign-in waiting for its second step. */
export interface PendingSecondStep extends StaffRef {
  /** Session version at password time. */
  ver: number;
  /** Where to go once signed in (already checked to be a same-site path). */
  next: string;
  /** When the password was accepted (epoch ms): a sign-in completed since then spends this step. */
  at: number;
}

const key = (secret: string) => {
  if (!secret || secret.length < 32) throw new Error("SESSION_SECRET must be set (32+ characters)");
  return new TextEncoder().encode(secret);
};

/**
 * The sign-in hook, called once the password is right: when the member has a second factor or
 * their agency requires one, sets the pending cookie and returns true (send them to
 * /sign-in/two-factor); otherwise returns false (start the session).
 */
export async function beginSecondStep(
  c: Context<AppEnv>,
  staff: { id: number; agencyId: number; sessionVersion: number },
  next: string,
  /** Whether a second step is due, when the caller has already read it (sign-in's batch). */
  due?: boolean,
): Promise<boolean> {
  if (due === undefined) {
    const status = await twoFactorStatus(c.var.db, staff);
    due = hasSecondFactor(status) || status.required;
  }
  if (!due) return false;
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({ agencyId: staff.agencyId, ver: staff.sessionVersion, next, at: Date.now() })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(String(staff.id))
    .setAudience(AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + SECOND_STEP_SECONDS)
    .sign(key(c.env.SESSION_SECRET));
  setCookie(c, SECOND_STEP_COOKIE, token, { httpOnly: true, secure: true, sameSite: "Lax", path: "/sign-in", maxAge: SECOND_STEP_SECONDS });
  return true;
}

/** The pending second step this browser holds, if its cookie is valid and unexpired; else null. */
export async function readSecondStep(c: Context<AppEnv>): Promise<PendingSecondStep | null> {
  const token = getCookie(c, SECOND_STEP_COOKIE);
  if (!token) return null;
  try {
    const { payload } = await jwtVerify(token, key(c.env.SESSION_SECRET), { algorithms: ["HS256"], audience: AUDIENCE });
    const id = Number(payload.sub);
    const agencyId = Number(payload.agencyId);
    const ver = Number(payload.ver);
    const at = Number(payload.at);
    if (!Number.isInteger(id) || !Number.isInteger(agencyId) || !Number.isInteger(ver) || !Number.isFinite(at) || typeof payload.next !== "string") return null;
    return { id, agencyId, ver, next: payload.next, at };
  } catch {
    return null;
  }
}

/** Removes the pending cookie (the step is done, or abandoned). */
export function endSecondStep(c: Context<AppEnv>) {
  deleteCookie(c, SECOND_STEP_COOKIE, { path: "/sign-in", secure: true });
}
