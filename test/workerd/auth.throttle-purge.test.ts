/**
 * What sign-in throttling keeps: no username, email, password or address as typed — every key is
 * an HMAC under THROTTLE_KEY — and nothing after its window has ended: the hourly cron deletes
 * every row that no longer changes any answer.
 */
import { createScheduledController, env } from "cloudflare:test";
import { expect, it } from "vitest";
import worker from "../../src/index";
import { Browser } from "./fixtures";
import { PortalBrowser } from "./portal.fixtures";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

interface Row {
  key: string;
  subject: string | null;
  failures: number;
  window_start: number;
  locked_until: number | null;
  expires_at: number;
}

const rows = async () => (await env.DB.prepare("SELECT * FROM sign_in_throttle ORDER BY key").all<Row>()).results;

/** Runs the hourly cron as if it were `at`. */
const cronAt = (at: number) => worker.scheduled(createScheduledController({ cron: "17 * * * *", scheduledTime: at }), env);

// A password typed into the username field, and an email that is really a passphrase.
const TYPED_USERNAME = "Correct Horse Battery 2026";
const TYPED_EMAIL = "my-password-is-Hunter2@riverbend.test";
const ADDRESS = "203.0.113.77";

it("keeps no username, email or address as typed: keys are opaque HMACs", async () => {
  await new PortalBrowser(ADDRESS).signIn(TYPED_USERNAME, "whatever it was");
  await new Browser().post("/sign-in", { email: TYPED_EMAIL, password: "whatever it was" }, { headers: { "CF-Connecting-IP": ADDRESS } });
  const stored = await rows();
  expect(stored.length).toBeGreaterThanOrEqual(3); // the username's, the email's, the address's
  const text = JSON.stringify(stored).toLowerCase();
  for (const typed of [TYPED_USERNAME, "correct horse", "hunter2", TYPED_EMAIL, "riverbend", ADDRESS, "203.0.113"]) {
    expect(text).not.toContain(typed.toLowerCase());
  }
  for (const r of stored) expect(r.key).toMatch(/^[A-Za-z0-9_-]{43}$/);
});

it("the hourly cron deletes every row whose window has ended, and only those", async () => {
  await env.DB.prepare("DELETE FROM sign_in_throttle").run();
  const now = Date.now();
  await new PortalBrowser("203.0.113.78").signIn("someone.unknown", "a guess");
  const [account, address] = await Promise.all([
    env.DB.prepare("SELECT * FROM sign_in_throttle WHERE key = subject").first<Row>(),
    env.DB.prepare("SELECT * FROM sign_in_throttle WHERE subject IS NULL").first<Row>(),
  ]);
  // The address counts in a 15-minute window; the username's failures last 24 hours without one.
  expect(address!.expires_at - address!.window_start).toBe(15 * MINUTE);
  expect(account!.expires_at - account!.window_start).toBe(24 * HOUR);

  await cronAt(now);
  expect(await rows()).toHaveLength(2);
  await cronAt(now + 16 * MINUTE);
  expect((await rows()).map((r) => r.key)).toEqual([account!.key]);
  await cronAt(now + 25 * HOUR);
  expect(await rows()).toEqual([]);
});

it("a row from before keys were HMACs (no expiry recorded) is deleted at the next run", async () => {
  await env.DB.prepare("INSERT INTO sign_in_throttle (key, failures, window_start, locked_until) VALUES ('portal-user:1:guessed name', 3, ?, NULL)").bind(Date.now()).run();
  await cronAt(Date.now());
  expect((await rows()).filter((r) => r.key.includes(":"))).toEqual([]);
});
