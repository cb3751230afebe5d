/** @jsxImportSource hono/jsx */
/**
 * The second step of staff sign-in (/sign-in/two-factor…), reached only with the pending cookie
 * the password step sets (src/auth/second-step.ts); without one, every route sends the browser
 * back to /sign-in. Wrong, replayed and out-of-window codes and unknown recovery codes are
 * counted by the sign-in throttle (./throttle.ts) and answered 422 next to the field; the one that
 * reaches the limit, and every one after it, 429. Passkey routes for this step are in src/passkeys/sign-in-routes.ts.
 */
import { Hono, type Context } from "hono";
import { z } from "zod";
import type { AppEnv } from "../app";
import { hasSecondFactor } from "../auth/second-step";
import { addressBucket } from "../auth/throttle-keys";
import { parseForm } from "../forms/parse";
import { beginTotpEnrolment, checkTotpCode, CODE_MESSAGES, confirmTotpEnrolment, totpEnrolmentView } from "./authenticator";
import { useRecoveryCode } from "./queries";
import { hashRecoveryCode, normalizeRecoveryCode } from "./recovery-codes";
import { finishSignIn, loadSecondStep, mustEnrol } from "./sign-in";
import { chargeSecondFactor, lockMinutes } from "./throttle";
import { EnrolChoicePage, RecoveryCodePage, SecondStepPage, SignInRecoveryCodesPage, SignInTotpSetupPage } from "./views";

const codeForm = z.object({ code: z.string().max(64).default("") });
const recoveryForm = z.object({ recoveryCode: z.string().max(64).default("") });

const tooMany = (env: object) => `Too many attempts. Wait ${lockMinutes(env)} minutes and try again, or ask your administrator for help.`;
const RECOVERY_INVALID = "Enter a recovery code: 12 letters and digits, like abcd-efgh-jkmn.";
const RECOVERY_WRONG = "That recovery code isn't right, or was already used.";

/** Back to the password step (the pending step is missing, expired or void). */
const restart = (c: Context<AppEnv>) => c.redirect("/sign-in", 303);

export const twoFactorSignInRoutes = new Hono<AppEnv>()
  .get("/sign-in/two-factor", async (c) => {
    const step = await loadSecondStep(c);
    if (!step) return restart(c);
    if (mustEnrol(step)) return c.html(<EnrolChoicePage agencyName={step.staff.agencyName} />);
    if (!hasSecondFactor(step.status)) {
      // Their last factor went while they were here and none is required: the password suffices.
      await finishSignIn(c, step.staff);
      return c.redirect(step.pending.next, 303);
    }
    return c.html(<SecondStepPage status={step.status} />);
  })
  .post("/sign-in/two-factor", async (c) => {
    const step = await loadSecondStep(c);
    if (!step) return restart(c);
    if (!step.status.totp) return c.redirect("/sign-in/two-factor", 303);
    const db = c.var.db;
    const now = Date.now();
    // 1. The guess is charged before the code is looked at (parallel guesses can't pass the
    //    limit); a member or address over it is answered at once.
    const guess = await chargeSecondFactor(c.env, db, step.staff.id, addressBucket(c.req));
    if (!guess) return c.html(<SecondStepPage status={step.status} alert={tooMany(c.env)} />, 429);
    const form = parseForm(codeForm, await c.req.parseBody());
    const typed = form.ok ? form.data.code : "";
    // 2. The code must match a step around now that wasn't used before.
    const check = await checkTotpCode(db, c.env, step.staff, typed, now);
    if (!check.ok) {
      // 3. Wrong, replayed or out-of-window codes count toward the lock; a malformed one doesn't.
      if (check.reason === "invalid") await guess.refund();
      // The counted failure that reaches the limit is answered "too many" at once, as at sign-in.
      else if (guess.retryAfterMs > 0) return c.html(<SecondStepPage status={step.status} alert={tooMany(c.env)} />, 429);
      return c.html(<SecondStepPage status={step.status} fieldError={CODE_MESSAGES[check.reason]} />, 422);
    }
    // 4. Signed in.
    await finishSignIn(c, step.staff);
    return c.redirect(step.pending.next, 303);
  })
  .get("/sign-in/two-factor/recovery", async (c) => {
    const step = await loadSecondStep(c);
    if (!step) return restart(c);
    if (!hasSecondFactor(step.status)) return c.redirect("/sign-in/two-factor", 303);
    return c.html(<RecoveryCodePage />);
  })
  .post("/sign-in/two-factor/recovery", async (c) => {
    const step = await loadSecondStep(c);
    if (!step) return restart(c);
    if (!hasSecondFactor(step.status)) return c.redirect("/sign-in/two-factor", 303);
    const db = c.var.db;
    const now = Date.now();
    const guess = await chargeSecondFactor(c.env, db, step.staff.id, addressBucket(c.req));
    if (!guess) return c.html(<RecoveryCodePage alert={tooMany(c.env)} />, 429);
    const form = parseForm(recoveryForm, await c.req.parseBody());
    const typed = form.ok ? form.data.recoveryCode : "";
    const code = normalizeRecoveryCode(typed);
    if (!code) {
      await guess.refund();
      return c.html(<RecoveryCodePage value={typed} fieldError={RECOVERY_INVALID} />, 422);
    }
    if (!(await useRecoveryCode(db, step.staff, hashRecoveryCode(code), now))) {
      if (guess.retryAfterMs > 0) return c.html(<RecoveryCodePage alert={tooMany(c.env)} />, 429);
      return c.html(<RecoveryCodePage value={typed} fieldError={RECOVERY_WRONG} />, 422);
    }
    await finishSignIn(c, step.staff);
    return c.redirect(step.pending.next, 303);
  })
  // Enrolment during sign-in, when the agency requires two-factor and the member has none.
  .post("/sign-in/two-factor/totp/start", async (c) => {
    const step = await loadSecondStep(c);
    if (!step) return restart(c);
    if (!mustEnrol(step)) return c.redirect("/sign-in/two-factor", 303);
    await beginTotpEnrolment(c.var.db, c.env, step.staff, Date.now());
    return c.redirect("/sign-in/two-factor/totp", 303);
  })
  .get("/sign-in/two-factor/totp", async (c) => {
    const step = await loadSecondStep(c);
    if (!step) return restart(c);
    const view = mustEnrol(step) ? await totpEnrolmentView(c.var.db, c.env, step.staff) : null;
    if (!view) return c.redirect("/sign-in/two-factor", 303);
    return c.html(<SignInTotpSetupPage {...view} />);
  })
  .post("/sign-in/two-factor/totp", async (c) => {
    const step = await loadSecondStep(c);
    if (!step) return restart(c);
    if (!mustEnrol(step)) return c.redirect("/sign-in/two-factor", 303);
    const form = parseForm(codeForm, await c.req.parseBody());
    const result = await confirmTotpEnrolment(c.var.db, c.env, step.staff, form.ok ? form.data.code : "", Date.now());
    if (!result.ok) {
      const view = await totpEnrolmentView(c.var.db, c.env, step.staff);
      if (!view) return c.redirect("/sign-in/two-factor", 303);
      return c.html(<SignInTotpSetupPage {...view} error={CODE_MESSAGES[result.reason]} />, 422);
    }
    await finishSignIn(c, step.staff);
    return c.html(<SignInRecoveryCodesPage codes={result.codes} next={step.pending.next} />);
  });
