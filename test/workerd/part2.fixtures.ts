/**
 * Fixtures for the 42 CFR Part 2 tests: a programme marked Part 2, a representative's link to a
 * client (the portal_representations row helper A's window writes — made here directly), and a
 * consent row; plus today's date in Riverbend's time zone and a valid consent form.
 */
import { env } from "cloudflare:test";
import { agencyToday } from "../../src/layout/agency-time";

/** Luis Ortega (Riverbend): an open case in "Substance Use IOP". */
export const LUIS = 12;
export const SUD_PROGRAM = "Substance Use IOP";

/** Today, and days from it, as YYYY-MM-DD in Riverbend's zone (America/New_York). */
export function riverbendDay(offsetDays = 0): string {
  const today = agencyToday("America/New_York");
  const [y, m, d] = today.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + offsetDays)).toISOString().slice(0, 10);
}

/** Marks (or unmarks) a programme of the agency as 42 CFR Part 2. */
export async function markPart2(name = SUD_PROGRAM, part2 = true, agencyId = 1) {
  await env.DB.prepare("INSERT INTO programs (agency_id, name, part2) VALUES (?, ?, ?) ON CONFLICT (agency_id, name) DO UPDATE SET part2 = excluded.part2")
    .bind(agencyId, name, part2 ? 1 : 0)
    .run();
}

/**
 * A representative's link to a client (client's authorisation), in force from a year ago for two
 * years — a record the Portal Login window accepts (an end date is required unless the basis is
 * "parent of a minor"). It replaces the record createLogin gives a representative login. Returns its id.
 */
export async function createRepresentation(loginId: number, clientId: number, opts: { agencyId?: number; name?: string; endedAt?: number | null } = {}): Promise<number> {
  const row = await env.DB.prepare(
    `INSERT INTO portal_representations (agency_id, login_id, client_id, name, relationship, legal_basis, start_date, end_date, ended_at, created_at)
     VALUES (?, ?, ?, ?, 'parent', 'client-authorisation', ?, ?, ?, ?) ON CONFLICT (login_id, client_id) DO UPDATE SET name = excluded.name, relationship = excluded.relationship, legal_basis = excluded.legal_basis, start_date = excluded.start_date, end_date = excluded.end_date, ended_at = excluded.ended_at RETURNING id`,
  )
    .bind(opts.agencyId ?? 1, loginId, clientId, opts.name ?? "Rosa Ortega", riverbendDay(-365), riverbendDay(365), opts.endedAt ?? null, Date.now())
    .first<{ id: number }>();
  return row!.id;
}

export interface ConsentSpec {
  expiresOn?: string | null;
  expiryEvent?: string | null;
  revokedAt?: number | null;
  supersededAt?: number | null;
  eventOccurredAt?: number | null;
  agencyId?: number;
}

/** A consent row for a representation, by default current (expires in 90 days). Returns its id. */
export async function createConsent(representationId: number, clientId: number, spec: ConsentSpec = {}): Promise<number> {
  const row = await env.DB.prepare(
    `INSERT INTO part2_consents (agency_id, representation_id, client_id, client_name, discloser, recipient, purpose, information,
       expires_on, expiry_event, event_occurred_at, signed_on, right_to_revoke_stated, created_at, revoked_at, superseded_at)
     VALUES (?, ?, ?, 'Luis Ortega', 'Riverbend Behavioral Health', 'Rosa Ortega', 'Support in treatment', 'Attendance and progress', ?, ?, ?, ?, 1, ?, ?, ?) RETURNING id`,
  )
    .bind(
      spec.agencyId ?? 1,
      representationId,
      clientId,
      spec.expiresOn === undefined ? riverbendDay(90) : spec.expiresOn,
      spec.expiryEvent ?? null,
      spec.eventOccurredAt ?? null,
      riverbendDay(-1),
      Date.now(),
      spec.revokedAt ?? null,
      spec.supersededAt ?? null,
    )
    .first<{ id: number }>();
  return row!.id;
}

/** The representative record's fields of the Portal Login window, as createRepresentation stores them (start: a new record's today). */
export function recordFields(startDate = riverbendDay(-365)): Record<string, string> {
  return { repName: "Rosa Ortega", relationship: "parent", legalBasis: "client-authorisation", startDate, endDate: riverbendDay(365) };
}

/** A consent form with every §2.31 element, as the window would submit it; `overrides` replace or (undefined) drop fields. */
export function consentForm(overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const form: Record<string, string | undefined> = {
    clientName: "Luis Ortega",
    discloser: "Riverbend Behavioral Health",
    recipient: "Rosa Ortega",
    purpose: "To support Luis in his treatment",
    information: "Attendance, treatment plan and progress; not counselling notes",
    expiresOn: riverbendDay(180),
    expiryEvent: "",
    signedOn: riverbendDay(0),
    signedBy: "client",
    signerAuthority: "",
    rightToRevoke: "on",
    ...overrides,
  };
  return Object.fromEntries(Object.entries(form).filter((e): e is [string, string] => e[1] !== undefined));
}

export interface ConsentRow {
  id: number;
  representation_id: number;
  client_name: string;
  discloser: string;
  recipient: string;
  purpose: string;
  information: string;
  expires_on: string | null;
  expiry_event: string | null;
  event_occurred_at: number | null;
  signed_on: string;
  signer_authority: string | null;
  right_to_revoke_stated: number;
  signed_on_paper: number;
  created_by: number | null;
  revoked_at: number | null;
  revoked_by: number | null;
  superseded_at: number | null;
}

/** A representation's consents, oldest first. */
export async function consentRows(representationId: number): Promise<ConsentRow[]> {
  return (await env.DB.prepare("SELECT * FROM part2_consents WHERE representation_id = ? ORDER BY id").bind(representationId).all<ConsentRow>()).results;
}
