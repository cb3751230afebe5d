/**
 * The app itself (src/index.ts) behind two bench-only routes, run only by `npm run bench` under
 * `wrangler dev bench/app-worker.ts` with the app's own wrangler.toml (bindings, vars) on a
 * throwaway database. Never deployed: `npm run deploy` builds src/index.ts, which has neither route.
 *
 *   GET /__bench/bare  → "ok": a Worker route with no middleware and no I/O (what pages are compared with)
 *   GET /__bench/hash  → the sign-in's Argon2id verification alone (verifyPassword, the same
 *                        parameters and hash), so sign-in is compared with its own hash in the same
 *                        Worker in the same run
 */
import app from "../src/index";
import { verifyPassword } from "../src/auth/password";

export { ClientLog } from "../src/audit/client-log";
export { AgencyLog } from "../src/audit/agency-log";

/** The password of every demo account (scripts/demo-data.ts), and its hash read once. */
const DEMO_PASSWORD = "demo-password-2026";
let demoHash: string | undefined;

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (url.pathname === "/__bench/bare") return new Response("ok");
    if (url.pathname === "/__bench/hash") {
      demoHash ??= (await env.DB.prepare("SELECT password_hash AS h FROM staff_users WHERE email = 'staff@riverbend.test'").first<{ h: string }>())!.h;
      const { ok } = await verifyPassword(demoHash, DEMO_PASSWORD.normalize("NFKC"));
      return new Response(ok ? "ok" : "mismatch", { status: ok ? 200 : 500 });
    }
    return app.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<Env>;
