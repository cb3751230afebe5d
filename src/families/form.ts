/**
 * The representation record staff enter when linking an existing login to a client — the same
 * fields and rules as the Portal Login window's representative record (issue 11 item 1), which
 * this form reuses: name, relationship, legal basis, start and end dates (the end date is the first
 * day without access, required unless the basis is "parent of a minor", whose access ends at the
 * client's majority), a new record not starting in the past (agency time zone).
 */
import type { FieldErrors } from "../forms/parse";
import { LEGAL_BASES, RELATIONSHIPS } from "../db/schema";
import { parseRecord, type RecordContext, type RecordInput } from "../representatives/record-form";

/** The legal bases as staff read them. */
export const LEGAL_BASIS_LABELS: Record<(typeof LEGAL_BASES)[number], string> = {
  "parent-of-minor": "Parent of a minor",
  "court-order": "Court order",
  "health-care-proxy": "Health-care proxy/POA",
  "client-authorisation": "Client's authorisation",
};

/** The relationships as the form lists them. */
export const RELATIONSHIP_OPTIONS: Record<(typeof RELATIONSHIPS)[number], string> = {
  parent: "Parent",
  "legal-guardian": "Legal guardian",
  "spouse-partner": "Spouse/partner",
  "health-care-agent": "Health-care agent",
  "case-manager": "Case manager/social worker",
  other: "Other",
};

/**
 * Validates the Link form's record with the Portal Login window's own rules
 * (src/representatives/record-form.ts `parseRecord`, a new record: no start in the past, the end
 * date the first day WITHOUT access and after the start, required unless "parent of a minor", no
 * "parent of a minor" for a client already of age without a guardianship) — one set of rules and
 * messages for both ways of making a record. The form names the representative's field `name`
 * (the window: `repName`); the values are kept as typed for re-rendering.
 */
export function parseLinkRecord(
  body: Record<string, string | File | (string | File)[]>,
  ctx: Omit<RecordContext, "existing">,
): { ok: true; data: RecordInput } | { ok: false; errors: FieldErrors; values: Record<string, string> } {
  const result = parseRecord({ ...body, repName: body.name ?? "" }, { ...ctx, existing: null });
  if (result.ok) return result;
  const { repName, ...errors } = result.errors;
  const values = Object.fromEntries(Object.entries(body).filter((e): e is [string, string] => typeof e[1] === "string"));
  return { ok: false, errors: repName ? { ...errors, name: repName } : errors, values };
}
