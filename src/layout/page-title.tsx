/** @jsxImportSource hono/jsx */

/** A page title that says the state: "Error: …" while a form shows errors. */
export const stateTitle = (title: string, failed: boolean) => (failed ? `Error: ${title}` : title);

/**
 * A `<title>` at the top of an htmx fragment: htmx sets the document's title from it, so a panel
 * swapped in place (Edit, Update, a failed Save) says its state in the title as a page would.
 */
export function FragmentTitle(props: { title: string; suffix: string }) {
  return <title>{`${props.title} · ${props.suffix}`}</title>;
}
