/**
 * A ClientLog object reset (a deploy, an eviction, a crash) while a change is in flight leaves the
 * caller's RPC failing with the outcome open: its batch may already be in D1. Found by `npm run
 * soak` (ClientLog resets): a Portal Login Save answered 503 "nothing was changed and no email was
 * sent" while the login and its entry had landed. Now each write says how to read back whether
 * it landed (commitChange's `landed`), and the answer is the truth either way.
 *
 * The reset is simulated at the binding: the real object commits (or doesn't) and then the call
 * fails as a reset fails it.
 */
import { env } from "cloudflare:test";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { pickValues, updateFaceSheet } from "../../src/clients/face-sheet";
import { recordStaffEvent, verifyClientLog } from "../../src/clients/log";
import { createPortalLogin } from "../../src/clients/portal-login-create";
import { database } from "../../src/db";
import { clients } from "../../src/db/schema";
import { DEMO } from "./fixtures";
import { createSettledLogin, lastSeq, logEntries, PORTAL, PORTAL_COOKIE, PortalBrowser, sessionRows } from "./portal.fixtures";

const db = database(env.DB);
const DANA = { type: "staff" as const, id: 1, name: "Dana Whitfield" };
const RESET = "Durable Object reset because its code was updated.";

/** The Worker's env with a ClientLog whose `commit` fails as a reset does: after its batch, or before it. */
function resetting(when: "after-batch" | "before-batch"): Env {
  const ns = env.CLIENT_LOG;
  let recordsFailed = 0;
  const namespace = new Proxy(ns, {
    get(target, prop) {
      if (prop === "get") {
        return (id: DurableObjectId) => {
          const stub = target.get(id);
          return new Proxy(stub, {
            get(s, q) {
              if (q === "commit") {
                return async (req: Parameters<typeof stub.commit>[0]) => {
                  if (when === "after-batch") await s.commit(req);
                  throw new Error(RESET);
                };
              }
              // An event: the first hand-over fails (after the object wrote it, or before); later ones go through.
              if (q === "record") {
                return async (req: Parameters<typeof stub.record>[0]) => {
                  if (recordsFailed++ > 0) return s.record(req);
                  if (when === "after-batch") await s.record(req);
                  throw new Error(RESET);
                };
              }
              return Reflect.get(s, q);
            },
          });
        };
      }
      const v = Reflect.get(target, prop);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  return { ...env, CLIENT_LOG: namespace };
}

async function saveAddress(e: Env, clientId: number, address: string) {
  const row = await db.select().from(clients).where(and(eq(clients.id, clientId), eq(clients.agencyId, DEMO.riverbend))).get();
  return updateFaceSheet(e, db, { agencyId: DEMO.riverbend, clientId, expectedVersion: row!.version, values: { ...pickValues(row!), residenceAddress: address }, actor: DANA });
}

describe("a ClientLog reset in the middle of a commit", () => {
  it("Face Sheet Update: reset after the batch landed → saved (one entry); reset before → not saved, nothing written", async () => {
    const before = await lastSeq(3);
    expect((await saveAddress(resetting("after-batch"), 3, "1 Landed Lane")).status).toBe("saved");
    expect((await logEntries(3, before)).map((e) => e.change_type)).toEqual(["Face Sheet"]);

    await expect(saveAddress(resetting("before-batch"), 3, "2 Lost Lane")).rejects.toThrow(/change not saved/);
    const row = await db.select().from(clients).where(eq(clients.id, 3)).get();
    expect(row!.residenceAddress).toBe("1 Landed Lane");
    expect(await logEntries(3, before)).toHaveLength(1);

    // The log carries on from there, intact.
    expect((await saveAddress(env, 3, "3 Next Street")).status).toBe("saved");
    expect((await logEntries(3, before)).map((e) => e.seq)).toEqual([before + 1, before + 2]);
    expect(await verifyClientLog(env, db, DEMO.riverbend, 3)).toMatchObject({ intact: true });
  });

  it("Add Client Portal Login: reset after the batch landed → added (the email can follow); before → refused with nothing written", async () => {
    const add = (e: Env, username: string) =>
      createPortalLogin(e, db, {
        agencyId: DEMO.riverbend,
        clientId: 4,
        username,
        email: `${username}@example.com`,
        representative: false,
        active: true,
        issuePassword: true,
        tempPasswordHours: 24,
        inviteLinkHours: 24,
        credentialMethod: "password",
        actor: DANA,
        clearRefused: false,
      });
    const before = await lastSeq(4);
    const landed = await add(resetting("after-batch"), "reset.after");
    expect(landed).toMatchObject({ status: "added", login: { username: "reset.after" } });
    expect(landed.status === "added" && landed.temporaryPassword).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/i);
    await expect(add(resetting("before-batch"), "reset.before")).rejects.toThrow(/change not saved/);
    expect((await logEntries(4, before)).map((e) => e.description)).toEqual(["Added a new portal login"]);
    expect(await env.DB.prepare("SELECT username FROM portal_logins WHERE username LIKE 'reset.%'").all()).toMatchObject({ results: [{ username: "reset.after" }] });
  });

  it("portal sign-in: reset after the batch → signed in with its one Login entry; before → 'Nothing was changed', and nothing was", async () => {
    const login = await createSettledLogin({ clientId: 5 });
    const before = await lastSeq(5);
    const lost = new PortalBrowser(undefined, resetting("before-batch"));
    const refused = await lost.signIn(login.username, login.password);
    expect(refused.status).toBe(500);
    expect(await refused.text()).toContain("Nothing was changed");
    expect(await logEntries(5, before)).toEqual([]);
    expect(await sessionRows(login.id)).toEqual([]);

    const tab = new PortalBrowser(undefined, resetting("after-batch"));
    const res = await tab.signIn(login.username, login.password);
    expect(res.status).toBe(303);
    expect(tab.cookies.has(PORTAL_COOKIE)).toBe(true);
    expect((await logEntries(5, before)).map((e) => e.change_type)).toEqual(["Login"]);
    expect(await sessionRows(login.id)).toHaveLength(1);

    // Log out, reset after its batch: logged out, one Logout entry.
    const out = await tab.post(`${PORTAL}/log-out`, {});
    expect(out.status).toBe(303);
    expect(out.headers.get("Location")).toBe(`${PORTAL}?logged-out`);
    expect((await logEntries(5, before)).map((e) => e.change_type)).toEqual(["Login", "Logout"]);
    expect((await sessionRows(login.id))[0]!.ended_at).not.toBeNull();
  });

  it("an event (a failed sign-in's entry): handed over again only if it isn't in D1 — one entry either way", async () => {
    const before = await lastSeq(6);
    const event = (e: Env, n: number) =>
      recordStaffEvent(e, { agencyId: DEMO.riverbend, clientId: 6, actor: { type: "system", id: null, name: "Client Portal" }, changeType: "Portal Sign-in", description: `event ${n}` });
    await event(resetting("after-batch"), 1);
    await event(resetting("before-batch"), 2);
    expect((await logEntries(6, before)).map((e) => [e.seq, e.description])).toEqual([
      [before + 1, "event 1"],
      [before + 2, "event 2"],
    ]);
    expect(await verifyClientLog(env, db, DEMO.riverbend, 6)).toMatchObject({ intact: true });
  });
});
