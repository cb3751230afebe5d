/**
 * The Client Portal Accounts list's filters as they travel in the query string (Status, Search,
 * and a page position), so the same URL serves the form, the paging links and the CSV export.
 */
import { z } from "zod";
import { plainText } from "../forms/text";
import { statusLabel } from "../portal-logins/status-labels";

/** The Status filter's choices, as the Face Sheet's Client Portal table names them. */
export const STATUS_FILTERS = ["Invited", "Active", "Locked", "Expired", "Inactive", "Email not sent", "Refused"] as const;
export type StatusFilter = (typeof STATUS_FILTERS)[number];

/** A choice as the list and the Face Sheet show it (the "Active" status reads "In use"). */
export const filterLabel = (s: StatusFilter): string => (s === "Active" ? statusLabel("Active") : s);

/** What each choice takes in, for the form's hint and the CSV's readers. */
export const STATUS_FILTER_HELP: Record<StatusFilter, string> = {
  Invited: "temporary password or invitation link sent, not used yet",
  Active: "the user chose a password and can sign in",
  Locked: "too many failed sign-ins, or a link locked by wrong dates of birth",
  Expired: "temporary password or invitation link expired unused",
  Inactive: "turned off by staff: cannot sign in",
  "Email not sent": "the last credentials email did not go out",
  Refused: "the client refused a portal login (Face Sheet)",
};

/** A page position: the lower-cased username the page continues after (or before). */
const position = z.preprocess(
  (v) => (v === "" ? undefined : v),
  z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, "That page link is damaged or out of date. Start again from the first page.")
    .optional(),
);

export const accountsQuerySchema = z.object({
  status: z.preprocess(
    (v) => (v === undefined ? "" : v),
    z.union([z.literal(""), z.enum(STATUS_FILTERS)], { message: `Choose a Status from the list: ${STATUS_FILTERS.map(filterLabel).join(", ")}.` }),
  ),
  q: plainText("Search").trim().max(100, "Search is too long: type the start of a username or email (100 characters at most).").default(""),
  /** The page after this username (Next). */
  after: position,
  /** The page before this username (Previous). */
  before: position,
});

export type AccountsQuery = z.infer<typeof accountsQuerySchema>;
export type AccountsFilter = Pick<AccountsQuery, "status" | "q">;

export const NO_FILTER: AccountsFilter = { status: "", q: "" };

/** The query string for these filters (empty ones left out), plus a page position if given. */
export function accountsQueryString(f: AccountsFilter, at: { after?: string; before?: string } = {}): string {
  const params = new URLSearchParams();
  if (f.status) params.set("status", f.status);
  if (f.q) params.set("q", f.q);
  if (at.after) params.set("after", at.after);
  if (at.before) params.set("before", at.before);
  const s = params.toString();
  return s ? `?${s}` : "";
}
