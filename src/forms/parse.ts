/**
 * Form parsing with zod: one place that turns a submitted form into either typed data or
 * per-field messages, so every form answers bad input the same way (422, messages next to fields).
 */
import type { MiddlewareHandler } from "hono";
import { z } from "zod";

export type FieldErrors = Partial<Record<string, string>>;

export type FormResult<T> =
  | { ok: true; data: T; values: Record<string, string> }
  | { ok: false; errors: FieldErrors; values: Record<string, string> };

/** Validates submitted fields against a zod schema; the first message per field wins. */
export function parseForm<S extends z.ZodType>(
  schema: S,
  body: Record<string, string | File | (string | File)[]>,
): FormResult<z.infer<S>> {
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) {
    const first = Array.isArray(v) ? v[0] : v;
    if (typeof first === "string") values[k] = first;
  }
  const result = schema.safeParse(values);
  if (result.success) return { ok: true, data: result.data, values };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const field = String(issue.path[0] ?? "form");
    errors[field] ??= issue.message;
  }
  return { ok: false, errors, values };
}

/** A checkbox field: browsers send "on" when checked and nothing at all when not. */
export const checkbox = () =>
  z
    .string()
    .optional()
    .transform((v) => v === "on" || v === "true" || v === "1");

/**
 * Parses a posted form once, up front (Hono keeps the result for the handler): a body that isn't
 * a readable form answers 400 here instead of failing inside a handler as a 500.
 */
export const rejectMalformedForms: MiddlewareHandler = async (c, next) => {
  const type = c.req.header("Content-Type") ?? "";
  if (c.req.method === "POST" && /^(multipart\/form-data|application\/x-www-form-urlencoded)/i.test(type)) {
    try {
      await c.req.parseBody();
    } catch {
      return c.text("That form could not be read. Go back and try again.", 400);
    }
  }
  await next();
};
