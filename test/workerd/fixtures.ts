/**
 * Shared test fixtures: the demo data, and a signed-in staff "browser" that keeps cookies and
 * sends the Origin header the CSRF check (src/auth/csrf.ts) requires.
 */
import { env, SELF } from "cloudflare:test";
import { DEMO_PASSWORD, demoStatements } from "../../scripts/demo-data";
import { hashPassword } from "../../src/auth/password";

export const ORIGIN = "http://localhost";
export { DEMO_PASSWORD };

let seeded: Promise<void> | undefined;
/** Loads the demo agencies, staff and clients once per test file. */
export function seedDemoData(): Promise<void> {
  seeded ??= (async () => {
    const { results } = await env.DB.prepare("SELECT COUNT(*) AS n FROM agencies").all<{ n: number }>();
    if ((results[0]?.n ?? 0) > 0) return;
    const hash = await hashPassword(DEMO_PASSWORD);
    await env.DB.batch(demoStatements(hash).map((s) => env.DB.prepare(s)));
  })();
  return seeded;
}

/** Demo ids (see scripts/demo-data.ts). */
export const DEMO = {
  riverbend: 1,
  lakeside: 2,
  maria: 1, // Riverbend, has a Current Residence email
  james: 2, // Riverbend, no email
  hannah: 13, // Lakeside
  marta: 17, // Lakeside, also an Alvarez
};

/**
 * A page without its session countdown (the seconds left, in the staff pages' meta tag and the
 * portal's data attribute): it ticks between two requests, so two reads of one page compare equal
 * only without it.
 */
export const withoutCountdown = (html: string) =>
  html.replace(/data-session-seconds-left="\d+"/g, "").replace(/(<meta name="session-seconds-left" content=")\d+"/g, '$1"');

/** Applies Set-Cookie lines to a cookie jar, as a browser would (an emptied or expired cookie goes). */
export function keepCookies(jar: Map<string, string>, setCookieLines: string[]) {
  for (const line of setCookieLines) {
    const [pair] = line.split(";");
    const eq = pair!.indexOf("=");
    const name = pair!.slice(0, eq);
    const value = pair!.slice(eq + 1);
    if (value === "" || /max-age=0/i.test(line)) jar.delete(name);
    else jar.set(name, value);
  }
}

/** A tiny cookie-keeping client over the Worker, like a browser tab. */
export class Browser {
  cookies = new Map<string, string>();

  async fetch(path: string, init: RequestInit & { htmx?: boolean } = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set("Cookie", [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    if (init.method && init.method !== "GET" && !headers.has("Origin")) headers.set("Origin", ORIGIN);
    if (init.htmx) headers.set("HX-Request", "true");
    const res = await this.send(new URL(path, ORIGIN), { ...init, headers, redirect: "manual" });
    keepCookies(this.cookies, res.headers.getSetCookie());
    return res;
  }

  /** Sends one request to the Worker (a subclass may wait for its background work too). */
  protected send(url: URL, init: RequestInit): Promise<Response> {
    return SELF.fetch(url, init);
  }

  get(path: string, opts: { htmx?: boolean; headers?: HeadersInit } = {}) {
    return this.fetch(path, { method: "GET", ...opts });
  }

  post(path: string, form: Record<string, string>, opts: { htmx?: boolean; headers?: HeadersInit } = {}) {
    return this.fetch(path, { method: "POST", body: new URLSearchParams(form), ...opts });
  }

  /** Signs in as a staff member (demo password by default); throws if that fails. */
  static async staff<B extends Browser>(this: new () => B, email: string, password = DEMO_PASSWORD): Promise<B> {
    const b = new this();
    const res = await b.post("/sign-in", { email, password });
    if (res.status !== 303) throw new Error(`sign-in as ${email} failed: ${res.status}`);
    return b;
  }
}
