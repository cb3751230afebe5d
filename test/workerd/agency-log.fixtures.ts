/**
 * For the Agency Log tests: a browser whose every request also waits for the Worker's background
 * work (waitUntil), where security events are recorded — so a test reads the log once the event
 * is in, without sleeping; and the agency's log rows straight from D1.
 */
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { AGENCY_LOG, type AgencyAction } from "../../src/audit/agency-log";
import { GENESIS_HASH, insertSql, sealWith } from "../../src/audit/chain";
import type { Actor } from "../../src/audit/entry";
import { parseLogKeys } from "../../src/audit/keys";
import worker from "../../src/index";
import { Browser } from "./fixtures";

export class WaitingBrowser extends Browser {
  protected override async send(url: URL, init: RequestInit): Promise<Response> {
    const ctx = createExecutionContext();
    const res = await worker.fetch(new Request(url, init), env, ctx);
    await waitOnExecutionContext(ctx);
    return res;
  }
}

/** An agency_log row as D1 returns it. */
export interface AgencyLogRow {
  id: number;
  agency_id: number;
  seq: number;
  at: number;
  actor_type: string;
  actor_id: number | null;
  actor_name: string;
  action: string;
  description: string;
  details: string;
  ip_address: string | null;
  user_agent: string | null;
  prev_hash: string;
  key_id: string;
  hash: string;
}

/** The agency's log rows in sequence order. */
export async function agencyLogRows(agencyId: number): Promise<AgencyLogRow[]> {
  const { results } = await env.DB.prepare("SELECT * FROM agency_log WHERE agency_id = ? ORDER BY seq").bind(agencyId).all<AgencyLogRow>();
  return results;
}

/** The newest row of the agency's log. */
export async function lastAgencyEntry(agencyId: number): Promise<AgencyLogRow | undefined> {
  return (await agencyLogRows(agencyId)).at(-1);
}

export interface SeedAgencyEntry {
  at: number;
  actor: Actor;
  action: AgencyAction;
  description: string;
  ipAddress?: string | null;
  userAgent?: string | null;
}

/**
 * Writes a correctly sealed and chained agency log straight into D1 (times chosen by the test).
 * Only for an agency whose AgencyLog has not been used in the file yet: the object takes its head
 * from D1 on first use, so it carries on from here.
 */
export async function seedAgencyLog(agencyId: number, entries: SeedAgencyEntry[]): Promise<void> {
  const keys = parseLogKeys(env.LOG_HMAC_KEYS);
  let prevHash = GENESIS_HASH;
  const statements = entries.map((e, i) => {
    const fields = {
      actorType: e.actor.type,
      actorId: e.actor.id,
      actorName: e.actor.name,
      action: e.action,
      description: e.description,
      details: "{}",
      ipAddress: e.ipAddress ?? null,
      userAgent: e.userAgent ?? null,
    };
    const sealed = sealWith(AGENCY_LOG, keys, fields, { stream: agencyId, seq: i + 1, at: e.at, prevHash });
    prevHash = sealed.hash;
    const s = insertSql(AGENCY_LOG, sealed, { guarded: false, idempotent: false });
    return env.DB.prepare(s.sql).bind(...s.params);
  });
  for (let i = 0; i < statements.length; i += 100) await env.DB.batch(statements.slice(i, i + 100));
}
