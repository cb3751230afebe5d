/**
 * The representation record staff enter when linking an existing login to a client — the same
 * fields and rules as the Portal Login window's representative record (issue 11 item 1): name,
 * relationship, legal basis, start and end dates (the end required unless the basis is "parent of
 * a minor", whose access ends at the client's majority), end not before start, a new record not
 * starting in the past (agency time zone).
 */
import { z } from "zod";
import { dateField } from "../forms/dates";
import { checkbox } from "../forms/parse";
import { plainText } from "../forms/text";
import { LEGAL_BASES, RELATIONSHIPS } from "../db/schema";

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

/** The Link form for a day `today` (YYYY-MM-DD, agency time zone). */
export function linkForm(today: string) {
  return z
    .object({
      loginId: z.string().regex(/^[1-9][0-9]{0,15}$/, "Choose a login to link.").transform(Number),
      name: plainText("Representative's name").trim().min(1, "Enter the representative's name.").max(100, "Use at most 100 characters."),
      relationship: z.enum(RELATIONSHIPS, { message: "Choose the relationship to the client." }),
      relationshipOther: plainText("Relationship").trim().max(60, "Use at most 60 characters.").default(""),
      legalBasis: z.enum(LEGAL_BASES, { message: "Choose the legal basis." }),
      startDate: dateField("Start date"),
      endDate: dateField("End date"),
      guardianship: checkbox(),
    })
    .superRefine((v, ctx) => {
      const issue = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
      if (v.relationship === "other" && v.relationshipOther === "") issue("relationshipOther", "Say what the relationship is.");
      if (v.startDate === "") issue("startDate", "Enter the start date.");
      else if (v.startDate < today) issue("startDate", "A new record can't start in the past: use today or a later date.");
      if (v.endDate === "" && v.legalBasis !== "parent-of-minor") issue("endDate", "Enter the end date (only a parent of a minor's access ends by itself, at the client's majority).");
      if (v.endDate !== "" && v.startDate !== "" && v.endDate < v.startDate) issue("endDate", "The end date can't be before the start date.");
    });
}

export type LinkValues = z.infer<ReturnType<typeof linkForm>>;
