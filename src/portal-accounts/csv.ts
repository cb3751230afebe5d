/**
 * Client Portal Accounts as CSV (src/layout/csv.ts: quoting, formula cells made inert, streaming):
 * the same columns and words as the list, Last login with its zone.
 */
import { csvRow, csvStream } from "../layout/csv";
import { statusLabel } from "../portal-logins/status-labels";
import type { PortalAccount } from "./queries";
import { lastLogin } from "./views";

export const CSV_HEADER = ["Client", "Client #", "Client Refused Portal Login", "Portal Username", "Representative", "Active", "Status", "Portal User Email", "Email", "Last login"];

const yesNo = (v: boolean) => (v ? "Yes" : "No");
const emailState = (d: PortalAccount["delivery"]) => (d === "sent" ? "Email sent" : d === "failed" ? "Email not sent" : "");

/** An account as a CSV line. */
export function accountRow(a: PortalAccount, timeZone: string): string {
  return csvRow([
    `${a.client.lastName}, ${a.client.firstName}`,
    a.client.clientNumber,
    yesNo(a.client.refusedPortalLogin),
    a.username,
    yesNo(a.representative),
    yesNo(a.active),
    statusLabel(a.status),
    a.email,
    emailState(a.delivery),
    lastLogin(a.lastLoginAt, timeZone),
  ]);
}

/** The accounts' CSV, streamed as the query yields them. */
export function accountsCsv(chunks: AsyncIterable<PortalAccount[]>, timeZone: string): ReadableStream<Uint8Array> {
  return csvStream(CSV_HEADER, chunks, (a) => accountRow(a, timeZone));
}
