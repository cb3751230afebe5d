/** @jsxImportSource hono/jsx */
/**
 * The signed-in member's passkeys (/account/passkeys…): the list with name, added and last used;
 * Add a passkey (JSON ceremony through public/passkeys.js); rename; remove. Another member's
 * passkey answers 404. When the agency requires two-factor, the last second factor can't go.
 */
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv, CurrentStaff } from "../app";
import { twoFactorStatus } from "../auth/second-step";
import { parseForm } from "../forms/parse";
import { completeRegistration, registrationOptions } from "./ceremonies";
import { passkeyName, passkeyNameSchema, readJson } from "./json";
import { staffOwner } from "./owner";
import { findOwnPasskey, listPasskeys, removeStaffPasskey, renamePasskey } from "./queries";
import { relyingParty } from "./relying-party";
import { PasskeyPage, PasskeysPage } from "./views";

const NOTICES: Record<string, string> = {
  added: "Passkey added.",
  renamed: "Passkey renamed.",
  removed: "Passkey removed.",
};
const KEEP_ONE = "Your agency requires two-factor sign-in: this is your last passkey and you have no authenticator app. Add another first.";

const registerBody = z.object({ name: z.unknown(), response: z.unknown().optional() });
const renameForm = z.object({ name: passkeyNameSchema });
/** Credential IDs are base64url; anything else can't be one. */
const passkeyId = z.string().min(1).max(1400).regex(/^[A-Za-z0-9_-]+$/);

const ref = (s: CurrentStaff) => staffOwner({ id: s.id, agencyId: s.agency.id });
const holder = (s: CurrentStaff) => ({ ...ref(s), userName: s.email, displayName: s.name, rpName: s.agency.name });

export const passkeyRoutes = new Hono<AppEnv>()
  .get("/account/passkeys", async (c) => {
    const staff = c.var.staff;
    return c.html(<PasskeysPage staff={staff} passkeys={await listPasskeys(c.var.db, ref(staff))} notice={NOTICES[c.req.query("done") ?? ""]} />);
  })
  .post("/account/passkeys/options", async (c) => {
    const body = registerBody.safeParse(await readJson(c));
    const name = passkeyName(body.success ? body.data.name : undefined);
    if (!name.ok) return c.json({ error: name.error, field: "name" }, 422);
    return c.json({ options: await registrationOptions(c.var.db, c.env, relyingParty(c), holder(c.var.staff), Date.now()) });
  })
  .post("/account/passkeys", async (c) => {
    const body = registerBody.safeParse(await readJson(c));
    const name = passkeyName(body.success ? body.data.name : undefined);
    if (!name.ok) return c.json({ error: name.error, field: "name" }, 422);
    const result = await completeRegistration(c.var.db, relyingParty(c), ref(c.var.staff), body.success ? body.data.response : undefined, name.value, Date.now());
    if (!result.ok) return c.json({ error: result.message }, 422);
    return c.json({ redirect: "/account/passkeys?done=added" });
  })
  .get("/account/passkeys/:id", async (c) => {
    const id = passkeyId.safeParse(c.req.param("id"));
    const passkey = id.success ? await findOwnPasskey(c.var.db, ref(c.var.staff), id.data) : null;
    if (!passkey) return c.notFound();
    return c.html(<PasskeyPage staff={c.var.staff} passkey={passkey} />);
  })
  .post("/account/passkeys/:id", async (c) => {
    const staff = c.var.staff;
    const id = passkeyId.safeParse(c.req.param("id"));
    const passkey = id.success ? await findOwnPasskey(c.var.db, ref(staff), id.data) : null;
    if (!passkey) return c.notFound();
    const form = parseForm(renameForm, await c.req.parseBody());
    if (!form.ok) return c.html(<PasskeyPage staff={staff} passkey={passkey} name={form.values.name ?? ""} nameError={form.errors.name} />, 422);
    if (!(await renamePasskey(c.var.db, ref(staff), passkey.id, form.data.name))) return c.notFound();
    return c.redirect("/account/passkeys?done=renamed", 303);
  })
  .post("/account/passkeys/:id/remove", async (c) => {
    const staff = c.var.staff;
    const db = c.var.db;
    const id = passkeyId.safeParse(c.req.param("id"));
    const passkey = id.success ? await findOwnPasskey(db, ref(staff), id.data) : null;
    if (!passkey) return c.notFound();
    const { required } = await twoFactorStatus(db, ref(staff));
    if (!(await removeStaffPasskey(db, ref(staff), passkey.id, required))) return c.html(<PasskeyPage staff={staff} passkey={passkey} alert={KEEP_ONE} />, 422);
    return c.redirect("/account/passkeys?done=removed", 303);
  });
