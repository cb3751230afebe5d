/** @jsxImportSource hono/jsx */
import type { FieldErrors } from "../forms/parse";

/**
 * The box at the top of a form that failed: what went wrong, then each bad field as a link to it
 * (`#f-<name>`, the id `Field` gives its input). It takes focus when it appears — `autofocus` on
 * a full page load, and htmx focuses `[autofocus]` in swapped content — so a screen reader reads
 * it and the next Tab starts in the form. `labels` names the fields; one without a label is
 * listed as its message alone, without a link (e.g. a hidden version field). `targets` names the
 * element to link for a field whose input isn't `f-<name>` (a group of radios: its first).
 */
export function ErrorSummary(props: { message: string; errors?: FieldErrors; labels?: Record<string, string>; targets?: Record<string, string>; id?: string }) {
  const entries = Object.entries(props.errors ?? {}).filter(([, m]) => m) as [string, string][];
  return (
    <div class="error-summary" role="alert" tabindex={-1} autofocus id={props.id}>
      <p>{props.message}</p>
      {entries.length > 0 && (
        <ul>
          {entries.map(([field, message]) =>
            props.labels?.[field] ? (
              <li>
                <a href={`#${props.targets?.[field] ?? `f-${field}`}`}>{`${props.labels[field]}: ${message}`}</a>
              </li>
            ) : (
              <li>{message}</li>
            ),
          )}
        </ul>
      )}
    </div>
  );
}
