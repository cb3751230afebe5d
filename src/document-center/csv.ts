/**
 * The Face Sheet Change Log as CSV (src/layout/csv.ts: quoting, formula cells made inert, streaming).
 */
import { csvRow, csvStream } from "../layout/csv";
import { formatAgencyDateTime } from "../layout/agency-time";
import type { ChangeLogEntry } from "./queries";

export const CSV_HEADER = ["Sequence", "Date and Time", "User", "Change Type", "Description", "Details"];

/** An entry as a CSV line, its time in the agency's zone and its detail lines one per line. */
export function entryRow(e: ChangeLogEntry, timeZone: string): string {
  return csvRow([e.seq, formatAgencyDateTime(e.at, timeZone), e.actorName, e.changeType, e.description, e.lines.join("\n")]);
}

/** The Change Log's CSV, streamed as the query yields entries. */
export function changeLogCsv(chunks: AsyncIterable<ChangeLogEntry[]>, timeZone: string): ReadableStream<Uint8Array> {
  return csvStream(CSV_HEADER, chunks, (e) => entryRow(e, timeZone));
}
