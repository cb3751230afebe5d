/** @jsxImportSource hono/jsx */
/**
 * The Client Portal table's status key: what each status and email mark means (shown under the
 * table, and each badge's accessible description), which of them the table shows, and the access
 * rule's verdict for a row, which its status is read from (src/portal-logins/views.tsx uses them).
 */
import type { PortalLogin } from "../db/schema";
import { portalAccess, type AccessVerdict } from "../representatives/access";
import { emailsByLogin, undeliveredNotices } from "./email-history";
import { emailDelivery, loginStatus, type LoginStatus } from "./status";
import { statusLabel } from "./status-labels";
import type { SectionData } from "./views";

const STATUS_HELP: Record<LoginStatus, string> = {
  Invited: "Temporary password or invitation link sent, not yet used",
  Active: "Signed in and chose a password",
  Inactive: "Cannot sign in",
  Locked: "Too many failed sign-ins; Save in Edit unlocks it",
  "Link locked": "An emailed link took too many wrong dates of birth; Resend invitation, or Save in Edit, clears it",
  "Link expired": "Invitation link expired unused; Resend invitation",
  Expired: "Temporary password expired unused; Edit › Reset Password",
  "No password": "Edit › Reset Password to send one",
  Blocked: "Blocked by staff: no sign-in, no email; only an administrator can unblock",
  "Expired (representative)": "The representative's access ended (end date or the client's majority); Edit the record to extend it",
  "Record needed": "A representative login without a record can't sign in: Edit and complete the record",
  "Not started": "The representative record's start date hasn't come yet",
  "Too young": "The client is younger than the agency's minimum age for an own login",
  "Consent needed": "The client has an open 42 CFR Part 2 case and this representative has no current consent (none, revoked, expired or its event occurred): Edit and record one",
};

export const EMAIL_NOT_SENT = "Email not sent";
export const NOTICE_NOT_SENT = "Notice not sent";
const MARK_HELP: Record<string, string> = {
  [EMAIL_NOT_SENT]: "The credentials email could not be sent: Resend it, or Edit › Reset Password",
  [NOTICE_NOT_SENT]: "A security notice failed: see the Email history below, and Resend it",
};
/** The id of a status's line in the key under the table (what its badge is described by). */
export const helpId = (label: string) => `status-help-${label.toLowerCase().replace(/[^a-z]+/g, "-")}`;

/**
 * What the statuses and email marks shown in the table mean, under it: visible text for every
 * reader (not a hover tooltip), and each badge's accessible description (aria-describedby).
 */
export function StatusKey(props: { labels: string[] }) {
  if (props.labels.length === 0) return null;
  const help = (label: string) => STATUS_HELP[label as LoginStatus] ?? MARK_HELP[label] ?? "";
  return (
    <>
      <h3 class="status-key-h">What the statuses mean</h3>
      <dl class="status-key">
        {props.labels.map((label) => (
          <div>
            <dt>{label in STATUS_HELP ? statusLabel(label as LoginStatus) : label}</dt>
            <dd id={helpId(label)}>{help(label)}</dd>
          </div>
        ))}
      </dl>
    </>
  );
}

/** The access rule's verdict for a login of this client, from the row and its record. */
export function accessOf(l: PortalLogin, props: Pick<SectionData, "records" | "clientDateOfBirth" | "today" | "minors">): AccessVerdict {
  const r = props.records.get(l.id);
  return portalAccess(
    {
      login: { active: l.active, blockedAt: l.blockedAt, representative: l.representative },
      clientDateOfBirth: props.clientDateOfBirth,
      representation: r ? { legalBasis: r.legalBasis, startDate: r.startDate, endDate: r.endDate, guardianship: r.guardianship, endedAt: r.endedAt } : null,
      part2ConsentHolds: r ? r.part2Holds : null,
    },
    props.today,
    props.minors,
  );
}

/** The statuses and marks the table shows, in a fixed order, each once. */
export function keyLabels(props: SectionData): string[] {
  const shown = new Set<string>();
  for (const l of props.logins) {
    shown.add(loginStatus(l, props.now, props.links[l.id], props, accessOf(l, props)));
    if (emailDelivery(l, props.links[l.id]) === "failed") shown.add(EMAIL_NOT_SENT);
  }
  if (props.logins.some((l) => undeliveredNotices(emailsByLogin(props.emails).get(l.id) ?? []).length > 0)) shown.add(NOTICE_NOT_SENT);
  return [...(Object.keys(STATUS_HELP) as string[]), EMAIL_NOT_SENT, NOTICE_NOT_SENT].filter((label) => shown.has(label));
}
