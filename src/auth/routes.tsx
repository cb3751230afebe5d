/** @jsxImportSource hono/jsx */
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../app";
import { parseForm } from "../forms/parse";
import { verifyAgainstDummy, hashPassword, verifyPassword } from "./password";
import { findStaffByEmail, updateStaffPasswordHash } from "./queries";
import { signOutStaff, startStaffSession } from "./staff-session";
import { SignInPage } from "./views";

const GENERIC_FAILURE = "That email and password don't match an active account.";

const signInForm = z.object({
  email: z.string().trim().min(1).max(254),
  password: z.string().min(1).max(1024),
  next: z.string().optional(),
});

/**
 * Only same-site paths; anything else returns to the Main Menu. Control characters and
 * backslashes are refused anywhere: browsers drop tabs and newlines from a URL and read "\\" as
 * "/", so "/<TAB>/evil.example" would otherwise leave the site.
 */
function safeNext(next: string | undefined): string {
  return next && next.startsWith("/") && !next.startsWith("//") && !/[\u0000-\u001f\u007f\\]/.test(next) ? next : "/menu";
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
      return c.html(<SignInPage email={form.values.email} next={safeNext(form.values.next)} error={GENERIC_FAILURE} />, 401);
    }
    const { email, password, next } = form.data;
    // 1. Find the account; an unknown email still costs one hash, so timing says nothing.
    const staff = await findStaffByEmail(c.var.db, email);
    if (!staff) {
      await verifyAgainstDummy(password);
      return c.html(<SignInPage email={email} next={safeNext(next)} error={GENERIC_FAILURE} />, 401);
    }
    // 2. Check the password, then that the account is active (same answer either way).
    const { ok, needsRehash } = await verifyPassword(staff.passwordHash, password);
    if (!ok || !staff.active) {
      return c.html(<SignInPage email={email} next={safeNext(next)} error={GENERIC_FAILURE} />, 401);
    }
    // 3. Upgrade a hash made with older parameters while we hold the password.
    if (needsRehash) await updateStaffPasswordHash(c.var.db, staff.id, await hashPassword(password));
    // 4. Start the session.
    await startStaffSession(c, staff);
    return c.redirect(safeNext(next), 303);
  })
  .post("/sign-out", async (c) => {
    await signOutStaff(c);
    return c.redirect("/sign-in?signed-out", 303);
  });
