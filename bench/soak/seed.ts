/**
 * The soak's people, added to the demo data of a throwaway database before the app starts: staff
 * members (one per virtual staff user) and portal logins with a known password already chosen
 * (so virtual users sign in at once instead of going through the emailed temporary password),
 * spread over Riverbend's twelve demo clients. Passwords are Argon2id PHC strings made here with
 * the same wasm build and parameters as src/auth/password.ts.
 */
import initialize from "@phi-ag/argon2/node";

export const SOAK_AGENCY = { id: 1, slug: "riverbend" };
/** Riverbend's demo clients (scripts/demo-data.ts: ids 1–12). */
export const SOAK_CLIENTS = Array.from({ length: 12 }, (_, i) => i + 1);
export const STAFF_PASSWORD = "soak-staff-password-2026";
export const PORTAL_PASSWORD = "soak-portal-passphrase-2026";

export interface SoakPeople {
  staff: { email: string }[];
  /** Portal users that sign in, read and log out; `id` is the row id the seed gives them. */
  portal: { id: number; username: string; clientId: number }[];
  /** Logins that only ever get wrong passwords (they lock). */
  victims: { id: number; username: string; clientId: number }[];
}

const q = (v: string | number) => (typeof v === "number" ? String(v) : `'${v.replace(/'/g, "''")}'`);

/** The people for `portalUsers` portal users, `victims` locking logins and `staff` staff members. */
export function soakPeople(n: { portalUsers: number; victims: number; staff: number }): SoakPeople {
  // Login ids start well above anything the demo data or a test fixture makes.
  let id = 10_000;
  const login = (prefix: string, i: number) => ({ id: ++id, username: `${prefix}${String(i + 1).padStart(3, "0")}`, clientId: SOAK_CLIENTS[i % SOAK_CLIENTS.length]! });
  return {
    staff: Array.from({ length: n.staff }, (_, i) => ({ email: `soak-staff-${i + 1}@riverbend.test` })),
    portal: Array.from({ length: n.portalUsers }, (_, i) => login("soak.p", i)),
    victims: Array.from({ length: n.victims }, (_, i) => login("soak.v", i)),
  };
}

/** SQL that adds the people (run after the demo data). */
export async function soakSeedStatements(people: SoakPeople): Promise<string[]> {
  const argon2 = await initialize();
  const hash = (p: string) => argon2.hash(p, { memoryCost: 19456, timeCost: 2, parallelism: 1, hashLength: 32, type: 2, version: 19 }).encoded;
  const staffHash = hash(STAFF_PASSWORD);
  const portalHash = hash(PORTAL_PASSWORD);
  const now = Date.now();
  const out = people.staff.map(
    (s, i) => `INSERT INTO staff_users (agency_id, name, email, role, password_hash, active) VALUES (${SOAK_AGENCY.id}, ${q(`Soak Staff ${i + 1}`)}, ${q(s.email)}, 'staff', ${q(staffHash)}, 1)`,
  );
  for (const l of [...people.portal, ...people.victims]) {
    out.push(
      `INSERT INTO portal_logins (id, agency_id, client_id, username, username_key, email, representative, active, password_hash, must_change_password, temp_password_expires_at, session_version, failed_attempts, email_status, credential_method, created_at) ` +
        `VALUES (${l.id}, ${SOAK_AGENCY.id}, ${l.clientId}, ${q(l.username)}, ${q(l.username.toLowerCase())}, ${q(`${l.username}@example.com`)}, 0, 1, ${q(portalHash)}, 0, NULL, 1, 0, 'sent', 'password', ${now})`,
    );
  }
  return out;
}
