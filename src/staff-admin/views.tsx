/** @jsxImportSource hono/jsx */
/**
 * Staff administration pages: the staff list, Invite staff, and one member's page. Pure markup:
 * data in, HTML out.
 */
import type { CurrentStaff } from "../app";
import { ROLE_LABELS } from "../auth/permissions";
import { STAFF_ROLES, type StaffRole } from "../db/schema";
import type { FieldErrors } from "../forms/parse";
import { formatAgencyDateTime } from "../layout/agency-time";
import { Field, Layout, type Crumb } from "../layout/views";
import { ErrorSummary } from "../layout/error-summary";
import { stateTitle } from "../layout/page-title";

/** The invitation's fields, for the error summary's links. */
const FIELD_LABELS: Record<string, string> = { name: "Name", email: "Email", role: "Role" };
import type { Member } from "./queries";
import { memberStatus, type MemberStatus } from "./status";

/** What each role may do, as the role choice explains it. */
const ROLE_DESCRIPTIONS: Record<StaffRole, string> = {
  admin: "Everything Staff can do, plus staff administration and the agency log.",
  staff: "Finds clients, updates Face Sheets and manages Client Portal logins.",
  auditor: "Reads Face Sheets and the Document Center; can't change anything.",
};

const STATUS_BADGE: Record<MemberStatus, string> = { Active: "badge ok", Invited: "badge warn", Locked: "badge bad", Inactive: "badge" };

const ADMIN_CRUMBS: Crumb[] = [
  { label: "Main Menu", href: "/menu" },
  { label: "Administration", href: "/menu#administration" },
];

const when = (ms: number | null, timezone: string) => (ms === null ? "Never" : formatAgencyDateTime(ms, timezone));

function Notice(props: { text?: string }) {
  return props.text ? (
    <p class="notice" role="status">
      {props.text}
    </p>
  ) : null;
}

/** Why nothing was done: a summary that takes focus, linking each bad field. */
function Alert(props: { text?: string; errors?: FieldErrors }) {
  return props.text ? <ErrorSummary message={props.text} errors={props.errors} labels={FIELD_LABELS} targets={{ role: `f-role-${STAFF_ROLES[0]}` }} /> : null;
}

/** The member's status badge, with "Email not sent" beside it when their invitation failed. */
function StatusBadges(props: { member: Member; now: number }) {
  const status = memberStatus(props.member, props.now);
  return (
    <span class="badges">
      <span class={STATUS_BADGE[status]}>{status}</span>
      {status === "Invited" && props.member.inviteEmailStatus === "failed" && <span class="badge bad">Email not sent</span>}
    </span>
  );
}

