/**
 * THE access rule of a portal login to one client (issue 11, PRODUCT.md "Representatives,
 * families and minors"): one pure function, no I/O, so every gate — the portal session on every
 * request, password and passkey sign-in, emailed links, Forgot password?, the staff table's
 * status and the hourly cron — decides the same way from the same facts. The facts are read in the
 * same D1 round trip each gate already makes (`accessFactsColumns`, src/representatives/facts.ts).
 *
 * Dates are YYYY-MM-DD in the agency's time zone; `today` is computed there (agencyToday).
 * A representation's `start_date` is the first day of access and its `end_date` the first day
 * WITHOUT access ("on the end date the login stops working"), like the majority birthday of a
 * parent of a minor: access holds while start_date <= today < end_date.
 */
import type { LegalBasis } from "../db/tables/representatives";

/** The login's own standing, whatever client it is checked against. */
export interface LoginFacts {
  active: boolean;
  /** Staff blocked this person (custody conflicts): epoch ms, or null. */
  blockedAt: number | null;
  representative: boolean;
}

/** One representation (portal_representations row) of the login for the client; null: none. */
export interface RepresentationFacts {
  legalBasis: LegalBasis;
  startDate: string;
  endDate: string | null;
  guardianship: boolean;
  /** Staff ended this link. */
  endedAt: number | null;
}

export interface AccessFacts {
  login: LoginFacts;
  /** The client's date of birth, YYYY-MM-DD. */
  clientDateOfBirth: string;
  representation: RepresentationFacts | null;
  /**
   * 42 CFR Part 2 (issue 11 item 3, src/part2/): undefined or null when no consent is required
   * (no open case in a Part 2 programme); true/false whether a current consent holds. The wiring
   * (the SQL that fills it) belongs to the Part 2 feature.
   */
  part2ConsentHolds?: boolean | null;
}

/** The agency's minors settings (effectiveSettings). */
export interface MinorSettings {
  minorOwnLoginAge: number;
  ageOfMajority: number;
}

/** Why access doesn't hold; the first that applies, in this order. */
export type AccessDenial =
  | "inactive"
  | "blocked"
  /** A client's own login, the client younger than the agency's minimum age for one. */
  | "under-age"
  /** A representative login with no representation for this client (older rows: staff must record it). */
  | "no-record"
  /** Staff ended the link. */
  | "ended"
  | "not-started"
  /** The end date has come. */
  | "end-date"
  /** Parent of a minor: the client has come of age (no court-ordered guardianship recorded). */
  | "majority"
  | "part2-consent";

export type AccessVerdict = { ok: true } | { ok: false; reason: AccessDenial };

/** The denials that are an end of access by time (the status "Expired (representative)", the cron's entry). */
export const ENDED_BY_TIME: readonly AccessDenial[] = ["end-date", "majority"];

/**
 * The day the person born on `dateOfBirth` turns `age`, as YYYY-MM-DD. Born on 29 February: in a
 * year without one, the birthday is 1 March (the day after 28 February), as SQLite's
 * date(dob, '+N years') also computes it.
 *
 * @example birthdayAt("2008-02-29", 18) // "2026-03-01"
 */
export function birthdayAt(dateOfBirth: string, age: number): string {
  const [y, m, d] = dateOfBirth.split("-").map(Number) as [number, number, number];
  // Date.UTC rolls 29 February of a common year over to 1 March.
  return new Date(Date.UTC(y + age, m - 1, d)).toISOString().slice(0, 10);
}

/** Whole years of age on `today` (both YYYY-MM-DD). */
export function ageOn(dateOfBirth: string, today: string): number {
  const years = Number(today.slice(0, 4)) - Number(dateOfBirth.slice(0, 4));
  return birthdayAt(dateOfBirth, years) <= today ? years : years - 1;
}

/**
 * When a representation's access ends by time, and why: the earlier of its end date and — for a
 * parent of a minor without a court-ordered guardianship — the client's birthday at the age of
 * majority. Null: it doesn't end by time.
 */
export function representationEnd(r: Pick<RepresentationFacts, "legalBasis" | "endDate" | "guardianship">, dateOfBirth: string, ageOfMajority: number): { date: string; reason: "end-date" | "majority" } | null {
  const majority = r.legalBasis === "parent-of-minor" && !r.guardianship ? birthdayAt(dateOfBirth, ageOfMajority) : null;
  if (r.endDate && (!majority || r.endDate <= majority)) return { date: r.endDate, reason: "end-date" };
  return majority ? { date: majority, reason: "majority" } : null;
}

/**
 * Whether a portal login may act for a client today. Pure: the facts in, the verdict out.
 *
 * @example
 *   portalAccess({ login, clientDateOfBirth: "2010-05-19", representation }, agencyToday(tz), settings)
 *   // { ok: false, reason: "majority" } on and after 2028-05-19 for a parent of a minor
 */
export function portalAccess(facts: AccessFacts, today: string, settings: MinorSettings): AccessVerdict {
  const { login, representation: r } = facts;
  const deny = (reason: AccessDenial): AccessVerdict => ({ ok: false, reason });
  if (!login.active) return deny("inactive");
  if (login.blockedAt !== null) return deny("blocked");
  if (!login.representative) {
    return ageOn(facts.clientDateOfBirth, today) < settings.minorOwnLoginAge ? deny("under-age") : { ok: true };
  }
  if (!r) return deny("no-record");
  if (r.endedAt !== null) return deny("ended");
  if (today < r.startDate) return deny("not-started");
  const end = representationEnd(r, facts.clientDateOfBirth, settings.ageOfMajority);
  if (end && today >= end.date) return deny(end.reason);
  if (facts.part2ConsentHolds === false) return deny("part2-consent");
  return { ok: true };
}
