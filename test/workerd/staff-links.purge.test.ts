/**
 * The hourly cron deletes staff links that ended (used, replaced or expired) more than a week ago,
 * and keeps every link that still works or ended recently.
 */
import { createScheduledController, env } from "cloudflare:test";
import { expect, it } from "vitest";
import worker from "../../src/index";
import { createMember, tokenRows } from "./staff-credentials.fixtures";

const DAY = 24 * 3600_000;

it("the hourly cron forgets links that ended over a week ago", async () => {
  const member = await createMember();
  const now = Date.now();
  const rows: [string, number, number, number | null][] = [
    // token_hash, created_at, expires_at, used_at
    ["expired-long-ago", now - 9 * DAY, now - 8 * DAY, null], // spent
    ["used-long-ago", now - 9 * DAY, now - 8 * DAY + DAY, now - 8 * DAY], // spent
    ["expired-yesterday", now - 2 * DAY, now - DAY, null], // kept
    ["used-yesterday", now - DAY - 3600_000, now - DAY + 3600_000, now - DAY], // kept
    ["valid", now, now + 3600_000, null], // kept
  ];
  await env.DB.batch(
    rows.map(([hash, created, expires, used]) =>
      env.DB.prepare("INSERT INTO staff_tokens (agency_id, staff_id, purpose, token_hash, created_at, expires_at, used_at) VALUES (1, ?, 'reset', ?, ?, ?, ?)").bind(
        member.id,
        hash,
        created,
        expires,
        used,
      ),
    ),
  );
  await worker.scheduled(createScheduledController({ cron: "17 * * * *", scheduledTime: now }), env);
  expect((await tokenRows(member.id)).map((t) => t.token_hash)).toEqual(["expired-yesterday", "used-yesterday", "valid"]);
});
