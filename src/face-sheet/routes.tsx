/** @jsxImportSource hono/jsx */
import { Hono, type Context } from "hono";
import type { JSX } from "hono/jsx/jsx-runtime";
import type { AppEnv, CurrentStaff } from "../app";
import type { BatchResponse } from "drizzle-orm/batch";
import type { Db } from "../db";
import { readsWithSession } from "../auth/session-reads";
import { updateFaceSheet } from "../clients/face-sheet";
import { parseForm } from "../forms/parse";
import { clientPortalSection, clientPortalSectionOf, sectionFromRows, sectionQueries, type SectionRows } from "../portal-logins/section";
import { faceSheetForm, readClientSearch } from "./form";
import { faceSheetFromRows, faceSheetQueries, getFaceSheet, searchClients, type FaceSheet } from "./queries";
import { FaceSheetEdit, FaceSheetPage, FaceSheetSearchPage, FaceSheetView, faceSheetTitle, type FaceSheetMode } from "./views";
import { SearchResults } from "./search-views";
import { FragmentTitle } from "../layout/page-title";
import { errorText } from "../observability/error-text";
import { wantsFragment } from "../layout/fragment";
import { recordStaffAction } from "../audit/agency-events";

/** Every look at a client's Face Sheet goes to the agency's access log (after the response). */
const recordView = (c: Context<AppEnv>, sheet: FaceSheet, how: string) =>
  recordStaffAction(c, "Face Sheet view", `${how} the Face Sheet of client ${sheet.client.clientNumber}.`, {
    clientId: sheet.client.id,
    clientNumber: sheet.client.clientNumber,
  });

/** Loads the client's Face Sheet within the signed-in agency, or answers 404. */
async function loadSheet(c: Context<AppEnv>): Promise<FaceSheet | null> {
  const id = Number(c.req.param("clientId"));
  if (!Number.isSafeInteger(id)) return null;
  return getFaceSheet(c.var.db, c.var.staff.agency.id, id);
}

/** An htmx panel with the title of its state in front (htmx sets the page's title from it). */
const titled = (c: Context<AppEnv>, sheet: FaceSheet, mode: FaceSheetMode, panel: JSX.Element) => (
  <>
    <FragmentTitle title={faceSheetTitle(sheet.client, mode)} suffix={c.var.staff.agency.name} />
    {panel}
  </>
);

/**
 * The Face Sheet page's reads — the client, their cases and, where the agency has the portal, the
 * Client Portal section — as one batch however many logins, emails and links the client has.
 */
function sheetPageQueries(db: Db, agency: CurrentStaff["agency"], clientId: number) {
  return [...faceSheetQueries(db, agency.id, clientId), ...(agency.portalEnabled ? sectionQueries(db, agency, clientId) : [])] as const;
}

/**
 * The Face Sheet's reads offered to the session check (src/auth/session-reads.ts), for its view
 * and Edit pages: installed before requireStaff in src/index.ts.
 */
const faceSheetReadsWithSession = readsWithSession((c) => {
  const id = Number(c.req.param("clientId"));
  return (db, agency) => [...sheetPageQueries(db, agency, id)];
});
export const faceSheetSessionReads = ["/face-sheet/:clientId{[0-9]+}", "/face-sheet/:clientId{[0-9]+}/edit"].map((path) => [path, faceSheetReadsWithSession] as const);

/**
 * The Face Sheet page's reads: the rows that came with the session check, or one batch now — one
 * or two round trips a page, the session check included. Null → 404.
 */
async function loadSheetPage(c: Context<AppEnv>): Promise<{ sheet: FaceSheet; section: JSX.Element | null } | null> {
  const id = Number(c.req.param("clientId"));
  if (!Number.isSafeInteger(id)) return null;
  const db = c.var.db;
  const agency = c.var.staff.agency;
  const [client, cases, ...section] = (c.var.sessionRows as BatchResponse<ReturnType<typeof sheetPageQueries>> | undefined) ?? (await db.batch(sheetPageQueries(db, agency, id)));
  const sheet = faceSheetFromRows([client, cases] as Parameters<typeof faceSheetFromRows>[0]);
  if (!sheet) return null;
  const rows = section as unknown as SectionRows;
  return { sheet, section: agency.portalEnabled ? clientPortalSectionOf(c, sectionFromRows(c, sheet.client, rows)) : null };
}

const CONFLICT =
  "Someone else updated this Face Sheet after you opened it, so your changes were not saved. Note them, then Cancel to see the latest version and edit again.";

const UNAVAILABLE = "The Face Sheet could not be saved just now, so nothing was changed. Your entries are still here: try Update again.";

