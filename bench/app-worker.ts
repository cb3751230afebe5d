/**
 * The app itself (src/index.ts) behind two bench-only routes, run only by `npm run bench` under
 * `wrangler dev bench/app-worker.ts` with the app's own wrangler.toml (bindings, vars) on a
 * throwaway database. Never deployed: `npm run deploy` builds src/index.ts, which has neither route.
 *
 *   GET /__bench/bare  → "ok": a Worker route with no middleware and no I/O (what pages are compared with)
 *   GET /__bench/bare?trips=2 → the same, after two D1 round trips that do nothing (SELECT 1):
 *                        the floor a page's two round trips set, whatever the page does
 *   GET /__bench/bare?trips=1&entry=1 → one D1 round trip (SELECT 1) and one "Face Sheet view"
 *                        entry handed to an agency's log after the response, as the Face Sheet
 *                        records every look: the floor of the Face Sheet's own I/O, with no page work
 *   GET /__bench/hash?trips=2 → the hash between one D1 round trip (read the hash, write one row)
 *                        and one write batch after it: the floor of the round trips sign-in is
 *                        allowed, with no other work (no parsing, throttle, session, log)
 *   GET /__bench/hash  → the sign-in's Argon2id verification alone (verifyPassword, the same
 *                        parameters and hash), so sign-in is compared with its own hash in the same
 *                        Worker in the same run
 */
import app from "../src/index";
import { verifyPassword } from "../src/auth/password";
import { recordAgencyEvent } from "../src/audit/agency-events";

export { ClientLog } from "../src/audit/client-log";
export { AgencyLog } from "../src/audit/agency-log";

/** The agency whose log the floor's view entries go to (Lakeside: the pages measured are Riverbend's). */
const FLOOR_AGENCY = 2;

/** The password of every demo account (scripts/demo-data.ts), and its hash read once. */
const DEMO_PASSWORD = "demo-password-2026";
let demoHash: string | undefined;

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    const trips = url.searchParams.get("trips") === "2";
    if (url.pathname === "/__bench/bare") {
      if (url.searchParams.get("entry") === "1") {
        await env.DB.withSession("first-unconstrained").prepare("SELECT 1").first();
        const req = { header: (name: string) => request.headers.get(name) ?? undefined };
        recordAgencyEvent({ env, executionCtx: ctx, req } as unknown as Parameters<typeof recordAgencyEvent>[0], FLOOR_AGENCY, {
          actor: { type: "system", id: null, name: "bench" },
          action: "Face Sheet view",
          description: "Viewed the Face Sheet of client BENCH.",
        });
      } else if (trips) {
        const db = env.DB.withSession("first-unconstrained");
        await db.prepare("SELECT 1").first();
        await db.prepare("SELECT 1").first();
      }
      return new Response("ok");
    }
    if (url.pathname === "/__bench/hash") {
      const read = "SELECT password_hash AS h FROM staff_users WHERE email = 'staff@riverbend.test'";
      // A real write each side (one row rewritten as it was), on the primary, like sign-in's.
      const write = "UPDATE agencies SET name = name WHERE id = 1";
      const db = trips ? env.DB.withSession("first-primary") : null;
      if (db) demoHash = (await db.batch<{ h: string }>([db.prepare(write), db.prepare(read)]))[1]!.results[0]!.h;
      demoHash ??= (await env.DB.prepare(read).first<{ h: string }>())!.h;
      const { ok } = await verifyPassword(demoHash, DEMO_PASSWORD.normalize("NFKC"));
      if (db) await db.batch([db.prepare(write), db.prepare(write)]);
      return new Response(ok ? "ok" : "mismatch", { status: ok ? 200 : 500 });
    }
    return app.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<Env>;
