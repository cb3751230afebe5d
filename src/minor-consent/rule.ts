/**
 * A minor who consented to their own substance-use or mental-health treatment controls that
 * information (HIPAA 45 CFR 164.502(g)(3)): staff flag the case (`cases.minor_consented`), and
 * representatives then see no data from it. Today that is the client-log entries tied to the case
 * (`details.caseId`) on the portal's Activity; the portal shows no other case information yet.
 */
import { sql, type SQL } from "drizzle-orm";

/**
 * SQL for a WHERE clause on client_log: the entry is not tied to one of the client's cases that a
 * minor consented to. Entries tied to no case pass (json_extract gives NULL: kept, not dropped).
 */
export function notFromMinorConsentedCaseSql(agencyId: number, clientId: number): SQL {
  return sql`COALESCE(json_extract(client_log.details, '$.caseId') IN (SELECT id FROM cases
    WHERE agency_id = ${agencyId} AND client_id = ${clientId} AND minor_consented = 1), 0) = 0`;
}
