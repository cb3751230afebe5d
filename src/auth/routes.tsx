/** @jsxImportSource hono/jsx */
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../app";
import { parseForm } from "../forms/parse";
import { hiddenCharacter, hiddenCharacterMessage, plainText } from "../forms/text";
import { readDeviceCookie, setDeviceCookie, STAFF_DEVICE_COOKIE } from "./device-cookie";
import { attemptStaffSignIn } from "./staff-sign-in";
import { waitText } from "./throttle";
import { addressBucket } from "./throttle-keys";
import { beginSecondStep } from "./second-step";
import { signOutStaff } from "./staff-session";
import { recordSignInFailure, recordSignOut, startRecordedSession } from "./security-events";
import { SignInPage } from "./views";

const GENERIC_FAILURE = "That email and password don't match an active account.";
const tooMany = (retryAfterMs: number) => `Too many attempts. Wait ${waitText(retryAfterMs)} and try again, or ask your administrator for help.`;

const signInForm = z.object({
  email: plainText("Email").trim().min(1).max(254),
  password: z.string().min(1).max(1024),
  next: z.string().optional(),
});

/**
 * Only same-site paths; anything else returns to the Main Menu. Control characters (and the other
 * invisible ones of src/forms/text.ts) and backslashes are refused anywhere: browsers drop tabs
 * and newlines from a URL and read "\\" as "/", so "/<TAB>/evil.example" would otherwise leave
 * the site.
 */
export function safeNext(next: string | undefined): string {
  return next && next.startsWith("/") && !next.startsWith("//") && !/[\u0000-\u001f\u007f\\]/.test(next) && !hiddenCharacter(next) ? next : "/menu";
}

export const authRoutes = new Hono<AppEnv>()
  .get("/sign-in", (c) =>
    c.html(
      <SignInPage
        next={safeNext(c.req.query("next"))}
        notice={
          c.req.query("signed-out") !== undefined
            ? "You have signed out."
            : c.req.query("timeout") !== undefined
              ? "You were signed out because there was no activity for a while. Sign in to go back to the page you were on."
              : undefined
        }
      />,
    ),
  )
  .post("/sign-in", async (c) => {
    const form = parseForm(signInForm, await c.req.parseBody());
    if (!form.ok) {
      // A hidden character is a typing (or pasting) problem, said beside the field and counted as
      // no failure; anything else gets the one message that never says which part was wrong.
      const hidden = hiddenCharacter(form.values.email ?? "");
      if (hidden) {
        const errors = { email: hiddenCharacterMessage("Email", hidden) };
        return c.html(<SignInPage email={form.values.email} next={safeNext(form.values.next)} errors={errors} error="Correct the field marked below." />, 422);
      }
      return c.html(<SignInPage email={form.values.email} next={safeNext(form.values.next)} error={GENERIC_FAILURE} />, 401);
    }
    const { email, password, next } = form.data;
    const fail = (error: string, status: 401 | 429) => c.html(<SignInPage email={email} next={safeNext(next)} error={error} />, status);
    const outcome = await attemptStaffSignIn(c.env, c.var.db, {
      email,
      password,
      bucket: addressBucket(c.req),
      deviceToken: readDeviceCookie(c, STAFF_DEVICE_COOKIE),
    });
    // A known account's failure goes to its agency's log (after the response: same timing as an unknown email's).
    if (outcome.kind !== "signed-in" && outcome.account) recordSignInFailure(c, outcome.account, outcome.reason!, outcome.kind === "too-many");
    if (outcome.kind === "failed") return fail(GENERIC_FAILURE, 401);
    if (outcome.kind === "too-many") {
      c.header("Retry-After", String(Math.ceil(outcome.retryAfterMs / 1000)));
      return fail(tooMany(outcome.retryAfterMs), 429);
    }
    if (outcome.deviceToken) setDeviceCookie(c, STAFF_DEVICE_COOKIE, outcome.deviceToken);
    // Start the session — unless a second factor comes first (src/auth/second-step.ts).
    // One batch after the hash: the charge given back, with the session unless a second step is due.
    if (await beginSecondStep(c, outcome.staff, safeNext(next), Boolean(outcome.staff.secondStep))) {
      const [first, ...rest] = outcome.settle;
      await c.var.db.batch([first!, ...rest]);
      return c.redirect("/sign-in/two-factor", 303);
    }
    await startRecordedSession(c, outcome.staff, outcome.settle);
    return c.redirect(safeNext(next), 303);
  })
  .post("/sign-out", async (c) => {
    const who = await signOutStaff(c);
    if (who) recordSignOut(c, who);
    // Whatever the browser kept of this origin (cache, storage) goes with the session.
    c.header("Clear-Site-Data", '"cache", "storage"');
    return c.redirect("/sign-in?signed-out", 303);
  });
