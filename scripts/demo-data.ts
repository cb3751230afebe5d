/**
 * The local demo data (README lists it). Used by `npm start` on an empty database and by the
 * tests; never by a migration, so production never gets these accounts.
 */

export const DEMO_PASSWORD = "demo-password-2026";

type Client = [first: string, last: string, dob: string, address: string, city: string, state: string, zip: string, phone: string, email: string, cases: [string, string, string, string | null][]];

const riverbend: Client[] = [
  ["Maria", "Alvarez", "1987-03-14", "41 Elm Street, Apt 2", "Albany", "NY", "12207", "(518) 555-0142", "maria.alvarez@example.com", [["RB-24-0101", "Outpatient Counseling", "2024-02-05", null]]],
  ["James", "Okafor", "1979-11-02", "9 Quail Street", "Albany", "NY", "12206", "(518) 555-0177", "", [["RB-23-0458", "Substance Use IOP", "2023-06-12", "2023-12-15"], ["RB-25-0032", "Outpatient Counseling", "2025-01-20", null]]],
  ["Priya", "Natarajan", "1992-06-21", "220 Madison Avenue", "Albany", "NY", "12203", "(518) 555-0119", "priya.n@example.com", [["RB-25-0210", "Outpatient Counseling", "2025-04-02", null]]],
  ["Daniel", "Kowalski", "1968-01-30", "17 River Road", "Troy", "NY", "12180", "(518) 555-0163", "dkowalski@example.net", [["RB-22-0912", "Medication Management", "2022-09-14", null]]],
  ["Aisha", "Mohammed", "2001-09-09", "88 Lark Street", "Albany", "NY", "12210", "(518) 555-0104", "aisha.m@example.org", [["RB-25-0388", "Young Adult Program", "2025-07-08", null]]],
  ["Thomas", "Brennan", "1955-04-17", "3 Cedar Lane", "Delmar", "NY", "12054", "(518) 555-0191", "", [["RB-21-0044", "Substance Use IOP", "2021-01-11", "2021-05-30"], ["RB-24-0600", "Outpatient Counseling", "2024-10-01", null]]],
  ["Sofia", "Rossi", "1996-12-03", "140 Western Avenue", "Albany", "NY", "12203", "(518) 555-0128", "sofia.rossi@example.com", [["RB-26-0015", "Outpatient Counseling", "2026-01-06", null]]],
  ["Marcus", "Johnson", "1984-07-25", "55 Second Avenue", "Watervliet", "NY", "12189", "(518) 555-0150", "mjohnson@example.com", [["RB-23-0777", "Residential Care", "2023-11-20", null]]],
  ["Emily", "Chen", "1999-02-11", "12 Partridge Street", "Albany", "NY", "12206", "(518) 555-0133", "emily.chen@example.com", [["RB-25-0501", "Outpatient Counseling", "2025-09-15", null]]],
  ["Robert", "Hill", "1971-10-08", "600 Broadway", "Schenectady", "NY", "12305", "(518) 555-0186", "", [["RB-24-0333", "Medication Management", "2024-05-22", null]]],
  ["Grace", "Park", "2009-05-19", "27 Maple Drive", "Latham", "NY", "12110", "(518) 555-0112", "park.family@example.com", [["RB-26-0102", "Youth and Family", "2026-03-03", null]]],
  ["Luis", "Ortega", "1963-08-27", "", "", "", "", "(518) 555-0170", "", [["RB-26-0240", "Substance Use IOP", "2026-06-17", null]]],
];

const lakeside: Client[] = [
  ["Hannah", "Weiss", "1990-01-15", "5 Shore Road", "Lake George", "NY", "12845", "(518) 555-0201", "hannah.w@example.com", [["LS-25-0011", "Residential Care", "2025-03-10", null]]],
  ["Omar", "Haddad", "1982-05-05", "71 Canada Street", "Lake George", "NY", "12845", "(518) 555-0202", "", [["LS-24-0140", "Substance Use IOP", "2024-08-19", null]]],
  ["Chloe", "Martin", "1998-10-30", "300 Glen Street", "Glens Falls", "NY", "12801", "(518) 555-0203", "chloe.martin@example.com", [["LS-26-0020", "Outpatient Counseling", "2026-02-02", null]]],
  ["Kevin", "O'Brien", "1975-07-07", "18 Bay Road", "Queensbury", "NY", "12804", "(518) 555-0204", "kobrien@example.net", [["LS-23-0301", "Residential Care", "2023-04-04", "2023-10-01"], ["LS-25-0099", "Outpatient Counseling", "2025-05-05", null]]],
  ["Marta", "Alvarez", "1988-02-22", "9 Ridge Road", "Glens Falls", "NY", "12801", "(518) 555-0205", "marta.alvarez@example.com", [["LS-26-0044", "Outpatient Counseling", "2026-04-14", null]]],
];

// Riverbend's two siblings for the families journeys (issue 11): a 15-year-old with an open case in
// a programme marked 42 CFR Part 2 (so a representative needs a consent) and a 12-year-old sister.
// Added after Lakeside's, so the other clients keep their ids (Dylan 18, Ava 19: R-1013, R-1014).
const riverbendSiblings: Client[] = [
  ["Dylan", "Brooks", "2011-06-14", "31 Orchard Street", "Cohoes", "NY", "12047", "(518) 555-0231", "brooks.family@example.com", [["RB-26-0311", "Adolescent Substance Use", "2026-09-08", null]]],
  ["Ava", "Brooks", "2014-02-03", "31 Orchard Street", "Cohoes", "NY", "12047", "(518) 555-0231", "brooks.family@example.com", [["RB-26-0312", "Youth and Family", "2026-09-08", null]]],
];

