/**
 * WebAuthn challenges, kept server-side: each is 32 random bytes, lives five minutes, and is
 * deleted by the ceremony that uses it before the response is even checked — so a challenge
 * (and any assertion signed over it) works at most once. Issuing one also sweeps out the expired.
 */
import { and, eq, gt, isNull, lte } from "drizzle-orm";
import { decodeBase64urlIgnorePadding, encodeBase64urlNoPadding } from "@oslojs/encoding";
import type { Db } from "../db";
import { webauthnChallenges } from "../db/schema";

export type ChallengePurpose = "register" | "second-step" | "sign-in";
export const CHALLENGE_TTL_MS = 5 * 60_000;

/** Issues a challenge for a purpose (and a staff member, except for passkey sign-in). */
export async function issueChallenge(db: Db, purpose: ChallengePurpose, staffId: number | null, now: number): Promise<Uint8Array<ArrayBuffer>> {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  await db.batch([
    db.delete(webauthnChallenges).where(lte(webauthnChallenges.expiresAt, now)),
    db.insert(webauthnChallenges).values({ challenge: encodeBase64urlNoPadding(bytes), purpose, staffId, expiresAt: now + CHALLENGE_TTL_MS }),
  ]);
  return bytes;
}

/**
 * Takes a challenge out of circulation: true only for an unexpired challenge issued for this
 * purpose and staff member, and only once.
 */
export async function consumeChallenge(db: Db, challenge: string, purpose: ChallengePurpose, staffId: number | null, now: number): Promise<boolean> {
  const rows = await db
    .delete(webauthnChallenges)
    .where(
      and(
        eq(webauthnChallenges.challenge, challenge),
        eq(webauthnChallenges.purpose, purpose),
        staffId === null ? isNull(webauthnChallenges.staffId) : eq(webauthnChallenges.staffId, staffId),
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
