/** @jsxImportSource hono/jsx */
/**
 * "Your sessions": every device where the signed-in staff member is signed in, this one marked.
 */
import type { CurrentStaff } from "../app";
import type { SessionListing } from "../auth/session-records";
import { formatAgencyDateTime } from "../layout/agency-time";
import { stateTitle } from "../layout/page-title";
import { Layout } from "../layout/views";

const address = (a: string) => (a === "unknown" || a === "" ? "Unknown" : a);

export function SessionsPage(props: {
  staff: CurrentStaff;
  sessions: SessionListing[];
  currentId: string;
  idleMinutes: number;
  maxHours: number;
  notice?: string;
  alert?: string;
}) {
  const tz = props.staff.agency.timezone;
  const at = (ms: number) => formatAgencyDateTime(ms, tz);
  // This device first, then the others by last activity.
  const sessions = [...props.sessions].sort((a, b) => Number(b.id === props.currentId) - Number(a.id === props.currentId));
  return (
    <Layout title={stateTitle("Your sessions", props.alert !== undefined)} staff={props.staff} crumbs={[{ label: "Main Menu", href: "/menu" }, { label: "Your sessions" }]}>
      <h1>Your sessions</h1>
      {props.notice && (
        <p class="notice" role="status">
          {props.notice}
        </p>
      )}
      {props.alert && (
        <p class="error-summary" role="alert" tabindex={-1} autofocus>
          {props.alert}
        </p>
      )}
      <section class="card" aria-labelledby="sessions-h">
        <h2 id="sessions-h">Where you are signed in</h2>
        <p class="hint">
          A session ends when you sign out, after {props.idleMinutes} minutes without activity, or {props.maxHours} hours after signing in. If you don't
          recognise one, sign it out and change your password.
        </p>
        <ul class="session-list">
          {sessions.map((s) => {
            const current = s.id === props.currentId;
            return (
              <li class={current ? "session current" : "session"}>
                <div class="session-what">
                  <strong>{s.device}</strong> {current && <span class="badge ok">This device</span>}
                  <dl class="facts">
                    <dt>Address</dt>
                    <dd>{address(s.address)}</dd>
                    <dt>Signed in</dt>
                    <dd>{at(s.createdAt)}</dd>
                    <dt>Last seen</dt>
                    <dd>{current ? "Now" : at(s.lastSeenAt)}</dd>
                  </dl>
                </div>
                {current ? (
                  <form method="post" action="/sign-out">
                    <button type="submit" aria-label="Sign out on this device">
                      Sign out
                    </button>
                  </form>
                ) : (
                  <form method="post" action={`/account/sessions/${s.id}/end`}>
                    <button type="submit" aria-label={`Sign out ${s.device}, ${address(s.address)}, last seen ${at(s.lastSeenAt)}`}>
                      Sign out
                    </button>
                  </form>
                )}
              </li>
            );
          })}
        </ul>
      </section>
    </Layout>
  );
}
