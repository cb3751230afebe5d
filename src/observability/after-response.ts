/**
 * Work that must not delay the answer, nor show in its timing: started on a later turn of the
 * event loop, after the handler has returned its response, and kept alive by ctx.waitUntil.
 */
export function afterResponse(ctx: { waitUntil(p: Promise<unknown>): void }, work: () => Promise<unknown>) {
  ctx.waitUntil(new Promise((resolve) => setTimeout(resolve, 0)).then(work));
}
