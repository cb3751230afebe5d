/**
 * The representative record's fields in the Portal Login window (shown when Representative is
 * checked) and their rules. Dates are YYYY-MM-DD in the agency's time zone; `today` is the
 * agency's. The messages are what staff read next to each field.
 */
import { z } from "zod";
import { dateField } from "../forms/dates";
import { parseForm } from "../forms/parse";
import { plainText } from "../forms/text";
import type { FieldErrors } from "../forms/parse";
import { LEGAL_BASES, RELATIONSHIPS, type LegalBasis, type PortalRepresentation, type Relationship } from "../db/schema";
import { ageOn, birthdayAt } from "./access";
import { ordinal, showDate } from "./labels";

/** The record as typed, kept for re-rendering. */
export interface RecordValues {
  repName: string;
  relationship: string;
  relationshipOther: string;
  legalBasis: string;
  startDate: string;
  endDate: string;
  guardianship: boolean;
}

/** A valid record, ready to write. */
export interface RecordInput {
  name: string;
  relationship: Relationship;
  relationshipOther: string | null;
  legalBasis: LegalBasis;
  startDate: string;
  endDate: string | null;
  guardianship: boolean;
}

export const EMPTY_RECORD: RecordValues = { repName: "", relationship: "", relationshipOther: "", legalBasis: "", startDate: "", endDate: "", guardianship: false };

const recordForm = z.object({
  repName: plainText("Representative's name").trim().min(1, "Enter the representative's name.").max(100, "The name must be 100 characters or fewer."),
  relationship: z.enum(RELATIONSHIPS, { error: "Choose the relationship to the client." }),
  relationshipOther: plainText("Relationship (other)").trim().max(60, "Describe the relationship in 60 characters or fewer.").default(""),
  legalBasis: z.enum(LEGAL_BASES, { error: "Choose the legal basis for the representative's access." }),
  startDate: dateField("start date"),
  endDate: dateField("end date"),
});

/** The window's record values from a submitted form. */
export function recordValuesFromBody(body: Record<string, unknown>): RecordValues {
  const str = (k: string) => (typeof body[k] === "string" ? (body[k] as string) : "");
  return {
    repName: str("repName"),
    relationship: str("relationship"),
    relationshipOther: str("relationshipOther"),
    legalBasis: str("legalBasis"),
    startDate: str("startDate"),
    endDate: str("endDate"),
    guardianship: body.guardianship === "on" || body.guardianship === "true" || body.guardianship === "1",
  };
}

/** The values a stored record opens the window with. */
export function recordValuesOf(r: PortalRepresentation): RecordValues {
  return {
    repName: r.name,
    relationship: r.relationship,
    relationshipOther: r.relationshipOther ?? "",
    legalBasis: r.legalBasis,
    startDate: r.startDate,
    endDate: r.endDate ?? "",
    guardianship: r.guardianship,
  };
}

export interface RecordContext {
  /** The agency's today, YYYY-MM-DD. */
  today: string;
  /** The record as stored (editing one), or null: a new record, whose start can't be in the past. */
  existing: PortalRepresentation | null;
  client: { firstName: string; dateOfBirth: string };
  ageOfMajority: number;
}

/**
 * Validates the record: every field's own rule, then end after start, no past start for a new
 * record (nor a start moved into the past), an end date unless the basis is "parent of a minor"
 * (whose end is the client's birthday at the age of majority), and no "parent of a minor" for a
 * client who is already of age unless a court-ordered guardianship is recorded.
 */
export function parseRecord(body: Record<string, string | File | (string | File)[]>, ctx: RecordContext): { ok: true; data: RecordInput } | { ok: false; errors: FieldErrors } {
  const parsed = parseForm(recordForm, body);
  const errors: FieldErrors = parsed.ok ? {} : { ...parsed.errors };
  const v = parsed.ok ? parsed.data : null;
  const typed = recordValuesFromBody(body);
  const guardianship = typed.guardianship;
  const basis = typed.legalBasis;
  // The dates are checked against each other even when another field is wrong: every message at once.
  const dateOf = (field: "startDate" | "endDate") => {
    const r = recordForm.shape[field].safeParse(typed[field]);
    return r.success ? r.data : null;
  };
  const start = dateOf("startDate");
  const end = dateOf("endDate");
  if (!errors.startDate && start === "") errors.startDate = "Enter the start date.";
  if (!errors.relationshipOther && body.relationship === "other" && !(typeof body.relationshipOther === "string" && body.relationshipOther.trim())) {
    errors.relationshipOther = "Say what the relationship is.";
  }
  if (start && !errors.startDate && start < ctx.today && start !== ctx.existing?.startDate) {
    errors.startDate = ctx.existing
      ? `The start date can't be moved into the past. Keep ${showDate(ctx.existing.startDate)}, or use today (${showDate(ctx.today)}) or later.`
      : `The start date can't be in the past for a new record. Use today (${showDate(ctx.today)}) or later.`;
  }
  if (end !== null && !errors.endDate) {
    if (end === "" && basis !== "parent-of-minor") errors.endDate = "Enter the end date (required unless the legal basis is Parent of a minor).";
    else if (end !== "" && start && end <= start) errors.endDate = "The end date must be after the start date: access ends on the end date.";
  }
  if (basis === "parent-of-minor" && !guardianship && !errors.legalBasis) {
    const age = ageOn(ctx.client.dateOfBirth, ctx.today);
    if (age >= ctx.ageOfMajority) {
      errors.legalBasis = `${ctx.client.firstName} is ${age}, past the ${ordinal(ctx.ageOfMajority)} birthday (${showDate(birthdayAt(ctx.client.dateOfBirth, ctx.ageOfMajority))}): Parent of a minor no longer applies. Record the court order (check Court-ordered guardianship) or choose another basis.`;
    }
  }
  if (Object.keys(errors).length > 0 || !v) return { ok: false, errors };
  return {
    ok: true,
    data: {
      name: v.repName,
      relationship: v.relationship,
      relationshipOther: v.relationship === "other" ? v.relationshipOther : null,
      legalBasis: v.legalBasis,
      startDate: v.startDate,
      endDate: v.endDate === "" ? null : v.endDate,
      guardianship: v.legalBasis === "parent-of-minor" ? guardianship : false,
    },
  };
}
