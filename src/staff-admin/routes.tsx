/** @jsxImportSource hono/jsx */
/**
 * Staff administration (Main Menu › Administration › Staff), for administrators only — the
 * permission table (src/auth/permissions.ts) refuses every other role before these handlers run.
 *
 * Every write goes through ./agency-change.ts with its agency log entry. Every member is looked up
 * within the admin's own agency: another agency's staff id answers 404 (and is logged), exactly
 * like an id that doesn't exist. A form with bad input is shown again with the message next to the
 * field (422) and nothing written; an action the member's state no longer allows answers 409.
 */
import { Hono, type Context } from "hono";
import { routePath } from "hono/route";
import type { AppEnv } from "../app";
import type { Actor } from "../audit/entry";
import { ROLE_LABELS } from "../auth/permissions";
import { sessionLimits } from "../auth/session";
import { parseForm } from "../forms/parse";
import { ErrorPage } from "../layout/error-page";
import { sendLinkEmail, staffOrigin } from "../staff-credentials/notices";
import { EMAIL_TAKEN, inviteForm, roleForm } from "./form";
import { inviteMember, resendInvite } from "./invitations";
import { changeRole, deactivate, reactivate, signOutEverywhere, unlock, type MemberChange } from "./member-changes";
import { findMember, listMembers, setInviteEmailStatus, type MemberDetail } from "./queries";
import { InvitePage, MemberPage, StaffListPage, type MemberPageErrors } from "./views";

const MEMBER = "/admin/staff/:staffId{[0-9]+}";

/** What the member page says after an action (`?done=`), given the member. */
const DONE: Record<string, (m: { name: string; email: string; role: keyof typeof ROLE_LABELS }) => string> = {
  invited: (m) => `Invitation sent to ${m.email}. The link works once, for 24 hours.`,
  role: (m) => `${m.name} is now ${ROLE_LABELS[m.role]}.`,
  unchanged: (m) => `${m.name} already has the role ${ROLE_LABELS[m.role]}; nothing changed.`,
  deactivated: (m) => `${m.name} was deactivated and signed out everywhere.`,
  reactivated: (m) => `${m.name} was reactivated.`,
  unlocked: (m) => `${m.name} was unlocked and can sign in again.`,
  "invite-sent": (m) => `A new invitation was sent to ${m.email}; earlier links no longer work.`,
  "signed-out": (m) => `${m.name} was signed out everywhere.`,
};

const emailNotSent = (m: { name: string; email: string }) =>
  `Email not sent: the invitation to ${m.email} could not be emailed. ${m.name}'s account is kept; use Resend invite to try again.`;

const actorOf = (c: Context<AppEnv>): Actor => ({ type: "staff", id: c.var.staff.id, name: c.var.staff.name });

/** The member named by the URL, within the signed-in admin's agency; null when there is none. */
async function loadMember(c: Context<AppEnv>): Promise<MemberDetail | null> {
  const limits = sessionLimits(c.env);
  const staffId = Number(c.req.param("staffId"));
  const found = Number.isSafeInteger(staffId)
    ? await findMember(c.env, c.var.db, { agencyId: c.var.staff.agency.id, staffId, now: Date.now(), idleMs: limits.idleSeconds * 1000, maxMs: limits.maxSeconds * 1000 })
    : null;
  if (!found) {
    // Another agency's staff id looks exactly like one that doesn't exist; the attempt is logged
    // like a refused route (pattern, not URL: no ids).
    console.warn(`staff admin: no such member in agency=${c.var.staff.agency.id}: ${c.req.method} ${routePath(c)} staff=${c.var.staff.id}`);
  }
  return found;
}

const notFound = (c: Context<AppEnv>) => c.html(ErrorPage({ title: "Not found", message: "There is nothing here, or you don't have access to it.", staff: c.var.staff }), 404);

/** The member page, as answered after a refused action (422 or 409) or as a plain view (200). */
function memberPage(c: Context<AppEnv>, d: MemberDetail, extra: { status?: 200 | 409 | 422; notice?: string; alert?: string; errors?: MemberPageErrors; roleValue?: string } = {}) {
  const { status = 200, ...rest } = extra;
  return c.html(<MemberPage staff={c.var.staff} member={d.member} openSessions={d.openSessions} activeAdmins={d.activeAdmins} now={Date.now()} {...rest} />, status);
}

const backTo = (staffId: number, done: string, emailFailed = false) => `/admin/staff/${staffId}?done=${done}${emailFailed ? "&email=not-sent" : ""}`;

function change(c: Context<AppEnv>, d: MemberDetail): MemberChange {
  return { agencyId: c.var.staff.agency.id, actor: actorOf(c), member: d.member, now: Date.now() };
}

/** Emails an invitation link and records whether it went; true when sent. */
async function emailInvite(c: Context<AppEnv>, member: { id: number; name: string; email: string }, token: string): Promise<boolean> {
  const staff = c.var.staff;
  const outcome = await sendLinkEmail(c.env, staffOrigin(c.env, c.req.url), { ...member, agency: staff.agency }, "invite", token);
  if (!outcome.sent) console.error(`staff invitation: the email could not be sent: ${outcome.reason}`);
  await setInviteEmailStatus(c.var.db, { agencyId: staff.agency.id, staffId: member.id, status: outcome.sent ? "sent" : "failed" });
  return outcome.sent;
}

