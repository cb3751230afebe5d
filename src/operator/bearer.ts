/**
 * The operator API's door: a bearer secret, `OPERATOR_TOKEN` (a Worker secret). Unset — or too
 * short to be a secret — the API does not exist (404). The comparison is over SHA-256 digests in
 * constant time, so neither the secret's length nor its prefix leaks through timing.
 */
import type { MiddlewareHandler } from "hono";
import { sha256 } from "@oslojs/crypto/sha2";
import { constantTimeEqual } from "@oslojs/crypto/subtle";

/** Below this many characters the secret is refused (the API stays off). */
export const OPERATOR_TOKEN_MIN_LENGTH = 32;

const digest = (s: string) => sha256(new TextEncoder().encode(s));

/** Whether an Authorization header carries the expected bearer secret. */
export function bearerMatches(header: string | undefined, expected: string): boolean {
  const given = /^Bearer +(\S+) *$/i.exec(header ?? "")?.[1] ?? "";
  return constantTimeEqual(digest(given), digest(expected));
}

/** Lets a request through only with `Authorization: Bearer <OPERATOR_TOKEN>`; never reads cookies. */
export const requireOperatorToken: MiddlewareHandler<{ Bindings: Env }> = async (c, next) => {
  const expected = c.env.OPERATOR_TOKEN ?? "";
  if (expected.length < OPERATOR_TOKEN_MIN_LENGTH) {
    if (expected) console.error(`OPERATOR_TOKEN is shorter than ${OPERATOR_TOKEN_MIN_LENGTH} characters: the operator API stays off`);
    return c.json({ error: "Not found" }, 404);
  }
  if (!bearerMatches(c.req.header("Authorization"), expected)) {
    c.header("WWW-Authenticate", 'Bearer realm="operator"');
    return c.json({ error: "A valid operator token is required (Authorization: Bearer <OPERATOR_TOKEN>)." }, 401);
  }
  await next();
};
