/**
 * Staff members of their own for browser journeys that change a member's sign-in (two-factor,
 * passkeys), so the demo accounts other journeys sign in with stay as they are. Written into the
 * running `wrangler dev`'s local D1 with `wrangler d1 execute`, copying a demo member's password
 * hash (so the demo password works, and no hashing is needed here).
 */
import { spawnSync } from "node:child_process";
import { ROOT, toolEnv } from "../../scripts/local.ts";

/** Adds an active Riverbend staff member with the demo password, unless that email exists. */
export function createStaffMember(persistTo: string, email: string, name: string) {
  const q = (s: string) => `'${s.replace(/'/g, "''")}'`;
  const sql = `INSERT INTO staff_users (agency_id, name, email, role, password_hash, active)
    SELECT agency_id, ${q(name)}, ${q(email)}, 'staff', password_hash, 1 FROM staff_users WHERE email = 'staff@riverbend.test'
    AND NOT EXISTS (SELECT 1 FROM staff_users WHERE email = ${q(email)})`;
  const r = spawnSync("wrangler", ["d1", "execute", "DB", "--local", "--persist-to", persistTo, "--command", sql], { cwd: ROOT, env: toolEnv(), encoding: "utf8" });
  if (r.status !== 0) throw new Error(`creating ${email} failed:\n${r.stderr}${r.stdout}`);
}

/** The app's address as `localhost`: browsers refuse an IP address as a WebAuthn RP ID. */
export const localhostUrl = (base: string) => base.replace("//127.0.0.1:", "//localhost:");
