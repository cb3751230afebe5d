/**
 * The minors' email rule (src/representatives/minors.ts) across a login's links: one login acts for
 * several clients (families), so an email saved from one client's Face Sheet must also not be the
 * own login's email of any OTHER minor client the login acts for — else a parent could take on a
 * linked child's mailbox (and so its reset links) by an Edit made on a sibling's Face Sheet.
 */
import { sql } from "drizzle-orm";
import type { Db } from "../db";
import { sharedEmailProblem } from "./minors";
import { loginsAroundClient } from "./queries";

/**
 * The message for the email field when `email` clashes with a login around another client that
 * login `loginId` acts for (its own client, or a link not ended) other than `exceptClientId`;
 * null when it doesn't. Clients of age are skipped by the rule itself.
 */
export async function sharedEmailAcrossLinks(
  db: Db,
  q: { agencyId: number; loginId: number; exceptClientId: number; email: string; representative: boolean; today: string; ageOfMajority: number },
): Promise<string | null> {
  const others = await db.all<{ id: number; firstName: string; dateOfBirth: string }>(sql`SELECT c.id, c.first_name AS firstName, c.date_of_birth AS dateOfBirth
    FROM clients c
    WHERE c.agency_id = ${q.agencyId} AND c.id <> ${q.exceptClientId}
      AND (c.id IN (SELECT l.client_id FROM portal_logins l WHERE l.id = ${q.loginId} AND l.agency_id = ${q.agencyId})
        OR c.id IN (SELECT r.client_id FROM portal_representations r WHERE r.login_id = ${q.loginId} AND r.agency_id = ${q.agencyId} AND r.ended_at IS NULL))`);
  for (const client of others) {
    const around = await loginsAroundClient(db, q.agencyId, client.id);
    const clash = sharedEmailProblem({ client, today: q.today, ageOfMajority: q.ageOfMajority, email: q.email, representative: q.representative, loginId: q.loginId, around });
    if (clash) return clash;
  }
  return null;
}
