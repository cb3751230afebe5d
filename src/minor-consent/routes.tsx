/** @jsxImportSource hono/jsx */
/**
 * POST /document-center/clients/:clientId/cases/:caseId/minor-consented (face-sheet.edit): staff
 * flag (or unflag) a case as consented to by the minor themselves. The flag and its client-log
 * entry go in one batch; the entry names the case (`details.caseId`), so it too is hidden from
 * representatives while the flag stands. 404 unless the client and case are the agency's and
 * belong together; an answer other than yes/no is bad input (422); a Save that changes nothing
 * writes nothing.
 */
import { and, eq, ne } from "drizzle-orm";
import { Hono, type Context } from "hono";
import { z } from "zod";
import type { AppEnv } from "../app";
import { commitChange } from "../clients/log";
import { cases, clients } from "../db/schema";
import { parseForm } from "../forms/parse";
import { wantsFragment } from "../layout/fragment";
import { errorText } from "../observability/error-text";
import { MinorConsentSection, MINOR_CONSENT_ID, type MinorConsentProps } from "./views";

const CASE = "/document-center/clients/:clientId{[0-9]+}/cases/:caseId{[0-9]+}";

const flagForm = z.object({ minorConsented: z.enum(["yes", "no"], { message: "Choose Yes or No." }) });

/** The agency's case of the URL's client, or null. */
async function loadCase(c: Context<AppEnv>) {
  const clientId = Number(c.req.param("clientId"));
  const caseId = Number(c.req.param("caseId"));
  if (!Number.isSafeInteger(clientId) || !Number.isSafeInteger(caseId)) return null;
  const row = await c.var.db
    .select({ id: cases.id, clientId: cases.clientId, caseNumber: cases.caseNumber, program: cases.program, minorConsented: cases.minorConsented })
    .from(cases)
    .innerJoin(clients, and(eq(clients.id, cases.clientId), eq(clients.agencyId, cases.agencyId)))
    .where(and(eq(cases.id, caseId), eq(cases.clientId, clientId), eq(cases.agencyId, c.var.staff.agency.id)))
    .get();
  return row ?? null;
}

function respond(c: Context<AppEnv>, props: MinorConsentProps, status: 200 | 422 | 503) {
  if (!wantsFragment(c) && status === 200) return c.redirect(`/document-center/clients/${props.clientId}/cases/${props.caseId}#${MINOR_CONSENT_ID}`, 303);
  return c.html(<MinorConsentSection {...props} />, status);
}

export const minorConsentRoutes = new Hono<AppEnv>().post(`${CASE}/minor-consented`, async (c) => {
  const kase = await loadCase(c);
  if (!kase) return c.notFound();
  const base = { clientId: kase.clientId, caseId: kase.id, minorConsented: kase.minorConsented, canEdit: true };
  const form = parseForm(flagForm, await c.req.parseBody());
  if (!form.ok) return respond(c, { ...base, chosen: form.values.minorConsented, error: form.errors.minorConsented }, 422);
  const flag = form.data.minorConsented === "yes";
  if (flag === kase.minorConsented) return respond(c, { ...base, notice: "No change to save." }, 200);
  const agencyId = c.var.staff.agency.id;
  const description = flag
    ? `Case ${kase.caseNumber} (${kase.program}) marked as consented to by the minor: representatives see no data from this case.`
    : `Case ${kase.caseNumber} (${kase.program}) no longer marked as consented to by the minor: representatives may see its data again.`;
  try {
    await commitChange(c.env, {
      agencyId,
      clientId: kase.clientId,
      statements: [
        c.var.db
          .update(cases)
          .set({ minorConsented: flag })
          .where(and(eq(cases.id, kase.id), eq(cases.agencyId, agencyId), ne(cases.minorConsented, flag)))
          .toSQL(),
      ],
      entry: {
        actor: { type: "staff", id: c.var.staff.id, name: c.var.staff.name },
        changeType: "Case",
        description,
        details: { caseId: kase.id, changes: [{ field: "Consented to by the minor", before: kase.minorConsented, after: flag }], portal: { action: "Case", description } },
      },
    });
  } catch (err) {
    console.error(`case ${kase.id}: minor-consented flag not saved: ${errorText(err)}`);
    return respond(c, { ...base, chosen: form.data.minorConsented, error: "The change could not be saved just now, so nothing was changed. Try again." }, 503);
  }
  return respond(c, { ...base, minorConsented: flag, notice: flag ? "Saved: representatives see no data from this case." : "Saved: the case is no longer hidden from representatives." }, 200);
});


