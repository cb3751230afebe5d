import { describe, expect, it } from "vitest";
import { Browser, DEMO_PASSWORD } from "./fixtures";

describe("staff sign-in", () => {
  it("signs in with the right password and reaches the Main Menu", async () => {
    const b = await Browser.staff("admin@riverbend.test");
    const res = await b.get("/menu");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("Main Menu");
    expect(html).toContain("Riverbend Behavioral Health");
  });

  it("sets an HttpOnly, Secure, SameSite=Lax cookie", async () => {
    const b = new Browser();
    const res = await b.post("/sign-in", { email: "admin@riverbend.test", password: DEMO_PASSWORD });
    const cookie = res.headers.getSetCookie().join("\n");
    expect(cookie).toMatch(/staff_session=/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/Secure/);
    expect(cookie).toMatch(/SameSite=Lax/);
  });
});
