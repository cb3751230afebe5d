/**
 * Two staff adding the same username at the same moment: exactly one succeeds, the other gets
 * the duplicate-username message; one row, one log entry. The unique index decides, also when
 * both got past the friendly pre-check.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { createPortalLogin } from "../../src/clients/portal-login-create";
import { database } from "../../src/db";
import { Browser, DEMO } from "./fixtures";
import { fieldError } from "./helpers";
import { addLogin, countLogins, logEntries } from "./portal-logins.helpers";

let dana: Browser;
let sam: Browser;
beforeAll(async () => {
  [dana, sam] = await Promise.all([Browser.staff("admin@riverbend.test"), Browser.staff("staff@riverbend.test")]);
});

const addedEntries = async (clientId: number) => (await logEntries(clientId)).filter((e) => e.description === "Added a new portal login").length;

describe("concurrent adds of one username", () => {
  it("for the same client: one 200 (added), one 422 (duplicate), one row", async () => {
    const [a, b] = await Promise.all([
      addLogin(dana, DEMO.maria, { username: "race.same", email: "a@example.com" }),
      addLogin(sam, DEMO.maria, { username: "RACE.SAME", email: "b@example.com" }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 422]);
    const loser = a.status === 422 ? a : b;
    expect(fieldError(await loser.text(), "username")).toMatch(/is already in use in this agency/);
    expect(await countLogins("username_key = 'race.same'")).toBe(1);
    expect(await addedEntries(DEMO.maria)).toBe(1);
  });

  it("for two clients of the agency: one of them gets it", async () => {
    const [a, b] = await Promise.all([
      addLogin(dana, DEMO.maria, { username: "race.two", email: "a@example.com" }),
      addLogin(sam, DEMO.james, { username: "race.two", email: "b@example.com" }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 422]);
    expect(await countLogins("username_key = 'race.two'")).toBe(1);
  });

  it("past the pre-check, the unique index lets exactly one write (and its entry) land", async () => {
    const db = database(env.DB);
    const write = (clientId: number, name: string) =>
      createPortalLogin(env, db, {
        agencyId: 1,
        clientId,
        username: name,
        email: "x@example.com",
        representative: false,
        active: true,
        issuePassword: true,
        tempPasswordHours: 24,
        inviteLinkHours: 24,
        actor: { type: "staff", id: 1, name: "Dana Whitfield" },
      });
    const entriesBefore = (await addedEntries(DEMO.maria)) + (await addedEntries(3));
    const results = await Promise.all([write(DEMO.maria, "race.index"), write(3, "Race.Index"), write(DEMO.maria, "race.INDEX")]);
    expect(results.map((r) => r.status).sort()).toEqual(["added", "duplicate", "duplicate"]);
    expect(await countLogins("username_key = 'race.index'")).toBe(1);
    expect((await addedEntries(DEMO.maria)) + (await addedEntries(3))).toBe(entriesBefore + 1);
  });
});
