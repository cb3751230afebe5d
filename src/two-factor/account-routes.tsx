/** @jsxImportSource hono/jsx */
/**
 * The signed-in member's two-factor settings (/account/two-factor…): set up the authenticator app
 * (QR code and typed key, confirmed with a code, then ten recovery codes shown once), turn it off
 * with a current code, and replace the recovery codes. Passkeys are at /account/passkeys.
 */
import { addressBucket } from "../auth/throttle-keys";
import { chargeSecondFactor, lockMinutes } from "./throttle";
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv, CurrentStaff } from "../app";
import { hasSecondFactor, twoFactorStatus } from "../auth/second-step";
import { parseForm } from "../forms/parse";
import { beginTotpEnrolment, checkTotpCode, CODE_MESSAGES, confirmTotpEnrolment, totpEnrolmentView } from "./authenticator";
import { replaceRecoveryCodes, turnOffTotp } from "./queries";
import { generateRecoveryCodes, hashRecoveryCode } from "./recovery-codes";
import { AccountRecoveryCodesPage, AccountTotpSetupPage, TwoFactorAccountPage } from "./account-views";

const codeForm = z.object({ code: z.string().max(64).default("") });

const NOTICES: Record<string, string> = {
  "totp-off": "The authenticator app is off.",
  "already-on": "An authenticator app is already set up. Turn it off first to set up another.",
};
const KEEP_ONE = "Your agency requires two-factor sign-in: add a passkey before turning the authenticator app off.";

/** What enrolment shows of the member (the QR code's issuer and account name). */
const holder = (s: CurrentStaff) => ({ id: s.id, agencyId: s.agency.id, email: s.email, agencyName: s.agency.name });

export const twoFactorAccountRoutes = new Hono<AppEnv>()
  .get("/account/two-factor", async (c) => {
    const staff = c.var.staff;
    const status = await twoFactorStatus(c.var.db, holder(staff));
    return c.html(<TwoFactorAccountPage staff={staff} status={status} notice={NOTICES[c.req.query("done") ?? ""]} />);
  })
  .post("/account/two-factor/totp/start", async (c) => {
    const started = await beginTotpEnrolment(c.var.db, c.env, holder(c.var.staff), Date.now());
    return c.redirect(started ? "/account/two-factor/totp" : "/account/two-factor?done=already-on", 303);
  })
  .get("/account/two-factor/totp", async (c) => {
    const view = await totpEnrolmentView(c.var.db, c.env, holder(c.var.staff));
    if (!view) return c.redirect("/account/two-factor", 303);
    return c.html(<AccountTotpSetupPage staff={c.var.staff} {...view} />);
  })
  .post("/account/two-factor/totp", async (c) => {
    const staff = c.var.staff;
    const form = parseForm(codeForm, await c.req.parseBody());
    const result = await confirmTotpEnrolment(c.var.db, c.env, holder(staff), form.ok ? form.data.code : "", Date.now());
    if (!result.ok) {
      const view = await totpEnrolmentView(c.var.db, c.env, holder(staff));
      if (!view) return c.redirect("/account/two-factor", 303);
      return c.html(<AccountTotpSetupPage staff={staff} {...view} error={CODE_MESSAGES[result.reason]} />, 422);
    }
    return c.html(<AccountRecoveryCodesPage staff={staff} codes={result.codes} heading="Authenticator app is on: save your recovery codes" />);
  })
  .post("/account/two-factor/totp/disable", async (c) => {
    const staff = c.var.staff;
    const db = c.var.db;
    const status = await twoFactorStatus(db, holder(staff));
    if (!status.totp) return c.redirect("/account/two-factor", 303);
    if (status.required && status.passkeys === 0) return c.html(<TwoFactorAccountPage staff={staff} status={status} alert={KEEP_ONE} />, 422);
    // The code is a guess at the second factor like one at sign-in: charged first, so a stolen
    // session can't guess its way to turning the authenticator off.
    const guess = await chargeSecondFactor(c.env, db, staff.id, addressBucket(c.req));
    if (!guess) return c.html(<TwoFactorAccountPage staff={staff} status={status} alert={`Too many attempts. Wait ${lockMinutes(c.env)} minutes and try again.`} />, 429);
    const form = parseForm(codeForm, await c.req.parseBody());
    const check = await checkTotpCode(db, c.env, holder(staff), form.ok ? form.data.code : "", Date.now());
    if (!check.ok) {
      if (check.reason === "invalid") await guess.refund();
      return c.html(<TwoFactorAccountPage staff={staff} status={status} codeError={CODE_MESSAGES[check.reason]} />, 422);
    }
    await guess.succeeded();
    if (!(await turnOffTotp(db, holder(staff), status.required))) {
      return c.html(<TwoFactorAccountPage staff={staff} status={await twoFactorStatus(db, holder(staff))} alert={KEEP_ONE} />, 422);
    }
    return c.redirect("/account/two-factor?done=totp-off", 303);
  })
  .post("/account/two-factor/recovery-codes", async (c) => {
    const staff = c.var.staff;
    const status = await twoFactorStatus(c.var.db, holder(staff));
    if (!hasSecondFactor(status)) return c.redirect("/account/two-factor", 303);
    const codes = generateRecoveryCodes();
    await replaceRecoveryCodes(c.var.db, holder(staff), codes.map(hashRecoveryCode), Date.now());
    return c.html(<AccountRecoveryCodesPage staff={staff} codes={codes} heading="Your new recovery codes" />);
  });
