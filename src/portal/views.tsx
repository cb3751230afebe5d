/** @jsxImportSource hono/jsx */
import type { Child } from "hono/jsx";
import type { FieldErrors } from "../forms/parse";
import { Field } from "../layout/views";
import { ErrorSummary } from "../layout/error-summary";
import type { ClientAction, PortalHome } from "./queries";
import type { PortalAgency } from "./portal-agency";
import type { PortalUser } from "./portal-user";
import { formatActionLogTime, usDate, zoneName } from "../layout/agency-time";
import { PasskeyButton } from "../layout/passkey-button";
import { ClientSwitcher } from "../families/switcher";
import { SessionTimeoutMeta } from "../layout/session-timeout";
import { stateTitle } from "../layout/page-title";

export type Section = "home" | "activity" | "consent" | "passkeys" | "devices" | "password";

const base = (agency: PortalAgency) => `/portal/${agency.slug}`;

/** The portal's page frame: the agency's name, and for a signed-in user the menu and Log out. */
export function PortalLayout(props: { agency: PortalAgency; title: string; user?: PortalUser; section?: Section; children?: Child }) {
  const { agency, user } = props;
  const link = (section: Section, href: string, label: string) => (
    <li>
      <a href={href} aria-current={props.section === section ? "page" : undefined}>
        {label}
      </a>
    </li>
  );
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="same-origin" />
        <title>{`${props.title} · ${agency.name} Client Portal`}</title>
        <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href="/app.css" />
        <SessionTimeoutMeta secondsLeft={user?.sessionSecondsLeft} refreshUrl={`${base(agency)}/session/refresh`} />
        <script src="/app.js" defer></script>
      </head>
      <body class="portal">
        <a class="skip" href="#main">Skip to content</a>
        <header class="top portal-top">
          <a class="brand" href={base(agency)}>
            {agency.name}{" "}
            <span class="brand-sub">Client Portal</span>
          </a>
          {user && (
            <form method="post" action={`${base(agency)}/log-out`} class="portal-logout">
              <button type="submit" class="link">Log out</button>
            </form>
          )}
        </header>
        {user && <ClientSwitcher agency={agency} user={user} section={props.section} />}
        {user && !user.mustChangePassword && (
          <nav class="portal-nav" aria-label="Portal">
            <ul>
              {link("home", base(agency), "Home")}
              {link("activity", `${base(agency)}/activity`, "Activity")}
              {user.representative && link("consent", `${base(agency)}/consent`, "Consent")}
              {link("passkeys", `${base(agency)}/passkeys`, "Passkeys")}
              {link("devices", `${base(agency)}/devices`, "Devices")}
              {link("password", `${base(agency)}/change-password`, "Change password")}
            </ul>
          </nav>
        )}
        <main id="main" class="portal-main">{props.children}</main>
      </body>
    </html>
  );
}

/** The sign-in page. One message for every failure that could tell whether a username exists. */
export function PortalSignInPage(props: { agency: PortalAgency; username?: string; errors?: FieldErrors; alert?: string; notice?: string; next?: string }) {
  const { agency, errors = {} } = props;
  return (
    <PortalLayout agency={agency} title={stateTitle("Sign in", props.alert !== undefined)}>
      <section class="card narrow portal-card">
        <h1>
          Sign in{" "}
          <span class="sub">to the {agency.name} Client Portal</span>
        </h1>
        {props.notice && (
          // After a full-page load the message takes focus, so it is read out (role alone isn't).
          <p class="notice" role="status" tabindex={-1} autofocus={!props.alert}>
            {props.notice}
          </p>
        )}
        {props.alert && <ErrorSummary message={props.alert} errors={errors} labels={{ username: "Portal Username", password: "Password" }} />}
        <form method="post" action={`${base(agency)}/sign-in`} novalidate>
          {props.next && <input type="hidden" name="next" value={props.next} />}
          <Field name="username" label="Portal Username" value={props.username} error={errors.username} autocomplete="username" maxlength={100} verbatim required />
          <Field name="password" label="Password" type="password" error={errors.password} autocomplete="current-password" maxlength={1024} required />
          <button type="submit" class="primary wide">Sign in</button>
        </form>
        <div class="second-way">
          <p class="or" aria-hidden="true">or</p>
          <PasskeyButton
            ceremony="authenticate"
            optionsUrl={`${base(agency)}/sign-in/passkey/options`}
            verifyUrl={`${base(agency)}/sign-in/passkey`}
            label="Sign in with a passkey"
          />
        </div>
        <p class="portal-help">
          <a href={`${base(agency)}/forgot-password`}>Forgot password?</a>
        </p>
        <p class="hint portal-help">
          Your Portal Username, and a temporary password or a link to choose your own, are in the email {agency.name} sent you.
        </p>
      </section>
    </PortalLayout>
  );
}


const orNone = (v: string) => (v.trim() ? v : <span class="empty">Not on file</span>);

