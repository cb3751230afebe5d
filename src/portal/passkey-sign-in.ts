/**
 * Sign in with a passkey at an agency's portal, through the same gates as a password, in one fixed
 * order:
 *   1. the attempt charged (the address's passkey counter and the address's own, chargeGuess)
 *      before anything is checked — refused: nothing checked at all;
 *   2. the WebAuthn assertion checked (challenge issued by this agency's portal, single use; a
 *      passkey of this agency's logins; signature, origin, RP ID, user verification) — the
 *      passkey's use not yet recorded;
 *   3. the login it names: active, not locked, its client not refusing portal login (the
 *      agency's portal being enabled was checked by the route) — else refused, with a
 *      staff-visible entry in the client's log naming why, written after the answer;
 *   4. one commit through the client's log: the passkey's counter moved on (only forward, and only
 *      while step 3's gates still hold), the login's last login set and its failures forgotten,
 *      and the seed's "Patient Portal login by <username>" entry with a line saying a passkey was
 *      used. A replayed or cloned assertion, or a login deactivated in between, changes nothing.
 * Then the charge is given back and the caller starts the session.
 */
import { chargeGuess } from "../auth/guess";
import { newDeviceToken, throttleKeyOf, trustedDeviceId, type AddressBucket } from "../auth/throttle-keys";
import { commitChange, portalEventEntry, recordStaffEvent } from "../clients/log";
import { recordForOtherClients, type EntryTarget } from "../families/session-entries";
import { sessionInsertAfterChange, sessionState, type NewSession } from "./sessions";
import type { Db } from "../db";
import { errorText } from "../observability/error-text";
import { verifyAuthentication } from "../passkeys/ceremonies";
import { passkeyUseStatement } from "../passkeys/queries";
import type { RelyingParty } from "../passkeys/relying-party";
import type { AccessDenial } from "../representatives/access";
import { actingAsText, linksInForce } from "../families/links-in-force";
import { DENIAL_REASONS } from "../representatives/messages";
import { findSignInLoginById, loginMaySignIn, passkeySignedInStatement, usernameKeyOf, type SignInLogin } from "./sign-in-login";
import type { PortalAgency } from "./portal-agency";

export type PasskeySignInOutcome =
  /** `deviceToken`: a new device cookie for this browser (null: it already has this login's). */
  | { kind: "signed-in"; login: SignInLogin; deviceToken: string | null; sessionId: string }
  /** The ceremony failed: the message says what to do. */
  | { kind: "refused"; message: string }
  /** The passkey is right but its login may not sign in (inactive, client refused, locked). */
  | { kind: "not-allowed"; locked: boolean }
  /** Its login still has a temporary password, and that expired. */
  | { kind: "expired" }
  /** The access rule (src/representatives/access.ts) says no: the user is told their access has ended. */
  | { kind: "access-ended"; reason: AccessDenial }
  | { kind: "too-many" };

const PORTAL_ACTOR = { type: "system", id: null, name: "Client Portal" } as const;
const NOT_ACCEPTED = "That passkey wasn't accepted. Try again.";

/** The counter passkey sign-ins at portals are charged to, besides the address's own. */
export const portalPasskeySubject = (env: Env, bucket: AddressBucket) => throttleKeyOf.address(env, `portal-passkey:${bucket}`);

const LOCKED = "the login is locked after failed sign-in attempts";

/** Why a verified passkey's login may not sign in (for the staff-visible entry); null: it may. */
function refusal(login: SignInLogin, now: number): string | null {
  if (!login.active) return "the login is inactive";
  if (login.accBlockedAt !== null) return "the login is blocked";
  if (login.clientRefused) return "the client refused portal login (Client Refused Portal Login is set)";
  if (login.lockedUntil !== null && login.lockedUntil > now) return LOCKED;
  return null;
}

