/** @jsxImportSource hono/jsx */
/**
 * The Main Menu on every staff page: the seed's paths (Admissions Menu › Face Sheet, Reports Menu ›
 * Document Center …) start from wherever the user is. Only what the role may open is listed (the
 * permission table decides, as it does for the routes). Two renderings of the same links: a bar
 * on wide screens, and on a phone a <details> disclosure ("Menu") that a keyboard opens with Enter
 * or Space and that needs no script (CSP script-src 'self'). CSS shows exactly one of the two, so a
 * screen reader meets the links once.
 */
import type { CurrentStaff } from "../app";
import { can, type Permission } from "../auth/permissions";
import type { Crumb } from "./views";

interface NavLink {
  label: string;
  href: string;
  permission: Permission;
  /** Only for agencies contracted for the Client Portal (elsewhere the page answers 404). */
  portalOnly?: boolean;
}

interface NavGroup {
  label: string;
  links: NavLink[];
}

/** The Main Menu's groups and links, in the Main Menu page's order. */
export const MAIN_NAV: NavGroup[] = [
  { label: "Admissions Menu", links: [{ label: "Face Sheet", href: "/face-sheet", permission: "face-sheet.view" }] },
  {
    label: "Reports Menu",
    links: [
      { label: "Document Center", href: "/document-center", permission: "document-center.view" },
      { label: "Client Portal Accounts", href: "/portal-accounts", permission: "portal-accounts.view", portalOnly: true },
      { label: "Representative expiries", href: "/representatives/expiries", permission: "face-sheet.view", portalOnly: true },
    ],
  },
  {
    label: "Administration",
    links: [
      { label: "Staff", href: "/admin/staff", permission: "agency.administer" },
      { label: "Agency Log", href: "/admin/agency-log", permission: "agency.administer" },
      { label: "Agency settings", href: "/admin/settings", permission: "agency.administer" },
      { label: "Programmes", href: "/admin/programmes", permission: "agency.administer" },
    ],
  },
];

/**
 * Where the page sits in the menu, read from its breadcrumbs: "page" for the link whose page this
 * is (the trail's last crumb), "true" for the link of the section it is inside.
 */
function currentness(label: string, crumbs: Crumb[]): "page" | "true" | undefined {
  const at = crumbs.findIndex((c) => c.label === label);
  if (at < 0) return undefined;
  if (at === crumbs.length - 1) return "page";
  return label === "Main Menu" ? undefined : "true";
}

function Links(props: { staff: CurrentStaff; crumbs: Crumb[] }) {
  const groups = MAIN_NAV.map((g) => ({ ...g, links: g.links.filter((l) => can(props.staff.role, l.permission) && (!l.portalOnly || props.staff.agency.portalEnabled)) })).filter((g) => g.links.length > 0);
  return (
    <ul class="nav-groups">
      <li class="nav-home">
        <a href="/menu" aria-current={currentness("Main Menu", props.crumbs)}>
          Main Menu
        </a>
      </li>
      {groups.map((g) => (
        <li class="nav-group">
          <span class="nav-group-label">{g.label}</span>
          <ul>
            {g.links.map((l) => (
              <li>
                <a href={l.href} aria-current={currentness(l.label, props.crumbs)}>
                  {l.label}
                </a>
              </li>
            ))}
          </ul>
        </li>
      ))}
    </ul>
  );
}

/** The navigation bar under the header, for a signed-in staff member. */
export function MainNav(props: { staff: CurrentStaff; crumbs?: Crumb[] }) {
  const crumbs = props.crumbs ?? [];
  return (
    <nav class="main-nav" aria-label="Main Menu">
      <div class="nav-wide">
        <Links staff={props.staff} crumbs={crumbs} />
      </div>
      <details class="nav-compact">
        <summary>Menu</summary>
        <Links staff={props.staff} crumbs={crumbs} />
      </details>
    </nav>
  );
}
