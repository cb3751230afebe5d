import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "./db";
import type { AgencySettingsRow } from "./db/agency-settings";
import type { StaffRole } from "./db/schema";

/**
 * The signed-in staff member, as every staff route sees them. The agency's settings columns are
 * read with it on every request (use `effectiveSettings(c.env, staff.agency)`), so a settings
 * change applies from the next request on.
 */
export interface CurrentStaff {
  id: number;
  name: string;
  email: string;
  role: StaffRole;
  agency: { id: number; name: string; slug: string; portalEnabled: boolean } & AgencySettingsRow;
  /** Seconds this session has left without activity (set by requireStaff; the layout passes it to public/app.js). */
  sessionSecondsLeft?: number;
}

/** Hono's environment for this Worker: bindings plus per-request variables. */
export interface AppEnv {
  Bindings: Env;
  /**
   * `sessionId`: the signed-in staff member's session (staff_sessions.id), set with `staff`.
   * `sessionReads` / `sessionRows`: a page's reads offered to the session check, and their rows
   * when they went in its batch (src/auth/session-reads.ts).
   */
  Variables: {
    db: Db;
    staff: CurrentStaff;
    sessionId: string;
    sessionReads?: (db: Db, agency: CurrentStaff["agency"]) => BatchItem<"sqlite">[];
    sessionRows?: unknown[];
  };
}