export const staffAdminRoutes = new Hono<AppEnv>()
  .get("/admin/staff", async (c) => {
    const members = await listMembers(c.env, c.var.db, c.var.staff.agency.id);
    return c.html(<StaffListPage staff={c.var.staff} members={members} now={Date.now()} />);
  })

  .get("/admin/staff/invite", (c) => c.html(<InvitePage staff={c.var.staff} />))
  .post("/admin/staff/invite", async (c) => {
    const staff = c.var.staff;
    const form = parseForm(inviteForm, await c.req.parseBody());
    if (!form.ok) return c.html(<InvitePage staff={staff} values={form.values} errors={form.errors} />, 422);
    const outcome = await inviteMember(c.env, c.var.db, { agencyId: staff.agency.id, actor: actorOf(c), ...form.data, now: Date.now() });
    if (outcome.kind === "duplicate") return c.html(<InvitePage staff={staff} values={form.values} errors={{ email: EMAIL_TAKEN }} />, 422);
    const sent = await emailInvite(c, { id: outcome.staffId, name: form.data.name, email: form.data.email }, outcome.token);
    return c.redirect(backTo(outcome.staffId, "invited", !sent), 303);
  })

  .get(MEMBER, async (c) => {
    const d = await loadMember(c);
    if (!d) return notFound(c);
    const done = DONE[c.req.query("done") ?? ""];
    const failed = c.req.query("email") === "not-sent";
    return memberPage(c, d, { notice: done && !failed ? done(d.member) : undefined, alert: failed ? emailNotSent(d.member) : undefined });
  })

  .post(`${MEMBER}/role`, async (c) => {
    const d = await loadMember(c);
    if (!d) return notFound(c);
    const form = parseForm(roleForm, await c.req.parseBody());
    if (!form.ok) return memberPage(c, d, { status: 422, errors: form.errors, alert: "The role was not changed. Correct what is marked below." });
    const to = form.data.role;
    const outcome = await changeRole(c.env, c.var.db, change(c, d), to);
    const m = d.member;
    if (outcome.kind === "last-admin") {
      const who = m.id === c.var.staff.id ? "You are" : `${m.name} is`;
      const errors = { role: `${who} the agency's only active administrator. Make someone else an administrator first.` };
      return memberPage(c, d, { status: 422, errors, roleValue: to, alert: "The role was not changed. Correct what is marked below." });
    }
    if (outcome.kind === "stale") {
      const fresh = (await loadMember(c)) ?? d;
      return memberPage(c, fresh, { status: 409, alert: `Someone changed ${m.name}'s role meanwhile: it is now ${ROLE_LABELS[fresh.member.role]}. Nothing was saved; check and try again.` });
    }
    // An admin who gave up their own admin role can no longer open this page.
    if (m.id === c.var.staff.id && to !== "admin") return c.redirect("/menu", 303);
    return c.redirect(backTo(m.id, outcome.kind === "changed" ? "role" : "unchanged"), 303);
  })

  .post(`${MEMBER}/deactivate`, async (c) => {
    const d = await loadMember(c);
    if (!d) return notFound(c);
    const m = d.member;
    if (m.id === c.var.staff.id) {
      return memberPage(c, d, { status: 422, errors: { access: "You can't deactivate your own account. Ask another administrator." } });
    }
    const outcome = await deactivate(c.env, c.var.db, change(c, d));
    if (outcome.kind === "last-admin") {
      return memberPage(c, d, { status: 422, errors: { access: `${m.name} is the agency's only active administrator. Make someone else an administrator first.` } });
    }
    if (outcome.kind === "already") return memberPage(c, (await loadMember(c)) ?? d, { status: 409, alert: `${m.name} is already inactive; nothing changed.` });
    return c.redirect(backTo(m.id, "deactivated"), 303);
  })

  .post(`${MEMBER}/reactivate`, async (c) => {
    const d = await loadMember(c);
    if (!d) return notFound(c);
    const outcome = await reactivate(c.env, c.var.db, change(c, d));
    if (outcome.kind === "already") return memberPage(c, (await loadMember(c)) ?? d, { status: 409, alert: `${d.member.name} is already active; nothing changed.` });
    return c.redirect(backTo(d.member.id, "reactivated"), 303);
  })

  .post(`${MEMBER}/unlock`, async (c) => {
    const d = await loadMember(c);
    if (!d) return notFound(c);
    const outcome = await unlock(c.env, c.var.db, change(c, d));
    if (outcome.kind === "not-locked") return memberPage(c, d, { status: 409, alert: `${d.member.name} wasn't locked; nothing changed.` });
    return c.redirect(backTo(d.member.id, "unlocked"), 303);
  })

  .post(`${MEMBER}/resend-invite`, async (c) => {
    const d = await loadMember(c);
    if (!d) return notFound(c);
    const m = d.member;
    const outcome = await resendInvite(c.env, c.var.db, { agencyId: c.var.staff.agency.id, actor: actorOf(c), member: m, now: Date.now() });
    if (outcome.kind === "not-invited") {
      return memberPage(c, (await loadMember(c)) ?? d, {
        status: 409,
        alert: `${m.name} isn't waiting for an invitation any more (they have set a password, or were deactivated); nothing was sent.`,
      });
    }
    const sent = await emailInvite(c, m, outcome.token);
    return c.redirect(backTo(m.id, "invite-sent", !sent), 303);
  })

  .post(`${MEMBER}/sign-out-everywhere`, async (c) => {
    const d = await loadMember(c);
    if (!d) return notFound(c);
    await signOutEverywhere(c.env, c.var.db, { ...change(c, d), openSessions: d.openSessions });
    return c.redirect(backTo(d.member.id, "signed-out"), 303);
  });
