/**
 * Where a multi-client login's session entries go. A session may act for every client the login
 * is linked to (it switches without signing in again), so its boundaries — sign-in and sign-out —
 * are written to the log of EACH client the login may act for at that moment, each naming the
 * person's standing for that client ("Patient Portal login by jdoe (representative: parent)").
 * What the session does in between (a password change, a passkey, a device ended) is written to
 * the chosen client's log only. Switching between clients changes no data and writes nothing.
 */
import { recordPortalEvent, type PortalEvent } from "../clients/log";
import type { Db } from "../db";
import { agencyToday } from "../layout/agency-time";
import { errorText } from "../observability/error-text";


/** One client's log to write a session entry to, and how the entry names the person there. */
export interface EntryTarget {
  clientId: number;
  actingAs: string | null;
}

/**
 * Appends the same session event to the other clients' logs (after the first, committed by the
 * caller). An entry that can't be written is reported, never undoing the sign-in or sign-out.
 */
export async function recordForOtherClients(
  env: Env,
  others: EntryTarget[],
  e: { agencyId: number; loginId: number; username: string; event: PortalEvent; lines?: string[] },
): Promise<void> {
  await Promise.all(
    others.map((t) =>
      recordPortalEvent(env, { ...e, clientId: t.clientId, actingAs: t.actingAs }).catch((err) =>
        console.error(`portal ${e.event}: entry for client ${t.clientId} not written: ${errorText(err)}`),
      ),
    ),
  );
}

/** The session's clients other than the one it acts for now (where a sign-out is also written). */
export function otherChoices(user: { clientId: number; choices: { clientId: number; actingAs: string | null }[] }): EntryTarget[] {
  return user.choices.filter((c) => c.clientId !== user.clientId).map((c) => ({ clientId: c.clientId, actingAs: c.actingAs }));
}
