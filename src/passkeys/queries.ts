/**
 * Passkey rows, for either kind of owner: staff members' in staff_passkeys, portal logins' in
 * portal_passkeys (the same columns, the owner in `staff_id` or `login_id`). Lists and changes
 * name the owner and their agency; sign-in looks a passkey up by its credential ID within a scope
 * (any staff member, or one agency's portal logins) and then trusts only the owner it names.
 */
import { and, asc, eq, lt, or, sql, type SQL } from "drizzle-orm";
import type { Db } from "../db";
import { portalPasskeys, staffPasskeys, staffRecoveryCodes, staffTotp } from "../db/schema";
import type { OwnerKind, PasskeyOwner, SignInScope } from "./owner";
import type { Statement } from "../audit/chained-log";

/** A passkey as the ceremonies and pages see it, whoever owns it. */
export interface PasskeyRow {
  id: string;
  ownerId: number;
  agencyId: number;
  name: string;
  publicKey: string;
  counter: number;
  transports: string;
  createdAt: number;
  lastUsedAt: number | null;
}

/**
 * The table of a kind of owner, and its owner column. Both tables have the same columns but the
 * owner's, so every query below is written once against the staff table's shape: the cast is
 * the one place that relies on that (schema.ts keeps the two definitions side by side).
 */
function tableOf(kind: OwnerKind) {
  const table = (kind === "staff" ? staffPasskeys : portalPasskeys) as unknown as typeof staffPasskeys;
  const owner = (kind === "staff" ? staffPasskeys.staffId : portalPasskeys.loginId) as unknown as typeof staffPasskeys.staffId;
  return { table, owner };
}

function columns(kind: OwnerKind) {
  const { table: t, owner } = tableOf(kind);
  return {
    id: t.id,
    ownerId: owner,
    agencyId: t.agencyId,
    name: t.name,
    publicKey: t.publicKey,
    counter: t.counter,
    transports: t.transports,
    createdAt: t.createdAt,
    lastUsedAt: t.lastUsedAt,
  };
}

/** The owner's own rows: this owner, this agency. */
function ownedBy(o: PasskeyOwner): SQL {
  const { table, owner } = tableOf(o.kind);
  return and(eq(owner, o.id), eq(table.agencyId, o.agencyId))!;
}

/** The owner's passkeys, oldest first. */
export function listPasskeys(db: Db, o: PasskeyOwner): Promise<PasskeyRow[]> {
  const { table } = tableOf(o.kind);
  return db.select(columns(o.kind)).from(table).where(ownedBy(o)).orderBy(asc(table.createdAt), asc(table.id)).all();
}

/** One of the owner's passkeys; null when it isn't theirs or doesn't exist. */
export async function findOwnPasskey(db: Db, o: PasskeyOwner, id: string): Promise<PasskeyRow | null> {
  const { table } = tableOf(o.kind);
  const row = await db
    .select(columns(o.kind))
    .from(table)
    .where(and(eq(table.id, id), ownedBy(o)))
    .get();
  return row ?? null;
}

/** A passkey by credential ID within a sign-in scope (any staff member's, or one agency's portal logins'); null when none. */
export async function findPasskey(db: Db, scope: SignInScope, id: string): Promise<PasskeyRow | null> {
  const { table } = tableOf(scope.kind);
  const row = await db
    .select(columns(scope.kind))
    .from(table)
    .where(and(eq(table.id, id), scope.kind === "portal" ? eq(table.agencyId, scope.agencyId) : undefined))
    .get();
  return row ?? null;
}

/** A newly registered passkey's columns. */
export interface NewPasskeyRow {
  id: string;
  name: string;
  publicKey: string;
  counter: number;
  transports: string[];
}

function insertQuery(db: Db, o: PasskeyOwner, p: NewPasskeyRow, now: number) {
  const values = { ...p, transports: JSON.stringify(p.transports), agencyId: o.agencyId, createdAt: now };
  return o.kind === "staff"
    ? db.insert(staffPasskeys).values({ ...values, staffId: o.id }).onConflictDoNothing()
    : db.insert(portalPasskeys).values({ ...values, loginId: o.id }).onConflictDoNothing();
}

/** Stores a newly registered passkey; false when that credential is already registered. */
export async function insertPasskey(db: Db, o: PasskeyOwner, p: NewPasskeyRow, now: number): Promise<boolean> {
  const result = await insertQuery(db, o, p, now).run();
  return (result.meta.changes ?? 0) === 1;
}

