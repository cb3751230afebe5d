/**
 * Every Client Portal login of one agency, filtered and paged by keyset (never OFFSET): pages run
 * in username order on the (agency_id, username_key) index, and "after"/"before" name the username
 * a page continues from. A status is worked out by the same functions as the Face Sheet's Client
 * Portal table (src/portal-logins/status.ts), so the two always agree: SQL narrows the rows by
 * what the login row says (active, locked, temporary or chosen password, email state), then each
 * row's exact status decides. Every query is scoped to the agency, and the client is joined on the
 * same agency.
 */
import { and, asc, desc, eq, gt, or, sql, type SQL } from "drizzle-orm";
import type { Db } from "../db";
import { clients, portalLogins, portalRepresentations } from "../db/schema";
import { linkLockInForce, linksOfLogins, type LoginLinks } from "../clients/portal-links";
import { emailDelivery, loginStatus, type LoginStatus } from "../portal-logins/status";
import { portalAccess, type MinorSettings } from "../representatives/access";
import { accessFactsColumns, accessFactsOf, representationJoin } from "../representatives/facts";
import { part2ConsentHoldsSql } from "../part2/rule";
import type { AccountsFilter, StatusFilter } from "./filters";

/** One row of the list (and of the CSV). */
export interface PortalAccount {
  id: number;
  username: string;
  usernameKey: string;
  email: string;
  representative: boolean;
  active: boolean;
  status: LoginStatus;
  /** "sent", "failed", or null when no credentials email was due. */
  delivery: "sent" | "failed" | null;
  lastLoginAt: number | null;
  client: { id: number; clientNumber: string; firstName: string; lastName: string; refusedPortalLogin: boolean };
}

export interface AccountsPage {
  accounts: PortalAccount[];
  /** The username the next page starts after, when there are more. */
  after?: string;
  /** The username the previous page ends before, when this isn't the first page. */
  before?: string;
}

/**
 * What a status check needs: now, how long a link's date-of-birth lock holds, and — for the access
 * rule (src/representatives/access.ts), as on the Face Sheet — the agency's today and minors settings.
 */
export interface StatusClock {
  now: number;
  lockHoldMs: number;
  agencyId: number;
  today: string;
  minors: MinorSettings;
}

/** Rows read per round while a status filter drops rows SQL couldn't rule out. */
const BATCH = 100;
/** Rounds per page at most: past them the page ends early and Next carries on from there. */
const MAX_ROUNDS = 20;

const notLocked = (now: number) => sql`(${portalLogins.lockedUntil} IS NULL OR ${portalLogins.lockedUntil} <= ${now})`;

/** The SQL part of a status filter: every login of that status passes it (a few others may too). */
function statusWhere(status: StatusFilter, clock: StatusClock): SQL {
  const { now } = clock;
  switch (status) {
    case "Inactive":
      return eq(portalLogins.active, false);
    case "Locked":
      return and(eq(portalLogins.active, true), or(gt(portalLogins.lockedUntil, now), linkLockInForce(now, clock)))!;
    case "Active":
      return and(eq(portalLogins.active, true), eq(portalLogins.mustChangePassword, false), notLocked(now))!;
    case "Invited":
      return and(eq(portalLogins.active, true), eq(portalLogins.mustChangePassword, true), notLocked(now))!;
    case "Expired":
      return and(
        eq(portalLogins.active, true),
        eq(portalLogins.mustChangePassword, true),
        notLocked(now),
        or(sql`${portalLogins.passwordHash} IS NULL`, sql`${portalLogins.tempPasswordExpiresAt} <= ${now}`),
      )!;
    case "Email not sent":
      return or(eq(portalLogins.emailStatus, "failed"), and(eq(portalLogins.mustChangePassword, true), sql`${portalLogins.emailStatus} IS NOT 'sent'`))!;
    case "Refused":
      return eq(clients.refusedPortalLogin, true);
  }
}

/** Whether the row, with its exact status worked out, is one the filter asks for. */
function matches(status: StatusFilter | "", a: PortalAccount): boolean {
  switch (status) {
    case "":
      return true;
    case "Locked":
      return a.status === "Locked" || a.status === "Link locked";
    case "Expired":
      return a.status === "Expired" || a.status === "Link expired";
    case "Email not sent":
      return a.delivery === "failed";
    case "Refused":
      return a.client.refusedPortalLogin;
    default:
      return a.status === status;
  }
}

/**
 * Search: the start of the username or of the email, any case. The matches are found on the two
 * indexes (agency, username_key) and (agency, lower(email)) — a short list of ids — and the page is
 * read by those ids; the unary + keeps SQLite from walking the agency's username index instead.
 */
function searchWhere(agencyId: number, q: string): SQL[] {
  const key = q.toLowerCase();
  if (!key) return [eq(portalLogins.agencyId, agencyId)];
  const end = key + "\u{10FFFF}";
  const matches = sql`SELECT id FROM portal_logins WHERE agency_id = ${agencyId} AND username_key >= ${key} AND username_key < ${end}
    UNION ALL SELECT id FROM portal_logins WHERE agency_id = ${agencyId} AND lower(email) >= ${key} AND lower(email) < ${end}`;
  return [sql`+${portalLogins.agencyId} = ${agencyId}`, sql`${portalLogins.id} IN (${matches})`];
}

