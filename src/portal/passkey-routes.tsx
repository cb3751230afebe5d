/** @jsxImportSource hono/jsx */
/**
 * Passkeys in the Client Portal (the ceremonies are src/passkeys', shared with the staff app):
 * - /portal/<slug>/passkeys… — the signed-in login's passkeys: the list; Add a passkey (JSON
 *   ceremony through public/passkeys.js); rename; remove. Another login's passkey answers 404.
 *   Adding and removing are written with an entry in the client's log (seen in Activity).
 * - POST /portal/<slug>/sign-in/passkey/options, /portal/<slug>/sign-in/passkey — Sign in with a
 *   passkey (discoverable credential, user verification required; passkey-sign-in.ts).
 * JSON answers: `{ options }`, `{ redirect }`, or `{ error, field?, redirect? }` with 4xx.
 */
import { Hono, type Context } from "hono";
import { z } from "zod";
import { portalDeviceCookie, readDeviceCookie, setDeviceCookie } from "../auth/device-cookie";
import { throttleSettings, waitText } from "../auth/throttle";
import { guessRefused } from "../auth/guess";
import { addressBucket, clientAddress } from "../auth/throttle-keys";
import { commitChange, portalPasskeyEntry } from "../clients/log";
import { parseForm } from "../forms/parse";
import { afterResponse } from "../observability/after-response";
import { ALREADY_REGISTERED, authenticationOptions, registrationOptions, verifyRegistration } from "../passkeys/ceremonies";
import { passkeyName, passkeyNameSchema, readJson } from "../passkeys/json";
import { portalOwner } from "../passkeys/owner";
import { findOwnPasskey, insertPasskeyStatement, listPasskeys, removePasskeyStatement, renamePasskey } from "../passkeys/queries";
import { portalRelyingParty } from "../passkeys/relying-party";
import { signInWithPasskey, portalPasskeySubject } from "./passkey-sign-in";
import { issuePortalSessionCookie, newSessionDevice, PORTAL_ROUTE, portalPath, requireChosenPassword, requirePortalUser, requirePortalUserJson, type PortalEnv } from "./portal-session";
import { PortalPasskeyPage, PortalPasskeysPage } from "./passkey-views";
import type { PortalAgency } from "./portal-agency";
import type { PortalUser } from "./portal-user";
import { PortalNotFoundPage } from "./views";
import { sendPasskeyNotice } from "../portal-notices/send";
import { accessEndedText } from "../representatives/messages";

const NOTICES: Record<string, string> = {
  added: "Passkey added. Next time, use Sign in with a passkey.",
  renamed: "Passkey renamed.",
  removed: "Passkey removed.",
};

const LAST_PASSKEY = "This passkey was not removed: it is your only way to sign in. Set a password under Change password, or add another passkey, first.";

const registerBody = z.object({ name: z.unknown(), response: z.unknown().optional() });
const signInBody = z.object({ response: z.unknown() });
const renameForm = z.object({ name: passkeyNameSchema });
/** Credential IDs are base64url; anything else can't be one. */
const passkeyId = z.string().min(1).max(1400).regex(/^[A-Za-z0-9_-]+$/);

const tooMany = (agency: PortalAgency, ms: number) => `Too many attempts. Wait ${waitText(ms)} and try again, or contact ${agency.name} for help.`;

const owner = (agency: PortalAgency, user: PortalUser) => portalOwner(agency.id, user.loginId);

/** The client's log entry for a passkey added or removed (staff see it; so does Activity). */
const passkeyEntry = (user: PortalUser, change: "added" | "removed", name: string) => portalPasskeyEntry({ loginId: user.loginId, username: user.username, change, name, actingAs: user.actingAs });

/**
 * Emails the login that a passkey was added or removed (no secret in it; what to do if it wasn't
 * them), after the answer: both changes go through this one call site, once committed.
 */
