// Secrets are not in wrangler.toml, so `wrangler types` can't see them; declare them here.
interface Env {
  /** Signs session JWTs. `wrangler secret put SESSION_SECRET`; locally from .dev.vars. */
  SESSION_SECRET: string;
}
declare namespace Cloudflare {
  interface Env {
    SESSION_SECRET: string;
  }
}
