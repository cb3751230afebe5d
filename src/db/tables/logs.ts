/** The two hash-chained logs (client and agency) and the sign-in throttle's counters. Part of the schema: src/db/schema.ts. */
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { agencies, clients } from "./core";

/**
 * One client's ordered, hash-chained log: Face Sheet changes, portal-login changes and portal
 * events. Written only through the client's ClientLog Durable Object, which hands out `seq` and
 * seals each entry with the log key (src/audit/chain.ts).
 */
export const clientLog = sqliteTable(
  "client_log",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    agencyId: integer("agency_id").notNull().references(() => agencies.id),
    clientId: integer("client_id").notNull().references(() => clients.id),
    seq: integer("seq").notNull(),
    /** Epoch milliseconds, UTC. */
    at: integer("at").notNull(),
    actorType: text("actor_type", { enum: ["staff", "portal", "system"] }).notNull(),
    actorId: integer("actor_id"),
    actorName: text("actor_name").notNull(),
    changeType: text("change_type").notNull(),
    description: text("description").notNull(),
    /** JSON: detail lines and the before/after of each changed field. */
    details: text("details").notNull().default("{}"),
    prevHash: text("prev_hash").notNull(),
    /** Id of the LOG_HMAC_KEYS key that sealed the entry ('' = written before entries were keyed: never verifies). */
    keyId: text("key_id").notNull().default(""),
    /** HMAC-SHA256 seal of the entry under that key. */
    hash: text("hash").notNull(),
  },
  (t) => [
    uniqueIndex("client_log_client_seq").on(t.clientId, t.seq),
    index("client_log_client_at").on(t.clientId, t.at),
    index("client_log_client_type_at").on(t.clientId, t.changeType, t.at),
    // Changes By: the people in a client's log (a skip-scan) and one person's entries (a seek).
    index("client_log_client_actor_at").on(t.clientId, t.actorName, t.at),
    index("client_log_agency_at").on(t.agencyId, t.at),
  ],
);

/**
 * One agency's ordered, hash-chained access and administration log: staff sign-ins and sign-outs,
 * exports, verifications, record views (and, later, staff and settings changes). Written only
 * through the agency's AgencyLog Durable Object, which hands out `seq` and seals each entry like
 * the client log's.
 */
export const agencyLog = sqliteTable(
  "agency_log",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    agencyId: integer("agency_id").notNull().references(() => agencies.id),
    seq: integer("seq").notNull(),
    /** Epoch milliseconds, UTC; never earlier than the entry before. */
    at: integer("at").notNull(),
    actorType: text("actor_type", { enum: ["staff", "portal", "system"] }).notNull(),
    actorId: integer("actor_id"),
    actorName: text("actor_name").notNull(),
    /** What happened, from a fixed list (src/audit/agency-log.ts), e.g. "Sign-in". */
    action: text("action").notNull(),
    description: text("description").notNull(),
    /** JSON: detail lines and structured facts (ids, results). */
    details: text("details").notNull().default("{}"),
    /** Where the request came from (CF-Connecting-IP) and the browser it named, when known. */
    ipAddress: text("ip_address"),
    userAgent: text("user_agent"),
    prevHash: text("prev_hash").notNull(),
    keyId: text("key_id").notNull(),
    hash: text("hash").notNull(),
  },
  (t) => [
    uniqueIndex("agency_log_agency_seq").on(t.agencyId, t.seq),
    index("agency_log_agency_at").on(t.agencyId, t.at, t.seq),
    index("agency_log_agency_action_at").on(t.agencyId, t.action, t.at, t.seq),
  ],
);

/**
 * Sign-in throttle counters (src/auth/throttle.ts). Every key and subject is an HMAC (THROTTLE_KEY)
 * of what it counts — an address, an account, an account on one device — so nothing typed at
 * sign-in is stored. Rows are deleted by the hourly purge once `expiresAt` has passed.
 */
export const signInThrottle = sqliteTable(
  "sign_in_throttle",
  {
    key: text("key").primaryKey(),
    /** The account the row belongs to (its HMAC), so an unlock can clear every row of it; null for an address. */
    subject: text("subject"),
    failures: integer("failures").notNull().default(0),
    /** Address and device rows: start of the counting window. Account rows: the last failure. */
    windowStart: integer("window_start").notNull(),
    /** Account rows: until when a new device is refused. */
    lockedUntil: integer("locked_until"),
    /** When the row stops changing any answer (0 for rows from before keys were HMACs: purged at once). */
    expiresAt: integer("expires_at").notNull().default(0),
  },
  (t) => [index("sign_in_throttle_subject").on(t.subject), index("sign_in_throttle_expires").on(t.expiresAt)],
);
