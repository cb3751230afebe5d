/**
 * The identity check a portal link asks before anything else: the client's date of birth. Every
 * answer is charged to the link (`dob_failures`) *before* it is compared — one conditional UPDATE
 * that refuses once the count reaches the limit — so however many answers arrive at once, no more
 * than `dobMaxFailures` are ever compared. A right answer gives its charge back; the wrong answer
 * that reaches the limit locks the link, and the lock is written to the client's log for staff in
 * the same batch (the login's status then reads "Link locked").
 */
import { constantTimeEqual } from "@oslojs/crypto/subtle";
import { and, eq, gt, isNull, lt, sql } from "drizzle-orm";
import type { Db } from "../db";
import { clients, portalTokens } from "../db/schema";
import { commitChange } from "./log";
import type { PortalLink } from "./portal-links";
import { durationText, type PortalLinkSettings } from "./portal-link-settings";

export type DobOutcome =
  | { kind: "right" }
  | { kind: "wrong"; triesLeft: number }
  /** The link is locked (now, or already): too many wrong dates of birth. */
  | { kind: "locked" }
  /** The link stopped working meanwhile (used, replaced, expired). */
  | { kind: "spent" };

const PORTAL_ACTOR = { type: "system", id: null, name: "Client Portal" } as const;
const encode = (s: string) => new TextEncoder().encode(s);

/** What staff read in the client's log when a link locks. */
export function linkLockedDescription(link: Pick<PortalLink, "purpose" | "login">, failures: number): string {
  const what = link.purpose === "invite" ? "invitation link" : "password reset link";
  return `Portal Login ${link.login.username}: the ${what} was locked after ${failures} wrong dates of birth.`;
}

/**
 * Checks a date of birth (YYYY-MM-DD) typed for a link, charged before it is compared. `ip` is for
 * the staff-visible lock entry only.
 */
export async function checkDateOfBirth(
  env: Env,
  db: Db,
  link: PortalLink,
  typed: string,
  req: { now: number; ip: string; settings: Pick<PortalLinkSettings, "dobMaxFailures" | "lockHoldMs"> },
): Promise<DobOutcome> {
  const { now } = req;
  const max = req.settings.dobMaxFailures;
  const usable = and(eq(portalTokens.id, link.tokenId), eq(portalTokens.agencyId, link.agencyId), isNull(portalTokens.usedAt), gt(portalTokens.expiresAt, now), isNull(portalTokens.dobLockedAt));

  // 1. One round trip: the answer charged (or refused at the limit), and the client's date of birth.
  const [charged, born] = await db.batch([
    db
      .update(portalTokens)
      .set({ dobFailures: sql`${portalTokens.dobFailures} + 1` })
      .where(and(usable, lt(portalTokens.dobFailures, max)))
      .returning({ failures: portalTokens.dobFailures }),
    db
      .select({ dateOfBirth: clients.dateOfBirth })
      .from(clients)
      .where(and(eq(clients.id, link.login.clientId), eq(clients.agencyId, link.agencyId))),
  ]);
  const failures = charged[0]?.failures;
  if (failures === undefined) {
    const row = await db.select({ failures: portalTokens.dobFailures, lockedAt: portalTokens.dobLockedAt }).from(portalTokens).where(eq(portalTokens.id, link.tokenId)).get();
    return row && (row.lockedAt !== null || row.failures >= max) ? { kind: "locked" } : { kind: "spent" };
  }

  // 2. Compared in constant time (both are YYYY-MM-DD).
  const expected = born[0]?.dateOfBirth ?? "";
  const right = expected.length === typed.length && constantTimeEqual(encode(expected), encode(typed));

  // 3. Right: the charge given back — unless the link locked meanwhile, which then stands.
  if (right) {
    const back = await db
      .update(portalTokens)
      .set({ dobFailures: sql`max(${portalTokens.dobFailures} - 1, 0)` })
      .where(and(eq(portalTokens.id, link.tokenId), isNull(portalTokens.dobLockedAt)))
      .returning({ id: portalTokens.id });
    return back.length > 0 ? { kind: "right" } : { kind: "locked" };
  }

  // 4. Wrong: the charge stands; the one that reaches the limit locks the link, with its entry.
  if (failures < max) return { kind: "wrong", triesLeft: max - failures };
  const locked = await commitChange(env, {
    agencyId: link.agencyId,
    clientId: link.login.clientId,
    statements: [
      db
        .update(portalTokens)
        .set({ dobLockedAt: now })
        .where(and(eq(portalTokens.id, link.tokenId), isNull(portalTokens.dobLockedAt), sql`${portalTokens.dobFailures} >= ${max}`))
        .toSQL(),
    ],
    entry: {
      actor: PORTAL_ACTOR,
      changeType: "Portal Login",
      description: linkLockedDescription(link, max),
      details: {
        lines: [
          `Last attempt from address ${req.ip}`,
          link.purpose === "invite"
            ? "The link no longer works. Resend invitation sends a new one."
            : `The link no longer works, and Forgot password? sends this login no link for ${durationText(req.settings.lockHoldMs)}. Edit › Save clears the lock.`,
        ],
      },
    },
  });
  if (locked.committed) return { kind: "locked" };
  // A right answer gave its charge back in between: the limit isn't reached after all.
  const row = await db.select({ failures: portalTokens.dobFailures, lockedAt: portalTokens.dobLockedAt }).from(portalTokens).where(eq(portalTokens.id, link.tokenId)).get();
  if (!row || row.lockedAt !== null) return { kind: "locked" };
  return { kind: "wrong", triesLeft: Math.max(1, max - row.failures) };
}
