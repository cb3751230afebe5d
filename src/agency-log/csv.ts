/**
 * The Agency Log as CSV (src/layout/csv.ts: quoting, formula cells made inert, streaming). The
 * user agent and names come from outside: inert cells matter here.
 */
import { csvRow, csvStream } from "../layout/csv";
import { formatAgencyDateTime } from "../layout/agency-time";
import type { AgencyLogEntry } from "./queries";

export const AGENCY_CSV_HEADER = ["Sequence", "Date and Time", "User", "Action", "Description", "Details", "IP Address", "User Agent"];

/** The Agency Log's CSV, streamed as the query yields entries; times in the agency's zone. */
export function agencyLogCsv(chunks: AsyncIterable<AgencyLogEntry[]>, timeZone: string): ReadableStream<Uint8Array> {
  return csvStream(AGENCY_CSV_HEADER, chunks, (e) =>
    csvRow([e.seq, formatAgencyDateTime(e.at, timeZone), e.actorName, e.action, e.description, e.details, e.ipAddress ?? "", e.userAgent ?? ""]),
  );
}
