/**
 * Staff session records (`staff_sessions`): one row per sign-in, named by the `sid` its cookie's
 * JWT carries. What they guarantee:
 *
 * - A token opens nothing unless its row exists for that member and agency and has not ended, so
 *   ending one row signs out exactly one device (sign-out, "Sign out" on the sessions page), even
 *   a copy of its cookie. Ending every row (and bumping the member's session version, which every
 *   token also carries) is "sign out everywhere".
 * - The check is folded into the one query that loads the signed-in member: one D1 round trip per
 *   request, also when `last_seen_at` moves (at most once a minute, with the cookie refresh: the
 *   write and the read go in one batch).
 *
 * Every statement is scoped by member and agency.
 */
import { encodeBase64urlNoPadding } from "@oslojs/encoding";
import type { BatchItem } from "drizzle-orm/batch";
import { and, desc, eq, gt, isNull, ne, or, sql, type Placeholder, type SQL } from "drizzle-orm";
import type { CurrentStaff } from "../app";
import type { Db } from "../db";
import { reusable } from "../db/reusable";
import { agencySettingsColumns } from "../db/agency-settings";
import { agencies, staffSessions, staffUsers } from "../db/schema";

/** A fresh, unguessable session id. */
export const newSessionId = () => encodeBase64urlNoPadding(crypto.getRandomValues(new Uint8Array(16)));

export interface NewSession {
  id: string;
  staffId: number;
  agencyId: number;
  /** Epoch ms. */
  now: number;
  device: string;
  address: string;
}

/** The statements that record a sign-in: the session's row and the member's last sign-in time. */
export function startSessionStatements(db: Db, s: NewSession) {
  return [
    db.insert(staffSessions).values({
      id: s.id,
      agencyId: s.agencyId,
      staffId: s.staffId,
      createdAt: s.now,
      lastSeenAt: s.now,
      device: s.device.slice(0, 64),
      address: s.address.slice(0, 64),
    }),
    db
      .update(staffUsers)
      .set({ lastSignInAt: s.now })
      .where(and(eq(staffUsers.id, s.staffId), eq(staffUsers.agencyId, s.agencyId))),
  ] as const;
}

/** The statement that ends one session of a member; changes no row when it was not theirs or had ended. */
export function endSessionStatement(db: Db, s: { sessionId: string; staffId: number; agencyId: number; now: number }) {
  return db
    .update(staffSessions)
    .set({ endedAt: s.now })
    .where(
      and(eq(staffSessions.id, s.sessionId), eq(staffSessions.staffId, s.staffId), eq(staffSessions.agencyId, s.agencyId), isNull(staffSessions.endedAt)),
    );
}

/**
 * The statement that ends every open session of a member — all but `except` when given (a
 * password change keeps the device it was made on), and only while `onlyIf` holds when given
 * (so it can share a batch with the change it belongs to).
 */
export function endSessionsStatement(db: Db, s: { staffId: number; agencyId: number; now: number; except?: string; onlyIf?: SQL }) {
  return db
    .update(staffSessions)
    .set({ endedAt: s.now })
    .where(
      and(
        eq(staffSessions.staffId, s.staffId),
        eq(staffSessions.agencyId, s.agencyId),
        isNull(staffSessions.endedAt),
        s.except === undefined ? undefined : ne(staffSessions.id, s.except),
        s.onlyIf,
      ),
    );
}

export type SignedInStaff = CurrentStaff & { sessionVersion: number };

/**
 * The signed-in member for a token's claims: active, of the token's agency, with the token's
 * session open. With `seenAt`, the session's `last_seen_at` moves to it in the same round trip.
 * Null when any of that fails.
 */
export async function findSignedInStaff(
  db: Db,
  q: { staffId: number; agencyId: number; sessionId: string; seenAt: number | null },
): Promise<SignedInStaff | null> {
  return (await findSignedInStaffWith(db, q, [])).found;
}

type SessionIds = "sessionId" | "staffId" | "agencyId";

