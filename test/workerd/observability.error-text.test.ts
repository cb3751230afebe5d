import { env } from "cloudflare:test";
import { expect, it } from "vitest";
import { database } from "../../src/db";
import { staffUsers } from "../../src/db/schema";
import { errorText } from "../../src/observability/error-text";

it("keeps bound values (emails, hashes) of a failed query out of the logged text", async () => {
  const db = database(env.DB);
  const secretHash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g";
  const err = await db
    .insert(staffUsers)
    .values({ agencyId: 1, name: "Dup", email: "admin@riverbend.test", role: "staff", passwordHash: secretHash })
    .run()
    .then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(Error);
  expect(String((err as Error).message)).toContain("admin@riverbend.test"); // what Drizzle would have logged
  const text = errorText(err);
  expect(text).not.toContain("admin@riverbend.test");
  expect(text).not.toContain(secretHash);
  expect(text).toMatch(/UNIQUE constraint failed/);
});

it("passes ordinary errors through", () => {
  expect(errorText(new TypeError("boom"))).toBe("TypeError: boom");
  expect(errorText("nope")).toBe("unknown error");
});
