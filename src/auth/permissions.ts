/**
 * Who may do what in the staff app: the ONE table that decides every staff route.
 *
 * - `PERMISSIONS` names each permission, the roles that hold it, and what the 403 page tells a
 *   role without it.
 * - `STAFF_ROUTES` maps every staff route (method + Hono path pattern, exactly as registered) to
 *   the permission it needs. The `authorize` middleware looks each request's matched route up
 *   here; a staff route that is not in the table is refused for every role (default deny) until
 *   it is added, except under /admin/, which is for administrators by default.
 * - `can(role, permission)` is what the views ask before showing a button, so a button is shown
 *   exactly when its route would answer.
 * - `PUBLIC_ROUTES` and `PUBLIC_PREFIXES` list the routes that sit before the staff session
 *   (sign-in, forgot password, staff links, the operator API, the Client Portal): the every-route
 *   test checks that nothing else is mounted there.
 *
 * The README's "Roles" table is generated from this file (`rolesTableMarkdown`), and a test keeps
 * the two the same.
 */
import { STAFF_ROLES, type StaffRole } from "../db/schema";

export type Role = StaffRole;
export const ROLES = STAFF_ROLES;

/** How a role is named to people (the 403 page, the README). */
export const ROLE_LABELS: Record<Role, string> = { admin: "Administrator", staff: "Staff", auditor: "Auditor" };

const EVERYONE = ["admin", "staff", "auditor"] as const satisfies readonly Role[];

interface PermissionRule {
  /** The roles that hold the permission. */
  roles: readonly Role[];
  /** Its name on the 403 page and in the README. */
  label: string;
  /** The rest of "Your role (<Role>) …" on the 403 page, for a role without it. */
  denied: string;
}

export const PERMISSIONS = {
  "menu.open": {
    roles: EVERYONE,
    label: "Open the Main Menu",
    denied: "can't open the Main Menu",
  },
  "face-sheet.view": {
    roles: EVERYONE,
    label: "Find clients and view their Face Sheet (with its Client Portal section)",
    denied: "can't view Face Sheets",
  },
  "face-sheet.edit": {
    roles: ["admin", "staff"],
    label: "Edit and Update a Face Sheet",
    denied: "can view this client's Face Sheet but not change it",
  },
  "portal-logins.manage": {
    roles: ["admin", "staff"],
    label: "Add, edit, link and resend Client Portal logins",
    denied: "can see this client's Client Portal logins but not add, change or resend them",
  },
  "portal-accounts.view": {
    roles: EVERYONE,
    label: "Client Portal Accounts: every portal login of the agency, and its CSV",
    denied: "can't open the Client Portal Accounts list",
  },
  "document-center.view": {
    roles: EVERYONE,
    label: "Document Center: open cases and the Face Sheet Change Log",
    denied: "can't open the Document Center",
  },
  "change-log.export": {
    roles: EVERYONE,
    label: "Export the Face Sheet Change Log as CSV",
    denied: "can't export the Face Sheet Change Log",
  },
  "change-log.verify": {
    roles: EVERYONE,
    label: "Verify the Face Sheet Change Log's hash chain",
    denied: "can't verify the Face Sheet Change Log",
  },
  "account.own": {
    roles: EVERYONE,
    label: "Your own account: password, two-factor, passkeys, sessions",
    denied: "can't manage its own account",
  },
  "agency.administer": {
    roles: ["admin"],
    label: "Agency administration: staff, agency settings, the agency log",
    denied: "can't open agency administration (staff, agency settings, the agency log); only an Administrator can",
  },
} as const satisfies Record<string, PermissionRule>;

export type Permission = keyof typeof PERMISSIONS;

/** A route's key in the table: method and Hono path pattern, e.g. "POST /face-sheet/:clientId{[0-9]+}". */
export type RouteKey = `${"GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "ALL"} /${string}`;

const CLIENT = "/face-sheet/:clientId{[0-9]+}";
const LOGINS = `${CLIENT}/portal-logins`;
const LOGIN = `${LOGINS}/:loginId{[0-9]+}`;
const DOC_CLIENT = "/document-center/clients/:clientId{[0-9]+}";
const DOC_CASE = `${DOC_CLIENT}/cases/:caseId{[0-9]+}`;
const CHANGE_LOG = `${DOC_CASE}/face-sheet-log`;
/** The same log without a case (the Face Sheet's Change Log link). */
const CLIENT_CHANGE_LOG = `${DOC_CLIENT}/face-sheet-log`;
const MEMBER = "/admin/staff/:staffId{[0-9]+}";