/** The agency's staff: who they are, their role, status, two-factor state and last sign-in. */
export function StaffListPage(props: { staff: CurrentStaff; members: Member[]; now: number; notice?: string }) {
  const tz = props.staff.agency.timezone;
  return (
    <Layout title="Staff" staff={props.staff} crumbs={[...ADMIN_CRUMBS, { label: "Staff" }]}>
      <div class="page-head">
        <h1>Staff</h1>
        <a href="/admin/staff/invite" class="button primary">
          Invite staff
        </a>
      </div>
      <Notice text={props.notice} />
      <section class="card" aria-labelledby="staff-h">
        <h2 id="staff-h">
          {props.members.length} {props.members.length === 1 ? "person" : "people"}
        </h2>
        <div class="table-wrap">
          <table class="stack staff-list">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Status</th>
                <th scope="col">Two-factor</th>
                <th scope="col">Last sign-in</th>
              </tr>
            </thead>
            <tbody>
              {props.members.map((m) => (
                <tr>
                  <td data-label="Name" class="who-cell">
                    <a href={`/admin/staff/${m.id}`}>{m.name}</a>
                    <span class="meta">{m.email}</span>
                  </td>
                  <td data-label="Role">{ROLE_LABELS[m.role]}</td>
                  <td data-label="Status">
                    <StatusBadges member={m} now={props.now} />
                  </td>
                  <td data-label="Two-factor">{m.twoFactor === "on" ? "On" : "Off"}</td>
                  <td data-label="Last sign-in">{when(m.lastSignInAt, tz)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </Layout>
  );
}

/** The role choice: one radio per role, each with what it may do. */
function RoleChoice(props: { value?: string; error?: string; legend: string; required?: boolean; hideLegend?: boolean }) {
  const errorId = "f-role-error";
  return (
    <fieldset class={props.error ? "choices has-error" : "choices"} aria-describedby={props.error ? errorId : undefined}>
      <legend class={props.hideLegend ? "visually-hidden" : undefined}>
        {props.legend}
        {props.required && <span aria-hidden="true"> *</span>}
      </legend>
      {props.error && (
        <p class="error" id={errorId}>
          {props.error}
        </p>
      )}
      {STAFF_ROLES.map((role) => (
        <div class="choice">
          <input type="radio" name="role" id={`f-role-${role}`} value={role} checked={props.value === role} aria-describedby={`f-role-${role}-hint`} />
          <label for={`f-role-${role}`}>{ROLE_LABELS[role]}</label>
          <span class="meta" id={`f-role-${role}-hint`}>
            {ROLE_DESCRIPTIONS[role]}
          </span>
        </div>
      ))}
    </fieldset>
  );
}

/** Invite staff: name, email and role; the person gets a link to set their password. */
export function InvitePage(props: { staff: CurrentStaff; values?: Record<string, string>; errors?: FieldErrors }) {
  const errors = props.errors ?? {};
  const values = props.values ?? {};
  const failed = Object.keys(errors).length > 0;
  return (
    <Layout title={stateTitle("Invite staff", failed)} staff={props.staff} crumbs={[...ADMIN_CRUMBS, { label: "Staff", href: "/admin/staff" }, { label: "Invite staff" }]}>
      <section class="card narrow wide-form">
        <h1>Invite staff</h1>
        <p>They get an email with a link to set their password. The link works once, for 24 hours.</p>
        <Alert text={failed ? "Nobody was invited. Correct what is marked below." : undefined} errors={errors} />
        <form method="post" action="/admin/staff/invite" novalidate>
          <Field name="name" label="Name" value={values.name} error={errors.name} autocomplete="off" maxlength={120} required />
          <Field name="email" label="Email" type="email" value={values.email} error={errors.email} autocomplete="off" maxlength={254} verbatim required />
          <RoleChoice legend="Role" value={values.role ?? "staff"} error={errors.role} required />
          <div class="actions">
            <button type="submit" class="primary">
              Send invitation
            </button>
            <a href="/admin/staff" class="button">
              Cancel
            </a>
          </div>
        </form>
      </section>
    </Layout>
  );
}

/** Messages the member page shows beside a control after a refused action. */
export interface MemberPageErrors {
  role?: string;
  access?: string;
  signIn?: string;
}

export interface MemberPageProps {
  staff: CurrentStaff;
  member: Member;
  openSessions: number;
  /** The agency's admins who can sign in (active, with a password), this member included. */
  activeAdmins: number;
  now: number;
  notice?: string;
  alert?: string;
  errors?: MemberPageErrors;
  /** The role as submitted, when the role form is shown again. */
  roleValue?: string;
}

function ActionForm(props: { action: string; label: string; hint: string; id: string; error?: string; primary?: boolean }) {
  const describedBy = [`${props.id}-hint`, props.error ? `${props.id}-error` : ""].filter(Boolean).join(" ");
  return (
    <form method="post" action={props.action} class="admin-action">
      <button type="submit" class={props.primary ? "primary" : undefined} aria-describedby={describedBy}>
        {props.label}
      </button>
      <p class="hint" id={`${props.id}-hint`}>
        {props.hint}
      </p>
      {props.error && (
        <p class="error" id={`${props.id}-error`}>
          {props.error}
        </p>
      )}
    </form>
  );
}

/** One member: their account, their role, and what an admin can do about their access. */
export function MemberPage(props: MemberPageProps) {
  const { member: m, now } = props;
  const tz = props.staff.agency.timezone;
  const status = memberStatus(m, now);
  const errors = props.errors ?? {};
  const base = `/admin/staff/${m.id}`;
  const self = m.id === props.staff.id;
  const lastAdmin = m.role === "admin" && m.active && !m.invited && props.activeAdmins <= 1;
  const inviteLine =
    m.inviteExpiresAt === null ? "No working link: send the invitation again." : m.inviteExpiresAt > now ? `Link works until ${when(m.inviteExpiresAt, tz)}` : "The link has expired: send the invitation again.";
  return (
    <Layout title={stateTitle(m.name, props.alert !== undefined)} staff={props.staff} crumbs={[...ADMIN_CRUMBS, { label: "Staff", href: "/admin/staff" }, { label: m.name }]}>
      <h1>
        {m.name} <span class="sub">{m.email}</span>
      </h1>
      <Notice text={props.notice} />
      <Alert text={props.alert} />
      <div class="columns member-columns">
        <section class="card" aria-labelledby="account-h">
          <h2 id="account-h">Account</h2>
          <dl class="facts">
            <dt>Role</dt>
            <dd>{ROLE_LABELS[m.role]}</dd>
            <dt>Status</dt>
            <dd>
              <StatusBadges member={m} now={now} />
            </dd>
            {status === "Invited" && (
              <>
                <dt>Invitation</dt>
                <dd>{m.inviteEmailStatus === "failed" ? `The email could not be sent. ${inviteLine}` : inviteLine}</dd>
              </>
            )}
            {status === "Locked" && m.lockedUntil !== null && (
              <>
                <dt>Locked until</dt>
                <dd>{when(m.lockedUntil, tz)}</dd>
              </>
            )}
            <dt>Two-factor</dt>
            <dd>{m.twoFactor === "on" ? "On" : "Off"}</dd>
            <dt>Last sign-in</dt>
            <dd>{when(m.lastSignInAt, tz)}</dd>
            <dt>Open sessions</dt>
            <dd>{props.openSessions}</dd>
          </dl>
        </section>

        <section class="card" aria-labelledby="role-h">
          <h2 id="role-h">Role</h2>
          {lastAdmin && <p class="hint">{self ? "You are" : `${m.name} is`} the agency's only active administrator: make someone else an administrator before changing this role.</p>}
          <form method="post" action={`${base}/role`} novalidate>
            <RoleChoice legend={`Role of ${m.name}`} value={props.roleValue ?? m.role} error={errors.role} hideLegend />
            <button type="submit" class="primary">
              Save role
            </button>
          </form>
        </section>
      </div>

      <section class="card" aria-labelledby="access-h">
        <h2 id="access-h">Sign-in and access</h2>
        {status === "Invited" && (
          <ActionForm action={`${base}/resend-invite`} id="resend" label="Resend invite" primary hint="Emails a new set-password link; earlier links stop working." error={errors.signIn} />
        )}
        {status === "Locked" && (
          <ActionForm action={`${base}/unlock`} id="unlock" label="Unlock" primary hint="Clears the failed sign-ins, so they can sign in again now." error={errors.signIn} />
        )}
        {m.active && !m.invited && (
          <ActionForm
            action={`${base}/sign-out-everywhere`}
            id="sign-out-everywhere"
            label="Sign out everywhere"
            hint={self ? "Ends every one of your sessions, this one included." : `Ends every one of ${m.name}'s sessions at once, on every device.`}
          />
        )}
        {m.active && self ? (
          <div class="admin-action">
            <p class="hint">You can't deactivate your own account; another administrator can.</p>
            {errors.access && (
              <p class="error" id="deactivate-error">
                {errors.access}
              </p>
            )}
          </div>
        ) : m.active ? (
          <ActionForm
            action={`${base}/deactivate`}
            id="deactivate"
            label="Deactivate"
            hint={`${m.name} can't sign in until reactivated; every session of theirs ends at once.`}
            error={errors.access}
          />
        ) : (
          <ActionForm action={`${base}/reactivate`} id="reactivate" label="Reactivate" hint={`${m.name} can sign in again${m.invited ? " once you resend the invitation" : ""}.`} error={errors.access} />
        )}
      </section>
    </Layout>
  );
}
