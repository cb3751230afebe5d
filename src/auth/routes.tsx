/** @jsxImportSource hono/jsx */
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../app";
import { parseForm } from "../forms/parse";
import { hiddenCharacter, hiddenCharacterMessage, plainText } from "../forms/text";
import { verifyAgainstDummy, hashPassword, verifyPassword } from "./password";
import { findStaffByEmail, updateStaffPasswordHash } from "./queries";
import { addressKey, clearThrottle, clientAddress, countFailure, failureDelayMs, isLocked, staffEmailKey, throttleRowsQuery, throttleSettings } from "./throttle";
import { beginSecondStep } from "./second-step";
import { signOutStaff, startStaffSession } from "./staff-session";
import { recordSignIn, recordSignInFailure, recordSignOut } from "./security-events";
import { SignInPage } from "./views";

const GENERIC_FAILURE = "That email and password don't match an active account.";
const tooMany = (lockMs: number) =>
  `Too many attempts. Wait ${Math.round(lockMs / 60_000)} minutes and try again, or ask your administrator for help.`;

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
        notice={c.req.query("signed-out") !== undefined ? "You have signed out." : undefined}
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
    const db = c.var.db;
    const settings = throttleSettings(c.env);
    const ip = clientAddress(c.req);
    const key = staffEmailKey(email);
    const now = Date.now();

    // 1. A locked address or email answers at once, whether or not the account exists.
    const throttles = await throttleRowsQuery(db, [addressKey(ip), key]).all();
    if (throttles.some((t) => isLocked(t.lockedUntil, now))) return fail(tooMany(settings.lockMs), 429);

    // 2. Find the account and check the password; an unknown email still costs one hash.
    const staff = await findStaffByEmail(db, email);
    const { ok, needsRehash } = staff ? await verifyPassword(staff.passwordHash, password) : { ok: await verifyAgainstDummy(password), needsRehash: false };

    // 3. Any failure (unknown, wrong password, inactive) is counted the same way and answered alike.
    if (!staff || !ok || !staff.active) {
      const result = await countFailure(db, { unknownKey: key }, ip, settings, now);
      if (staff) recordSignInFailure(c, staff, ok ? "inactive account" : "wrong password", result.usernameLocked);
      if (result.usernameLocked || result.addressLocked) return fail(tooMany(settings.lockMs), 429);
      const delay = failureDelayMs(result.failures, settings);
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      return fail(GENERIC_FAILURE, 401);
    }
    // 4. Success forgets the failures; a hash made with older parameters is upgraded.
    await clearThrottle(db, key);
    if (needsRehash) await updateStaffPasswordHash(db, staff.id, await hashPassword(password));
    // 5. Start the session — unless a second factor comes first (src/auth/second-step.ts).
    if (await beginSecondStep(c, staff, safeNext(next))) return c.redirect("/sign-in/two-factor", 303);
    await startStaffSession(c, staff);
    recordSignIn(c, staff);
    return c.redirect(safeNext(next), 303);
  })
  .post("/sign-out", async (c) => {
    const who = await signOutStaff(c);
    if (who) recordSignOut(c, who);
    // Whatever the browser kept of this origin (cache, storage) goes with the session.
    c.header("Clear-Site-Data", '"cache", "storage"');
    return c.redirect("/sign-in?signed-out", 303);
  });
