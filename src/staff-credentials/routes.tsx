/** @jsxImportSource hono/jsx */
/**
 * A staff member's own password: set it through an emailed link (invitation or reset), ask for a
 * reset link ("Forgot password?"), or change it while signed in.
 *
 * The link's secret is in its URL path (/staff-link/<token>) because that is what an email can
 * carry. Opening it checks the link without using it (mail scanners open links too), puts the
 * secret in a short-lived HttpOnly cookie scoped to /staff-link, and redirects to the token-less
 * /staff-link. So the secret is not in the address bar, the page, browser history's final entry,
 * screenshots or any Referer, and the form needs no hidden copy of it. The form posts to the same
 * token-less URL (CSRF-checked like every form); the link is used only then.
 */
import { Hono, type Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { z } from "zod";
import type { AppEnv } from "../app";
import { staffSessionClaims, startStaffSession, toSignIn } from "../auth/staff-session";
import { throttleSettings } from "../auth/throttle";
import { chargeGuess } from "../auth/guess";
import { addressBucket, throttleKeyOf } from "../auth/throttle-keys";
import { beginSecondStep } from "../auth/second-step";
import { afterResponse } from "../observability/after-response";
import { parseForm } from "../forms/parse";
import { sendResetLink } from "./forgot";
import { findValidLink } from "./links";
import { sendPasswordNotice, staffOrigin } from "./notices";
import { changeOwnPassword, setPasswordWithLink } from "./password";
import { ChangePasswordPage, ForgotPasswordPage, LinkUnusablePage, SetPasswordPage } from "./views";

const LINK_COOKIE = "staff_link";
const LINK_PATH = "/staff-link";
/** The cookie lives at most this long (or until the link expires, if sooner). */
const LINK_COOKIE_SECONDS = 3600;

const newPasswordFields = {
  newPassword: z.string().min(1, "Enter a new password.").max(4096, "Use at most 128 characters."),
  confirmPassword: z.string().min(1, "Type the new password again to confirm it.").max(4096, "The two passwords don't match."),
};
const setPasswordForm = z.object(newPasswordFields);
const changePasswordForm = z.object({
  currentPassword: z.string().min(1, "Enter your current password.").max(1024, "That isn't your current password."),
  ...newPasswordFields,
});
const forgotForm = z.object({
  email: z.string().trim().min(1, "Enter your email.").max(254, "That is longer than any email address.").pipe(z.email("Enter an email address, like name@example.org.")),
});

const NOT_CHANGED = "Your password was not changed. Correct what is marked below.";
const tooMany = (lockMs: number) => `Too many attempts. Wait ${Math.round(lockMs / 60_000)} minutes and try again, or ask your administrator for help.`;

function unusable(c: Context<AppEnv>) {
  deleteCookie(c, LINK_COOKIE, { path: LINK_PATH, secure: true, httpOnly: true, sameSite: "Lax" });
  return c.html(<LinkUnusablePage />, 410);
}

/** The link whose secret this browser holds (from /staff-link/<token>), if it can still be used. */
async function heldLink(c: Context<AppEnv>) {
  const token = getCookie(c, LINK_COOKIE);
  return token ? findValidLink(c.var.db, token, Date.now()) : null;
}

/** Links, the set-password page and "Forgot password?": no session needed. */
export const credentialRoutes = new Hono<AppEnv>()
  .get(`${LINK_PATH}/:token`, async (c) => {
    const token = c.req.param("token");
    const link = await findValidLink(c.var.db, token, Date.now());
    if (!link) return unusable(c);
    const maxAge = Math.max(1, Math.min(LINK_COOKIE_SECONDS, Math.floor((link.expiresAt - Date.now()) / 1000)));
    setCookie(c, LINK_COOKIE, token, { httpOnly: true, secure: true, sameSite: "Lax", path: LINK_PATH, maxAge });
    return c.redirect(LINK_PATH, 303);
  })
  .get(LINK_PATH, async (c) => {
    const link = await heldLink(c);
    if (!link) return unusable(c);
    return c.html(<SetPasswordPage purpose={link.purpose} name={link.staff.name} email={link.staff.email} agencyName={link.agency.name} />);
  })
  .post(LINK_PATH, async (c) => {
    const link = await heldLink(c);
    if (!link) return unusable(c);
    const form = parseForm(setPasswordForm, await c.req.parseBody());
    // A new password the rules accepted comes back as typed; a refused one is cleared (it must
    // change anyway), and the confirmation always.
    const page = (errors: Record<string, string | undefined>) => (
      <SetPasswordPage
        purpose={link.purpose}
        name={link.staff.name}
        email={link.staff.email}
        agencyName={link.agency.name}
        errors={errors}
        alert={NOT_CHANGED}
        newPassword={errors.newPassword ? undefined : form.values.newPassword}
      />
    );
    if (!form.ok) return c.html(page(form.errors), 422);
    const now = Date.now();
    const outcome = await setPasswordWithLink(c.env, c.var.db, link, form.data, now);
    if (outcome.kind === "invalid") return c.html(page(outcome.errors ?? { [outcome.field]: outcome.message }), 422);
    if (outcome.kind === "spent") return unusable(c);
    // 1. The link is used up: forget it. 2. Tell the member by email. 3. Sign in with the new
    //    session version (every other session has ended) — but a link proves only the mailbox:
    //    a member with a second factor, or whose agency requires one, goes through the second
    //    step (or enrolment) first, exactly as after a password sign-in.
    deleteCookie(c, LINK_COOKIE, { path: LINK_PATH, secure: true, httpOnly: true, sameSite: "Lax" });
    const member = { ...link.staff, agency: link.agency };
    const kind = link.staff.hasPassword ? "changed" : "set";
    const notice = await sendPasswordNotice(c.env, staffOrigin(c.env, c.req.url), member, kind, now);
    if (!notice.sent) console.error(`staff password ${kind}: the notice could not be emailed: ${notice.reason}`);
    const next = `/menu?password=${kind}${notice.sent ? "" : "&notice=not-sent"}`;
    const signer = { id: link.staff.id, agencyId: link.agency.id, sessionVersion: outcome.sessionVersion };
    if (await beginSecondStep(c, signer, next)) return c.redirect("/sign-in/two-factor", 303);
    await startStaffSession(c, signer);
    return c.redirect(next, 303);
  })

  .get("/forgot-password", (c) => c.html(<ForgotPasswordPage />))
  .post("/forgot-password", async (c) => {
    const form = parseForm(forgotForm, await c.req.parseBody());
    if (!form.ok) return c.html(<ForgotPasswordPage email={form.values.email} errors={form.errors} />, 422);
    const { email } = form.data;
    const db = c.var.db;
    const settings = throttleSettings(c.env);
    const now = Date.now();
    // Each request is charged to the address (its own counter and the address's sign-in budget),
    // never to an account: the same for every email, and no way to lock anyone out from here.
    const bucket = addressBucket(c.req);
    const charged = await chargeGuess(c.env, db, { subject: await throttleKeyOf.forgotPassword(c.env, bucket), bucket, countAddress: false });
    if (!charged) return c.html(<ForgotPasswordPage email={email} alert={tooMany(settings.lockMs)} />, 429);
    // Looking the email up, issuing and sending start only after the answer has gone (a later turn
    // of the event loop), so its timing is the same whether or not an account matches.
    const origin = staffOrigin(c.env, c.req.url);
    afterResponse(c.executionCtx, () => sendResetLink(c.env, db, { email, origin, now }));
    return c.html(<ForgotPasswordPage sentTo={email} />);
  });

/** Change password, behind the staff session. */
export const accountRoutes = new Hono<AppEnv>()
  .get("/account/password", (c) => {
    const notice = c.req.query("changed") !== undefined
      ? `Your password has been changed, and your other sessions have been signed out.${c.req.query("notice") === "not-sent" ? " We couldn't email you the confirmation." : ""}`
      : undefined;
    return c.html(<ChangePasswordPage staff={c.var.staff} notice={notice} />);
  })
  .post("/account/password", async (c) => {
    const staff = c.var.staff;
    const form = parseForm(changePasswordForm, await c.req.parseBody());
    const keep = (errors: Record<string, string | undefined>) => (errors.newPassword ? undefined : form.values.newPassword);
    if (!form.ok) return c.html(<ChangePasswordPage staff={staff} errors={form.errors} alert={NOT_CHANGED} newPassword={keep(form.errors)} />, 422);
    const claims = await staffSessionClaims(c);
    if (!claims) return toSignIn(c);
    const outcome = await changeOwnPassword(c.env, c.var.db, {
      staff,
      sessionVersion: claims.ver,
      sessionId: c.var.sessionId,
      current: form.data.currentPassword,
      input: form.data,
      bucket: addressBucket(c.req),
    });
    if (outcome.kind === "invalid") {
      const errors = outcome.errors ?? { [outcome.field]: outcome.message };
      return c.html(<ChangePasswordPage staff={staff} errors={errors} alert={NOT_CHANGED} newPassword={keep(errors)} />, 422);
    }
    if (outcome.kind === "too-many") return c.html(<ChangePasswordPage staff={staff} alert={tooMany(throttleSettings(c.env).lockMs)} />, 429);
    if (outcome.kind === "ended") return toSignIn(c);
    // This session carries on (same sign-in time, new version); every other one has ended.
    await startStaffSession(c, { id: staff.id, agencyId: staff.agency.id, sessionVersion: outcome.sessionVersion }, { sid: c.var.sessionId, authTime: claims.authTime });
    const notice = await sendPasswordNotice(c.env, staffOrigin(c.env, c.req.url), staff, "changed", Date.now());
    if (!notice.sent) console.error(`staff password changed: the notice could not be emailed: ${notice.reason}`);
    return c.redirect(`/account/password?changed${notice.sent ? "" : "&notice=not-sent"}`, 303);
  });
