/** @jsxImportSource hono/jsx */
/**
 * Main Menu › Reports Menu › Client Portal Accounts: every portal login of the signed-in staff
 * member's agency, filtered by status, searched by username or email, paged by keyset, exported as
 * CSV. Only for an agency contracted for the Client Portal (elsewhere 404, like the Face Sheet's
 * section). Who may open it: the permission table (portal-accounts.view).
 */
import { Hono, type Context } from "hono";
import type { AppEnv } from "../app";
import { recordStaffAction } from "../audit/agency-events";
import { portalLinkSettings } from "../clients/portal-link-settings";
import { effectiveSettings } from "../db/agency-settings";
import { parseForm } from "../forms/parse";
import { agencyToday } from "../layout/agency-time";
import { accountsCsv } from "./csv";
import { accountsQuerySchema, NO_FILTER } from "./filters";
import { allPortalAccounts, listPortalAccounts, type StatusClock } from "./queries";
import { ACCOUNTS_PATH, PortalAccountsPage } from "./views";

/** Logins per page. */
export const PAGE_SIZE = 25;

const clockOf = (c: Context<AppEnv>): StatusClock => {
  const agency = c.var.staff.agency;
  const settings = effectiveSettings(c.env, agency);
  return {
    now: Date.now(),
    lockHoldMs: portalLinkSettings(c.env, agency).lockHoldMs,
    agencyId: agency.id,
    today: agencyToday(agency.timezone),
    minors: { minorOwnLoginAge: settings.minorOwnLoginAge, ageOfMajority: settings.ageOfMajority },
  };
};

export const portalAccountsRoutes = new Hono<AppEnv>()
  .get(ACCOUNTS_PATH, async (c) => {
    const staff = c.var.staff;
    if (!staff.agency.portalEnabled) return c.notFound();
    const query = parseForm(accountsQuerySchema, c.req.query());
    if (!query.ok) {
      // Bad input: the form with its messages, values kept, and no list (nothing stale to misread).
      const problem = query.errors.after ?? query.errors.before;
      return c.html(
        <PortalAccountsPage staff={staff} values={query.values} filter={NO_FILTER} page={null} errors={query.errors} problem={problem} />,
        422,
      );
    }
    const { after, before, ...filter } = query.data;
    const page = await listPortalAccounts(c.var.db, staff.agency.id, filter, { after, before }, PAGE_SIZE, clockOf(c));
    return c.html(<PortalAccountsPage staff={staff} values={query.values} filter={filter} page={page} />);
  })
  .get(`${ACCOUNTS_PATH}.csv`, async (c) => {
    const staff = c.var.staff;
    if (!staff.agency.portalEnabled) return c.notFound();
    const query = parseForm(accountsQuerySchema, c.req.query());
    if (!query.ok) return c.text(Object.values(query.errors).join(" "), 422);
    const { status, q } = query.data;
    recordStaffAction(c, "CSV export", "Exported the Client Portal Accounts list as CSV.", { log: "portal-accounts", status, q });
    const name = `client-portal-accounts-${staff.agency.slug}-${agencyToday(staff.agency.timezone)}.csv`.replace(/[^A-Za-z0-9._-]/g, "_");
    return c.body(accountsCsv(allPortalAccounts(c.var.db, staff.agency.id, { status, q }, clockOf(c)), staff.agency.timezone), 200, {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${name}"`,
      "X-Content-Type-Options": "nosniff",
    });
  });