/** The demo programmes marked 42 CFR Part 2 (Administration › Programmes). */
const part2Programmes: [agencyId: number, name: string][] = [[1, "Adolescent Substance Use"]];

const q = (v: string | number | boolean | null): string =>
  v === null ? "NULL" : typeof v === "number" ? String(v) : typeof v === "boolean" ? (v ? "1" : "0") : `'${v.replace(/'/g, "''")}'`;

/** SQL statements that create the demo agencies, staff and clients; `passwordHash` for all staff. */
export function demoStatements(passwordHash: string): string[] {
  const out: string[] = [
    `INSERT INTO agencies (id, name, slug, portal_enabled, timezone) VALUES (1, ${q("Riverbend Behavioral Health")}, 'riverbend', 1, 'America/New_York')`,
    `INSERT INTO agencies (id, name, slug, portal_enabled, timezone) VALUES (2, ${q("Lakeside Recovery Center")}, 'lakeside', 0, 'America/New_York')`,
    `INSERT INTO staff_users (agency_id, name, email, role, password_hash, active) VALUES (1, 'Dana Whitfield', 'admin@riverbend.test', 'admin', ${q(passwordHash)}, 1)`,
    `INSERT INTO staff_users (agency_id, name, email, role, password_hash, active) VALUES (1, 'Sam Ortiz', 'staff@riverbend.test', 'staff', ${q(passwordHash)}, 1)`,
    `INSERT INTO staff_users (agency_id, name, email, role, password_hash, active) VALUES (2, 'Lee Harper', 'admin@lakeside.test', 'admin', ${q(passwordHash)}, 1)`,
    // Last, so the earlier staff keep their ids: read-only, for audits (src/auth/permissions.ts).
    `INSERT INTO staff_users (agency_id, name, email, role, password_hash, active) VALUES (1, 'Robin Achebe', 'auditor@riverbend.test', 'auditor', ${q(passwordHash)}, 1)`,
  ];
  let id = 0;
  const add = (agencyId: number, prefix: string, start: number, list: Client[]) =>
    list.forEach(([first, last, dob, address, city, state, zip, phone, email, clientCases], i) => {
      id += 1;
      out.push(
        `INSERT INTO clients (id, agency_id, client_number, first_name, last_name, first_name_key, last_name_key, date_of_birth, residence_address, residence_city, residence_state, residence_zip, residence_phone, residence_email) VALUES (${id}, ${agencyId}, ${q(`${prefix}-${start + i}`)}, ${q(first)}, ${q(last)}, ${q(first.toLowerCase())}, ${q(last.toLowerCase())}, ${q(dob)}, ${q(address)}, ${q(city)}, ${q(state)}, ${q(zip)}, ${q(phone)}, ${q(email)})`,
      );
      for (const [caseNumber, program, opened, closed] of clientCases) {
        out.push(
          `INSERT INTO cases (agency_id, client_id, case_number, program, opened_on, closed_on) VALUES (${agencyId}, ${id}, ${q(caseNumber)}, ${q(program)}, ${q(opened)}, ${q(closed)})`,
        );
      }
    });
  add(1, "R", 1001, riverbend);
  add(2, "L", 2001, lakeside);
  add(1, "R", 1001 + riverbend.length, riverbendSiblings);
  for (const [agencyId, name] of part2Programmes) out.push(`INSERT INTO programs (agency_id, name, part2) VALUES (${agencyId}, ${q(name)}, 1)`);
  return out;
}

/**
 * Demo portal logins (`npm start` only, not the tests' seed): representatives with proper records
 * (src/representatives/), so the Client Portal table, the portal and Reports Menu › Representative
 * expiries have something to show. Password `demo-password-2026` (already chosen: no first-password
 * step). `today` is the agency's today (YYYY-MM-DD) when the data is loaded: the case worker's
 * access ends 10 days later, so it appears in the expiries list.
 */
export function demoPortalStatements(passwordHash: string, today: string, now: number): string[] {
  const [y, m, d] = today.split("-").map(Number) as [number, number, number];
  const inTenDays = new Date(Date.UTC(y, m - 1, d + 10)).toISOString().slice(0, 10);
  const login = (id: number, clientId: number, username: string, email: string) =>
    `INSERT INTO portal_logins (id, agency_id, client_id, username, username_key, email, representative, active, password_hash, must_change_password, temp_password_expires_at, credential_method, created_at) VALUES (${id}, 1, ${clientId}, ${q(username)}, ${q(username.toLowerCase())}, ${q(email)}, 1, 1, ${q(passwordHash)}, 0, NULL, 'password', ${now})`;
  const record = (loginId: number, clientId: number, name: string, relationship: string, basis: string, start: string, end: string | null) =>
    `INSERT INTO portal_representations (agency_id, login_id, client_id, name, relationship, legal_basis, start_date, end_date, guardianship, created_at) VALUES (1, ${loginId}, ${clientId}, ${q(name)}, ${q(relationship)}, ${q(basis)}, ${q(start)}, ${end === null ? "NULL" : q(end)}, 0, ${now})`;
  return [
    // Grace Park (11, born 2009-05-19): her mother, parent of a minor — access ends on her 18th birthday.
    login(1, 11, "helen.park", "helen.park@example.com"),
    record(1, 11, "Helen Park", "parent", "parent-of-minor", "2026-03-03", null),
    // Luis Ortega (12): his county case worker, on his authorisation, ending in 10 days.
    login(2, 12, "dev.patel", "dev.patel@county.example.gov"),
    record(2, 12, "Dev Patel", "case-manager", "client-authorisation", "2026-06-17", inTenDays),
  ];
}
