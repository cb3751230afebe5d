/**
 * Portal sign-in, in one fixed order: one D1 round trip that charges the attempt and reads the
 * login and the clients it may act for (and the agency: agency-cache.ts), one Argon2id
 * verification, and then either nothing more before the answer (a failure: the charge stands) or
 * one D1 batch (a verified password: the charge given back and this device's session row, with the
 * Login entry, through the client's log). A login linked to several clients also has its Login
 * entry handed to each other client's log (one more batch each, all at once). Every way
 * of failing that could tell an outsider something — no such username, wrong password, inactive
 * login, no password issued, a client who refused portal login — gives the same answer after the
 * same work; the staff-visible entry naming the reason is written after the answer. The expired
 * temporary-password message comes only after the password has been verified.
 */
import { hashPassword, verifyAgainstDummy, verifyPassword } from "../auth/password";
import { failureDelayMs, prepareAttempt, retryAfterMs, throttleSettings, type Attempt, type ThrottleSettings } from "../auth/throttle";
import { newDeviceToken, throttleKeyOf, type AddressBucket } from "../auth/throttle-keys";
import { commitChange, portalEventEntry, recordStaffEvent } from "../clients/log";
import type { Db } from "../db";
import { effectiveSettings } from "../db/agency-settings";
import { errorText } from "../observability/error-text";
import { sendNoticeToLogin } from "../portal-notices/send";
import { recordForOtherClients, type EntryTarget } from "../families/session-entries";
import { actingAsText, linksFromRows, linksInForce } from "../families/links-in-force";
import { agencyToday } from "../layout/agency-time";
import { assumedPortalAgency, rememberPortalAgency } from "./agency-cache";
import { chargeSignIn, giveBackCharge, signedInStatements } from "./sign-in-charge";
import { findPortalAgency, type PortalAgency } from "./portal-agency";
import { usernameKeyOf, type SignInLogin } from "./sign-in-login";
import { sessionInsertAfterChange, sessionState, type NewSession } from "./sessions";
import type { AccessDenial } from "../representatives/access";
import { DENIAL_REASONS } from "../representatives/messages";

export type SignInOutcome =
  /**
   * `deviceToken`: a new device cookie to give this browser (null: it already has this login's);
   * `sessionId`: the session row written with the Login entry (the cookie names it).
   */
  | { kind: "signed-in"; login: SignInLogin; deviceToken: string | null; sessionId: string }
  | { kind: "failed" }
  | { kind: "too-many"; retryAfterMs: number }
  | { kind: "expired" }
  /** The right password, but the access rule (src/representatives/access.ts) says no: the user is told. */
  | { kind: "access-ended"; reason: AccessDenial };

const PORTAL_ACTOR = { type: "system", id: null, name: "Client Portal" } as const;

/** Why a sign-in failed, for the staff-visible entry (never shown to the user); null: it didn't. */
function failureReason(login: SignInLogin | null, passwordOk: boolean): string | null {
  if (!login) return "no such login";
  if (!login.passwordHash) return "no password has been issued";
  if (!passwordOk) return "wrong password";
  if (!login.active) return "the login is inactive";
  // A blocked person is answered like anyone with a wrong password: nothing to tell them.
  if (login.accBlockedAt !== null) return "the login is blocked";
  if (login.clientRefused) return "the client refused portal login (Client Refused Portal Login is set)";
  return null;
}

/** This device's part of the session a success starts (portal-session.ts newSessionDevice). */
type SessionDevice = Omit<NewSession, "loginId" | "agencyId" | "sessionVersion">;

/**
 * Tries to sign in at the portal of the agency with this slug (null `agency` in the answer: there
 * is none). `defer` runs work after the answer is sent (ctx.waitUntil), so that the answer's
 * timing never depends on whether the username exists.
 */
