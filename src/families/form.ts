/**
 * The representation record staff enter when linking an existing login to a client — the same
 * fields and rules as the Portal Login window's representative record (issue 11 item 1), which
 * this form reuses: name, relationship, legal basis, start and end dates (the end date is the first
 * day without access, required unless the basis is "parent of a minor", whose access ends at the
 * client's majority), a new record not starting in the past (agency time zone).
 */
import type { FieldErrors } from "../forms/parse";
import { parseRecord, recordValuesFromBody, type RecordContext, type RecordInput, type RecordValues } from "../representatives/record-form";

/**
 * Validates the Link form's record with the Portal Login window's own rules and field names
 * (src/representatives/record-form.ts `parseRecord`, a new record: no start in the past, the end
 * date the first day WITHOUT access and after the start, required unless "parent of a minor", no
 * "parent of a minor" for a client already of age without a guardianship) — one set of rules and
 * messages for both ways of making a record; the values are kept as typed for re-rendering.
 */
export function parseLinkRecord(
  body: Record<string, string | File | (string | File)[]>,
  ctx: Omit<RecordContext, "existing">,
): { ok: true; data: RecordInput } | { ok: false; errors: FieldErrors; values: RecordValues } {
  const result = parseRecord(body, { ...ctx, existing: null });
  return result.ok ? result : { ok: false, errors: result.errors, values: recordValuesFromBody(body) };
}
