/**
 * Form parsing with zod: one place that turns a submitted form into either typed data or
 * per-field messages, so every form answers bad input the same way (422, messages next to fields).
 */
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
