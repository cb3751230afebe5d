/**
 * The soak's virtual users (Node): portal users signing in, reading Home and Activity and logging
 * out; logins that only get wrong passwords (they lock); staff searching, opening and updating
 * Face Sheets (some Updates sent twice from the same opened form: a deliberate version conflict)
 * and adding and editing portal logins (some edits deactivate or reactivate; some are sent twice
 * from the same window: a conflict). Each virtual user has its own cookie jar and address
 * (CF-Connecting-IP), sends Origin as a browser would, and every request is recorded.
 */
import type { RequestKind, RequestRecord } from "./check.ts";
import { PORTAL_PASSWORD, SOAK_AGENCY, SOAK_CLIENTS, STAFF_PASSWORD, type SoakPeople } from "./seed.ts";

interface Answer {
  status: number;
  location: string;
  text: string;
  injected?: string;
  ms: number;
  at: number;
}

/** One browser: a cookie jar, an address, and every request recorded. */
class Agent {
  readonly jar = new Map<string, string>();
  readonly base: string;
  readonly ip: string;
  readonly record: (r: RequestRecord) => void;
  constructor(base: string, ip: string, record: (r: RequestRecord) => void) {
    this.base = base;
    this.ip = ip;
    this.record = record;
  }

  async send(method: "GET" | "POST", path: string, opts: { form?: Record<string, string>; htmx?: boolean } = {}): Promise<Answer> {
    const headers: Record<string, string> = { "CF-Connecting-IP": this.ip, "User-Agent": "soak-driver" };
    if (this.jar.size) headers.Cookie = [...this.jar].map(([k, v]) => `${k}=${v}`).join("; ");
    if (method === "POST") headers.Origin = this.base;
    if (opts.htmx) headers["HX-Request"] = "true";
    let body: string | undefined;
    if (opts.form) {
      body = new URLSearchParams(opts.form).toString();
      headers["Content-Type"] = "application/x-www-form-urlencoded";
    }
    const at = Date.now();
    const start = performance.now();
    try {
      const res = await fetch(this.base + path, { method, headers, body, redirect: "manual" });
      const text = await res.text();
      for (const line of res.headers.getSetCookie()) {
        const pair = line.split(";")[0]!;
        const eq = pair.indexOf("=");
        const [name, value] = [pair.slice(0, eq), pair.slice(eq + 1)];
        if (value === "" || /max-age=0/i.test(line)) this.jar.delete(name);
        else this.jar.set(name, value);
      }
      return { status: res.status, location: res.headers.get("Location") ?? "", text, injected: res.headers.get("X-Soak-Injected") ?? undefined, ms: performance.now() - start, at };
    } catch (err) {
      // A connection the server dropped: recorded as status 0.
      return { status: 0, location: "", text: String(err), ms: performance.now() - start, at };
    }
  }

  note(kind: RequestKind, a: Answer, outcome: string, extra: Partial<RequestRecord> = {}) {
    this.record({ kind, status: a.status, ms: Math.round(a.ms * 10) / 10, outcome, at: a.at, ...(a.injected ? { injected: a.injected } : {}), ...extra });
  }
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)]!;
const decode = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
const generic = (a: Answer) => (a.status >= 500 ? "error" : a.status === 0 ? "dropped" : `http-${a.status}`);

/** The form fields of an HTML fragment as a browser would send them (checked boxes only). */
export function formFields(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/<input\b([^>]*)>/g)) {
    const attrs = m[1]!;
    const attr = (n: string) => new RegExp(`\\b${n}="([^"]*)"`).exec(attrs)?.[1];
    const name = attr("name");
    if (!name) continue;
    const type = attr("type") ?? "text";
    if (type === "checkbox" || type === "radio") {
      if (/\bchecked\b/.test(attrs)) out[name] = decode(attr("value") ?? "on");
    } else if (type !== "submit" && type !== "button") out[name] = decode(attr("value") ?? "");
  }
  return out;
}

export interface DriverOptions {
  base: string;
  people: SoakPeople;
  seconds: number;
  /** Ask for a ClientLog reset this often (ms); 0: never. */
  resetEveryMs: number;
  /** A tag unique to the run, in every username and value the soak writes. */
  run: string;
}

