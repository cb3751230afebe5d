/**
 * The soak's checker: from what the driver recorded and what the database holds afterwards, does
 * every promise of the change log hold? Pure functions (no Node, no bindings), so the workerd
 * test (test/workerd/soak.checker.test.ts) runs them on rows from the real D1 and shows they catch
 * a planted violation.
 *
 * Checked:
 * - per client, seq is 1..N with no gap or duplicate, and Verify log says intact with nothing waiting;
 * - every acknowledged sign-in, log-out, Face Sheet update, login added and login edit has exactly
 *   one entry; a refused or failed one (401/409/422/429, a 503 or a portal error page, which say
 *   nothing was changed) has none; a staff 500 on an injected fault (its page says "open the page
 *   again to see whether it was kept") at most one, and then its change too (nothing half-written);
 * - a wrong password on a real login leaves one "Failed … sign-in" entry (the attempt that locks
 *   it too, answered 429 with its lock entry), an attempt refused while locked (429) none;
 * - no lost update: each client's address is the one its last Face Sheet entry set, each edited
 *   login's email the one its last entry set, and every value in the database has its entry;
 * - a credentials email that was not sent shows as not sent on its login, and failed only by an
 *   injected refusal;
 * - no 5xx except on requests that met an injected fault.
 */

export type RequestKind =
  | "portal-sign-in"
  | "portal-home"
  | "portal-activity"
  | "portal-log-out"
  | "portal-wrong-password"
  | "staff-sign-in"
  | "staff-search"
  | "staff-open"
  | "face-sheet-edit-open"
  | "face-sheet-update"
  | "login-add"
  | "login-edit-open"
  | "login-edit";

/** One request as the driver recorded it. */
export interface RequestRecord {
  kind: RequestKind;
  status: number;
  /** Milliseconds from sending to the whole answer read. */
  ms: number;
  /** What the answer meant, e.g. "signed-in", "saved", "conflict", "locked", "error". */
  outcome: string;
  /** X-Soak-Injected: the faults this request met that can make it fail. */
  injected?: string;
  loginId?: number;
  username?: string;
  clientId?: number;
  /** The unique value the request wrote (an address for Face Sheet updates, an email for login edits). */
  nonce?: string;
  /** Login edits: the Active the edit asked for. */
  active?: boolean;
  /** Epoch ms the request was sent. */
  at: number;
}

/** A client_log row, as read back. */
export interface LogRow {
  clientId: number;
  seq: number;
  changeType: string;
  description: string;
  details: string;
  actorType: string;
  actorId: number | null;
}

export interface CheckInput {
  requests: RequestRecord[];
  log: LogRow[];
  clients: { id: number; residenceAddress: string }[];
  logins: { id: number; username: string; email: string; emailStatus: string | null }[];
  emails: { id: number; loginId: number; kind: string; status: string; error: string | null }[];
  verify: { clientId: number; intact: boolean; detail: string; pending: number }[];
}

export interface Violation {
  check: string;
  detail: string;
}

export interface CheckResult {
  violations: Violation[];
  /** Log entries read and matched against the record. */
  entriesChecked: number;
  clientsChecked: number;
}

const isAcked = (r: RequestRecord, ...outcomes: string[]) => outcomes.includes(r.outcome);
/**
 * A failure whose answer leaves the outcome open: the staff app's 500 page says "open the page
 * again to see whether it was kept". A 503 (Face Sheet, Portal Login window) and every portal
 * error page say nothing was changed: those must have written nothing.
 */
const ambiguous = (r: RequestRecord) => r.status === 500 && !!r.injected && !r.kind.startsWith("portal-");

