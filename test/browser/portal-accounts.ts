/**
 * Portal logins of their own for browser journeys that change a login's sign-in (passkeys,
 * sessions), so other journeys' logins stay as they are. Written into the running `wrangler dev`'s
 * local D1 with `wrangler d1 execute`, copying a demo staff member's password hash — the login's
 * password is then the demo password, already chosen (no temporary password to replace).
 */
import { spawnSync } from "node:child_process";
import { ROOT, toolEnv } from "../../scripts/local.ts";

/** The password of every login made here (the demo staff password, whose hash is copied). */
export const PORTAL_PASSWORD = "demo-password-2026";

/** Adds an active Riverbend portal login for a client, unless that username exists. */
export function createPortalLogin(persistTo: string, username: string, clientId: number) {
  const q = (s: string) => `'${s.replace(/'/g, "''")}'`;
  const sql = `INSERT INTO portal_logins (agency_id, client_id, username, username_key, email, active, password_hash, must_change_password, session_version, created_at)
    SELECT 1, ${clientId}, ${q(username)}, ${q(username.toLowerCase())}, ${q(`${username}@example.com`)}, 1, password_hash, 0, 1, ${Date.now()}
    FROM staff_users WHERE email = 'staff@riverbend.test'
    AND NOT EXISTS (SELECT 1 FROM portal_logins WHERE agency_id = 1 AND username_key = ${q(username.toLowerCase())})`;
  const r = spawnSync("wrangler", ["d1", "execute", "DB", "--local", "--persist-to", persistTo, "--command", sql], { cwd: ROOT, env: toolEnv(), encoding: "utf8" });
  if (r.status !== 0) throw new Error(`creating portal login ${username} failed:\n${r.stderr}${r.stdout}`);
}