/** The same, as a statement for a batch that commits it with a log entry (changes no row if already registered). */
export function insertPasskeyStatement(db: Db, o: PasskeyOwner, p: NewPasskeyRow, now: number): Statement {
  return insertQuery(db, o, p, now).toSQL();
}

/** A sign-in's use of a passkey: which one, whose, the counter it had and the one it reports. */
export interface PasskeyUse {
  passkeyId: string;
  owner: PasskeyOwner;
  seenCounter: number;
  newCounter: number;
}

/**
 * The UPDATE that records a sign-in with a passkey: its new signature counter and the time.
 * Conditional on the counter moving forward (or staying 0, for authenticators that keep none)
 * from the value the check saw, so an assertion can't be replayed and a cloned authenticator
 * shows up as a refusal; `alsoIf` adds the caller's conditions (e.g. the owner may still sign in).
 */
function passkeyUseUpdate(db: Db, use: PasskeyUse, now: number, alsoIf?: SQL) {
  const { table } = tableOf(use.owner.kind);
  const forward = use.newCounter === 0 ? eq(table.counter, 0) : lt(table.counter, use.newCounter);
  return db
    .update(table)
    .set({ counter: use.newCounter, lastUsedAt: now })
    .where(and(eq(table.id, use.passkeyId), ownedBy(use.owner), eq(table.counter, use.seenCounter), forward, alsoIf));
}

/** Records a passkey's use now; false when refused (see passkeyUseUpdate). */
export async function recordPasskeyUse(db: Db, use: PasskeyUse, now: number): Promise<boolean> {
  const { table } = tableOf(use.owner.kind);
  const rows = await passkeyUseUpdate(db, use, now).returning({ id: table.id });
  return rows.length === 1;
}

/** The same, as a statement for a batch that commits it with other writes (a log entry). */
export function passkeyUseStatement(db: Db, use: PasskeyUse, now: number, alsoIf?: SQL): Statement {
  return passkeyUseUpdate(db, use, now, alsoIf).toSQL();
}

/** Renames one of the owner's passkeys; false when it isn't theirs. */
export async function renamePasskey(db: Db, o: PasskeyOwner, id: string, name: string): Promise<boolean> {
  const { table } = tableOf(o.kind);
  const rows = await db
    .update(table)
    .set({ name })
    .where(and(eq(table.id, id), ownedBy(o)))
    .returning({ id: table.id });
  return rows.length === 1;
}

/** Removes one of the owner's passkeys, as a statement for the commit that logs it (changes no row when it isn't theirs). */
export function removePasskeyStatement(db: Db, o: PasskeyOwner, id: string): Statement {
  const { table } = tableOf(o.kind);
  return db
    .delete(table)
    .where(and(eq(table.id, id), ownedBy(o)))
    .toSQL();
}

/**
 * Removes one of a staff member's passkeys. With `keepOneFactor` (the agency requires two-factor)
 * it is refused when it is the member's last second factor — no other passkey and no TOTP —
 * checked inside the same DELETE, so two removals at once can't both pass. Recovery codes go with
 * the last factor. False when refused or not theirs.
 */
export async function removeStaffPasskey(db: Db, staff: { id: number; agencyId: number }, id: string, keepOneFactor: boolean): Promise<boolean> {
  const otherPasskey = sql`EXISTS (SELECT 1 FROM ${staffPasskeys} o WHERE o.staff_id = ${staff.id} AND o.id <> ${id})`;
  const totpOn = sql`EXISTS (SELECT 1 FROM ${staffTotp} t WHERE t.staff_id = ${staff.id} AND t.confirmed_at IS NOT NULL)`;
  const noFactorLeft = sql`NOT EXISTS (SELECT 1 FROM ${staffPasskeys} o WHERE o.staff_id = ${staff.id}) AND NOT ${totpOn}`;
  const [removed] = await db.batch([
    db
      .delete(staffPasskeys)
      .where(
        and(
          eq(staffPasskeys.id, id),
          eq(staffPasskeys.staffId, staff.id),
          eq(staffPasskeys.agencyId, staff.agencyId),
          keepOneFactor ? or(otherPasskey, totpOn) : undefined,
        ),
      )
      .returning({ id: staffPasskeys.id }),
    db.delete(staffRecoveryCodes).where(and(eq(staffRecoveryCodes.staffId, staff.id), eq(staffRecoveryCodes.agencyId, staff.agencyId), noFactorLeft)),
  ]);
  return removed.length === 1;
}
