/** @jsxImportSource hono/jsx */
/**
 * The role check every staff route passes through, after `requireStaff`: the request's matched
 * route is looked up in the permission table (`./permissions`), and a role without the permission
 * gets a 403 page saying what is missing. The check runs before any handler, so a refused request
 * writes nothing but its own entry in the agency log.
 */
import type { Context, MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import type { AppEnv } from "../app";
import { recordStaffAction } from "../audit/agency-events";
import { wantsFragment } from "../layout/fragment";
import { can, deniedMessage, permissionFor, type Permission } from "./permissions";
import { AccessDenied, AccessDeniedPage } from "./views";

/** A refused request, as it is recorded. No body, query or cookie: nothing secret. */
export interface Denial {
  method: string;
  /** The route's pattern, not the URL: no ids or query strings in the log. */
  route: string;
  staffId: number;
  agencyId: number;
  role: string;
  permission: Permission | null;
}

/**
 * Records a refused request: an "Access denied" entry in the agency's log (after the response,
 * as every staff security event) and one warning line. The single place denials go.
 */
export function recordDenial(c: Context<AppEnv>, d: Denial): void {
  recordStaffAction(c, "Access denied", `Refused ${d.method} ${d.route.replace(/\{[^}]*\}/g, "")}: needs ${d.permission ?? "a permission no role has yet"}.`, {
    role: d.role,
  });
  console.warn(
    `access denied: ${d.method} ${d.route} staff=${d.staffId} agency=${d.agencyId} role=${d.role} needs=${d.permission ?? "(route not in permission table)"}`,
  );
}

/**
 * Lets the request through when the signed-in role holds the permission of every route the
 * request matched after this middleware (normally just its handler); otherwise answers 403.
 * A request that matched no route goes on to the 404 page.
 *
 * @example app.use(requireStaff); app.use(authorize); app.route("/", faceSheetRoutes);
 */
export const authorize: MiddlewareHandler<AppEnv> = async (c, next) => {
  const routes = matchedRoutes(c).slice(c.req.routeIndex + 1);
  const staff = c.var.staff;
  for (const route of routes) {
    const permission = permissionFor(route.method, route.path);
    if (permission && can(staff.role, permission)) continue;
    recordDenial(c, { method: route.method, route: route.path, staffId: staff.id, agencyId: staff.agency.id, role: staff.role, permission });
    const message = deniedMessage(staff.role, permission);
    if (wantsFragment(c)) {
      // The answer replaces the page's content: the control that asked may be inside a dialog.
      c.header("HX-Retarget", "#main");
      c.header("HX-Reswap", "innerHTML");
      return c.html(<AccessDenied {...message} />, 403);
    }
    return c.html(<AccessDeniedPage staff={staff} {...message} />, 403);
  }
  await next();
};
