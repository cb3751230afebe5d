/**
 * CSV downloads (RFC 4180): quoted where needed, CRLF rows, every cell that a spreadsheet would
 * run as a formula made inert, streamed chunk by chunk so memory stays flat for a long log.
 */

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

/**
 * A whole CSV as a stream: a byte-order mark (so spreadsheets read UTF-8 names right), the header,
 * then each chunk's items as `line` turns them into CSV lines, as the query yields them.
 *
 * @example csvStream(["Sequence", "User"], entries(db), (e) => csvRow([e.seq, e.actorName]))
 */
export function csvStream<T>(header: string[], chunks: AsyncIterable<T[]>, line: (item: T) => string): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const iterator = chunks[Symbol.asyncIterator]();
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode("\ufeff" + csvRow(header)));
        return;
      }
      const next = await iterator.next();
      if (next.done) {
        controller.close();
        return;
      }
      controller.enqueue(encoder.encode(next.value.map(line).join("")));
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}
