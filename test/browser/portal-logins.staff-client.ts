/**
 * A signed-in staff member over plain HTTP from Node (no browser): enough to press Save in the
 * Portal Login window and read the Client Portal section, for the email tests.
 */

export class StaffClient {
  private cookie = "";
  constructor(readonly base: string) {}

  /** Signs in with the demo password; throws if that fails. */
  static async signIn(base: string, email: string, password = "demo-password-2026"): Promise<StaffClient> {
    const client = new StaffClient(base);
    const res = await client.post("/sign-in", { email, password });
    if (res.status !== 303) throw new Error(`sign-in as ${email} failed: ${res.status}`);
    return client;
  }

  private async send(path: string, init: RequestInit & { htmx?: boolean }): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookie) headers.set("Cookie", this.cookie);
    if (init.method === "POST") headers.set("Origin", this.base);
    if (init.htmx) headers.set("HX-Request", "true");
    const res = await fetch(this.base + path, { ...init, headers, redirect: "manual" });
    for (const line of res.headers.getSetCookie()) {
      const pair = line.split(";")[0]!;
      if (pair.startsWith("__Host-staff_session=")) this.cookie = pair;
    }
    return res;
  }

  get(path: string, opts: { htmx?: boolean } = {}) {
    return this.send(path, { method: "GET", htmx: opts.htmx });
  }

  post(path: string, form: Record<string, string>, opts: { htmx?: boolean } = {}) {
    return this.send(path, { method: "POST", body: new URLSearchParams(form), htmx: opts.htmx });
  }
}

/** The `value` of the input named `name` in a piece of HTML. */
export function inputValue(html: string, name: string): string | undefined {
  const tag = new RegExp(`<input[^>]*\\bname="${name}"[^>]*>`).exec(html)?.[0];
  return tag ? (/\bvalue="([^"]*)"/.exec(tag)?.[1] ?? "").replace(/&amp;/g, "&").replace(/&quot;/g, '"') : undefined;
}

/** The id of the login whose Edit link names `username`. */
export function loginIdOf(html: string, username: string): number {
  const m = new RegExp(`id="edit-portal-login-(\\d+)"[^>]*>Edit<span class="visually-hidden"> portal login ${username.replace(/\./g, "\\.")}<`).exec(html);
  if (!m) throw new Error(`no row for ${username}`);
  return Number(m[1]);
}

/** The outcome line of the Client Portal section. */
export function statusText(html: string): string | undefined {
  return /<div id="portal-login-status"[^>]*>\s*<p class="(?:notice|warning)">([^<]*)<\/p>/.exec(html)?.[1];
}
