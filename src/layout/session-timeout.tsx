/** @jsxImportSource hono/jsx */

/**
 * What public/session-timeout.js needs (and the script itself) to warn before an idle timeout (WCAG 2.2.1): how many seconds the
 * session has left as this page is sent, and where "Stay signed in" posts. Rendered only for a
 * signed-in page; after an htmx request the `X-Session-Seconds-Left` header updates the count.
 */
export function SessionTimeoutMeta(props: { secondsLeft?: number; refreshUrl: string }) {
  if (props.secondsLeft === undefined) return null;
  return (
    <>
      <meta name="session-seconds-left" content={String(props.secondsLeft)} />
      <meta name="session-refresh-url" content={props.refreshUrl} />
      <script src="/session-timeout.js" defer></script>
    </>
  );
}
