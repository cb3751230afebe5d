/** @jsxImportSource hono/jsx */
import { Hono } from "hono";
import type { AppEnv } from "../app";
import { can } from "../auth/permissions";
import { Layout } from "../layout/views";

/** What the Main Menu says after a password was set or changed through an emailed link. */
function passwordNotice(password: string | undefined, notice: string | undefined): string | undefined {
  if (password !== "set" && password !== "changed") return undefined;
  const done = password === "set" ? "Your password has been set and you are signed in." : "Your password has been changed and you are signed in; your other sessions have been signed out.";
  return notice === "not-sent" ? `${done} We couldn't email you the confirmation.` : done;
}

/** Main Menu: the staff app's home, with the seed's menu paths. */
export const menuRoutes = new Hono<AppEnv>().get("/menu", (c) => {
  const staff = c.var.staff;
  const notice = passwordNotice(c.req.query("password"), c.req.query("notice"));
  return c.html(
    <Layout title="Main Menu" staff={staff} crumbs={[{ label: "Main Menu" }]}>
      <h1>Main Menu</h1>
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      <div class="menus">
        <section class="card" aria-labelledby="admissions-menu">
          <h2 id="admissions-menu">Admissions Menu</h2>
          <ul class="menu-list">
            <li>
              <a href="/face-sheet">Face Sheet</a>
              <span class="hint">Find a client; view and update their Face Sheet and Client Portal logins.</span>
            </li>
          </ul>
        </section>
        <section class="card" aria-labelledby="reports-menu">
          <h2 id="reports-menu">Reports Menu</h2>
          <ul class="menu-list">
            <li>
              <a href="/document-center">Document Center</a>
              <span class="hint">A client's case documents, including the Face Sheet Change Log.</span>
            </li>
            {can(staff.role, "portal-accounts.view") && staff.agency.portalEnabled && (
              <li>
                <a href="/portal-accounts">Client Portal Accounts</a>
                <span class="hint">Every Client Portal login of the agency: status, email, last login; filter, search, export CSV.</span>
              </li>
            )}
            {can(staff.role, "face-sheet.view") && staff.agency.portalEnabled && (
              <li>
                <a href="/representatives/expiries">Representative expiries</a>
                <span class="hint">Representatives whose portal access ends in the next 14 days.</span>
              </li>
            )}
          </ul>
        </section>
        {can(staff.role, "agency.administer") && (
          <section class="card" aria-labelledby="administration">
            <h2 id="administration">Administration</h2>
            <ul class="menu-list">
              <li>
                <a href="/admin/staff">Staff</a>
                <span class="hint">Invite staff, change roles, deactivate, unlock, sign someone out everywhere.</span>
              </li>
              <li>
                <a href="/admin/agency-log">Agency Log</a>
                <span class="hint">Staff sign-ins and sign-outs, exports, verifications, Face Sheet views and settings changes.</span>
              </li>
              <li>
                <a href="/admin/settings">Agency settings</a>
                <span class="hint">Portal address, time zone, sign-in lockout, credential lifetimes, minors, two-factor for staff.</span>
              </li>
              <li>
                <a href="/admin/programmes">Programmes</a>
                <span class="hint">Mark the substance-use programmes covered by 42 CFR Part 2.</span>
              </li>
            </ul>
          </section>
        )}
        <section class="card" aria-labelledby="account-menu">
          <h2 id="account-menu">Your Account</h2>
          <ul class="menu-list">
            <li>
              <a href="/account/two-factor">Two-factor sign-in</a>
              <span class="hint">Authenticator app and recovery codes.</span>
            </li>
            <li>
              <a href="/account/passkeys">Passkeys</a>
              <span class="hint">Sign in with your fingerprint, face, screen lock or security key.</span>
            </li>
          </ul>
        </section>
      </div>
    </Layout>,
  );
});
