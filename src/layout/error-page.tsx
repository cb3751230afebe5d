/** @jsxImportSource hono/jsx */
import type { CurrentStaff } from "../app";
import { Layout } from "./views";

/**
 * A plain error page (404, 500) that says what happened and offers a way on. Given the signed-in
 * staff member, it keeps the header (agency, name, Sign out) and the Main Menu bar.
 */
export function ErrorPage(props: { title: string; message: string; staff?: CurrentStaff }) {
  return (
    <Layout title={props.title} staff={props.staff}>
      <section class="card narrow">
        <h1>{props.title}</h1>
        <p>{props.message}</p>
        <p>
          <a href="/menu">Go to the Main Menu</a>
        </p>
      </section>
    </Layout>
  );
}
