/**
 * Fixtures for the families tests: representation rows made straight in D1 (as staff's linking
 * would leave them) and a parent's login linked to several clients.
 */
import { env } from "cloudflare:test";
import { agencyToday } from "../../src/layout/agency-time";
import { createSettledLogin, type CreatedLogin } from "./portal.fixtures";

/** Today in Riverbend's time zone (the demo agencies' dates are in their own zone). */
export async function riverbendToday(): Promise<string> {
  const row = await env.DB.prepare("SELECT timezone FROM agencies WHERE id = 1").first<{ timezone: string }>();
  return agencyToday(row!.timezone);
}

export interface RepresentationSpec {
  agencyId?: number;
  relationship?: string;
  legalBasis?: string;
  startDate?: string;
  endDate?: string | null;
  endedAt?: number | null;
  name?: string;
}

/** Inserts a representation of `loginId` for `clientId` (in force from today, for a year, by default); returns its id. */
export async function linkRepresentation(loginId: number, clientId: number, spec: RepresentationSpec = {}): Promise<number> {
  const today = await riverbendToday();
  const row = await env.DB.prepare(
    `INSERT INTO portal_representations (agency_id, login_id, client_id, name, relationship, legal_basis, start_date, end_date, ended_at, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (login_id, client_id) DO UPDATE SET name = excluded.name, relationship = excluded.relationship, legal_basis = excluded.legal_basis, start_date = excluded.start_date, end_date = excluded.end_date, ended_at = excluded.ended_at RETURNING id`,
  )
    .bind(
      spec.agencyId ?? 1,
      loginId,
      clientId,
      spec.name ?? "Pat Doe",
      spec.relationship ?? "parent",
      spec.legalBasis ?? "client-authorisation",
      spec.startDate ?? today,
      spec.endDate === undefined ? `${Number(today.slice(0, 4)) + 1}${today.slice(4)}` : spec.endDate,
      spec.endedAt ?? null,
      Date.now(),
    )
    .first<{ id: number }>();
  return row!.id;
}

/** A representative login of Riverbend created for the first client and linked to each of `clientIds`. */
export async function parentOf(clientIds: number[], relationships: Record<number, string> = {}): Promise<CreatedLogin> {
  const login = await createSettledLogin({ clientId: clientIds[0], representative: true });
  for (const id of clientIds) await linkRepresentation(login.id, id, { relationship: relationships[id] ?? "parent" });
  return login;
}

/** The client this session row chose (portal_sessions.client_id). */
export async function chosenClient(loginId: number): Promise<number | null> {
  const row = await env.DB.prepare("SELECT client_id FROM portal_sessions WHERE login_id = ? AND ended_at IS NULL ORDER BY created_at DESC LIMIT 1")
    .bind(loginId)
    .first<{ client_id: number | null }>();
  return row?.client_id ?? null;
}
