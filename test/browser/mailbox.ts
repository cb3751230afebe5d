/**
 * Reading what the Worker sent through its send_email binding under `wrangler dev`, from Node.
 *
 * Nothing is delivered locally. For each message sent in the object form
 * (`env.EMAIL.send({ from, to, subject, text, html })`) the local binding
 *   - records it (from, to, subject, text, html, messageId) in its email store, a SQLite database
 *     under the OS temp dir: `<tmp>/miniflare-<hash>/email-store/miniflare-email-store/*.sqlite`;
 *   - writes the bodies to `<project>/.wrangler/tmp/email/miniflare-<hash>/email-text/<id>.txt`
 *     and `email-html/<id>.html` (`<id>` is the Message-ID without its angle brackets) — the same
 *     place with or without `--persist-to`, which moves only the databases.
 * Both are deleted when `wrangler dev` stops. The bodies' files carry no recipient or subject,
 * so messages are found through the store, and the files are located from it.
 *
 * @example
 *   const mail = await latestEmailTo("maria@example.com");
 *   const password = temporaryPasswordFrom(mail.text);
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DatabaseSync } from "node:sqlite";

const PROJECT = resolve(import.meta.dirname, "../..");

export interface SentEmail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  /** With angle brackets, e.g. `<abc…@riverbend.test>`. */
  messageId: string;
  sentAt: Date;
  /** The miniflare instance that sent it (`miniflare-<hash>`). */
  instance: string;
}

/** The email stores of every local miniflare instance that has sent something. */
function storeFiles(): { instance: string; file: string }[] {
  const out: { instance: string; file: string }[] = [];
  for (const instance of readdirSync(tmpdir())) {
    if (!instance.startsWith("miniflare-")) continue;
    const dir = join(tmpdir(), instance, "email-store", "miniflare-email-store");
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir)) {
      if (f.endsWith(".sqlite") && f !== "metadata.sqlite") out.push({ instance, file: join(dir, f) });
    }
  }
  return out;
}

/** Every message recorded as sent, newest first. */
export function sentEmails(): SentEmail[] {
  const all: SentEmail[] = [];
  for (const { instance, file } of storeFiles()) {
    let db: DatabaseSync | undefined;
    try {
      db = new DatabaseSync(file, { readOnly: true });
      const rows = db.prepare("SELECT data FROM emails WHERE kind = 'sent'").all() as { data: string }[];
      for (const { data } of rows) {
        const e = JSON.parse(data) as { from: string; to: string[]; subject: string; text?: string; html?: string; messageId: string; sentAt: string };
        all.push({ from: e.from, to: e.to, subject: e.subject, text: e.text ?? "", html: e.html ?? "", messageId: e.messageId, sentAt: new Date(e.sentAt), instance });
      }
    } catch {
      // A store being created or written right now: read it on the next poll.
    } finally {
      db?.close();
    }
  }
  return all.sort((a, b) => b.sentAt.getTime() - a.sentAt.getTime());
}

const sameAddress = (a: string, b: string) => a.replace(/^.*<([^>]+)>\s*$/, "$1").trim().toLowerCase() === b.trim().toLowerCase();

/**
 * The newest message to `address`, waiting (polling every 100 ms, up to `timeoutMs`) until one
 * sent after `after` exists. Throws when none arrives in time.
 */
export async function latestEmailTo(address: string, opts: { after?: Date; timeoutMs?: number } = {}): Promise<SentEmail> {
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  const after = opts.after?.getTime() ?? 0;
  for (;;) {
    const found = sentEmails().find((e) => e.sentAt.getTime() >= after && e.to.some((t) => sameAddress(t, address)));
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no email to ${address} within ${opts.timeoutMs ?? 10_000} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The value of the `Temporary password: …` line of an email's text. */
export function temporaryPasswordFrom(text: string): string {
  const m = /^Temporary password: (\S+)\s*$/m.exec(text);
  if (!m) throw new Error("no 'Temporary password:' line in the email");
  return m[1]!;
}

/**
 * The files `wrangler dev` wrote for a message (the paths its log prints), waiting up to
 * `timeoutMs` for them: they are written just after `send()` returns.
 */
export async function emailFiles(mail: SentEmail, timeoutMs = 5_000): Promise<{ textPath: string; htmlPath: string }> {
  const id = mail.messageId.replace(/^<|>$/g, "");
  const dir = join(PROJECT, ".wrangler", "tmp", "email", mail.instance);
  const textPath = join(dir, "email-text", `${id}.txt`);
  const htmlPath = join(dir, "email-html", `${id}.html`);
  const deadline = Date.now() + timeoutMs;
  while (!(existsSync(textPath) && existsSync(htmlPath))) {
    if (Date.now() > deadline) throw new Error(`no files for ${mail.messageId} under ${dir}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { textPath, htmlPath };
}

/** Reads a file `emailFiles` found. */
export const readEmailFile = (path: string) => readFileSync(path, "utf8");