/** The member, their agency and its settings, if the session is still open and the member active (built once: reusable). */
const lookupQuery = reusable((db, p: (name: SessionIds) => Placeholder) =>
  db
    .select({
      id: staffUsers.id,
      sessionVersion: staffUsers.sessionVersion,
      name: staffUsers.name,
      email: staffUsers.email,
      role: staffUsers.role,
      agency: {
        // Aliased: inside db.batch drizzle maps D1's rows by column NAME, so a second "id" or
        // "name" (staff_users' and agencies') would collapse and shift every field after it.
        id: sql<number>`${agencies.id}`.as("agency_pk"),
        name: sql<string>`${agencies.name}`.as("agency_name"),
        slug: agencies.slug,
        portalEnabled: agencies.portalEnabled,
        ...agencySettingsColumns,
      },
    })
    .from(staffUsers)
    .innerJoin(agencies, eq(agencies.id, staffUsers.agencyId))
    .innerJoin(
      staffSessions,
      and(eq(staffSessions.id, p("sessionId")), eq(staffSessions.staffId, staffUsers.id), eq(staffSessions.agencyId, staffUsers.agencyId), isNull(staffSessions.endedAt)),
    )
    .where(and(eq(staffUsers.id, p("staffId")), eq(staffUsers.agencyId, p("agencyId")), eq(staffUsers.active, true)))
    .limit(1),
);

/** The session's last activity moved on (only while it is open). */
const touchQuery = reusable((db, p: (name: SessionIds | "seenAt") => Placeholder) =>
  db
    .update(staffSessions)
    .set({ lastSeenAt: sql`${p("seenAt")}` })
    .where(and(eq(staffSessions.id, p("sessionId")), eq(staffSessions.staffId, p("staffId")), eq(staffSessions.agencyId, p("agencyId")), isNull(staffSessions.endedAt))),
);

/**
 * findSignedInStaff with a page's reads in the same batch (src/auth/session-reads.ts): the member
 * (or null) and the reads' rows, in order. The reads run whatever the check finds; the caller
 * uses their rows only if it passed.
 */
export async function findSignedInStaffWith(
  db: Db,
  q: { staffId: number; agencyId: number; sessionId: string; seenAt: number | null },
  reads: BatchItem<"sqlite">[],
): Promise<{ found: SignedInStaff | null; rows: unknown[] }> {
  const ids = { sessionId: q.sessionId, staffId: q.staffId, agencyId: q.agencyId };
  const lookup = lookupQuery(db, ids);
  if (q.seenAt === null) {
    if (reads.length === 0) return { found: (await lookup)[0] ?? null, rows: [] };
    const [found, ...rows] = await db.batch([lookup, ...reads]);
    return { found: found[0] ?? null, rows };
  }
  const touch = touchQuery(db, { ...ids, seenAt: q.seenAt });
  const [, found, ...rows] = await db.batch([touch, lookup, ...reads]);
  return { found: found[0] ?? null, rows };
}

/** A session as the sessions lists show it. */
export interface SessionListing {
  id: string;
  device: string;
  address: string;
  createdAt: number;
  lastSeenAt: number;
}

/**
 * A member's sessions that could still be used: not ended, seen within the idle limit and begun
 * within the absolute limit (older ones are dead though never ended). Newest activity first.
 */
export function openSessionsQuery(db: Db, s: { staffId: number; agencyId: number; now: number; idleMs: number; maxMs: number }) {
  return db
    .select({
      id: staffSessions.id,
      device: staffSessions.device,
      address: staffSessions.address,
      createdAt: staffSessions.createdAt,
      lastSeenAt: staffSessions.lastSeenAt,
    })
    .from(staffSessions)
    .where(
      and(
        eq(staffSessions.staffId, s.staffId),
        eq(staffSessions.agencyId, s.agencyId),
        isNull(staffSessions.endedAt),
        // A token refreshed just under a second after last_seen_at was written still counts.
        gt(staffSessions.lastSeenAt, s.now - s.idleMs - 1000),
        gt(staffSessions.createdAt, s.now - s.maxMs),
      ),
    )
    .orderBy(desc(staffSessions.lastSeenAt));
}

/** Deletes session rows over 30 days past their end or their last use (the hourly cron). */
export async function purgeSpentSessions(db: Db, now: number): Promise<number> {
  const monthAgo = now - 30 * 24 * 3600_000;
  const result = await db
    .delete(staffSessions)
    .where(or(sql`${staffSessions.endedAt} < ${monthAgo}`, sql`${staffSessions.lastSeenAt} < ${monthAgo}`))
    .run();
  return result.meta.changes ?? 0;
}
