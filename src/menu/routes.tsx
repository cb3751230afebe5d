/** @jsxImportSource hono/jsx */
import { Hono } from "hono";
import type { AppEnv } from "../app";
import { Layout } from "../layout/views";

/** Main Menu: the staff app's home, with the seed's menu paths. */
export const menuRoutes = new Hono<AppEnv>().get("/menu", (c) => {
  const staff = c.var.staff;
  return c.html(
    <Layout title="Main Menu" staff={staff} crumbs={[{ label: "Main Menu" }]}>
      <h1>Main Menu</h1>
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
          </ul>
        </section>
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
