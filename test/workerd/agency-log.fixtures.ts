/**
 * For the Agency Log tests: a browser whose every request also waits for the Worker's background
 * work (waitUntil), where security events are recorded — so a test reads the log once the event
 * is in, without sleeping; and the agency's log rows straight from D1.
 */
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
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
