/**
 * A member's status as the administration pages name it. One order decides when several apply:
 * an inactive member is Inactive whatever else is true; an invited one (no password yet) can't
 * sign in, so a lock doesn't matter to them; a lock is shown over Active.
 */
import type { Member } from "./queries";

export type MemberStatus = "Invited" | "Active" | "Locked" | "Inactive";

/** The status of a member at `now` (epoch ms). */
export function memberStatus(m: Pick<Member, "active" | "invited" | "lockedUntil">, now: number): MemberStatus {
  if (!m.active) return "Inactive";
  if (m.invited) return "Invited";
  if (m.lockedUntil !== null && m.lockedUntil > now) return "Locked";
  return "Active";
}