export async function attemptSignIn(
  env: Env,
  db: Db,
  req: {
    slug: string;
    username: string;
    password: string;
    /** The caller's address bucket, and the address as reported (for the staff-visible entry). */
    bucket: AddressBucket;
    ip: string;
    deviceToken?: string;
    session: SessionDevice;
    defer: (work: () => Promise<unknown>) => void;
  },
): Promise<{ agency: PortalAgency | null; outcome: SignInOutcome | null }> {
  const usernameKey = usernameKeyOf(req.username);
  // Passwords are compared as NFKC, so the same passphrase typed on another keyboard still matches.
  const password = req.password.normalize("NFKC");

  // 1. One round trip: the attempt charged (or refused), the login and its clients read, known or
  //    not alike — with the agency as this isolate last saw it, read afresh in the same batch. Only
  //    the first sign-in of an isolate at an agency, or one after its lock settings changed, takes a second.
  let agency = assumedPortalAgency(req.slug);
  for (let tries = 0; ; tries++) {
    if (!agency || tries >= 2) {
      agency = await findPortalAgency(db, req.slug);
      rememberPortalAgency(req.slug, agency);
      if (!agency) return { agency: null, outcome: null };
    }
    const settings = throttleSettings(env, effectiveSettings(env, agency));
    const subject = await throttleKeyOf.portalAccount(env, agency.id, usernameKey);
    const attempt = await prepareAttempt(env, settings, { subject, bucket: req.bucket, deviceToken: req.deviceToken, now: Date.now() });
    const today = agencyToday(agency.timezone);
    const charged = await chargeSignIn(db, attempt, agency, usernameKey, today);
    rememberPortalAgency(req.slug, charged.agency);
    if (charged.stale) {
      agency = charged.agency;
      if (!agency) return { agency: null, outcome: null };
      continue;
    }
    agency = charged.agency;
    return { agency, outcome: await checkPassword(env, db, { ...req, agency, password, attempt, subject, settings, charged, today }) };
  }
}

/** Steps 2 to 6 of a sign-in, after its one round trip (see attemptSignIn). */
async function checkPassword(
  env: Env,
  db: Db,
  req: {
    agency: PortalAgency;
    password: string;
    ip: string;
    attempt: Attempt;
    subject: string;
    settings: ThrottleSettings;
    charged: Extract<Awaited<ReturnType<typeof chargeSignIn>>, { stale: false }>;
    /** The date the charge batch judged the links on (the agency's as assumed before it). */
    today: string;
    session: SessionDevice;
    defer: (work: () => Promise<unknown>) => void;
  },
): Promise<SignInOutcome> {
  const { agency, password, attempt, subject, settings } = req;
  const { accepted, login, account, rows } = req.charged;
  if (!accepted) return { kind: "too-many", retryAfterMs: retryAfterMs(attempt, account, rows) || settings.lockMs };

  // 2. Exactly one hash either way: the login's, or the dummy's for an unknown username.
  const verified = login?.passwordHash ? await verifyPassword(login.passwordHash, password) : { ok: await verifyAgainstDummy(password), needsRehash: false };

  // 3. Failure: the charge stands; the staff-visible entry is written after the answer.
  const reason = failureReason(login, verified.ok);
  if (reason !== null) {
    const failures = account?.failures ?? 0;
    req.defer(() => (login ? afterFailure(env, db, agency, login, reason, req.ip, failures, settings) : Promise.resolve()));
    const wait = retryAfterMs(attempt, account, rows);
    if (wait > 0) return { kind: "too-many", retryAfterMs: wait };
    const delay = failureDelayMs(failures, settings);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    return { kind: "failed" };
  }

  // 4. The right password, but a temporary one past its expiry (set when it was issued, from the
  //    agency's lifetime setting): say so (only now, after the check).
  const now = attempt.now;
  if (login!.mustChangePassword && login!.tempPasswordExpiresAt != null && now > login!.tempPasswordExpiresAt) {
    await giveBackCharge(db, attempt, agency.id, login!.id);
    return { kind: "expired" };
  }

  // 5. The access rule (src/representatives/access.ts: end date, majority, representative record,
  //    minors, block, 42 CFR Part 2 consent) for every client the login may act for
  //    (src/families/links-in-force.ts). None left: the right password, so the user is told their
  //    access has ended; staff see why.
  //    Read in the charge batch; read again only if the agency's date is not the one assumed then
  //    (its time zone changed since this isolate last saw it).
  const today = agencyToday(agency.timezone);
  const { links, denied } =
    today === req.today ? linksFromRows(req.charged.candidates, env, agency, today) : await linksInForce(db, env, agency, login!.id);
  if (links.length === 0) {
    const reason = denied ?? "inactive";
    await giveBackCharge(db, attempt, agency.id, login!.id);
    req.defer(() => logFailure(env, agency, login!, `access has ended: ${DENIAL_REASONS[reason]}`, req.ip, null));
    return { kind: "access-ended", reason };
  }
  const [first, ...others] = links.map((l) => ({ clientId: l.clientId, actingAs: actingAsText(l) })) as [EntryTarget, ...EntryTarget[]];

  // 6. Success, in one commit with its Login entry: the charge given back, last login set, the hash
  //    upgraded if its parameters are old, and this device's session row — so a sign-in that
  //    fails leaves neither a session nor an entry, and one that lands has both.
  //    A login linked to several clients: the entry goes to each one's log (src/families/session-entries.ts).
  const newHash = verified.needsRehash ? await hashPassword(password) : undefined;
  const session = { ...req.session, loginId: login!.id, agencyId: agency.id, sessionVersion: login!.sessionVersion };
  const committed = await commitChange(env, {
    agencyId: agency.id,
    clientId: first.clientId,
    statements: [...signedInStatements(db, attempt, agency.id, login!.id, newHash), sessionInsertAfterChange(session, now)],
    entry: portalEventEntry({ loginId: login!.id, username: login!.username, event: "Login", actingAs: first.actingAs }),
  }, async () => (await sessionState(db, agency.id, session.id)) !== "none");
  if (!committed.committed) return { kind: "failed" }; // the login went between the read and now
  await recordForOtherClients(env, others, { agencyId: agency.id, loginId: login!.id, username: login!.username, event: "Login" });
  return { kind: "signed-in", login: login!, deviceToken: attempt.deviceKey ? null : await newDeviceToken(env, subject), sessionId: session.id };
}

