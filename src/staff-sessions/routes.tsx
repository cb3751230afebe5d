/** @jsxImportSource hono/jsx */
/**
 * A staff member's own sessions: the list (GET /account/sessions) and signing one of them out.
 * Only the member's own sessions are ever read or ended — another member's session id answers 404
 * like one that doesn't exist. Ending one is logged in the agency log (./../staff-admin).
 */
import { Hono } from "hono";
import { and, eq } from "drizzle-orm";
import type { AppEnv } from "../app";
import { endSessionStatement, openSessionsQuery } from "../auth/session-records";
import { sessionLimits } from "../auth/session";
import { staffSessions } from "../db/schema";
import { ErrorPage } from "../layout/error-page";
import { commitAgencyChange } from "../staff-admin/agency-change";
import { sessionEndedEntry } from "../staff-admin/entries";
import { SessionsPage } from "./views";

export const staffSessionRoutes = new Hono<AppEnv>()
  .get("/account/sessions", async (c) => {
    const staff = c.var.staff;
    const limits = sessionLimits(c.env);
    const sessions = await openSessionsQuery(c.var.db, {
      staffId: staff.id,
      agencyId: staff.agency.id,
      now: Date.now(),
      idleMs: limits.idleSeconds * 1000,
      maxMs: limits.maxSeconds * 1000,
    });
    const ended = c.req.query("ended");
    return c.html(
      <SessionsPage
        staff={staff}
        sessions={sessions}
        currentId={c.var.sessionId}
        idleMinutes={limits.idleSeconds / 60}
        maxHours={limits.maxSeconds / 3600}
        notice={ended === "1" ? "That session was signed out." : undefined}
        alert={ended === "already" ? "That session had already ended." : undefined}
      />,
    );
  })
  .post("/account/sessions/:sessionId{[A-Za-z0-9_-]+}/end", async (c) => {
    const staff = c.var.staff;
    const sessionId = c.req.param("sessionId");
    const session = await c.var.db
      .select({ device: staffSessions.device, address: staffSessions.address, endedAt: staffSessions.endedAt })
      .from(staffSessions)
      .where(and(eq(staffSessions.id, sessionId), eq(staffSessions.staffId, staff.id), eq(staffSessions.agencyId, staff.agency.id)))
      .get();
    if (!session) {
      console.warn(`sessions: no such session of staff=${staff.id} agency=${staff.agency.id}: POST /account/sessions/:sessionId/end`);
      return c.html(ErrorPage({ title: "Not found", message: "There is nothing here, or you don't have access to it.", staff: c.var.staff }), 404);
    }
    // This device's session is ended by Sign out (the cookie goes with it).
    if (sessionId === c.var.sessionId) return c.redirect("/account/sessions", 303);
    const now = Date.now();
    const { committed } = await commitAgencyChange(c.env, {
      agencyId: staff.agency.id,
      statements: [endSessionStatement(c.var.db, { sessionId, staffId: staff.id, agencyId: staff.agency.id, now }).toSQL()],
      entry: sessionEndedEntry({ type: "staff", id: staff.id, name: staff.name }, staff, session),
    });
    return c.redirect(`/account/sessions?ended=${committed ? "1" : "already"}`, 303);
  });
