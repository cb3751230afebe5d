import type { Context } from "hono";

/**
 * One URL, page or fragment: htmx asks for the fragment; a normal navigation (or an htmx history
 * restore) gets the whole page. Marks the response as varying on HX-Request for caches.
 */
export function wantsFragment(c: Context): boolean {
  c.header("Vary", "HX-Request");
  return c.req.header("HX-Request") === "true" && c.req.header("HX-History-Restore-Request") !== "true";
}
