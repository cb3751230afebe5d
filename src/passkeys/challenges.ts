/**
 * WebAuthn challenges, kept server-side: each is 32 random bytes, lives five minutes, and is
 * deleted by the ceremony that uses it before the response is even checked — so a challenge
 * (and any assertion signed over it) works at most once. Issuing one also sweeps out the expired.
 *
 * A challenge is bound to what it was issued for: the purpose, the kind of owner (staff or
 * portal), the owner when known (registration, second step), and for the portal the agency. A
 * challenge issued for one of these can't be spent on another.
 */
import { and, eq, gt, isNull, lte } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { decodeBase64urlIgnorePadding, encodeBase64urlNoPadding } from "@oslojs/encoding";
import type { Db } from "../db";
import { webauthnChallenges } from "../db/schema";
import type { PasskeyOwner, SignInScope } from "./owner";

/**
 * "link-register": a portal login's first passkey, created from an emailed link's last step
 * instead of a password (src/portal/link-passkey-routes.ts) — kept apart from "register" (a
 * signed-in user's Add a passkey), so a challenge issued to one ceremony can't be spent on the other.
 */
export type ChallengePurpose = "register" | "link-register" | "second-step" | "sign-in";
export type RegisterPurpose = Extract<ChallengePurpose, "register" | "link-register">;
export const CHALLENGE_TTL_MS = 5 * 60_000;

/** Who a challenge is for: an owner, or (passkey sign-in) only a scope. */
export type ChallengeFor = PasskeyOwner | SignInScope;

/** The columns that bind a challenge (null where it names nobody). */
function binding(who: ChallengeFor) {
  const ownerId = "id" in who ? who.id : null;
  return {
    ownerKind: who.kind,
    staffId: who.kind === "staff" ? ownerId : null,
    loginId: who.kind === "portal" ? ownerId : null,
    // Staff sign-in is one page for every agency (no agency); a portal is one agency's.
    agencyId: "agencyId" in who ? who.agencyId : null,
  };
}

/** Issues a challenge for a purpose and whoever it is for (see ChallengeFor). */
export async function issueChallenge(db: Db, purpose: ChallengePurpose, who: ChallengeFor, now: number): Promise<Uint8Array<ArrayBuffer>> {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  await db.batch([
    db.delete(webauthnChallenges).where(lte(webauthnChallenges.expiresAt, now)),
    db.insert(webauthnChallenges).values({ challenge: encodeBase64urlNoPadding(bytes), purpose, ...binding(who), expiresAt: now + CHALLENGE_TTL_MS }),
  ]);
  return bytes;
}

/**
 * Takes a challenge out of circulation: true only for an unexpired challenge issued for this
 * purpose and exactly this owner or scope, and only once.
 */
export async function consumeChallenge(db: Db, challenge: string, purpose: ChallengePurpose, who: ChallengeFor, now: number): Promise<boolean> {
  const b = binding(who);
  const same = (column: SQLiteColumn, value: number | null) => (value === null ? isNull(column) : eq(column, value));
  const rows = await db
    .delete(webauthnChallenges)
    .where(
      and(
        eq(webauthnChallenges.challenge, challenge),
        eq(webauthnChallenges.purpose, purpose),
        eq(webauthnChallenges.ownerKind, b.ownerKind),
        same(webauthnChallenges.staffId, b.staffId),
        same(webauthnChallenges.loginId, b.loginId),
        same(webauthnChallenges.agencyId, b.agencyId),
        gt(webauthnChallenges.expiresAt, now),
      ),
    )
    .returning({ challenge: webauthnChallenges.challenge });
  return rows.length === 1;
}

/** The challenge a browser's response says it signed (from clientDataJSON); null if unreadable. */
export function challengeOf(clientDataJSON: string): string | null {
  try {
    const data = JSON.parse(new TextDecoder().decode(decodeBase64urlIgnorePadding(clientDataJSON))) as { challenge?: unknown };
    return typeof data.challenge === "string" && data.challenge.length <= 128 ? data.challenge : null;
  } catch {
    return null;
  }
}
