/** @jsxImportSource hono/jsx */

/**
 * An email or username that wraps only at its separators — after a dot, hyphen or underscore,
 * before the @ — never inside a word: a <wbr> at each, and `.breakable` (overflow-wrap:
 * break-word, not anywhere) so a part splits only if it alone is wider than the line.
 *
 * `at` says where else to break: a URL after each slash (the Face Sheet's Agency Portal URL).
 *
 * @example <Breakable text="maria.alvarez@example.com" /> // maria.<wbr>alvarez<wbr>@example.<wbr>com
 * @example <Breakable text="https://x.org/portal/riverbend" at={/(?<=[^/:]\/)/} /> // https://x.org/<wbr>portal/<wbr>riverbend
 */
export function Breakable(props: { text: string; class?: string; at?: RegExp }) {
  const parts = props.text.split(props.at ?? /(?=@)|(?<=[._-])/);
  return <span class={props.class ? `${props.class} breakable` : "breakable"}>{parts.flatMap((p, i) => (i === 0 ? [p] : [<wbr />, p]))}</span>;
}
