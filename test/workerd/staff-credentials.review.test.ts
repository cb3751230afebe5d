/**
 * Findings of the outside review of staff sign-in and links, each reproduced here: a password is
 * compared as it was set (NFKC), emailed staff links are never built from the request's Host
 * header on a deployed host, and Forgot password requests don't use up an address's sign-in budget.
 */
import { describe, expect, it } from "vitest";
import { staffOrigin } from "../../src/staff-credentials/notices";
import { createMember, StaffBrowser } from "./staff-credentials.fixtures";
import { throttleCounter } from "./throttle.fixtures";

describe("staff sign-in compares the password as it was set (NFKC)", () => {
  it("a passphrase typed with ligatures or full-width spaces signs in", async () => {
    const member = await createMember({ password: "five fine fish swim firmly north" });
    const b = new StaffBrowser();
    const res = await b.post("/sign-in", { email: member.email, password: "ﬁve ﬁne ﬁsh swim ﬁrmly north" });
    expect(res.status).toBe(303);
    const wide = await createMember({ password: "さくら もちもち はるかぜ なつぞら" });
    const res2 = await new StaffBrowser().post("/sign-in", { email: wide.email, password: "さくら　もちもち　はるかぜ　なつぞら" });
    expect(res2.status).toBe(303);
  });
});

describe("emailed staff links are built from STAFF_ORIGIN, never from a deployed request's Host", () => {
  it("uses STAFF_ORIGIN when set, the request's origin only on a loopback host, and refuses otherwise", () => {
    expect(staffOrigin({ STAFF_ORIGIN: "https://ehr.example.org/" }, "https://evil.example/forgot-password")).toBe("https://ehr.example.org");
    expect(staffOrigin({ STAFF_ORIGIN: "" }, "http://localhost:8787/forgot-password")).toBe("http://localhost:8787");
    expect(() => staffOrigin({ STAFF_ORIGIN: "" }, "https://evil.example/forgot-password")).toThrow(/STAFF_ORIGIN/);
  });
});

describe("Forgot password requests are limited on their own counter", () => {
  it("fifty requests from one address leave that address's sign-in budget untouched", async () => {
    const b = new StaffBrowser();
    for (let i = 0; i < 50; i++) await b.post("/forgot-password", { email: `nobody.${i}@riverbend.test` });
    expect((await throttleCounter.address(b.ip))?.failures ?? 0).toBe(0);
  });
});
