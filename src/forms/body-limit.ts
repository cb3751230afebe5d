/**
 * A ceiling on request bodies, applied before anything reads one. Every form here is a few KB,
 * and the JSON posts to come (WebAuthn) are smaller still; without a ceiling a single
 * unauthenticated POST of 40 MB was parsed whole.
 *
 * hono/body-limit trusts Content-Length when it is given (workerd ends a body at its declared
 * length) and otherwise — Transfer-Encoding: chunked — counts the bytes as they stream in and
 * stops reading once the ceiling is passed, so an endless body costs no more than the limit.
 */
import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";

/** The largest request body accepted, in bytes (64 KB). */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * Refuses a body over MAX_BODY_BYTES with the answer `tooLarge` gives (a 413 page).
 *
 * @example app.use(limitBodySize((c) => c.text("Too large", 413)))
 */
export function limitBodySize(tooLarge: (c: Context) => Response | Promise<Response>): MiddlewareHandler {
  return bodyLimit({ maxSize: MAX_BODY_BYTES, onError: tooLarge });
}