/** Tries to sign in with a passkey at an agency's portal; `defer` runs work after the answer (ctx.waitUntil). */
export async function signInWithPasskey(
  env: Env,
  db: Db,
  req: {
    agency: PortalAgency;
    rp: RelyingParty;
    response: unknown;
    bucket: AddressBucket;
    ip: string;
    deviceToken?: string;
    /** This device's part of the session a success starts (portal-session.ts newSessionDevice). */
    session: Omit<NewSession, "loginId" | "agencyId" | "sessionVersion">;
    defer: (work: () => Promise<unknown>) => void;
  },
): Promise<PasskeySignInOutcome> {
  const { agency } = req;

  // 1. Charged before anything is checked.
  const guess = await chargeGuess(env, db, { subject: await portalPasskeySubject(env, req.bucket), bucket: req.bucket });
  if (!guess) return { kind: "too-many" };
  const now = Date.now();

  // 2. The assertion (nothing written but the spent challenge).
  const verified = await verifyAuthentication(db, env, req.rp, "sign-in", { kind: "portal", agencyId: agency.id }, req.response, now);
  if (!verified.ok) return { kind: "refused", message: verified.message };
  const use = verified.value;

  // 3. The login's gates, as for a password.
  const login = await findSignInLoginById(db, agency.id, use.owner.id);
  if (!login) return { kind: "refused", message: NOT_ACCEPTED };
  const reason = refusal(login, now);
  if (reason) {
    req.defer(() => logRefusal(env, agency, login, reason, req.ip));
    return { kind: "not-allowed", locked: reason === LOCKED };
  }
  if (login.mustChangePassword && login.tempPasswordExpiresAt != null && now > login.tempPasswordExpiresAt) {
    await guess.succeeded();
    return { kind: "expired" };
  }
  // The access rule (src/representatives/access.ts) for every client the login may act for
  // (src/families/links-in-force.ts): none left, access has ended.
  const { links, denied } = await linksInForce(db, env, agency, login.id);
  if (links.length === 0) {
    const reason = denied ?? "inactive";
    await guess.succeeded();
    req.defer(() => logRefusal(env, agency, login, `access has ended: ${DENIAL_REASONS[reason]}`, req.ip));
    return { kind: "access-ended", reason };
  }

  // 4. One commit: the passkey's use (under the gates), the login's last login, this device's
  //    session row and the Login entry — all or nothing (a failure after it can't leave an entry
  //    for a sign-in the user was told failed). A login linked to several clients: the entry goes
  //    to each one's log (src/families/session-entries.ts).
  const [first, ...others] = links.map((l) => ({ clientId: l.clientId, actingAs: actingAsText(l) })) as [EntryTarget, ...EntryTarget[]];
  const lines = [`Signed in with a passkey (${use.name}).`];
  const session = { ...req.session, loginId: login.id, agencyId: agency.id, sessionVersion: login.sessionVersion };
  const committed = await commitChange(env, {
    agencyId: agency.id,
    clientId: first.clientId,
    statements: [
      passkeyUseStatement(db, use, now, loginMaySignIn(agency.id, login.id, now)),
      passkeySignedInStatement(db, agency.id, login.id, now),
      sessionInsertAfterChange(session, now),
    ],
    entry: portalEventEntry({ loginId: login.id, username: login.username, event: "Login", lines, actingAs: first.actingAs }),
  }, async () => (await sessionState(db, agency.id, session.id)) !== "none");
  if (!committed.committed) return { kind: "refused", message: NOT_ACCEPTED };
  await recordForOtherClients(env, others, { agencyId: agency.id, loginId: login.id, username: login.username, event: "Login", lines });
  // Signed in from here on: forgetting the address's failures is housekeeping, not worth an error.
  try {
    await guess.succeeded();
  } catch (err) {
    console.error(`portal passkey sign-in: failures not reset for login ${login.id}: ${errorText(err)}`);
  }
  const subject = await throttleKeyOf.portalAccount(env, agency.id, usernameKeyOf(login.username));
  const known = await trustedDeviceId(env, subject, req.deviceToken);
  return { kind: "signed-in", login, deviceToken: known ? null : await newDeviceToken(env, subject), sessionId: session.id };
}

/** The staff-visible entry of a passkey that was right but whose login may not sign in. */
async function logRefusal(env: Env, agency: PortalAgency, login: SignInLogin, reason: string, ip: string) {
  try {
    await recordStaffEvent(env, {
      agencyId: agency.id,
      clientId: login.clientId,
      actor: PORTAL_ACTOR,
      changeType: "Portal Sign-in",
      description: `Failed Client Portal sign-in as ${login.username} with a passkey: ${reason}.`,
      details: { lines: [`From address ${ip}`] },
    });
  } catch (err) {
    console.error(`portal passkey sign-in: log entry for client ${login.clientId} not written: ${errorText(err)}`);
  }
}