/** Runs every check; an empty `violations` means the run kept every promise. */
export function checkSoak(input: CheckInput): CheckResult {
  const v: Violation[] = [];
  const add = (check: string, detail: string) => v.push({ check, detail });

  // 1. Numbers: per client 1..N, no gap, no duplicate.
  const byClient = new Map<number, LogRow[]>();
  for (const row of input.log) byClient.set(row.clientId, [...(byClient.get(row.clientId) ?? []), row]);
  for (const [clientId, rows] of byClient) {
    const seqs = rows.map((r) => r.seq).sort((a, b) => a - b);
    for (let i = 0; i < seqs.length; i++) {
      if (i > 0 && seqs[i] === seqs[i - 1]) add("seq", `client ${clientId}: seq ${seqs[i]} appears more than once`);
      else if (seqs[i] !== (i === 0 ? 1 : seqs[i - 1]! + 1)) add("seq", `client ${clientId}: seq ${i === 0 ? 1 : seqs[i - 1]! + 1} missing (next is ${seqs[i]})`);
    }
  }

  // 2. Verify log.
  for (const r of input.verify) {
    if (!r.intact) add("verify", `client ${r.clientId}: ${r.detail}`);
    if (r.pending > 0) add("verify", `client ${r.clientId}: ${r.pending} entries still waiting for D1 after the run`);
  }

  // 3. Sign-ins and log-outs: one entry per acknowledged request.
  const portalEntries = (type: string, loginId: number) => input.log.filter((e) => e.changeType === type && e.actorType === "portal" && e.actorId === loginId).length;
  const loginIds = new Set(input.requests.filter((r) => r.loginId !== undefined && r.kind.startsWith("portal-")).map((r) => r.loginId!));
  for (const loginId of loginIds) {
    for (const [kind, type, ok] of [
      ["portal-sign-in", "Login", "signed-in"],
      ["portal-log-out", "Logout", "logged-out"],
    ] as const) {
      const reqs = input.requests.filter((r) => r.kind === kind && r.loginId === loginId);
      const acked = reqs.filter((r) => isAcked(r, ok)).length;
      const n = portalEntries(type, loginId);
      if (n < acked) add("entries", `login ${loginId}: ${acked} ${kind} acknowledged, only ${n} ${type} entries`);
      // The portal's error page says "Nothing was changed": a failed sign-in or log-out has no entry.
      if (n > acked) add("entries", `login ${loginId}: ${n} ${type} entries for ${acked} acknowledged ${kind} (${reqs.length - acked} failed)`);
    }
  }

  // 4. Wrong passwords on real logins: one Failed entry per checked attempt — each 401, and the
  //    attempt that locked the login (answered 429, with its lock entry) — and none for an attempt
  //    refused unchecked (429 while locked). Exactly that many, a ClientLog reset or not.
  const failedByName = new Map<string, number>();
  for (const r of input.requests) if (r.kind === "portal-wrong-password" && r.outcome === "failed" && r.username) failedByName.set(r.username, (failedByName.get(r.username) ?? 0) + 1);
  for (const [username, failed] of failedByName) {
    const n = input.log.filter((e) => e.changeType === "Portal Sign-in" && e.description === `Failed Client Portal sign-in as ${username}: wrong password.`).length;
    const locks = input.log.filter((e) => e.changeType === "Portal Login" && e.description.startsWith(`Portal Login ${username} was locked after `)).length;
    if (n > failed + locks) add("entries", `${username}: ${n} failed-sign-in entries for ${failed} refused attempts and ${locks} locks (an unchecked attempt was logged, or one twice)`);
    if (n < failed + locks) add("entries", `${username}: ${failed} refused attempts and ${locks} locks, only ${n} failed-sign-in entries`);
  }

  // 5. Face Sheet updates: the nonce address in exactly one entry when saved, none when refused.
  // The entries that set the value (a later entry names it too, as its "before").
  const nonceEntries = (type: string, nonce: string) =>
    input.log.filter((e) => e.changeType === type && e.details.includes(nonce) && (type === "Face Sheet" ? addressSetBy(e) : emailSetBy(e)) === nonce);
  const entryOrder = (e: LogRow) => e.seq;
  for (const r of input.requests.filter((r) => r.kind === "face-sheet-update" && r.nonce)) {
    const n = nonceEntries("Face Sheet", r.nonce!).length;
    expectEntries(add, `Face Sheet update ${r.nonce} (${r.status} ${r.outcome})`, n, isAcked(r, "saved") ? 1 : ambiguous(r) ? -1 : 0);
  }
  // No lost update: the address in D1 is the one the client's last address entry set.
  const updated = new Set(input.requests.filter((r) => r.kind === "face-sheet-update").map((r) => r.clientId!));
  for (const client of input.clients.filter((c) => updated.has(c.id))) {
    const last = input.log
      .filter((e) => e.clientId === client.id && e.changeType === "Face Sheet" && e.details.includes("CurrentAddress"))
      .sort((a, b) => entryOrder(b) - entryOrder(a))[0];
    const set = last ? addressSetBy(last) : undefined;
    if (set !== undefined && set !== client.residenceAddress) add("lost-update", `client ${client.id}: address is "${client.residenceAddress}", its last entry (#${last!.seq}) set "${set}"`);
    if (set === undefined && client.residenceAddress.startsWith("Soak#")) add("lost-update", `client ${client.id}: address "${client.residenceAddress}" has no entry`);
  }

  // 6. Logins added: exactly one entry and the row, or neither.
  for (const r of input.requests.filter((r) => r.kind === "login-add" && r.username)) {
    const entries = input.log.filter((e) => e.changeType === "Portal Login" && e.description === "Added a new portal login" && e.details.includes(`Portal Username: ${r.username}"`));
    const row = input.logins.find((l) => l.username === r.username);
    expectEntries(add, `login add ${r.username} (${r.status} ${r.outcome})`, entries.length, isAcked(r, "added") ? 1 : ambiguous(r) ? -1 : 0);
    if (!!row !== entries.length > 0) add("half-written", `login add ${r.username}: ${row ? "the login exists without its entry" : "an entry without the login"}`);
  }

  // 7. Login edits: the nonce email in exactly one entry when saved, none when refused; the login's email is its last entry's.
  for (const r of input.requests.filter((r) => r.kind === "login-edit" && r.nonce)) {
    const n = nonceEntries("Portal Login", r.nonce!).length;
    expectEntries(add, `login edit ${r.nonce} (${r.status} ${r.outcome})`, n, isAcked(r, "saved") ? 1 : ambiguous(r) ? -1 : 0);
  }
  const edited = new Set(input.requests.filter((r) => r.kind === "login-edit").map((r) => r.username!));
  for (const login of input.logins.filter((l) => edited.has(l.username))) {
    const last = input.log
      .filter(
        (e) =>
          e.changeType === "Portal Login" &&
          (e.description === `Portal Login ${login.username} was modified.` ||
            (e.description === "Added a new portal login" && e.details.includes(`Portal Username: ${login.username}"`))) &&
          emailSetBy(e) !== undefined,
      )
      .sort((a, b) => entryOrder(b) - entryOrder(a))[0];
    const email = last ? emailSetBy(last) : undefined;
    if (email !== undefined && email !== login.email) add("lost-update", `login ${login.username}: email is ${login.email}, its last entry (#${last!.seq}) set ${email}`);
  }

  // 8. Emails: not sent only by an injected refusal, and then shown as not sent on the login.
  for (const e of input.emails) {
    if (e.status === "failed" && !(e.error ?? "").includes("soak-injected")) add("email", `email ${e.id} (${e.kind}) not sent, not injected: ${e.error}`);
  }
  // (A login with no outcome recorded reads "Email not sent": the safe side.)
  for (const login of input.logins) {
    const last = input.emails.filter((e) => e.loginId === login.id && (e.kind === "welcome" || e.kind === "new-password")).sort((a, b) => b.id - a.id)[0];
    if (last?.status === "failed" && login.emailStatus === "sent") add("email", `login ${login.username}: its last credentials email was not sent, the login shows it sent`);
  }

  // 9. No 5xx but injected ones.
  for (const r of input.requests) if (r.status >= 500 && !r.injected) add("5xx", `${r.kind} answered ${r.status} with no fault injected`);

  return { violations: v, entriesChecked: input.log.length, clientsChecked: byClient.size };
}