/** The staff-visible entry of the lock this failure started, if it started one. */
function lockEntry(login: SignInLogin, failures: number, s: ThrottleSettings): { description: string; line: string } | null {
  if (failures === s.accountMaxFailures) {
    return {
      description: `Portal Login ${login.username} was locked after ${failures} failed sign-in attempts in a row.`,
      line: `No device can sign in for ${Math.round(s.accountWindowMs / 3_600_000)} hours, unless staff unlock the login (Edit › Save).`,
    };
  }
  if (failures === s.lockAfterFailures) {
    return {
      description: `Portal Login ${login.username} was locked after ${failures} failed sign-in attempts.`,
      line: `New devices wait ${Math.round(s.lockMs / 60_000)} minutes before trying again; devices that signed in before are not held back.`,
    };
  }
  return null;
}

/**
 * After the answer to a failed sign-in with a real username: the staff-visible entries and, when
 * this failure locked the login, the security notice to its owner.
 */
async function afterFailure(env: Env, db: Db, agency: PortalAgency, login: SignInLogin, reason: string, ip: string, failures: number, s: ThrottleSettings) {
  const lock = lockEntry(login, failures, s);
  await logFailure(env, agency, login, reason, ip, lock);
  // An inactive login's access has already ended (and its owner was told): no lock notice for it.
  if (!lock || !login.active) return;
  const allDevices = failures === s.accountMaxFailures;
  await sendNoticeToLogin(env, db, agency, login.id, {
    kind: "notice:locked",
    at: Date.now(),
    failures,
    allDevices,
    ...(allDevices ? { hours: Math.round(s.accountWindowMs / 3_600_000) } : { minutes: Math.round(s.lockMs / 60_000) }),
  });
}

/** The staff-visible entries of a failed sign-in with a real username (and of the lock it caused). */
async function logFailure(env: Env, agency: PortalAgency, login: SignInLogin, reason: string, ip: string, lock: { description: string; line: string } | null) {
  const base = { agencyId: agency.id, clientId: login.clientId, actor: PORTAL_ACTOR };
  try {
    await recordStaffEvent(env, {
      ...base,
      changeType: "Portal Sign-in",
      description: `Failed Client Portal sign-in as ${login.username}: ${reason}.`,
      details: { lines: [`From address ${ip}`] },
    });
    if (lock) {
      await recordStaffEvent(env, { ...base, changeType: "Portal Login", description: lock.description, details: { lines: [lock.line, `Last attempt from address ${ip}`] } });
    }
  } catch (err) {
    console.error(`portal sign-in: log entry for client ${login.clientId} not written: ${errorText(err)}`);
  }
}
