/** @jsxImportSource hono/jsx */
import { Layout } from "./views";

/** A plain error page (404, 500) that says what happened and offers a way on. */
export function ErrorPage(props: { title: string; message: string }) {
  return (
    <Layout title={props.title}>
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