/** Runs every virtual user until the time is up; resolves with everything recorded. */
export async function drive(o: DriverOptions): Promise<{ requests: RequestRecord[]; resets: number }> {
  const requests: RequestRecord[] = [];
  const record = (r: RequestRecord) => requests.push(r);
  const deadline = Date.now() + o.seconds * 1000;
  const running = () => Date.now() < deadline;
  const portal = `/portal/${SOAK_AGENCY.slug}`;
  let ip = 0;
  const nextIp = () => `10.${(++ip >> 8) & 255}.${ip & 255}.${1 + (ip % 200)}`;
  let nonce = 0;
  const nextNonce = () => `${o.run}-${++nonce}`;
  /** Logins the staff added during the run (the only ones staff edit: the portal users' are left alone). */
  const added: { id: number; username: string; clientId: number }[] = [];

  // Portal users: sign in, Home, Activity, log out, again.
  const portalUser = async (u: SoakPeople["portal"][number]) => {
    const agent = new Agent(o.base, nextIp(), record);
    const who = { loginId: u.id, username: u.username, clientId: u.clientId };
    await pause(Math.random() * 2000);
    while (running()) {
      const s = await agent.send("POST", `${portal}/sign-in`, { form: { username: u.username, password: PORTAL_PASSWORD } });
      const signedIn = s.status === 303 && !s.location.includes("change-password");
      agent.note("portal-sign-in", s, signedIn ? "signed-in" : s.status === 401 ? "failed" : s.status === 429 ? "too-many" : generic(s), who);
      if (signedIn) {
        const h = await agent.send("GET", portal);
        agent.note("portal-home", h, h.status === 200 && h.text.includes("Log out") ? "home" : generic(h), who);
        const a = await agent.send("GET", `${portal}/activity`);
        agent.note("portal-activity", a, a.status === 200 ? "activity" : generic(a), who);
        const l = await agent.send("POST", `${portal}/log-out`);
        agent.note("portal-log-out", l, l.status === 303 && l.location.includes("logged-out") ? "logged-out" : generic(l), who);
      }
      await pause(100 + Math.random() * 400);
    }
  };

  // Wrong passwords: each victim login gets only wrong ones, from its own address; it locks.
  const victim = async (u: SoakPeople["victims"][number]) => {
    const agent = new Agent(o.base, nextIp(), record);
    while (running()) {
      const s = await agent.send("POST", `${portal}/sign-in`, { form: { username: u.username, password: `wrong-${Math.random()}` } });
      agent.note("portal-wrong-password", s, s.status === 401 ? "failed" : s.status === 429 ? "too-many" : generic(s), { loginId: u.id, username: u.username, clientId: u.clientId });
      await pause(100 + Math.random() * 200);
    }
  };

  const staffUser = async (email: string) => {
    const agent = new Agent(o.base, nextIp(), record);
    const s = await agent.send("POST", "/sign-in", { form: { email, password: STAFF_PASSWORD } });
    agent.note("staff-sign-in", s, s.status === 303 ? "signed-in" : generic(s));
    if (s.status !== 303) return;
    while (running()) {
      const clientId = pick(SOAK_CLIENTS);
      const roll = Math.random();
      if (roll < 0.2) {
        const a = await agent.send("GET", `/face-sheet?q=${pick(["al", "ma", "ok", "chen", "park", "R10", "jo"])}`, { htmx: true });
        agent.note("staff-search", a, a.status === 200 ? "results" : generic(a));
      } else if (roll < 0.35) {
        const a = await agent.send("GET", `/face-sheet/${clientId}`);
        agent.note("staff-open", a, a.status === 200 ? "opened" : generic(a), { clientId });
      } else if (roll < 0.65) {
        await updateFaceSheet(agent, clientId, Math.random() < 0.3 ? 2 : 1);
      } else if (roll < 0.8 || added.length === 0) {
        await addLogin(agent, clientId);
      } else {
        await editLogin(agent, pick(added), Math.random() < 0.3 ? 2 : 1);
      }
      await pause(50 + Math.random() * 250);
    }
  };

  /** Opens the Face Sheet for editing and sends `tabs` Updates from that one form (2: a conflict). */
  const updateFaceSheet = async (agent: Agent, clientId: number, tabs: number) => {
    const e = await agent.send("GET", `/face-sheet/${clientId}/edit`, { htmx: true });
    agent.note("face-sheet-edit-open", e, e.status === 200 ? "opened" : generic(e), { clientId });
    if (e.status !== 200) return;
    const fields = formFields(e.text);
    await Promise.all(
      Array.from({ length: tabs }, async () => {
        const n = `Soak#${nextNonce()}#`;
        const a = await agent.send("POST", `/face-sheet/${clientId}`, { form: { ...fields, residenceAddress: n } });
        const outcome =
          a.status === 303 ? (a.location.includes("saved") ? "saved" : "unchanged") : a.status === 409 ? "conflict" : a.status === 503 ? "unavailable" : generic(a);
        agent.note("face-sheet-update", a, outcome, { clientId, nonce: n });
      }),
    );
  };

  const addLogin = async (agent: Agent, clientId: number) => {
    const username = `soak-a${nextNonce()}`;
    const a = await agent.send("POST", `/face-sheet/${clientId}/portal-logins`, {
      form: { username, resetPassword: "on", credentialMethod: "password", active: "on", email: `${username}@example.com` },
    });
    const id = Number(/portal-login=(\d+)/.exec(a.location)?.[1]);
    const outcome = a.status === 303 && a.location.includes("done=added") ? "added" : a.status === 422 ? "refused" : a.status === 503 ? "unavailable" : generic(a);
    agent.note("login-add", a, outcome, { clientId, username });
    if (outcome === "added" && id) added.push({ id, username, clientId });
  };

  /** Opens a login's Edit window and sends `tabs` Saves from it (2: a conflict); a share flip Active. */
  const editLogin = async (agent: Agent, login: (typeof added)[number], tabs: number) => {
    const base = `/face-sheet/${login.clientId}/portal-logins/${login.id}`;
    const e = await agent.send("GET", `${base}/edit`, { htmx: true });
    agent.note("login-edit-open", e, e.status === 200 ? "opened" : generic(e), { clientId: login.clientId, loginId: login.id });
    if (e.status !== 200) return;
    const fields = formFields(e.text);
    await Promise.all(
      Array.from({ length: tabs }, async () => {
        const email = `soak-e${nextNonce()}@example.com`;
        const active = Math.random() < 0.25 ? !("active" in fields) : "active" in fields;
        const form: Record<string, string> = { seen: fields.seen ?? "", email, ...(active ? { active: "on" } : {}) };
        if (fields.representative) form.representative = "on";
        const a = await agent.send("POST", base, { form });
        const outcome =
          a.status === 303 && /done=(saved|unchanged)/.test(a.location)
            ? /done=saved/.test(a.location)
              ? "saved"
              : "unchanged"
            : a.status === 409
              ? "conflict"
              : a.status === 422
                ? "refused"
                : a.status === 503
                  ? "unavailable"
                  : generic(a);
        agent.note("login-edit", a, outcome, { clientId: login.clientId, loginId: login.id, username: login.username, nonce: email, active });
      }),
    );
  };

  // ClientLog resets: now and then, the object of a client being written to.
  let resets = 0;
  const resetter = async () => {
    if (o.resetEveryMs <= 0) return;
    while (running()) {
      await pause(o.resetEveryMs);
      if (!running()) break;
      const res = await fetch(`${o.base}/__soak/client-log/${pick(SOAK_CLIENTS)}/reset`, { method: "POST" });
      await res.text();
      resets++;
    }
  };

  await Promise.all([
    ...o.people.portal.map(portalUser),
    // Three browsers per locking login, so each passes the lock threshold within a minute.
    ...o.people.victims.flatMap((v) => [victim(v), victim(v), victim(v)]),
    ...o.people.staff.map((s) => staffUser(s.email)),
    resetter(),
  ]);
  return { requests, resets };
}
