/**
 * What the Portal Login window's Save needs from this feature, in one call: the minors rules, the
 * representative record's rules, and — when they pass — the record's change as a side change of
 * the login's commit (src/clients/portal-login-create.ts, portal-login-update.ts), with its
 * before → after lines.
 */
import type { LoginSideChange } from "../clients/portal-logins";
import type { FieldErrors } from "../forms/parse";
import type { PortalRepresentation } from "../db/schema";
import { sharedEmailProblem, ownLoginTooYoung } from "./minors";
import type { LoginAround } from "./queries";
import { recordChanges, endRecordStatement, recordGuard, upsertRecordStatement } from "./record";
import { parseRecord } from "./record-form";

export interface RepresentationSaveInput {
  agencyId: number;
  client: { id: number; firstName: string; dateOfBirth: string };
  settings: { minorOwnLoginAge: number; ageOfMajority: number };
  /** The agency's today, YYYY-MM-DD. */
  today: string;
  now: number;
  body: Record<string, string | File | (string | File)[]>;
  representative: boolean;
  active: boolean;
  email: string;
  /** Editing: the login's id; adding: undefined. */
  loginId?: number;
  /** The login's record for this client as stored (editing), or null. */
  existing: PortalRepresentation | null;
  /** The other logins around the client (loginsAroundClient). */
  around: LoginAround[];
}

/** Field errors (nothing to write), or the side change for the login's commit (none: no record involved). */
export function representationSave(input: RepresentationSaveInput): { errors: FieldErrors; side?: LoginSideChange } {
  const errors: FieldErrors = {};
  const { client, today } = input;
  // 1. Minors: no own login under the minimum age (one saved inactive is allowed: it can't sign in).
  if (!input.representative && input.active) {
    const young = ownLoginTooYoung(client, today, input.settings.minorOwnLoginAge);
    if (young) errors.representative = young;
  }
  // 2. A minor's own login and the representatives never share an email.
  const clash = sharedEmailProblem({ client, today, ageOfMajority: input.settings.ageOfMajority, email: input.email, representative: input.representative, loginId: input.loginId, around: input.around });
  if (clash) errors.email = clash;

  const live = input.existing && input.existing.endedAt === null ? input.existing : null;
  const versionSeen = Number(typeof input.body.recordVersion === "string" ? input.body.recordVersion : NaN);
  const guard =
    input.loginId === undefined
      ? undefined
      : recordGuard({ agencyId: input.agencyId, clientId: client.id, loginId: input.loginId, version: Number.isSafeInteger(versionSeen) ? versionSeen : (input.existing?.version ?? 0) });

  // 3. The record: required for a representative, checked field by field.
  if (input.representative) {
    const record = parseRecord(input.body, { today, existing: live, client, ageOfMajority: input.settings.ageOfMajority });
    if (!record.ok) return { errors: { ...errors, ...record.errors } };
    if (Object.keys(errors).length > 0) return { errors };
    const { lines, deltas } = recordChanges(live, record.data);
    const changed = lines.length > 0;
    return {
      errors,
      side: {
        statements: (loginId) => (changed ? [upsertRecordStatement({ agencyId: input.agencyId, clientId: client.id, loginId, record: record.data, now: input.now })] : []),
        lines,
        deltas,
        portalLine: changed ? (live ? "Representative record updated" : "Representative record added") : null,
        guard,
      },
    };
  }
  if (Object.keys(errors).length > 0) return { errors };
  // 4. No longer a representative: the record ends (kept as history).
  if (live && input.loginId !== undefined) {
    const loginId = input.loginId;
    return {
      errors,
      side: {
        statements: () => [endRecordStatement({ agencyId: input.agencyId, clientId: client.id, loginId, now: input.now })],
        lines: ["Representative record ended"],
        deltas: [{ field: "representative.ended", before: false, after: true }],
        portalLine: "Representative record ended",
        guard,
      },
    };
  }
  return { errors, side: guard ? { statements: () => [], lines: [], deltas: [], portalLine: null, guard } : undefined };
}
