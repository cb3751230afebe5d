/** How relationships, legal bases and record dates read to people (window, table, log, lists). */
import type { LegalBasis, Relationship } from "../db/tables/representatives";
import { usDate } from "../layout/agency-time";

export const RELATIONSHIP_LABELS: Record<Relationship, string> = {
  parent: "Parent",
  "legal-guardian": "Legal guardian",
  "spouse-partner": "Spouse/partner",
  "health-care-agent": "Health-care agent",
  "case-manager": "Case manager/social worker",
  other: "Other",
};

export const LEGAL_BASIS_LABELS: Record<LegalBasis, string> = {
  "parent-of-minor": "Parent of a minor",
  "court-order": "Court order",
  "health-care-proxy": "Health-care proxy/POA",
  "client-authorisation": "Client's authorisation",
};

/** A YYYY-MM-DD date as staff read dates here: "05/19/2027" (the app's one US date format). */
export const showDate = (iso: string): string => usDate(iso);

/** "18th", "21st": the age of majority as a birthday. */
export function ordinal(n: number): string {
  const rem = n % 100;
  if (rem >= 11 && rem <= 13) return `${n}th`;
  return `${n}${({ 1: "st", 2: "nd", 3: "rd" } as Record<number, string>)[n % 10] ?? "th"}`;
}

/** The relationship as written: its label, or the words staff typed for "other". */
export const relationshipText = (r: { relationship: Relationship; relationshipOther: string | null }) =>
  r.relationship === "other" && r.relationshipOther ? `Other: ${r.relationshipOther}` : RELATIONSHIP_LABELS[r.relationship];
