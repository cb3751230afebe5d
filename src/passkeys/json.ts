/** Input rules shared by the passkey endpoints: reading a JSON body, and a passkey's name. */
import type { Context } from "hono";
import { plainText } from "../forms/text";

/** The JSON body, or undefined when the request isn't JSON or can't be parsed (zod then refuses it). */
export async function readJson(c: Context): Promise<unknown> {
  if (!/^application\/json\b/i.test(c.req.header("Content-Type") ?? "")) return undefined;
  try {
    return await c.req.json();
  } catch {
    return undefined;
  }
}

export const passkeyNameSchema = plainText("The passkey's name")
  .trim()
  .min(1, "Enter a name for the passkey.")
  .max(60, "Use at most 60 characters.");

/** A passkey's name as typed: trimmed, 1–60 characters. */
export function passkeyName(value: unknown): { ok: true; value: string } | { ok: false; error: string } {
  const r = passkeyNameSchema.safeParse(typeof value === "string" ? value : "");
  return r.success ? { ok: true, value: r.data } : { ok: false, error: r.error.issues[0]?.message ?? "Enter a name for the passkey." };
}