export const faceSheetRoutes = new Hono<AppEnv>()
  .get("/face-sheet", async (c) => {
    const { q, error } = readClientSearch(c.req.query("q"));
    const hits = !error && q.trim() ? await searchClients(c.var.db, c.var.staff.agency.id, q) : null;
    const status = error ? 422 : 200;
    if (wantsFragment(c)) return c.html(<SearchResults q={q} hits={hits} error={error} hrefFor={(id) => `/face-sheet/${id}`} oob />, status);
    return c.html(<FaceSheetSearchPage staff={c.var.staff} q={q} hits={hits} error={error} />, status);
  })
  .get("/face-sheet/:clientId{[0-9]+}", async (c) => {
    const page = await loadSheetPage(c);
    if (!page) return c.notFound();
    const { sheet } = page;
    recordView(c, sheet, "Viewed");
    const portalEnabled = c.var.staff.agency.portalEnabled;
    const message =
      c.req.query("saved") !== undefined
        ? "Face Sheet updated."
        : c.req.query("unchanged") !== undefined
          ? "No changes to save."
          : c.req.query("cancelled") !== undefined
            ? "Edit cancelled. Nothing was saved."
            : undefined;
    const panel = <FaceSheetView sheet={sheet} role={c.var.staff.role} portalEnabled={portalEnabled} message={message} />;
    if (wantsFragment(c)) return c.html(titled(c, sheet, "view", panel));
    return c.html(<FaceSheetPage staff={c.var.staff} sheet={sheet} panel={panel} after={page.section} />);
  })
  .get("/face-sheet/:clientId{[0-9]+}/edit", async (c) => {
    const page = await loadSheetPage(c);
    if (!page) return c.notFound();
    const { sheet } = page;
    recordView(c, sheet, "Opened for editing");
    const panel = <FaceSheetEdit sheet={sheet} portalEnabled={c.var.staff.agency.portalEnabled} />;
    if (wantsFragment(c)) return c.html(titled(c, sheet, "edit", panel));
    return c.html(<FaceSheetPage staff={c.var.staff} sheet={sheet} panel={panel} mode="edit" after={page.section} />);
  })
  .post("/face-sheet/:clientId{[0-9]+}", async (c) => {
    const sheet = await loadSheet(c);
    if (!sheet) return c.notFound();
    const staff = c.var.staff;
    const portalEnabled = staff.agency.portalEnabled;
    const fragment = wantsFragment(c);
    // Every answer here but success is the form again with what went wrong: an "Error:" title.
    const respond = async (panel: JSX.Element, status: 200 | 409 | 422 | 503) =>
      fragment
        ? c.html(titled(c, sheet, "error", panel), status)
        : c.html(<FaceSheetPage staff={staff} sheet={sheet} panel={panel} mode="error" after={await clientPortalSection(c, sheet.client)} />, status);

    // 1. Validate; bad input re-renders the form with messages and saves nothing.
    const form = parseForm(faceSheetForm, await c.req.parseBody());
    if (!form.ok) {
      const alert = form.errors.version ?? "Nothing was saved. Correct the fields marked below.";
      return respond(<FaceSheetEdit sheet={sheet} portalEnabled={portalEnabled} values={form.values} errors={form.errors} alert={alert} />, 422);
    }
    const { version, ...values } = form.data;
    // The refused flag is only on the form where the agency has the portal; elsewhere keep it.
    if (!portalEnabled) values.refusedPortalLogin = sheet.client.refusedPortalLogin;

    // 2. Save through the clients module (which checks the version).
    let result;
    try {
      result = await updateFaceSheet(c.env, c.var.db, {
        agencyId: staff.agency.id,
        clientId: sheet.client.id,
        expectedVersion: version,
        values,
        actor: { type: "staff", id: staff.id, name: staff.name },
      });
    } catch (err) {
      console.error(`face sheet update failed for client ${sheet.client.id}: ${errorText(err)}`);
      return respond(<FaceSheetEdit sheet={sheet} portalEnabled={portalEnabled} values={form.values} alert={UNAVAILABLE} />, 503);
    }
    if (result.status === "not-found") return c.notFound();
    if (result.status === "conflict") {
      return respond(<FaceSheetEdit sheet={sheet} portalEnabled={portalEnabled} values={form.values} alert={CONFLICT} />, 409);
    }

    // 3. Show the saved Face Sheet (a redirect for plain form posts, so refresh doesn't resubmit).
    const base = `/face-sheet/${sheet.client.id}`;
    if (!fragment) return c.redirect(`${base}?${result.status === "saved" ? "saved" : "unchanged"}`, 303);
    const fresh = (await getFaceSheet(c.var.db, staff.agency.id, sheet.client.id)) ?? sheet;
    const message = result.status === "saved" ? "Face Sheet updated." : "No changes to save.";
    c.header("HX-Push-Url", base);
    // The Client Portal section shows the refused flag: it refreshes itself on this event.
    if (result.status === "saved") c.header("HX-Trigger", "face-sheet-saved");
    return c.html(titled(c, fresh, "view", <FaceSheetView sheet={fresh} role={staff.role} portalEnabled={portalEnabled} message={message} />));
  });
