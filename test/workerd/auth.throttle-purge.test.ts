import { createScheduledController, env } from "cloudflare:test";
import { expect, it } from "vitest";
import worker from "../../src/index";

const MINUTE = 60_000;

async function keys(): Promise<string[]> {
  const { results } = await env.DB.prepare("SELECT key FROM sign_in_throttle ORDER BY key").all<{ key: string }>();
  return results.map((r) => r.key);
}

it("the hourly cron forgets only throttle rows that no longer change any answer", async () => {
  const now = Date.now();
  const rows: [string, number, number, number | null][] = [
    // key, failures, window_start, locked_until
    ["portal-ip:10.0.0.1", 7, now - 20 * MINUTE, null], // window over: spent
    ["portal-ip:10.0.0.2", 7, now - 2 * MINUTE, null], // window open: kept
    ["portal-ip:10.0.0.3", 0, now - 20 * MINUTE, now + 5 * MINUTE], // still locked: kept
    ["portal-user:1:ghost", 0, now - 30 * MINUTE, now - MINUTE], // lock ran out, nothing since: spent
    ["portal-user:1:guess", 3, now - 30 * MINUTE, null], // still counting: kept
    ["staff-email:nobody@riverbend.test", 0, now - 30 * MINUTE, now - MINUTE], // spent
    ["staff-email:admin@riverbend.test", 0, now - 30 * MINUTE, now + MINUTE], // locked: kept
  ];
  await env.DB.batch(
    rows.map(([key, failures, windowStart, lockedUntil]) =>
      env.DB.prepare("INSERT INTO sign_in_throttle (key, failures, window_start, locked_until) VALUES (?, ?, ?, ?)").bind(key, failures, windowStart, lockedUntil),
    ),
  );
  await worker.scheduled(createScheduledController({ cron: "17 * * * *", scheduledTime: now }), env);
  expect(await keys()).toEqual(["portal-ip:10.0.0.2", "portal-ip:10.0.0.3", "portal-user:1:guess", "staff-email:admin@riverbend.test"]);
});
