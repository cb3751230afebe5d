/**
 * Passkeys at sign-in (JSON endpoints for public/passkeys.js; same-origin POSTs, so CSRF checks
 * by Origin apply):
 * - POST /sign-in/passkey/options, /sign-in/passkey — sign in with a passkey alone (discoverable
 *   credential, user verification required: the passkey is both factors);
 * - POST /sign-in/two-factor/passkey/options, /sign-in/two-factor/passkey — a passkey as the
 *   second step after the password (the pending cookie names the member);
 * - POST /sign-in/two-factor/passkeys/options, /sign-in/two-factor/passkeys — register a first
 *   passkey when the agency requires two-factor and the member has none, then sign in.
 * Answers: `{ options }`, `{ redirect }`, or `{ error, field?, redirect? }` with 4xx.
 */
import { Hono, type Context } from "hono";
import { z } from "zod";
import type { AppEnv } from "../app";
import { safeNext } from "../auth/routes";
import { startRecordedSession } from "../auth/security-events";
import { addressBucket } from "../auth/throttle-keys";
import { findSignInStaff } from "../two-factor/queries";
import { finishSignIn, loadSecondStep, mustEnrol } from "../two-factor/sign-in";
import { chargePasskeySignIn, chargeSecondFactor, lockMinutes, passkeySignInRefused, secondFactorRefused } from "../two-factor/throttle";
import { authenticationOptions, completeAuthentication, completeRegistration, registrationOptions } from "./ceremonies";
import { passkeyName, readJson } from "./json";
import { staffOwner } from "./owner";
import { relyingParty } from "./relying-party";

const tooMany = (env: object) => `Too many attempts. Wait ${lockMinutes(env)} minutes and try again, or ask your administrator for help.`;
const EXPIRED_STEP = { error: "Your sign-in timed out. Sign in again.", redirect: "/sign-in" };

const signInBody = z.object({ next: z.string().max(2048).optional(), response: z.unknown() });
const responseBody = z.object({ response: z.unknown() });
const registerBody = z.object({ name: z.unknown(), response: z.unknown().optional() });

/** The pending second step, or the JSON answer that sends the browser back to /sign-in. */
async function stepOrRestart(c: Context<AppEnv>) {
  const step = await loadSecondStep(c);
  return step ? { step } : { restart: c.json(EXPIRED_STEP, 401) };
}

export const passkeySignInRoutes = new Hono<AppEnv>()
  .post("/sign-in/passkey/options", async (c) => {
    const now = Date.now();
    if (await passkeySignInRefused(c.env, c.var.db, addressBucket(c.req))) return c.json({ error: tooMany(c.env) }, 429);
    return c.json({ options: await authenticationOptions(c.var.db, relyingParty(c), "sign-in", { kind: "staff" }, now) });
  })
  .post("/sign-in/passkey", async (c) => {
    const body = signInBody.safeParse(await readJson(c));
    if (!body.success) return c.json({ error: "That request could not be read." }, 400);
    const db = c.var.db;
    const now = Date.now();
    const guess = await chargePasskeySignIn(c.env, db, addressBucket(c.req));
    if (!guess) return c.json({ error: tooMany(c.env) }, 429);
    const result = await completeAuthentication(db, c.env, relyingParty(c), "sign-in", { kind: "staff" }, body.data.response, now);
    // The passkey's owner must still be an active member (deactivation ends passkey sign-in too).
    const staff = result.ok ? await findSignInStaff(db, result.value) : null;
    if (!result.ok || !staff) {
      if (guess.retryAfterMs > 0) return c.json({ error: tooMany(c.env) }, 429);
      return c.json({ error: result.ok ? "That passkey wasn't accepted. Try again." : result.message }, 422);
    }
    await guess.succeeded();
    await startRecordedSession(c, staff);
    return c.json({ redirect: safeNext(body.data.next) });
  })
  .post("/sign-in/two-factor/passkey/options", async (c) => {
    const { step, restart } = await stepOrRestart(c);
    if (!step) return restart;
    const now = Date.now();
    if (await secondFactorRefused(c.env, c.var.db, step.staff.id, addressBucket(c.req))) return c.json({ error: tooMany(c.env) }, 429);
    if (step.status.passkeys === 0) return c.json({ error: "You have no passkey for this account.", redirect: "/sign-in/two-factor" }, 422);
    return c.json({ options: await authenticationOptions(c.var.db, relyingParty(c), "second-step", staffOwner(step.staff), now) });
  })
  .post("/sign-in/two-factor/passkey", async (c) => {
    const { step, restart } = await stepOrRestart(c);
    if (!step) return restart;
    const body = responseBody.safeParse(await readJson(c));
    if (!body.success) return c.json({ error: "That request could not be read." }, 400);
    const db = c.var.db;
    const now = Date.now();
    const guess = await chargeSecondFactor(c.env, db, step.staff.id, addressBucket(c.req));
    if (!guess) return c.json({ error: tooMany(c.env) }, 429);
    const result = await completeAuthentication(db, c.env, relyingParty(c), "second-step", staffOwner(step.staff), body.data.response, now);
    if (!result.ok) {
      // The counted failure that reaches the limit is answered "too many" at once, as at sign-in.
      if (guess.retryAfterMs > 0) return c.json({ error: tooMany(c.env) }, 429);
      return c.json({ error: result.message }, 422);
    }
    await finishSignIn(c, step.staff);
    return c.json({ redirect: step.pending.next });
  })
  .post("/sign-in/two-factor/passkeys/options", async (c) => {
    const { step, restart } = await stepOrRestart(c);
    if (!step) return restart;
    if (!mustEnrol(step)) return c.json({ error: "Two-factor is already set up.", redirect: "/sign-in/two-factor" }, 409);
    const body = registerBody.safeParse(await readJson(c));
    const name = passkeyName(body.success ? body.data.name : undefined);
    if (!name.ok) return c.json({ error: name.error, field: "name" }, 422);
    return c.json({ options: await registrationOptions(c.var.db, c.env, relyingParty(c), { ...staffOwner(step.staff), userName: step.staff.email, displayName: step.staff.name, rpName: step.staff.agencyName }, Date.now()) });
  })
  .post("/sign-in/two-factor/passkeys", async (c) => {
    const { step, restart } = await stepOrRestart(c);
    if (!step) return restart;
    if (!mustEnrol(step)) return c.json({ error: "Two-factor is already set up.", redirect: "/sign-in/two-factor" }, 409);
    const body = registerBody.safeParse(await readJson(c));
    const name = passkeyName(body.success ? body.data.name : undefined);
    if (!name.ok) return c.json({ error: name.error, field: "name" }, 422);
    const result = await completeRegistration(c.var.db, relyingParty(c), staffOwner(step.staff), body.success ? body.data.response : undefined, name.value, Date.now());
    if (!result.ok) return c.json({ error: result.message }, 422);
    await finishSignIn(c, step.staff);
    return c.json({ redirect: step.pending.next });
  });
