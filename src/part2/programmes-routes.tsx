/** @jsxImportSource hono/jsx */
/**
 * Main Menu › Administration › Programmes (admins: agency.administer):
 *
 *   GET  /admin/programmes   the agency's programmes with their 42 CFR Part 2 mark
 *   POST /admin/programmes   mark or unmark one (name, part2 = 1 | 0), with its Agency Log entry
 *
 * Only the signed-in admin's agency: a name none of its cases or programme rows carries is bad
 * input (422), as is a mark other than 1 or 0; nothing is written then.
 */
import { Hono, type Context } from "hono";
import { z } from "zod";
import type { AppEnv } from "../app";
import { commitStaffChange } from "../audit/agency-events";
import { parseForm } from "../forms/parse";
import { wantsFragment } from "../layout/fragment";
import { errorText } from "../observability/error-text";
import { listProgrammes, markProgrammeStatement } from "./programmes";
import { ProgrammesBody, ProgrammesPage, PROGRAMMES_PATH, type ProgrammesProps } from "./programmes-views";

const markForm = z.object({
  name: z.string().min(1, "Choose a programme.").max(200, "Choose a programme from the list."),
  part2: z.enum(["1", "0"], { message: "Choose whether the programme is Part 2." }),
});

function respond(c: Context<AppEnv>, props: ProgrammesProps, status: 200 | 409 | 422 | 503) {
  return c.html(wantsFragment(c) ? <ProgrammesBody {...props} /> : <ProgrammesPage {...props} staff={c.var.staff} />, status);
}

export const programmesRoutes = new Hono<AppEnv>()
  .get(PROGRAMMES_PATH, async (c) => {
    const programmes = await listProgrammes(c.var.db, c.var.staff.agency.id);
    const done = c.req.query("done");
    return respond(c, { programmes, notice: done === "marked" || done === "unmarked" ? "Saved, and recorded in the Agency Log." : undefined }, 200);
  })
  .post(PROGRAMMES_PATH, async (c) => {
    const agencyId = c.var.staff.agency.id;
    const programmes = await listProgrammes(c.var.db, agencyId);
    // 1. A known programme of this agency, and a mark of 1 or 0.
    const form = parseForm(markForm, await c.req.parseBody());
    const programme = form.ok ? programmes.find((p) => p.name === form.data.name) : undefined;
    if (!form.ok || !programme) {
      const alert = form.ok ? "There is no programme of that name in this agency, so nothing was changed." : Object.values(form.errors)[0]!;
      return respond(c, { programmes, alert }, 422);
    }
    const part2 = form.data.part2 === "1";
    if (programme.part2 === part2) return respond(c, { programmes, notice: `${programme.name} is already ${part2 ? "" : "not "}marked 42 CFR Part 2: nothing changed.` }, 200);
    // 2. The mark and its Agency Log entry, one batch; a lost race (already so) writes neither.
    let committed: boolean;
    try {
      committed = (
        await commitStaffChange(c, {
          statements: [markProgrammeStatement(agencyId, programme.name, part2)],
          action: "Programme changed",
          description: `${programme.name}: 42 CFR Part 2 ${part2 ? "No → Yes" : "Yes → No"}`,
          details: { programme: programme.name, part2 },
        })
      ).committed;
    } catch (err) {
      console.error(`agency ${agencyId}: programme mark not saved: ${errorText(err)}`);
      return respond(c, { programmes, alert: "The change could not be saved just now, so nothing was changed. Try again." }, 503);
    }
    if (!wantsFragment(c)) return c.redirect(`${PROGRAMMES_PATH}?done=${part2 ? "marked" : "unmarked"}`, 303);
    const fresh = await listProgrammes(c.var.db, agencyId);
    const notice = committed
      ? part2
        ? `${programme.name} is now marked 42 CFR Part 2: representatives of its clients with open cases need a current consent from now on. Recorded in the Agency Log.`
        : `${programme.name} is no longer marked 42 CFR Part 2. Recorded in the Agency Log.`
      : `${programme.name} was changed meanwhile: nothing was written.`;
    return respond(c, { programmes: fresh, notice }, 200);
  });