/** Every staff route and the permission it needs. A route missing here is refused to everyone. */
export const STAFF_ROUTES = {
  "GET /": "menu.open",
  "GET /menu": "menu.open",

  "GET /account/password": "account.own",
  "POST /account/password": "account.own",
  "GET /account/two-factor": "account.own",
  "POST /account/two-factor/totp/start": "account.own",
  "GET /account/two-factor/totp": "account.own",
  "POST /account/two-factor/totp": "account.own",
  "POST /account/two-factor/totp/disable": "account.own",
  "POST /account/two-factor/recovery-codes": "account.own",
  "GET /account/passkeys": "account.own",
  "POST /account/passkeys/options": "account.own",
  "POST /account/passkeys": "account.own",
  "GET /account/passkeys/:id": "account.own",
  "POST /account/passkeys/:id": "account.own",
  "POST /account/passkeys/:id/remove": "account.own",
  "GET /face-sheet": "face-sheet.view",
  [`GET ${CLIENT}`]: "face-sheet.view",
  [`GET ${CLIENT}/edit`]: "face-sheet.edit",
  [`POST ${CLIENT}`]: "face-sheet.edit",

  // The section's body is part of the Face Sheet view (it refreshes itself after an Update).
  [`GET ${LOGINS}`]: "face-sheet.view",
  [`GET ${LOGINS}/new`]: "portal-logins.manage",
  [`POST ${LOGINS}`]: "portal-logins.manage",
  [`GET ${LOGIN}/edit`]: "portal-logins.manage",
  [`POST ${LOGIN}`]: "portal-logins.manage",
  [`POST ${LOGIN}/resend`]: "portal-logins.manage",
  [`POST ${LOGIN}/emails/:emailId{[0-9]+}/resend`]: "portal-logins.manage",
  [`POST ${LOGIN}/resend-invitation`]: "portal-logins.manage",
  // 42 CFR Part 2 consent of a representative login (src/part2/consent-routes.tsx).
  [`POST ${LOGIN}/consent`]: "portal-logins.manage",
  [`POST ${LOGIN}/consent/:consentId{[0-9]+}/revoke`]: "portal-logins.manage",
  [`POST ${LOGIN}/consent/:consentId{[0-9]+}/event`]: "portal-logins.manage",
  // Families (src/families/routes.tsx): link an existing representative login to this client, End link.
  [`GET ${CLIENT}/linked-logins/new`]: "portal-logins.manage",
  [`POST ${CLIENT}/linked-logins`]: "portal-logins.manage",
  [`POST ${CLIENT}/linked-logins/:loginId{[0-9]+}/end`]: "portal-logins.manage",
  // Representatives (src/representatives/): Block is staff's; only an administrator undoes it.
  [`POST ${LOGIN}/block`]: "portal-logins.manage",
  [`POST ${LOGIN}/unblock`]: "agency.administer",
  // Reports Menu › Representative expiries: who loses access in the next 14 days, agency-wide.
  "GET /representatives/expiries": "face-sheet.view",

  "GET /portal-accounts": "portal-accounts.view",
  "GET /portal-accounts.csv": "portal-accounts.view",

  "GET /document-center": "document-center.view",
  [`GET ${DOC_CLIENT}`]: "document-center.view",
  [`GET ${DOC_CASE}`]: "document-center.view",
  // A minor consented to this case's treatment themselves: hidden from representatives (src/minor-consent/).
  [`POST ${DOC_CASE}/minor-consented`]: "face-sheet.edit",
  [`GET ${CHANGE_LOG}`]: "document-center.view",
  [`GET ${CHANGE_LOG}.csv`]: "change-log.export",
  // A POST, but it only reads: recomputing the chain changes nothing.
  [`POST ${CHANGE_LOG}/verify`]: "change-log.verify",
  [`GET ${CLIENT_CHANGE_LOG}`]: "document-center.view",
  [`GET ${CLIENT_CHANGE_LOG}.csv`]: "change-log.export",
  [`POST ${CLIENT_CHANGE_LOG}/verify`]: "change-log.verify",

  "GET /account/sessions": "account.own",
  // "Stay signed in" before an idle timeout: slides the member's own session.
  "POST /session/refresh": "account.own",
  // Only the member's own sessions: another member's session id answers 404.
  "POST /account/sessions/:sessionId{[A-Za-z0-9_-]+}/end": "account.own",

  "GET /admin/staff": "agency.administer",
  "GET /admin/staff/invite": "agency.administer",
  "POST /admin/staff/invite": "agency.administer",
  [`GET ${MEMBER}`]: "agency.administer",
  [`POST ${MEMBER}/role`]: "agency.administer",
  [`POST ${MEMBER}/deactivate`]: "agency.administer",
  [`POST ${MEMBER}/reactivate`]: "agency.administer",
  [`POST ${MEMBER}/unlock`]: "agency.administer",
  [`POST ${MEMBER}/resend-invite`]: "agency.administer",
  [`POST ${MEMBER}/sign-out-everywhere`]: "agency.administer",

  "GET /admin/agency-log": "agency.administer",
  "GET /admin/agency-log.csv": "agency.administer",
  "POST /admin/agency-log/verify": "agency.administer",
  "GET /admin/settings": "agency.administer",
  "POST /admin/settings": "agency.administer",
  "GET /admin/programmes": "agency.administer",
  "POST /admin/programmes": "agency.administer",
} as const satisfies Record<RouteKey, Permission>;

