/**
 * The Main Menu bar on every staff page: the seed's paths from anywhere, only what the role may
 * open, the current page marked, and the staff 404 page keeping the header, name and Sign out.
 */
import { describe, expect, it } from "vitest";
import { Browser, DEMO } from "./fixtures";

/** The first rendering of the bar (wide; the compact one repeats the same links). */
function navOf(html: string): string {
  const nav = html.match(/<nav class="main-nav" aria-label="Main Menu">([\s\S]*?)<\/nav>/)?.[1];
  if (!nav) throw new Error("no Main Menu bar on the page");
  return nav.split('<details class="nav-compact">')[0]!;
}
const links = (nav: string) => [...nav.matchAll(/<a href="([^"]+)"[^>]*>([^<]+)<\/a>/g)].map((m) => `${m[2]!.trim()} ${m[1]}`);
const current = (nav: string) => [...nav.matchAll(/<a href="([^"]+)" aria-current="([^"]+)"/g)].map((m) => `${m[1]}=${m[2]}`);

describe("Main Menu bar", () => {
  it("admin: every page has Admissions Menu › Face Sheet, Reports Menu › Document Center and Client Portal Accounts, and Administration", async () => {
    const b = await Browser.staff("admin@riverbend.test");
    for (const path of ["/menu", `/face-sheet/${DEMO.maria}`, "/document-center", "/admin/staff", "/account/sessions"]) {
      const res = await b.get(path);
      expect(res.status, path).toBe(200);
      const nav = navOf(await res.text());
      expect(links(nav), path).toEqual([
        "Main Menu /menu",
        "Face Sheet /face-sheet",
        "Document Center /document-center",
        "Client Portal Accounts /portal-accounts",
        "Representative expiries /representatives/expiries",
        "Staff /admin/staff",
        "Agency Log /admin/agency-log",
        "Agency settings /admin/settings",
        "Programmes /admin/programmes",
      ]);
      expect(nav).toContain("Admissions Menu");
      expect(nav).toContain("Reports Menu");
      expect(nav).toContain("Administration");
    }
  });

  it("staff and auditor: no Administration (their role can't open it)", async () => {
    for (const email of ["staff@riverbend.test", "auditor@riverbend.test"]) {
      const b = await Browser.staff(email);
      const nav = navOf(await (await b.get(`/face-sheet/${DEMO.maria}`)).text());
      expect(links(nav), email).toEqual(["Main Menu /menu", "Face Sheet /face-sheet", "Document Center /document-center", "Client Portal Accounts /portal-accounts", "Representative expiries /representatives/expiries"]);
      expect(nav).not.toContain("Administration");
    }
  });

  it("an agency not contracted for the portal (Lakeside) has no Client Portal Accounts", async () => {
    const b = await Browser.staff("admin@lakeside.test");
    const nav = navOf(await (await b.get("/menu")).text());
    expect(links(nav)).not.toContain("Client Portal Accounts /portal-accounts");
    expect(links(nav)).not.toContain("Representative expiries /representatives/expiries");
    expect(links(nav)).toContain("Document Center /document-center");
  });

  it("marks the current page with aria-current=page and the section a page is inside with aria-current=true", async () => {
    const b = await Browser.staff("admin@riverbend.test");
    expect(current(navOf(await (await b.get("/menu")).text()))).toEqual(["/menu=page"]);
    expect(current(navOf(await (await b.get("/face-sheet")).text()))).toEqual(["/face-sheet=page"]);
    expect(current(navOf(await (await b.get(`/face-sheet/${DEMO.maria}`)).text()))).toEqual(["/face-sheet=true"]);
    expect(current(navOf(await (await b.get("/admin/agency-log")).text()))).toEqual(["/admin/agency-log=page"]);
  });

  it("on a phone the same links sit in a <details> disclosure named Menu (no script needed)", async () => {
    const b = await Browser.staff("staff@riverbend.test");
    const html = await (await b.get("/menu")).text();
    expect(html).toMatch(/<details class="nav-compact"><summary>Menu<\/summary>/);
  });

  it("the staff 404 page keeps the header, the name, Sign out and the bar", async () => {
    const b = await Browser.staff("staff@riverbend.test");
    const res = await b.get("/no-such-page");
    expect(res.status).toBe(404);
    const html = await res.text();
    expect(html).toContain("Not found");
    expect(html).toContain("Sam Ortiz");
    expect(html).toMatch(/<button type="submit" class="link">Sign out<\/button>/);
    expect(links(navOf(html))).toContain("Face Sheet /face-sheet");
    // A client of another agency is the same 404, with the same frame.
    const other = await b.get(`/face-sheet/${DEMO.hannah}`);
    expect(other.status).toBe(404);
    expect(await other.text()).toContain("Sam Ortiz");
  });

  it("signed out: no bar, the sign-in page instead", async () => {
    const res = await new Browser().get("/menu");
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toMatch(/\/sign-in/);
  });
});
