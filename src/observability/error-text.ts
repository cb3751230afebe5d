/**
 * The text of an error that is safe to log. Drizzle's query errors carry every bound value
 * ("Failed query: … params: …") — names, emails, hashes — so for those only D1's own message
 * (which names no values) is kept.
 */
export function errorText(err: unknown): string {
  if (!(err instanceof Error)) return "unknown error";
  const cause = err.cause instanceof Error ? err.cause : null;
  if (err.message.startsWith("Failed query:") || /\bparams:/.test(err.message)) {
    return `${err.name}: ${cause ? cause.message.split(/\bparams:/)[0]!.trim() : "query failed"}`;
  }
  return `${err.name}: ${err.message}`;
}
