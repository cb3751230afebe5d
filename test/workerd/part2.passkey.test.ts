/**
 * Passkey sign-in follows 42 CFR Part 2 like a password: a representative of a client with an
 * open Part 2 case and no current consent is refused (nothing written: no session, no Login
 * entry, the passkey unused); with a current consent the same passkey signs in.
 */
import { beforeAll, expect, it } from "vitest";
import { seedDemoData } from "./fixtures";
import { loginWithPasskey, portalPasskeyRows, portalPasskeySignIn } from "./portal-passkeys.fixtures";
import { lastSeq, logEntries, PORTAL_COOKIE, PortalBrowser, sql } from "./portal.fixtures";
import { createConsent, createRepresentation, LUIS, markPart2 } from "./part2.fixtures";

beforeAll(async () => {
  await seedDemoData();
});

it("refuses a representative's passkey without a current consent, and accepts it with one", async () => {
  // The passkey is registered while the programme is not yet Part 2 (registering needs a session).
  const { login, auth } = await loginWithPasskey({ clientId: LUIS, representative: true });
  const representationId = await createRepresentation(login.id, LUIS);
  await markPart2();

  const before = await lastSeq(LUIS);
  const refused = new PortalBrowser();
  const { res, data } = await portalPasskeySignIn(refused, auth);
  // Refused like any end of access (src/representatives/access.ts): 403 and the "access has ended" words.
  expect(res.status).toBe(403);
  expect(data.error).toBe("Your access to the Riverbend Behavioral Health Client Portal has ended. Contact Riverbend Behavioral Health if you think this is a mistake.");
  expect(refused.cookies.has(PORTAL_COOKIE)).toBe(false);
  expect((await logEntries(LUIS, before)).filter((e) => e.change_type === "Login")).toEqual([]);
  expect((await portalPasskeyRows(login.id))[0]!.last_used_at).toBeNull();

  const consentId = await createConsent(representationId, LUIS);
  const ok = new PortalBrowser();
  expect((await portalPasskeySignIn(ok, auth)).res.status).toBe(200);
  expect(ok.cookies.has(PORTAL_COOKIE)).toBe(true);

  // Revoked: the passkey is refused again.
  await sql("UPDATE part2_consents SET revoked_at = ? WHERE id = ?", Date.now(), consentId);
  const again = new PortalBrowser();
  expect((await portalPasskeySignIn(again, auth)).res.status).toBe(403);
  expect(again.cookies.has(PORTAL_COOKIE)).toBe(false);
});
