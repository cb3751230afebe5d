import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { generateHOTP } from "@oslojs/otp";
import { decodeBase32IgnorePadding } from "@oslojs/encoding";
import { chromium } from "playwright-core";
import { ensureDevVars, prepareDatabase, startDev, ROOT, toolEnv } from "./scripts/local.ts";

const OUT = "/tmp/shots-2fa";
const dir = mkdtempSync(join(tmpdir(), "shots-"));
ensureDevVars();
await prepareDatabase(dir);
const sql = (s: string) => {
  const r = spawnSync("wrangler", ["d1", "execute", "DB", "--local", "--persist-to", dir, "--command", s], { cwd: ROOT, env: toolEnv(), encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
};
sql(`INSERT INTO staff_users (agency_id, name, email, role, password_hash, active) SELECT 1, 'Tess Whitaker-Longname', 'tess@riverbend.test', 'staff', password_hash, 1 FROM staff_users WHERE email='staff@riverbend.test'`);
sql(`INSERT INTO agencies (id, name, slug, portal_enabled, timezone, require_two_factor) VALUES (3, 'Hillcrest Family Services', 'hillcrest', 0, 'America/New_York', 1)`);
sql(`INSERT INTO staff_users (agency_id, name, email, role, password_hash, active) SELECT 3, 'Rae Newman', 'rae@hillcrest.test', 'staff', password_hash, 1 FROM staff_users WHERE email='staff@riverbend.test'`);
const port = 8950;
const server = await startDev({ port, persistTo: dir });
const base = `http://localhost:${port}`;
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"] });
try {
  for (const width of [1280, 360]) {
    const ctx = await browser.newContext({ viewport: { width, height: width === 360 ? 740 : 900 } });
    const page = await ctx.newPage();
    const cdp = await ctx.newCDPSession(page);
    await cdp.send("WebAuthn.enable");
    await cdp.send("WebAuthn.addVirtualAuthenticator", { options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true } });
    const shot = async (name: string) => { await page.waitForLoadState("load"); await page.screenshot({ path: `${OUT}/${width}-${name}.png`, fullPage: true }); };
    const email = width === 1280 ? "tess@riverbend.test" : "admin@lakeside.test";
    await page.goto(base + "/sign-in");
    await shot("01-sign-in");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("demo-password-2026");
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.getByRole("heading", { name: "Main Menu" }).waitFor();
    await shot("02-menu");
    await page.goto(base + "/account/two-factor");
    await shot("03-two-factor-off");
    await page.getByRole("button", { name: "Set up authenticator app" }).click();
    await page.getByRole("heading", { name: "Set up authenticator app" }).waitFor();
    await shot("04-totp-setup");
    const typed = await page.getByText(/^[A-Z2-7]{4}( [A-Z2-7]{4}){7}$/).innerText();
    const key = decodeBase32IgnorePadding(typed.replace(/\s/g, ""));
    await page.getByLabel("6-digit code").fill("12345");
    await page.getByRole("button", { name: "Turn on" }).click();
    await shot("05-totp-setup-error");
    await page.getByLabel("6-digit code").fill(generateHOTP(key, BigInt(Math.floor(Date.now() / 30000)), 6));
    await page.getByRole("button", { name: "Turn on" }).click();
    await page.getByRole("heading", { name: /recovery codes/ }).waitFor();
    await shot("06-recovery-codes");
    await page.getByRole("link", { name: /I've saved them/ }).click();
    await shot("07-two-factor-on");
    await page.goto(base + "/account/passkeys");
    await shot("08-passkeys-empty");
    await page.getByLabel("Name").fill("");
    await page.getByRole("button", { name: "Add a passkey" }).click();
    await page.getByText("Enter a name for the passkey.").waitFor();
    await shot("09-passkeys-name-error");
    await page.getByLabel("Name").fill("Work laptop (Dell Latitude 7440, 3rd floor)");
    await page.getByRole("button", { name: "Add a passkey" }).click();
    await page.getByText("Passkey added.").waitFor();
    await shot("10-passkeys-list");
    await page.getByRole("link", { name: /Rename or remove/ }).first().click();
    await page.getByLabel("Name").fill("");
    await page.getByRole("button", { name: "Save name" }).click();
    await shot("11-passkey-edit-error");
    await page.goto(base + "/account/two-factor");
    await shot("12-two-factor-on-with-passkey");
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("demo-password-2026");
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.getByRole("heading", { name: "Two-factor sign-in" }).waitFor();
    await shot("13-second-step");
    await page.getByLabel("Code from your authenticator app").fill("000000");
    await page.getByRole("button", { name: "Verify" }).click();
    await shot("14-second-step-error");
    await page.getByRole("link", { name: "Use a recovery code" }).click();
    await shot("15-recovery-code");
    await page.getByLabel("Recovery code").fill("nope");
    await page.getByRole("button", { name: "Verify" }).click();
    await shot("16-recovery-code-error");
    await ctx.close();
  }
  // Required agency: enrolment at sign-in (phone and desk).
  for (const width of [1280, 360]) {
    const ctx = await browser.newContext({ viewport: { width, height: width === 360 ? 740 : 900 } });
    const page = await ctx.newPage();
    await page.goto(base + "/sign-in");
    await page.getByLabel("Email").fill("rae@hillcrest.test");
    await page.getByLabel("Password").fill("demo-password-2026");
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.getByRole("heading", { name: "Set up two-factor sign-in" }).waitFor();
    await page.waitForLoadState("load");
    await page.screenshot({ path: `${OUT}/${width}-17-enrol-choice.png`, fullPage: true });
    await page.getByRole("button", { name: "Set up an authenticator app" }).click();
    await page.waitForLoadState("load");
    await page.screenshot({ path: `${OUT}/${width}-18-enrol-totp.png`, fullPage: true });
    await ctx.close();
  }
} finally {
  await browser.close();
  await server.stop();
}
console.log("done");