const columns = {
  id: portalLogins.id,
  username: portalLogins.username,
  usernameKey: portalLogins.usernameKey,
  email: portalLogins.email,
  representative: portalLogins.representative,
  active: portalLogins.active,
  passwordHash: portalLogins.passwordHash,
  mustChangePassword: portalLogins.mustChangePassword,
  tempPasswordExpiresAt: portalLogins.tempPasswordExpiresAt,
  lockedUntil: portalLogins.lockedUntil,
  emailStatus: portalLogins.emailStatus,
  lastLoginAt: portalLogins.lastLoginAt,
  clientId: clients.id,
  clientNumber: clients.clientNumber,
  firstName: clients.firstName,
  lastName: clients.lastName,
  refusedPortalLogin: clients.refusedPortalLogin,
  ...accessFactsColumns,
};
/**
 * The login and its client, joined on the same agency, with the access rule's facts for that
 * client (its representation row, and whether 42 CFR Part 2 lets it in today) in the same read.
 */
const accountRows = (db: Db, clock: StatusClock) =>
  db
    .select({
      ...columns,
      part2Holds: sql<number>`${part2ConsentHoldsSql(clock.agencyId, sql`${portalLogins.clientId}`, sql`${portalLogins.id}`, clock.today)}`.as("part2_holds"),
    })
    .from(portalLogins)
    .innerJoin(clients, and(eq(clients.id, portalLogins.clientId), eq(clients.agencyId, portalLogins.agencyId)))
    .leftJoin(portalRepresentations, representationJoin(portalLogins.clientId));
type Row = Awaited<ReturnType<ReturnType<typeof accountRows>["all"]>>[number];

/** The access rule's verdict for the row, exactly as the Face Sheet's Client Portal table works it out. */
const accessOfRow = (r: Row, clock: StatusClock) =>
  portalAccess({ ...accessFactsOf(r), part2ConsentHolds: r.accRepresentative ? Boolean(r.part2Holds) : null }, clock.today, clock.minors);

function toAccount(r: Row, links: LoginLinks | undefined, clock: StatusClock): PortalAccount {
  return {
    id: r.id,
    username: r.username,
    usernameKey: r.usernameKey,
    email: r.email,
    representative: r.representative,
    active: r.active,
    status: loginStatus(r, clock.now, links, clock, accessOfRow(r, clock)),
    delivery: emailDelivery(r, links),
    lastLoginAt: r.lastLoginAt,
    client: { id: r.clientId, clientNumber: r.clientNumber, firstName: r.firstName, lastName: r.lastName, refusedPortalLogin: r.refusedPortalLogin },
  };
}

/**
 * Up to `limit` matching accounts from a position, in username order (`forward`) or backwards,
 * and, when more may follow in that direction, the username to carry on from.
 */
async function scan(
  db: Db,
  agencyId: number,
  filter: AccountsFilter,
  clock: StatusClock,
  from: { key?: string; forward: boolean },
  limit: number,
): Promise<{ found: PortalAccount[]; resume?: string }> {
  const found: PortalAccount[] = [];
  const base = [...searchWhere(agencyId, filter.q), filter.status ? statusWhere(filter.status, clock) : undefined];
  // While searching, the page position is checked row by row, not used to walk the username index.
  const username = filter.q ? sql`+${portalLogins.usernameKey}` : portalLogins.usernameKey;
  let key = from.key;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const rows = await accountRows(db, clock)
      .where(and(...base, key === undefined ? undefined : from.forward ? sql`${username} > ${key}` : sql`${username} < ${key}`))
      .orderBy(from.forward ? asc(portalLogins.usernameKey) : desc(portalLogins.usernameKey))
      .limit(BATCH)
      .all();
    const links = await linksOfLogins(db, agencyId, rows.map((r) => r.id));
    for (const r of rows) {
      const account = toAccount(r, links[r.id], clock);
      if (!matches(filter.status, account)) continue;
      if (found.length === limit) return { found, resume: found.at(-1)!.usernameKey };
      found.push(account);
    }
    if (rows.length < BATCH) return { found };
    key = rows.at(-1)!.usernameKey;
  }
  // Out of rounds (a rare status among many rows): Next carries on from the last row looked at.
  return { found, resume: key };
}

/**
 * One page of the agency's portal accounts: the first page, the page after `after`, or the page
 * before `before` (Previous), each at most `limit` long, in username order.
 */
export async function listPortalAccounts(
  db: Db,
  agencyId: number,
  filter: AccountsFilter,
  at: { after?: string; before?: string },
  limit: number,
  clock: StatusClock,
): Promise<AccountsPage> {
  if (at.before !== undefined) {
    const { found, resume } = await scan(db, agencyId, filter, clock, { key: at.before, forward: false }, limit);
    const accounts = found.reverse();
    return { accounts, before: resume !== undefined && accounts.length ? accounts[0]!.usernameKey : undefined, after: accounts.at(-1)?.usernameKey ?? at.before };
  }
  const { found, resume } = await scan(db, agencyId, filter, clock, { key: at.after, forward: true }, limit);
  return { accounts: found, after: resume, before: at.after !== undefined && found.length ? found[0]!.usernameKey : undefined };
}

/** Every matching account, a page at a time, in username order: what the CSV streams. */
export async function* allPortalAccounts(db: Db, agencyId: number, filter: AccountsFilter, clock: StatusClock): AsyncGenerator<PortalAccount[]> {
  let after: string | undefined;
  for (;;) {
    const page = await listPortalAccounts(db, agencyId, filter, { after }, 200, clock);
    if (page.accounts.length) yield page.accounts;
    if (!page.after) return;
    after = page.after;
  }
}
