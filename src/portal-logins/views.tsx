/** @jsxImportSource hono/jsx */
/**
 * The Face Sheet's Client Portal section: the refused flag, the Agency Portal URL, the table of
 * portal logins and Add Client Portal Login. The section's frame stays put; its body
 * (#client-portal) is what htmx swaps after a Save or Resend, and the status line above it is a
 * live region that survives the swap so the outcome is announced.
 */
import { can, type Role } from "../auth/permissions";
import type { LoginLinks } from "../clients/portal-links";
import type { PortalEmail, PortalLogin, PortalRepresentation } from "../db/schema";
import type { AccessVerdict, MinorSettings } from "../representatives/access";
import { RecordSummary } from "../representatives/views";
import type { ClientRecord } from "../representatives/queries";
import { emailsByLogin, undeliveredNotices } from "./email-history";
import { EmailHistoryDisclosure, LoginOverview } from "./history-views";
import { emailDelivery, hasTemporaryPassword, loginStatus, pendingInvitation } from "./status";
import type { LinkedLogin } from "../families/queries";
import { LinkedLoginCell, LinkLoginButton } from "../families/section-views";
import { STATUS_BADGE, statusLabel } from "./status-labels";
import { Breakable } from "../layout/breakable";
import { formatAgencyDateTime, formatAgencyDateTimeWithZone } from "../layout/agency-time";
import { accessOf, EMAIL_NOT_SENT, helpId, keyLabels, NOTICE_NOT_SENT, StatusKey } from "./status-key";

export const SECTION_BODY_ID = "client-portal";
export const STATUS_ID = "portal-login-status";
export const DIALOG_SLOT_ID = "portal-login-dialog-slot";

/** What the outcome line says, and whether it is good news. */
export interface StatusMessage {
  text: string;
  tone: "ok" | "warn";
}

export interface SectionData {
  clientId: number;
  refusedPortalLogin: boolean;
  portalUrl: string;
  logins: PortalLogin[];
  /** The client's portal emails, newest first (the Email history of each login). */
  emails: PortalEmail[];
  /** Passkeys per login id. */
  passkeys: Map<number, number>;
  /** Each login's newest emailed link and newest invitation. */
  links: Record<number, LoginLinks>;
  /** How long a link locked by wrong dates of birth shows as "Link locked". */
  lockHoldMs: number;
  now: number;
  timezone: string;
  /** The signed-in role: Add, Edit and Resend show only for a role that may use them. */
  role: Role;
  /** The login whose Email history is shown open (after a Resend from it). */
  openHistory?: number;
  /** Logins linked to this client from another one (families), with their record for this client. */
  linked?: Map<number, LinkedLogin>;
  /** Representative records of this client, by login id (src/representatives/). */
  records: Map<number, ClientRecord>;
  clientDateOfBirth: string;
  /** The agency's today and minors settings: the access rule's verdict per login. */
  today: string;
  minors: MinorSettings;
}

export const portalLoginsPath = (clientId: number) => `/face-sheet/${clientId}/portal-logins`;

const yesNo = (v: boolean) => (v ? "Yes" : "No");



/** The outcome line's content (also sent alone, out of band, after an htmx Save). */
export function StatusLine(props: { message?: StatusMessage }) {
  if (!props.message) return null;
  return <p class={props.message.tone === "ok" ? "notice" : "warning"}>{props.message.text}</p>;
}

/** The whole section, as the Face Sheet page renders it. */
export function ClientPortalSection(props: SectionData & { message?: StatusMessage }) {
  return (
    <section id="client-portal-section" class="card" aria-labelledby="client-portal-h">
      <h2 id="client-portal-h">Client Portal</h2>
      <div id={STATUS_ID} role="status">
        <StatusLine message={props.message} />
      </div>
      <ClientPortalBody {...props} />
      <div id={DIALOG_SLOT_ID}></div>
    </section>
  );
}