/** `want` 1: exactly one; 0: none; -1: at most one (failed on an injected fault). */
function expectEntries(add: (check: string, detail: string) => void, what: string, n: number, want: 1 | 0 | -1) {
  if (want === 1 && n !== 1) add("entries", `${what}: ${n} entries, want exactly 1`);
  if (want === 0 && n !== 0) add("entries", `${what}: ${n} entries for a refused request, want none`);
  if (want === -1 && n > 1) add("entries", `${what}: ${n} entries, want at most 1`);
}

function addressSetBy(e: LogRow): string | undefined {
  const changes = (JSON.parse(e.details) as { changes?: { field: string; after: unknown }[] }).changes ?? [];
  const c = changes.find((c) => c.field === "CurrentAddress");
  return c ? String(c.after) : undefined;
}

function emailSetBy(e: LogRow): string | undefined {
  const changes = (JSON.parse(e.details) as { changes?: { field: string; after: unknown }[] }).changes ?? [];
  const c = changes.find((c) => c.field === "email");
  return c ? String(c.after) : undefined;
}

/** p-th percentile (0–100) of `xs`, nearest rank. */
export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

/** The table printed at the end: requests by kind with latency and outcomes. */
export function summaryTable(requests: RequestRecord[], seconds: number): string {
  const kinds = [...new Set(requests.map((r) => r.kind))].sort();
  const rows = [["kind", "requests", "per s", "p50 ms", "p95 ms", "p99 ms", "2xx/3xx", "4xx", "5xx (injected)", "outcomes"]];
  for (const k of kinds) {
    const rs = requests.filter((r) => r.kind === k);
    const ms = rs.map((r) => r.ms);
    const outcomes = new Map<string, number>();
    for (const r of rs) outcomes.set(r.outcome, (outcomes.get(r.outcome) ?? 0) + 1);
    rows.push([
      k,
      String(rs.length),
      (rs.length / seconds).toFixed(1),
      percentile(ms, 50).toFixed(0),
      percentile(ms, 95).toFixed(0),
      percentile(ms, 99).toFixed(0),
      String(rs.filter((r) => r.status < 400).length),
      String(rs.filter((r) => r.status >= 400 && r.status < 500).length),
      `${rs.filter((r) => r.status >= 500).length} (${rs.filter((r) => r.status >= 500 && r.injected).length})`,
      [...outcomes].map(([o, n]) => `${o} ${n}`).join(", "),
    ]);
  }
  const all = requests.map((r) => r.ms);
  rows.push(["all", String(requests.length), (requests.length / seconds).toFixed(1), percentile(all, 50).toFixed(0), percentile(all, 95).toFixed(0), percentile(all, 99).toFixed(0), "", "", "", ""]);
  return markdownTable(rows);
}

/** Rows as a Markdown table (the README takes it as printed). */
export function markdownTable(rows: string[][]): string {
  const [head, ...body] = rows;
  const line = (r: string[]) => `| ${r.join(" | ")} |`;
  return [line(head!), line(head!.map(() => "---")), ...body.map(line)].join("\n");
}
