/**
 * The Change Log as CSV (RFC 4180): quoted where needed, CRLF rows, and every cell that a
 * spreadsheet would run as a formula made inert.
 */
import { formatAgencyDateTime } from "../layout/agency-time";
import type { ChangeLogEntry } from "./queries";

export const CSV_HEADER = ["Sequence", "Date and Time", "User", "Change Type", "Description", "Details"];

/**
 * A cell as text a spreadsheet shows but never evaluates: one starting with = + - @ (or a tab or
 * carriage return, which some spreadsheets skip before looking) gets a leading single quote.
 * OWASP's CSV injection advice.
 */
export function inertCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** One CSV line: each cell made inert, quoted when it holds a quote, comma or line break. */
export function csvRow(cells: (string | number)[]): string {
  return (
    cells
      .map((cell) => {
        const text = typeof cell === "number" ? String(cell) : inertCell(cell);
        return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
      })
      .join(",") + "\r\n"
  );
}

/** An entry as a CSV line, its time in the agency's zone and its detail lines one per line. */
export function entryRow(e: ChangeLogEntry, timeZone: string): string {
  return csvRow([e.seq, formatAgencyDateTime(e.at, timeZone), e.actorName, e.changeType, e.description, e.lines.join("\n")]);
}

/**
 * The whole CSV as a stream: a byte-order mark (so spreadsheets read UTF-8 names right), the
 * header, then the entries chunk by chunk as the query yields them.
 */
export function changeLogCsv(chunks: AsyncIterable<ChangeLogEntry[]>, timeZone: string): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const iterator = chunks[Symbol.asyncIterator]();
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode("\ufeff" + csvRow(CSV_HEADER)));
        return;
      }
      const next = await iterator.next();
      if (next.done) {
        controller.close();
        return;
      }
      controller.enqueue(encoder.encode(next.value.map((e) => entryRow(e, timeZone)).join("")));
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}
