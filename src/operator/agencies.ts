/**
 * Creating an agency and its first admin (the operator's start-up step): the agency, the admin
 * without a password, and the admin's invitation link are one D1 batch — all or nothing. The
 * unique indexes (agency slug; staff email, across agencies) decide races; a duplicate is
 * reported per field, never as a failure.
 */
import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../db";
import { agencies, staffUsers } from "../db/schema";
import { issueLinkStatements } from "../staff-credentials/links";

const isTimeZone = (zone: string) => {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

/** The JSON the operator sends. Unknown keys are refused, so a typo is an error, not a default. */
export const newAgencyInput = z.strictObject({
  name: z.string({ error: "Give the agency's name." }).trim().min(1, "Give the agency's name.").max(120, "Use at most 120 characters."),
  slug: z
    .string({ error: "Give a slug." })
    .trim()
    .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, "Use 1–63 lower-case letters, digits and hyphens, starting and ending with a letter or digit (it is the portal's address: /portal/<slug>).")
    // A slug is a name, never mistakable for an id anywhere it is read or logged.
    .regex(/[a-z]/, "Use at least one letter: a slug of digits alone could be taken for an agency's number."),
  portalEnabled: z.boolean({ error: "Say whether the agency has the Client Portal (true or false)." }),
  timezone: z
    .string()
    .trim()
    .refine(isTimeZone, "Use an IANA time zone, e.g. America/New_York.")
    .default("America/New_York"),
  adminName: z.string({ error: "Give the first admin's name." }).trim().min(1, "Give the first admin's name.").max(120, "Use at most 120 characters."),
  adminEmail: z
    .string({ error: "Give the first admin's email." })
    .trim()
    .max(254, "That is longer than any email address.")
    .pipe(z.email("Give an email address, like name@example.org."))
    .transform((e) => e.toLowerCase()),
});
export type NewAgency = z.infer<typeof newAgencyInput>;

export type DuplicateErrors = Partial<Record<"slug" | "adminEmail", string>>;

/** Which of the slug and the email are taken already (each field's message), or null. */
export async function duplicatesOf(db: Db, input: Pick<NewAgency, "slug" | "adminEmail">): Promise<DuplicateErrors | null> {
  const [slugs, emails] = await db.batch([
    db.select({ id: agencies.id }).from(agencies).where(eq(agencies.slug, input.slug)),
    db.select({ id: staffUsers.id }).from(staffUsers).where(eq(staffUsers.email, input.adminEmail)),
  ]);
  const errors: DuplicateErrors = {};
  if (slugs.length) errors.slug = `An agency with the slug "${input.slug}" already exists.`;
  if (emails.length) errors.adminEmail = "A staff account with this email already exists (staff emails are unique across agencies).";
  return Object.keys(errors).length ? errors : null;
}

export type CreateOutcome =
  | { kind: "created"; agencyId: number; adminId: number; token: string; expiresAt: number }
  | { kind: "duplicate"; errors: DuplicateErrors };

/** Creates the agency, its first admin (no password) and the admin's invitation link together. */
export async function createAgencyWithAdmin(db: Db, input: NewAgency, now: number): Promise<CreateOutcome> {
  const taken = await duplicatesOf(db, input);
  if (taken) return { kind: "duplicate", errors: taken };
  const link = issueLinkStatements(db, { email: input.adminEmail, purpose: "invite", now });
  try {
    const [agencyRows, adminRows] = await db.batch([
      db
        .insert(agencies)
        .values({ name: input.name, slug: input.slug, portalEnabled: input.portalEnabled, timezone: input.timezone })
        .returning({ id: agencies.id }),
      db
        .insert(staffUsers)
        .values({
          agencyId: sql`(SELECT ${agencies.id} FROM ${agencies} WHERE ${agencies.slug} = ${input.slug})`,
          name: input.adminName,
          email: input.adminEmail,
          role: "admin",
          passwordHash: null,
        })
        .returning({ id: staffUsers.id }),
      ...link.statements,
    ]);
    return { kind: "created", agencyId: agencyRows[0]!.id, adminId: adminRows[0]!.id, token: link.token, expiresAt: link.expiresAt };
  } catch (err) {
    // Someone else took the slug or the email between the check and the batch: say which.
    const raced = await duplicatesOf(db, input);
    if (raced) return { kind: "duplicate", errors: raced };
    throw err;
  }
}

