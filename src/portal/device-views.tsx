/** @jsxImportSource hono/jsx */
/** Devices: the login's active sessions, each ended with one button; and Log out everywhere. */
import type { PortalSession } from "../db/schema";
import { formatActionLogTime, zoneName } from "../layout/agency-time";
import { placeText } from "./device";
import type { PortalAgency } from "./portal-agency";
import type { PortalUser } from "./portal-user";
import { PortalLayout } from "./views";

const base = (agency: PortalAgency) => `/portal/${agency.slug}`;

/** The Devices page. */
export function DevicesPage(props: { agency: PortalAgency; user: PortalUser; sessions: PortalSession[]; notice?: string }) {
  const { agency, user, sessions } = props;
  const zone = agency.timezone;
  // This device first, then the others as they were last seen.
  const listed = [...sessions.filter((s) => s.id === user.sessionId), ...sessions.filter((s) => s.id !== user.sessionId)];
  const others = listed.length - 1;
  return (
    <PortalLayout agency={agency} title="Devices" user={user} section="devices">
      <h1>Devices</h1>
      {props.notice && (
        <p class="notice" role="status">
          {props.notice}
        </p>
      )}
      <p class="lead">
        Where {user.username} is signed in now. Don't recognise one? End it, <a href={`${base(agency)}/change-password`}>change your password</a> and check
        your <a href={`${base(agency)}/passkeys`}>passkeys</a>.
        Places are approximate, from the network address; times are {zoneName(zone)}.
      </p>
      <section class="card" aria-labelledby="devices-heading">
        <h2 id="devices-heading">Signed in now</h2>
        <ul class="device-list">
          {listed.map((s) => {
            const here = s.id === user.sessionId;
            const label = here ? `${s.device} (this device)` : s.device;
            return (
              <li class="device" aria-label={label}>
                <p class="device-name">
                  {s.device}
                  {here && <span class="badge ok">This device</span>}
                </p>
                <dl class="facts">
                  <dt>Place</dt>
                  <dd>{placeText(s.country, s.city) ?? "Unknown"}</dd>
                  <dt>Signed in</dt>
                  <dd>
                    {formatActionLogTime(s.createdAt, zone)}
                    {s.method === "passkey" ? " with a passkey" : ""}
                  </dd>
                  <dt>Last seen</dt>
                  <dd>{here ? "Now" : formatActionLogTime(s.lastSeenAt, zone)}</dd>
                </dl>
                {here ? (
                  <form method="post" action={`${base(agency)}/log-out`}>
                    <button type="submit">Log out</button>
                  </form>
                ) : (
                  <form method="post" action={`${base(agency)}/devices/${s.id}/end`}>
                    <button type="submit" aria-label={`End this session on ${s.device}`}>
                      End this session
                    </button>
                  </form>
                )}
              </li>
            );
          })}
        </ul>
      </section>
      <section class="card" aria-labelledby="everywhere-heading">
        <h2 id="everywhere-heading">Log out everywhere</h2>
        <p>
          {others > 0
            ? `Ends every session of ${user.username}, on this device and ${others === 1 ? "1 other" : `${others} others`}.`
            : `Ends every session of ${user.username}, including this one.`}
        </p>
        <form method="post" action={`${base(agency)}/log-out-everywhere`}>
          <button type="submit" class="danger">
            Log out everywhere
          </button>
        </form>
      </section>
    </PortalLayout>
  );
}
