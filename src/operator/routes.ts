/**
 * The operator API: JSON, for `npm run agency:create` (scripts/agency-create.ts), locally or against
 * the deployed Worker — so the same code writes the local or the deployed D1 and sends the first
 * admin's invitation through the real EMAIL binding.
 *
 *   POST /operator/agencies   { name, slug, portalEnabled, timezone?, adminName, adminEmail }
 *     201 { agency, admin, invite: { expiresAt, validFor }, email: { sent, messageId? | reason } }
 *     422 { errors: { field: message } }   bad input, or the slug / email already taken
 *     401 without the bearer token; 404 for everything when OPERATOR_TOKEN is unset
 *
 * Authenticated by `Authorization: Bearer <OPERATOR_TOKEN>` only: it never reads a cookie, so a
 * browser can't be tricked into using it, and it is mounted before the CSRF check (src/index.ts),
 * which exists for the cookie-authenticated routes. Nothing else lives under /operator.
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Db } from "../db";
import { errorText } from "../observability/error-text";
import { LINK_LIFETIME_TEXT } from "../staff-credentials/links";
import { sendLinkEmail, staffOrigin } from "../staff-credentials/notices";
import { createAgencyWithAdmin, newAgencyInput } from "./agencies";
import { requireOperatorToken } from "./bearer";

export const operatorRoutes = new Hono<{ Bindings: Env; Variables: { db: Db } }>()
  .use("/operator", requireOperatorToken)
  .use("/operator/*", requireOperatorToken)
  .use("/operator/*", async (c, next) => {
    await next();
    c.header("Cache-Control", "no-store");
  })
  .post("/operator/agencies", bodyLimit({ maxSize: 16 * 1024, onError: (c) => c.json({ error: "The body is too large." }, 413) }), async (c) => {
    if (!/^application\/json\b/i.test(c.req.header("Content-Type") ?? "")) {
      return c.json({ error: "Send JSON (Content-Type: application/json)." }, 415);
    }
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.json({ error: "The body is not valid JSON." }, 400);
    }
    const parsed = newAgencyInput.safeParse(body);
    if (!parsed.success) {
      const errors: Record<string, string> = {};
      for (const issue of parsed.error.issues) errors[String(issue.path[0] ?? "body")] ??= issue.message;
      return c.json({ errors }, 422);
    }
    const input = parsed.data;
    const db = c.var.db;
    const now = Date.now();
    const outcome = await createAgencyWithAdmin(db, input, now);
    if (outcome.kind === "duplicate") return c.json({ errors: outcome.errors }, 422);

    const admin = { name: input.adminName, email: input.adminEmail, agency: { name: input.name, timezone: input.timezone } };
    const email = await sendLinkEmail(c.env, staffOrigin(c.env, c.req.url), admin, "invite", outcome.token);
    // No address in the log line: the operator's terminal has it.
    console.log(`operator: agency ${input.slug} (${outcome.agencyId}) created with its first admin (${outcome.adminId}); invitation ${email.sent ? "sent" : `NOT sent: ${email.reason}`}`);
    return c.json(
      {
        agency: { id: outcome.agencyId, name: input.name, slug: input.slug, portalEnabled: input.portalEnabled, timezone: input.timezone },
        admin: { id: outcome.adminId, name: input.adminName, email: input.adminEmail, role: "admin" },
        invite: { expiresAt: new Date(outcome.expiresAt).toISOString(), validFor: LINK_LIFETIME_TEXT.invite },
        email,
      },
      201,
    );
  })
  .all("/operator", (c) => c.json({ error: "Not found" }, 404))
  .all("/operator/*", (c) => c.json({ error: "Not found" }, 404))
  .onError((err, c) => {
    console.error(`${c.req.method} ${new URL(c.req.url).pathname} failed: ${errorText(err)}`);
    return c.json({ error: "Something failed. Run the command again: it will say if the agency or the email now exists." }, 500);
  });