/** The swappable body: refreshed after a Save, a Resend, or a Face Sheet Update (refused flag). */
export function ClientPortalBody(props: SectionData) {
  const base = portalLoginsPath(props.clientId);
  const manage = can(props.role, "portal-logins.manage");
  return (
    <div id={SECTION_BODY_ID} hx-get={base} hx-trigger="face-sheet-saved from:body" hx-swap="outerHTML">
      <dl class="facts portal-facts">
        <dt>Client Refused Portal Login:</dt>
        <dd>
          <strong>{yesNo(props.refusedPortalLogin)}</strong>
        </dd>
        <dt>Agency Portal URL:</dt>
        <dd>
          <div class="url-row">
            <code>
              <Breakable text={props.portalUrl} at={/(?<=[^/:]\/)/} />
            </code>
            <button type="button" class="small" data-copy={props.portalUrl} aria-controls="portal-url-copied" aria-label="Copy Agency Portal URL">
              Copy
            </button>
            <span id="portal-url-copied" class="meta" aria-live="polite"></span>
          </div>
        </dd>
      </dl>
      {props.logins.length === 0 ? (
        <div class="no-data">
          <p class="empty">No data</p>
          <p class="hint">{manage ? "No portal logins yet. Add Client Portal Login gives the client, or someone acting for them, a login." : "No portal logins yet."}</p>
        </div>
      ) : (
        <LoginsTable {...props} manage={manage} />
      )}
      {manage && (
        <div class="actions">
          <a
            id="add-portal-login"
            class="button"
            href={`${base}/new`}
            hx-get={`${base}/new`}
            hx-target={`#${DIALOG_SLOT_ID}`}
            hx-swap="innerHTML"
            data-opens-dialog
            role="button"
            aria-haspopup="dialog"
          >
            Add Client Portal Login
          </a>
          <LinkLoginButton clientId={props.clientId} />
        </div>
      )}
    </div>
  );
}

/** The Status cell: the badge, what an invitation link is waiting on, and Resend invitation. */
function StatusCell(props: { base: string; login: PortalLogin; links: LoginLinks | undefined; now: number; timezone: string; lockHoldMs: number; manage: boolean; access: AccessVerdict }) {
  const { login: l, now } = props;
  const status = loginStatus(l, now, props.links, props, props.access);
  const invite = pendingInvitation(l, props.links);
  // Invited by link and still without a password (its link may have been ended, e.g. by a deactivation).
  const invitedByLink = l.passwordHash === null && l.mustChangePassword && props.links?.invite !== undefined;
  const at = (ms: number) => formatAgencyDateTime(ms, props.timezone);
  return (
    <div class="status-cell">
      {/* What the status means is in the key under the table: visible, and read with the badge. */}
      <span class={STATUS_BADGE[status]} aria-describedby={helpId(status)}>
        {statusLabel(status)}
      </span>
      {invite && (
        <span class="meta">
          Link sent {at(invite.createdAt)}, {invite.expiresAt > now ? "expires" : "expired"} {at(invite.expiresAt)}
        </span>
      )}
      {invitedByLink && l.active && props.manage && (
        <form method="post" action={`${props.base}/${l.id}/resend-invitation`} hx-post={`${props.base}/${l.id}/resend-invitation`} hx-target={`#${SECTION_BODY_ID}`} hx-swap="outerHTML">
          <button type="submit" class="small" id={`resend-invitation-${l.id}`}>
            Resend invitation<span class="visually-hidden"> to {l.username}</span>
          </button>
        </form>
      )}
    </div>
  );
}