/** Routes mounted before the staff session: staff sign-in and sign-out, and the whole Client Portal. */
export const PUBLIC_ROUTES: readonly RouteKey[] = [
  "GET /sign-in",
  "POST /sign-in",
  "POST /sign-out",
  "GET /forgot-password",
  "POST /forgot-password",
];
/**
 * Everything under these paths is outside the staff roles: the Client Portal (portal users have
 * their own sessions), emailed staff links (the link is the credential), the operator API
 * (a bearer token, never cookies), and the sign-in's second step and passkey sign-in (before any
 * session exists; the second step has its own short-lived signed cookie).
 */
export const PUBLIC_PREFIXES = ["/portal", "/staff-link", "/operator", "/sign-in/two-factor", "/sign-in/passkey"] as const;

const ADMIN_PREFIX = "/admin";

/** Whether the route (method and pattern) is one of the public ones above. */
export function isPublicRoute(method: string, path: string): boolean {
  return PUBLIC_ROUTES.includes(`${method} ${path}` as RouteKey) || PUBLIC_PREFIXES.some((p) => path === p || path.startsWith(`${p}/`));
}

/**
 * The permission a staff route needs, or null when the table doesn't know the route (refuse it).
 *
 * @example permissionFor("POST", "/face-sheet/:clientId{[0-9]+}") // "face-sheet.edit"
 */
export function permissionFor(method: string, path: string): Permission | null {
  const listed = (STAFF_ROUTES as Record<string, Permission>)[`${method} ${path}`];
  if (listed) return listed;
  if (path === ADMIN_PREFIX || path.startsWith(`${ADMIN_PREFIX}/`)) return "agency.administer";
  return null;
}

/**
 * Whether the role holds the permission. Views use it to show only what the role may do.
 *
 * @example can("auditor", "face-sheet.edit") // false
 */
export function can(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission].roles as readonly Role[]).includes(role);
}

/**
 * What the 403 page says: what the role can't do and which roles can. `permission` null means
 * the route is not in the table at all.
 */
export function deniedMessage(role: Role, permission: Permission | null): { reason: string; missing: string } {
  const yours = `Your role (${ROLE_LABELS[role]})`;
  if (!permission) {
    return {
      reason: `${yours} can't open this page: it hasn't been given to any role yet.`,
      missing: "The page isn't in the permission table, so no role can use it until it is added.",
    };
  }
  const rule = PERMISSIONS[permission];
  const holders = rule.roles.map((r) => ROLE_LABELS[r]);
  const who = holders.length === 1 ? `the ${holders[0]} role has` : `the ${holders.slice(0, -1).join(", ")} and ${holders.at(-1)} roles have`;
  return {
    reason: `${yours} ${rule.denied}.`,
    missing: `This needs the permission “${rule.label}”, which ${who}. Ask an administrator if you need it.`,
  };
}

/** The README's "Roles" table (Markdown), generated from the table above so the two can't drift. */
export function rolesTableMarkdown(): string {
  const head = `| Permission | Routes | ${ROLES.map((r) => ROLE_LABELS[r]).join(" | ")} |`;
  const rule = `|---|---|${ROLES.map(() => ":-:").join("|")}|`;
  const rows = (Object.keys(PERMISSIONS) as Permission[]).map((p) => {
    const routes = Object.entries(STAFF_ROUTES)
      .filter(([, needed]) => needed === p)
      .map(([key]) => `\`${key.replace(/\{\[[^\]]*\]\+\}/g, "")}\``);
    if (p === "agency.administer") routes.push("anything else under `/admin/`");
    return `| ${PERMISSIONS[p].label} | ${routes.join(", ")} | ${ROLES.map((r) => (can(r, p) ? "✓" : "—")).join(" | ")} |`;
  });
  return [head, rule, ...rows].join("\n");
}
