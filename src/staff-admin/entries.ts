/**
 * What the agency log says about each staff-administration change: human sentences naming the
 * member by name and email, so the log reads on its own ("Deactivated Sam Ortiz
 * (sam@riverbend.test)"), plus detail lines and the before/after of what changed. No secret (no
 * link, no password) is ever part of an entry.
 */
import type { Actor } from "../audit/entry";
import { ROLE_LABELS } from "../auth/permissions";
import type { StaffRole } from "../db/schema";
import type { AgencyEntry } from "./agency-change";

interface Who {
  name: string;
  email: string;
}

const who = (m: Who) => `${m.name} (${m.email})`;

/** "Invited Sam Ortiz (sam@…) as Staff". */
export function invitedEntry(actor: Actor, m: Who & { role: StaffRole }, validFor: string): AgencyEntry {
  return {
    actor,
    action: "Staff invited",
    description: `Invited ${who(m)} as ${ROLE_LABELS[m.role]}`,
    details: {
      lines: [`Name: ${m.name}`, `Email: ${m.email}`, `Role: ${ROLE_LABELS[m.role]}`, `Set-password link emailed (works once, for ${validFor})`],
      changes: [
        { field: "name", before: null, after: m.name },
        { field: "email", before: null, after: m.email },
        { field: "role", before: null, after: m.role },
      ],
    },
  };
}

/** "Changed role of Sam Ortiz (sam@…) from Staff to Auditor". */
export function roleChangedEntry(actor: Actor, m: Who, from: StaffRole, to: StaffRole): AgencyEntry {
  return {
    actor,
    action: "Role changed",
    description: `Changed role of ${who(m)} from ${ROLE_LABELS[from]} to ${ROLE_LABELS[to]}`,
    details: { lines: [`Role: ${ROLE_LABELS[from]} → ${ROLE_LABELS[to]}`], changes: [{ field: "role", before: from, after: to }] },
  };
}

/** "Deactivated Sam Ortiz (sam@…)". */
export function deactivatedEntry(actor: Actor, m: Who): AgencyEntry {
  return {
    actor,
    action: "Staff deactivated",
    description: `Deactivated ${who(m)}`,
    details: { lines: ["Active: Yes → No", "Every session signed out", "Unused set-password links cancelled"], changes: [{ field: "active", before: true, after: false }] },
  };
}

/** "Reactivated Sam Ortiz (sam@…)". */
export function reactivatedEntry(actor: Actor, m: Who): AgencyEntry {
  return {
    actor,
    action: "Staff reactivated",
    description: `Reactivated ${who(m)}`,
    details: { lines: ["Active: No → Yes"], changes: [{ field: "active", before: false, after: true }] },
  };
}

/** "Unlocked sign-in for Sam Ortiz (sam@…)". */
export function unlockedEntry(actor: Actor, m: Who): AgencyEntry {
  return {
    actor,
    action: "Staff unlocked",
    description: `Unlocked sign-in for ${who(m)}`,
    details: { lines: ["Failed sign-in count and lock cleared"] },
  };
}

/** "Resent the invitation to Sam Ortiz (sam@…)". */
export function inviteResentEntry(actor: Actor, m: Who, validFor: string): AgencyEntry {
  return {
    actor,
    action: "Invitation resent",
    description: `Resent the invitation to ${who(m)}`,
    details: { lines: [`New set-password link emailed (works once, for ${validFor})`, "Earlier invitation links stopped working"] },
  };
}

/** "Signed Sam Ortiz (sam@…) out everywhere". */
export function signedOutEverywhereEntry(actor: Actor, m: Who, sessions: number): AgencyEntry {
  return {
    actor,
    action: "Signed out everywhere",
    description: `Signed ${who(m)} out everywhere`,
    details: { lines: [`${sessions} open ${sessions === 1 ? "session" : "sessions"} ended`] },
  };
}

/** "Sam Ortiz (sam@…) signed out a session: Firefox on Linux, 203.0.113.9". */
export function sessionEndedEntry(actor: Actor, m: Who, session: { device: string; address: string }): AgencyEntry {
  return {
    actor,
    action: "Session ended",
    description: `${who(m)} signed out a session: ${session.device}, ${session.address}`,
    details: { lines: [`Device: ${session.device}`, `Address: ${session.address}`] },
  };
}