function passkeyNotice(c: Context<PortalEnv>, agency: PortalAgency, user: PortalUser, change: "added" | "removed", name: string): void {
  afterResponse(c.executionCtx, () => sendPasskeyNotice(c.env, c.var.db, { agency, loginId: user.loginId, change, passkeyName: name }));
}

export const portalPasskeyRoutes = new Hono<PortalEnv>()
  .get(`${PORTAL_ROUTE}/passkeys`, requirePortalUser, requireChosenPassword, async (c) => {
    const { agency } = c.var;
    const user = c.var.portalUser!;
    const passkeys = await listPasskeys(c.var.db, owner(agency, user));
    return c.html(<PortalPasskeysPage agency={agency} user={user} passkeys={passkeys} notice={NOTICES[c.req.query("done") ?? ""]} />);
  })
  .post(`${PORTAL_ROUTE}/passkeys/options`, requirePortalUserJson, async (c) => {
    const { agency } = c.var;
    const user = c.var.portalUser!;
    const body = registerBody.safeParse(await readJson(c));
    const name = passkeyName(body.success ? body.data.name : undefined);
    if (!name.ok) return c.json({ error: name.error, field: "name" }, 422);
    const holder = { ...owner(agency, user), userName: `${user.username} (${agency.name})`, displayName: user.username, rpName: `${agency.name} Client Portal` };
    return c.json({ options: await registrationOptions(c.var.db, c.env, portalRelyingParty(c), holder, Date.now()) });
  })
  .post(`${PORTAL_ROUTE}/passkeys`, requirePortalUserJson, async (c) => {
    const { agency, db } = c.var;
    const user = c.var.portalUser!;
    const body = registerBody.safeParse(await readJson(c));
    const name = passkeyName(body.success ? body.data.name : undefined);
    if (!name.ok) return c.json({ error: name.error, field: "name" }, 422);
    const now = Date.now();
    const verified = await verifyRegistration(db, portalRelyingParty(c), owner(agency, user), body.success ? body.data.response : undefined, name.value, now);
    if (!verified.ok) return c.json({ error: verified.message }, 422);
    const committed = await commitChange(c.env, {
      agencyId: agency.id,
      clientId: user.clientId,
      statements: [insertPasskeyStatement(db, owner(agency, user), verified.value, now)],
      entry: passkeyEntry(user, "added", name.value),
    });
    if (!committed.committed) return c.json({ error: ALREADY_REGISTERED }, 422);
    passkeyNotice(c, agency, user, "added", name.value);
    return c.json({ redirect: `${portalPath(agency.slug)}/passkeys?done=added` });
  })
  .get(`${PORTAL_ROUTE}/passkeys/:id`, requirePortalUser, requireChosenPassword, async (c) => {
    const { agency } = c.var;
    const user = c.var.portalUser!;
    const id = passkeyId.safeParse(c.req.param("id"));
    const passkey = id.success ? await findOwnPasskey(c.var.db, owner(agency, user), id.data) : null;
    if (!passkey) return c.html(<PortalNotFoundPage />, 404);
    return c.html(<PortalPasskeyPage agency={agency} user={user} passkey={passkey} />);
  })
  .post(`${PORTAL_ROUTE}/passkeys/:id`, requirePortalUser, requireChosenPassword, async (c) => {
    const { agency, db } = c.var;
    const user = c.var.portalUser!;
    const id = passkeyId.safeParse(c.req.param("id"));
    const passkey = id.success ? await findOwnPasskey(db, owner(agency, user), id.data) : null;
    if (!passkey) return c.html(<PortalNotFoundPage />, 404);
    const form = parseForm(renameForm, await c.req.parseBody());
    if (!form.ok) return c.html(<PortalPasskeyPage agency={agency} user={user} passkey={passkey} name={form.values.name ?? ""} nameError={form.errors.name} />, 422);
    if (!(await renamePasskey(db, owner(agency, user), passkey.id, form.data.name))) return c.html(<PortalNotFoundPage />, 404);
    return c.redirect(`${portalPath(agency.slug)}/passkeys?done=renamed`, 303);
  })
  .post(`${PORTAL_ROUTE}/passkeys/:id/remove`, requirePortalUser, requireChosenPassword, async (c) => {
    const { agency, db } = c.var;
    const user = c.var.portalUser!;
    const id = passkeyId.safeParse(c.req.param("id"));
    const passkey = id.success ? await findOwnPasskey(db, owner(agency, user), id.data) : null;
    if (!passkey) return c.html(<PortalNotFoundPage />, 404);
    // A login that chose a passkey instead of a password keeps at least one way to sign in.
    if (!user.hasPassword && (await listPasskeys(db, owner(agency, user))).length <= 1) {
      return c.html(<PortalPasskeyPage agency={agency} user={user} passkey={passkey} removeError={LAST_PASSKEY} />, 409);
    }
    const committed = await commitChange(c.env, {
      agencyId: agency.id,
      clientId: user.clientId,
      statements: [removePasskeyStatement(db, owner(agency, user), passkey.id)],
      entry: passkeyEntry(user, "removed", passkey.name),
    });
    // Removed in the meantime (another tab): nothing left to remove.
    if (!committed.committed) return c.html(<PortalNotFoundPage />, 404);
    passkeyNotice(c, agency, user, "removed", passkey.name);
    return c.redirect(`${portalPath(agency.slug)}/passkeys?done=removed`, 303);
  })

  // Sign in with a passkey.
  .post(`${PORTAL_ROUTE}/sign-in/passkey/options`, async (c) => {
    const { agency, db } = c.var;
    const bucket = addressBucket(c.req);
    if (await guessRefused(c.env, db, { subject: await portalPasskeySubject(c.env, bucket), bucket })) {
      return c.json({ error: tooMany(agency, throttleSettings(c.env).lockMs) }, 429);
    }
    return c.json({ options: await authenticationOptions(db, portalRelyingParty(c), "sign-in", { kind: "portal", agencyId: agency.id }, Date.now()) });
  })
  .post(`${PORTAL_ROUTE}/sign-in/passkey`, async (c) => {
    const { agency } = c.var;
    const body = signInBody.safeParse(await readJson(c));
    if (!body.success) return c.json({ error: "That request could not be read." }, 400);
    const deviceCookie = portalDeviceCookie(portalPath(agency.slug));
    const outcome = await signInWithPasskey(c.env, c.var.db, {
      agency,
      rp: portalRelyingParty(c),
      response: body.data.response,
      bucket: addressBucket(c.req),
      ip: clientAddress(c.req),
      deviceToken: readDeviceCookie(c, deviceCookie),
      session: newSessionDevice(c, "passkey"),
      defer: (work) => afterResponse(c.executionCtx, work),
    });
    switch (outcome.kind) {
      case "too-many":
        return c.json({ error: tooMany(agency, throttleSettings(c.env).lockMs) }, 429);
      case "refused":
        return c.json({ error: outcome.message }, 422);
      case "not-allowed":
        return c.json(
          {
            error: outcome.locked
              ? `This login is locked after too many failed sign-ins. Try again later, or contact ${agency.name} for help.`
              : `That passkey can't sign you in to this portal. Contact ${agency.name} for help.`,
          },
          403,
        );
      case "expired":
        return c.json({ error: `Your temporary password has expired. Contact ${agency.name} for a new one.` }, 401);
      case "access-ended":
        return c.json({ error: accessEndedText(agency.name, outcome.reason) }, 403);
    }
    const { login } = outcome;
    if (outcome.deviceToken) setDeviceCookie(c, deviceCookie, outcome.deviceToken);
    await issuePortalSessionCookie(c, { loginId: login.id, sessionVersion: login.sessionVersion, sessionId: outcome.sessionId });
    return c.json({ redirect: login.mustChangePassword ? `${portalPath(agency.slug)}/change-password` : portalPath(agency.slug) });
  });
