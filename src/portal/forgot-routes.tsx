/** @jsxImportSource hono/jsx */
/**
 * Forgot password? at /portal/<slug>/forgot-password. The answer is the same, after the same work,
 * whatever was typed: the only work before answering is the rate limit — one charge to the typed
 * username or email's own counter and to the address's (chargeGuess, known or not alike) — and the
 * portal origin. Finding the login, issuing the link, logging and emailing it happen after the
 * answer (forgot.ts).
 */
import { Hono } from "hono";
import { z } from "zod";
import { throttleSettings, waitText } from "../auth/throttle";
import { chargeGuess } from "../auth/guess";
import { addressBucket, clientAddress, throttleKeyOf } from "../auth/throttle-keys";
import { durationText, portalLinkSettings } from "../clients/portal-link-settings";
import { parseForm } from "../forms/parse";
import { plainText } from "../forms/text";
import { afterResponse } from "../observability/after-response";
import { effectiveSettings } from "../db/agency-settings";
import { agencyPortalUrl } from "../portal-logins/portal-url";
import { sendPortalResetLinks } from "./forgot";
import { forgotAnswer, PortalForgotPage } from "./forgot-views";
import { SLUG_PATTERN, type PortalEnv } from "./portal-session";
import { usernameKeyOf } from "./sign-in-login";

const FORGOT = `/portal/:slug{${SLUG_PATTERN}}/forgot-password`;

const forgotForm = z.object({
  account: plainText("Portal Username or email").trim().min(1, "Enter your Portal Username or your email address.").max(254, "That is longer than any Portal Username or email address."),
});

export const portalForgotRoutes = new Hono<PortalEnv>()
  .get(FORGOT, (c) => c.html(<PortalForgotPage agency={c.var.agency} />))
  .post(FORGOT, async (c) => {
    const { agency, db } = c.var;
    const form = parseForm(forgotForm, await c.req.parseBody());
    if (!form.ok) return c.html(<PortalForgotPage agency={agency} account={form.values.account} errors={form.errors} />, 422);
    const typed = form.data.account;
    const identifierKey = usernameKeyOf(typed);
    // Before anything is charged: a deployment without PORTAL_ORIGIN refuses here, for everyone alike.
    const portalUrl = agencyPortalUrl(effectiveSettings(c.env, agency), c.req.url, agency.slug);
    // 1. The rate limit: this username or email, and this address (like a failed sign-in).
    const bucket = addressBucket(c.req);
    const charged = await chargeGuess(c.env, db, { subject: await throttleKeyOf.portalForgot(c.env, agency.id, identifierKey), bucket });
    if (!charged) {
      const waitMs = throttleSettings(c.env).lockMs;
      c.header("Retry-After", String(Math.ceil(waitMs / 1000)));
      const alert = `Too many requests. Wait ${waitText(waitMs)} and try again, or contact ${agency.name} for help.`;
      return c.html(<PortalForgotPage agency={agency} account={typed} alert={alert} />, 429);
    }
    // 2. Everything that depends on whether it names an account, after the answer.
    const req = { agency, identifierKey, portalUrl, ip: clientAddress(c.req), now: Date.now() };
    afterResponse(c.executionCtx, () => sendPortalResetLinks(c.env, db, req));
    const validFor = durationText(portalLinkSettings(c.env, agency).lifetimeMs.reset);
    return c.html(<PortalForgotPage agency={agency} answer={forgotAnswer(typed, validFor, agency.name)} />);
  });