function LoginsTable(props: SectionData & { manage: boolean }) {
  const base = portalLoginsPath(props.clientId);
  const byLogin = emailsByLogin(props.emails);
  const columns = props.manage ? 8 : 7;
  return (
    <div class="table-wrap">
      <table class="stack portal-logins">
        <thead>
          <tr>
            <th scope="col">Portal Username</th>
            <th scope="col">Representative</th>
            <th scope="col">Active</th>
            <th scope="col">Status</th>
            <th scope="col">Credential</th>
            <th scope="col">Portal User Email</th>
            <th scope="col">Last login</th>
            {props.manage && <th scope="col">Edit</th>}
          </tr>
        </thead>
        <tbody>
          {props.logins.map((l) => {
            const links = props.links[l.id];
            const delivery = emailDelivery(l, links);
            const emails = byLogin.get(l.id) ?? [];
            const history = {
              clientId: props.clientId,
              login: l,
              emails,
              passkeys: props.passkeys.get(l.id) ?? 0,
              now: props.now,
              timezone: props.timezone,
              manage: props.manage,
              refused: props.refusedPortalLogin,
            };
            return (
              <>
              <tr>
                <td data-label="Portal Username" class="username">
                  <Breakable text={l.username} />
                </td>
                <td data-label="Representative">
                  {props.linked?.get(l.id) ? (
                    <LinkedLoginCell clientId={props.clientId} username={l.username} link={props.linked.get(l.id)!} manage={props.manage} />
                  ) : l.representative ? (
                    <div class="representative-cell">
                      <span>Yes</span>
                      <RecordSummary record={props.records.get(l.id)} dateOfBirth={props.clientDateOfBirth} ageOfMajority={props.minors.ageOfMajority} />
                    </div>
                  ) : (
                    "No"
                  )}
                </td>
                <td data-label="Active">{yesNo(l.active)}</td>
                <td data-label="Status">
                  <StatusCell base={base} login={l} links={links} now={props.now} timezone={props.timezone} lockHoldMs={props.lockHoldMs} manage={props.manage} access={accessOf(l, props)} />
                </td>
                <td data-label="Credential">
                  <LoginOverview {...history} />
                </td>
                <td data-label="Portal User Email">
                  <div class="email-cell">
                    <Breakable text={l.email} class="email" />
                    {delivery === "sent" && <span class="meta">Email sent</span>}
                    {delivery === "failed" && (
                      <span class="resend">
                        <span class="badge bad" aria-describedby={helpId(EMAIL_NOT_SENT)}>
                          Email not sent
                        </span>
                        {l.active && props.manage && hasTemporaryPassword(l) && (
                          <form method="post" action={`${base}/${l.id}/resend`} hx-post={`${base}/${l.id}/resend`} hx-target={`#${SECTION_BODY_ID}`} hx-swap="outerHTML">
                            <button
                              type="submit"
                              class="small"
                              id={`resend-portal-login-${l.id}`}
                              aria-label={`Resend email to ${l.username}`}
                            >
                              Resend
                            </button>
                          </form>
                        )}
                      </span>
                    )}
                    {undeliveredNotices(emails).length > 0 && (
                      <span class="badge bad" aria-describedby={helpId(NOTICE_NOT_SENT)}>
                        Notice not sent
                      </span>
                    )}
                  </div>
                </td>
                <td data-label="Last login">{l.lastLoginAt ? formatAgencyDateTimeWithZone(l.lastLoginAt, props.timezone) : "Never"}</td>
                {props.manage && (
                  <td data-label="Edit">
                    <a
                      id={`edit-portal-login-${l.id}`}
                      class="button small"
                      href={`${base}/${l.id}/edit`}
                      hx-get={`${base}/${l.id}/edit`}
                      hx-target={`#${DIALOG_SLOT_ID}`}
                      hx-swap="innerHTML"
                      data-opens-dialog
                      role="button"
                      aria-haspopup="dialog"
                    >
                      Edit<span class="visually-hidden"> portal login {l.username}</span>
                    </a>
                  </td>
                )}
              </tr>
              {/* Attributes on this <tr> keep it apart from the login rows above (tests read those). */}
              <tr class="email-history-row" id={`email-history-${l.id}`}>
                <td colspan={columns}>
                  <EmailHistoryDisclosure {...history} idPrefix="row" open={props.openHistory === l.id} />
                </td>
              </tr>
              </>
            );
          })}
        </tbody>
      </table>
      <StatusKey labels={keyLabels(props)} />
    </div>
  );
}

