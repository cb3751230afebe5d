/** @jsxImportSource hono/jsx */
/**
 * The Portal Login window as the add (add-routes.tsx) and edit (edit-routes.tsx) routes answer it:
 * a dialog, the form re-rendered inside it, or a whole page without JavaScript; the representative
 * record it carries; Populate Email; and the representative and minors rules a Save checks besides
 * the form (src/representatives/save.ts).
 */
import type { Context } from "hono";
import type { AppEnv } from "../app";
import type { PortalLogin } from "../db/schema";
import { durationText } from "../clients/portal-link-settings";
import { wantsFragment } from "../layout/fragment";
import { ownLoginTooYoung } from "../representatives/minors";
import { findRecord, loginsAroundClient } from "../representatives/queries";
import { EMPTY_RECORD, recordValuesFromBody, type RecordValues } from "../representatives/record-form";
import { representationSave } from "../representatives/save";
import { sharedEmailAcrossLinks } from "../representatives/minor-emails";
import { PortalLoginDialog, PortalLoginForm, PortalLoginPage, type PortalLoginFormProps } from "./dialog";
import type { PortalLoginValues } from "./form";
import type { PortalClient } from "./queries";
import { linkSettingsOf, settingsOf, todayOf } from "./route-context";

/** The window's alert when a Save is refused for its fields. */
export const INVALID = "Nothing was saved. Correct the fields marked below.";
/** The window's alert when the write failed: nothing saved, nothing emailed. */
export const UNAVAILABLE = "The portal login could not be saved just now, so nothing was changed and no email was sent. Try Save again.";

/** The window: opened as a dialog, re-rendered in place inside it, or as a page without JS. */
export function respondWindow(
  c: Context<AppEnv>,
  given: Omit<PortalLoginFormProps, "inDialog" | "tempPasswordHours" | "inviteValidFor" | "record"> & { record?: RecordState },
  status: 200 | 403 | 409 | 422 | 503,
  opening = false,
) {
  const settings = settingsOf(c);
  const today = todayOf(c);
  // A re-render keeps the record as typed; a window opened afresh starts a new record today.
  const record = { ...(given.record ?? { values: { ...EMPTY_RECORD, startDate: today }, version: 0 }), today, ageOfMajority: settings.ageOfMajority };
  const minorNote = given.client && ownLoginTooYoung(given.client, today, settings.minorOwnLoginAge);
  const props = {
    ...given,
    record,
    minorNote: minorNote ? `${minorNote.split(":")[0]}: this client can't have an own portal login yet (from age ${settings.minorOwnLoginAge}). Add a representative's login (check Representative).` : null,
    tempPasswordHours: settings.tempPasswordHours,
    inviteValidFor: durationText(linkSettingsOf(c).lifetimeMs.invite),
  };
  if (!wantsFragment(c)) return c.html(<PortalLoginPage {...props} staff={c.var.staff} />, status);
  return c.html(opening ? <PortalLoginDialog {...props} /> : <PortalLoginForm {...props} inDialog />, status);
}

/** The representative record as the window shows it: typed or stored values, and the version it was opened on. */
export interface RecordState {
  values: RecordValues;
  version: number;
  missing?: boolean;
}

/** The record as typed in a submitted window (the version it was opened on travels with it). */
export function recordStateFromBody(body: Record<string, unknown>): RecordState {
  const version = Number(body.recordVersion);
  return { values: recordValuesFromBody(body), version: Number.isSafeInteger(version) ? version : 0 };
}

/** The minors and record rules for a Save (src/representatives/save.ts), with what they need read. */
export async function checkRepresentation(
  c: Context<AppEnv>,
  client: PortalClient,
  body: Record<string, string | File | (string | File)[]>,
  form: { representative: boolean; active: boolean; email: string },
  login?: PortalLogin,
) {
  const agencyId = c.var.staff.agency.id;
  const today = todayOf(c);
  const email = form.email.trim();
  const [existing, around, elsewhere] = await Promise.all([
    login ? findRecord(c.var.db, agencyId, login.id, client.id) : Promise.resolve(null),
    loginsAroundClient(c.var.db, agencyId, client.id),
    // The same login acts for its other clients too: their minors' own logins count as well.
    login
      ? sharedEmailAcrossLinks(c.var.db, { agencyId, loginId: login.id, exceptClientId: client.id, email, representative: form.representative, today, ageOfMajority: settingsOf(c).ageOfMajority })
      : Promise.resolve(null),
  ]);
  const result = representationSave({
    agencyId,
    client,
    settings: settingsOf(c),
    today,
    now: Date.now(),
    body,
    representative: form.representative,
    active: form.active,
    email,
    loginId: login?.id,
    existing,
    around,
  });
  if (elsewhere && !result.errors.email) return { errors: { ...result.errors, email: elsewhere } };
  return result;
}

/** Populate Email: the window again, the email taken from the Current Residence block if it has one. Saves nothing. */
export function populated(client: PortalClient, values: PortalLoginValues): Pick<PortalLoginFormProps, "values" | "populate"> {
  const email = client.residenceEmail.trim();
  return email ? { values: { ...values, email }, populate: "filled" } : { values, populate: "none" };
}
