/**
 * Request bodies are limited to 64 KB before anything reads them: a bigger body — announced by
 * Content-Length, or streamed in chunks without one — answers 413 with a page that says what
 * happened, on public and staff routes alike, and writes nothing. (A 40 MB unauthenticated POST
 * used to be parsed whole.)
 */
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { Browser, DEMO, ORIGIN } from "./fixtures";
import { clientRow, faceSheetForm } from "./helpers";
import { PORTAL } from "./portal.fixtures";

const KB = 1024;
const FORM = { "Content-Type": "application/x-www-form-urlencoded", Origin: ORIGIN };

/** A body streamed in 16 KB chunks with no Content-Length (Transfer-Encoding: chunked). */
function chunked(totalBytes: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= totalBytes) return controller.close();
      const chunk = new Uint8Array(Math.min(16 * KB, totalBytes - sent)).fill(0x61); // "aaaa…"
      sent += chunk.length;
      controller.enqueue(chunk);
    },
  });
}

function post(path: string, body: BodyInit, headers: Record<string, string> = FORM) {
  return SELF.fetch(new URL(path, ORIGIN), { method: "POST", body, headers, redirect: "manual" });
}

describe("a body over 64 KB", () => {
  it("a 40 MB unauthenticated sign-in POST answers 413 with a clear page", async () => {
    const res = await post("/sign-in", new Uint8Array(40 * KB * KB).fill(0x61));
    expect(res.status).toBe(413);
    expect(res.headers.get("Content-Type")).toMatch(/text\/html/);
    const html = await res.text();
    expect(html).toContain("<h1>Too much data</h1>");
    expect(html).toContain("64 KB");
  });

  it("a chunked body without Content-Length is counted as it arrives and refused past 64 KB (413)", async () => {
    const res = await post("/sign-in", chunked(40 * KB * KB));
    expect(res.status).toBe(413);
    expect(await res.text()).toContain("Too much data");
  });

  it("the portal's sign-in answers 413 with a portal page (no staff Main Menu link)", async () => {
    const res = await post(`${PORTAL}/sign-in`, `username=a&password=${"x".repeat(100 * KB)}`);
    expect(res.status).toBe(413);
    const html = await res.text();
    expect(html).toContain("Too much data");
    expect(html).not.toContain('href="/menu"');
  });

  it("a signed-in Face Sheet Update of 100 KB is refused (413) and saves nothing", async () => {
    const b = await Browser.staff("admin@riverbend.test");
    const before = await clientRow(DEMO.maria);
    const res = await b.post(`/face-sheet/${DEMO.maria}`, faceSheetForm(before, { residenceAddress: "x".repeat(100 * KB) }));
    expect(res.status).toBe(413);
    expect(await clientRow(DEMO.maria)).toEqual(before);
  });

  it("a JSON body is limited the same way (413)", async () => {
    const res = await post("/sign-in", JSON.stringify({ x: "y".repeat(65 * KB) }), { "Content-Type": "application/json", Origin: ORIGIN });
    expect(res.status).toBe(413);
  });
});

describe("a body within the limit", () => {
  it("a sign-in form just under 64 KB is read as usual (a wrong password: 401, not 413)", async () => {
    const body = `email=admin%40riverbend.test&password=${"x".repeat(60 * KB)}`;
    expect((await post("/sign-in", body)).status).toBe(401);
    expect((await post("/sign-in", chunked(0))).status).toBe(401);
  });

  it("a chunked form under the limit is read as usual", async () => {
    const text = new TextEncoder().encode(`email=admin%40riverbend.test&password=${"x".repeat(30 * KB)}`);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(text.slice(0, 10 * KB));
        controller.enqueue(text.slice(10 * KB));
        controller.close();
      },
    });
    expect((await post("/sign-in", stream)).status).toBe(401);
  });
});
