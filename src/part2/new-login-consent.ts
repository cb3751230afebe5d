/**
 * A new representative login's 42 CFR Part 2 consent, entered in the Add window with the login and
 * its record and written in the same batch (issue 11 item 3): so staff adding a parent's login for
 * a client in a Part 2 programme Save once, instead of saving it inactive, opening Edit for the
 * consent and saving again to make it active.
 *
 * The consent is asked for when the client has an open case in a Part 2 programme and the login is
 * a representative's. It is required for an active login; for an inactive one it is recorded when
 * any of its elements was entered (and then checked like any consent), else left for later.
 */
import { sql, type SQL } from "drizzle-orm";
import { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import type { Statement } from "../audit/chained-log";
import type { LoginSideChange } from "../clients/portal-logins";
import type { Db } from "../db";
import type { FieldErrors } from "../forms/parse";
import { parseConsentForm, prefilledConsent, type ConsentInput, type ConsentValues } from "./consent-form";
import { consentLines } from "./consents";
import { NEW_LOGIN_NEEDS_CONSENT, part2ConsentRequired } from "./rule";

const dialect = new SQLiteSyncDialect();

/** The elements staff type (the prefilled ones — client, agency, signed by — don't count). */
const TYPED = ["purpose", "information", "expiresOn", "expiryEvent", "signedOn", "rightToRevoke", "signedOnPaper", "signerAuthority"];

/** The Add window's consent fields when it opens: null when the client needs none. */
export async function newLoginConsentOnOpen(db: Db, q: { agencyId: number; clientId: number; clientName: string; agencyName: string }): Promise<ConsentValues | null> {
  if (!(await part2ConsentRequired(db, q.agencyId, q.clientId))) return null;
  return prefilledConsent({ clientName: q.clientName, agencyName: q.agencyName, representativeName: "" });
}

export interface NewLoginConsentCheck {
  /** The fields to show again (null: the client needs no consent). */
  values: ConsentValues | null;
  errors: FieldErrors;
  /** The consent to record with the login, or null. */
  consent: ConsentInput | null;
}

/**
 * Checks the Add window's consent for a new login. `today` is the agency's (YYYY-MM-DD). No
 * consent needed: nothing to check. Needed but nothing typed: an active login is refused at
 * Active (NEW_LOGIN_NEEDS_CONSENT); an inactive one is saved without a consent.
 */
export async function checkNewLoginConsent(
  db: Db,
  q: { agencyId: number; clientId: number; representative: boolean; active: boolean; today: string; body: Record<string, string | File | (string | File)[]> },
): Promise<NewLoginConsentCheck> {
  if (!(await part2ConsentRequired(db, q.agencyId, q.clientId))) return { values: null, errors: {}, consent: null };
  const values = Object.fromEntries(Object.entries(q.body).filter((e): e is [string, string] => typeof e[1] === "string"));
  if (!q.representative) return { values, errors: {}, consent: null };
  const typed = TYPED.some((name) => (values[name] ?? "").trim() !== "");
  if (!typed) return { values, errors: q.active ? { active: NEW_LOGIN_NEEDS_CONSENT } : {}, consent: null };
  const form = parseConsentForm(q.body, q.today);
  return form.ok ? { values, errors: {}, consent: form.data } : { values, errors: form.errors, consent: null };
}

/**
 * The login's side change (its record) with the consent added: inserted for the record just
 * written in the same batch (found by the new login's id), with its lines in the entry.
 */
export function withNewLoginConsent(side: LoginSideChange, consent: ConsentInput, q: { agencyId: number; clientId: number; username: string; actorId: number; now: number }): LoginSideChange {
  return {
    ...side,
    statements: (loginId) => [...side.statements(loginId), consentStatement(loginId, consent, q)],
    lines: [...side.lines, "42 CFR Part 2 consent recorded:", ...consentLines(consent, q.username).filter((l) => !l.startsWith("Portal login: "))],
    portalLine: side.portalLine ? `${side.portalLine}; 42 CFR Part 2 consent recorded` : "42 CFR Part 2 consent recorded",
  };
}

// Only after the record's upsert landed (changes() > 0), and only for that record.
function consentStatement(loginId: SQL, c: ConsentInput, q: { agencyId: number; clientId: number; actorId: number; now: number }): Statement {
  const query = sql`INSERT INTO part2_consents (agency_id, representation_id, client_id, client_name, discloser, recipient, purpose, information,
      expires_on, expiry_event, signed_on, signer_authority, right_to_revoke_stated, signed_on_paper, created_at, created_by)
    SELECT ${q.agencyId}, r.id, ${q.clientId}, ${c.clientName}, ${c.discloser}, ${c.recipient}, ${c.purpose}, ${c.information},
      ${c.expiresOn || null}, ${c.expiryEvent || null}, ${c.signedOn}, ${c.signerAuthority || null}, 1, ${c.signedOnPaper ? 1 : 0}, ${q.now}, ${q.actorId}
    FROM portal_representations r
    WHERE r.login_id = (${loginId}) AND r.client_id = ${q.clientId} AND r.agency_id = ${q.agencyId} AND r.ended_at IS NULL AND changes() > 0`;
  const { sql: text, params } = dialect.sqlToQuery(query);
  return { sql: text, params };
}