/** Home: who is signed in, for whom, and the client's basic Face Sheet information. */
export function PortalHomePage(props: { agency: PortalAgency; user: PortalUser; home: PortalHome; notice?: string }) {
  const { agency, user, home } = props;
  const cityLine = [home.city, [home.state, home.zip].filter(Boolean).join(" ")].filter((s) => s.trim()).join(", ");
  return (
    <PortalLayout agency={agency} title="Home" user={user} section="home">
      <h1>Home</h1>
      {props.notice && <p class="notice" role="status">{props.notice}</p>}
      <section class="card who-card" aria-label="Who is signed in">
        <p class="signed-in-as">
          Signed in as <strong>{user.username}</strong>
        </p>
        <p class="signed-in-since">
          Signed in on this device since <time datetime={new Date(user.signedInAt).toISOString()}>{formatActionLogTime(user.signedInAt, agency.timezone)}</time>.{" "}
          <a href={`${base(agency)}/devices`}>Devices</a>
        </p>
        {user.representative && (
          <p class="representative">
            Representative for <strong>{user.clientName}</strong>
          </p>
        )}
      </section>
      <div class="columns">
        <section class="card" aria-labelledby="client-heading">
          <h2 id="client-heading">{user.representative ? "Client" : "Your information"}</h2>
          <dl class="facts">
            <dt>Name</dt>
            <dd>
              {home.firstName} {home.lastName}
            </dd>
            <dt>Date of birth</dt>
            <dd>{usDate(home.dateOfBirth)}</dd>
          </dl>
        </section>
        <section class="card" aria-labelledby="residence-heading">
          <h2 id="residence-heading">Current Residence</h2>
          <dl class="facts">
            <dt>Address</dt>
            <dd>
              {home.address.trim() || cityLine ? (
                <>
                  {home.address}
                  {home.address.trim() && cityLine && <br />}
                  {cityLine}
                </>
              ) : (
                orNone("")
              )}
            </dd>
            <dt>Phone</dt>
            <dd>{orNone(home.phone)}</dd>
            <dt>Email</dt>
            <dd>{orNone(home.email)}</dd>
          </dl>
          <p class="hint">Something out of date? Tell {agency.name} at your next visit or by phone.</p>
        </section>
      </div>
    </PortalLayout>
  );
}

/** Activity: the Client Action Log, newest first, a page at a time. */
export function ActivityPage(props: { agency: PortalAgency; user: PortalUser; actions: ClientAction[]; page: number; hasOlder: boolean }) {
  const { agency, user, actions, page } = props;
  const href = (p: number) => (p === 1 ? `${base(agency)}/activity` : `${base(agency)}/activity?page=${p}`);
  return (
    <PortalLayout agency={agency} title="Activity" user={user} section="activity">
      <h1>Activity</h1>
      <section class="card" aria-labelledby="log-heading">
        <h2 id="log-heading">Client Action Log</h2>
        <p class="hint">
          Sign-ins, sign-outs, password and passkey changes on {user.clientName}'s portal logins, newest first. Times are {zoneName(agency.timezone)}.
        </p>
        {actions.length === 0 ? (
          <p class="empty">{page === 1 ? "No activity yet." : "No more activity."}</p>
        ) : (
          <div class="table-wrap">
            <table class="stack action-log">
              <thead>
                <tr>
                  <th scope="col">Action</th>
                  <th scope="col">Description</th>
                  <th scope="col">Timestamp</th>
                </tr>
              </thead>
              <tbody>
                {actions.map((a) => (
                  <tr>
                    <td data-label="Action">{a.action}</td>
                    <td data-label="Description">{a.description}</td>
                    <td data-label="Timestamp">
                      <time datetime={new Date(a.at).toISOString()}>{formatActionLogTime(a.at, agency.timezone)}</time>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {(page > 1 || props.hasOlder) && (
          <nav class="pager" aria-label="Pages of the Client Action Log">
            {page > 1 && <a href={href(page - 1)}>Newer entries</a>}
            <span>Page {page}</span>
            {props.hasOlder && <a href={href(page + 1)}>Older entries</a>}
          </nav>
        )}
      </section>
    </PortalLayout>
  );
}

/** A bare portal page for errors: no agency in it, since the agency may be what wasn't found. */
function PortalMessagePage(props: { title: string; message: string }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · Client Portal`}</title>
        <link rel="stylesheet" href="/app.css" />
      </head>
      <body class="portal">
        <header class="top portal-top">
          <span class="brand">Client Portal</span>
        </header>
        <main id="main" class="portal-main">
          <section class="card narrow">
            <h1>{props.title}</h1>
            <p>{props.message}</p>
          </section>
        </main>
      </body>
    </html>
  );
}

/** 404 inside the portal: says nothing about whether an agency or login exists. */
export function PortalNotFoundPage() {
  return (
    <PortalMessagePage
      title="Page not found"
      message="There is no portal page at this address. Check the Agency Portal URL in the email from your agency, or ask them for it."
    />
  );
}

/** 500 inside the portal (the staff app's error page would point to its Main Menu). */
export function PortalErrorPage() {
  return <PortalMessagePage title="Something went wrong" message="Nothing was changed. Please try again in a moment." />;
}

/** 413 inside the portal: a request body over the limit (src/forms/body-limit.ts). */
export function PortalTooLargePage(props: { limitKb: number }) {
  return (
    <PortalMessagePage
      title="Too much data"
      message={`What was sent is larger than this portal accepts (${props.limitKb} KB), so nothing was changed. Go back and try again.`}
    />
  );
}
