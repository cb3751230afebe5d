/**
 * How a login's status reads on staff pages (the Face Sheet's Client Portal table, Client Portal
 * Accounts). "Active" is the seed's column and checkbox (the login may sign in); a status of
 * "Active" beside it would mean something else (the user chose a password), so that status reads
 * "In use": one word, one meaning.
 */
import type { LoginStatus } from "./status";

/** The badge's look per status. */
export const STATUS_BADGE: Record<LoginStatus, string> = {
  Invited: "badge",
  Active: "badge ok",
  Inactive: "badge",
  Locked: "badge bad",
  "Link locked": "badge bad",
  "Link expired": "badge warn",
  Expired: "badge warn",
  "No password": "badge warn",
  Blocked: "badge bad",
  "Expired (representative)": "badge warn",
  "Record needed": "badge warn",
  "Not started": "badge",
  "Too young": "badge warn",
  "Consent needed": "badge bad",
};

/** The status as staff read it. */
export const statusLabel = (status: LoginStatus): string => (status === "Active" ? "In use" : status);
