/**
 * Where staff links point, and the emails this feature sends through the one send path
 * (src/email/send.ts). A failed send is returned to the caller to show or log — never thrown,
 * never logged with its address or body.
 */
import { isLoopbackHost } from "../portal-logins/portal-url";
import { passwordChangedEmail, staffLinkEmail } from "../email/staff-credentials";
import { sendEmail, type SendOutcome } from "../email/send";
import { formatAgencyDateTime, zoneName } from "../layout/agency-time";
import { LINK_LIFETIME_TEXT, type LinkPurpose } from "./links";

/**
 * The staff app's origin for links in emails: `STAFF_ORIGIN` when configured (production: the
 * agency-facing domain, whatever address the request came in on), else the request's origin.
 *
 * @example staffOrigin({ STAFF_ORIGIN: "" }, "http://localhost:8787/forgot-password") // "http://localhost:8787"
 */
export function staffOrigin(env: { STAFF_ORIGIN?: string }, requestUrl: string): string {
  if (env.STAFF_ORIGIN) return env.STAFF_ORIGIN.replace(/\/+$/, "");
  const request = new URL(requestUrl);
  // The Host header is the client's to choose: only a local (loopback) request may supply the
  // origin of emailed links; deployed, STAFF_ORIGIN must be set (npm run deploy checks it).
  if (!isLoopbackHost(request.hostname)) throw new Error("STAFF_ORIGIN is not set: emailed staff links can't be built from the request's Host header");
  return request.origin;
}

/** The URL of a link's secret. */
export const linkUrl = (origin: string, token: string) => `${origin}/staff-link/${token}`;

interface Member {
  name: string;
  email: string;
  agency: { name: string; timezone: string };
}

/** Emails an invitation or reset link. */
export function sendLinkEmail(env: Env, origin: string, member: Member, purpose: LinkPurpose, token: string): Promise<SendOutcome> {
  return sendEmail(
    env,
    staffLinkEmail({
      kind: purpose,
      to: member.email,
      name: member.name,
      agencyName: member.agency.name,
      link: linkUrl(origin, token),
      validFor: LINK_LIFETIME_TEXT[purpose],
    }),
  );
}

/** Emails the notice that the member's password was set (first one) or changed. */
export function sendPasswordNotice(env: Env, origin: string, member: Member, kind: "set" | "changed", at: number): Promise<SendOutcome> {
  return sendEmail(
    env,
    passwordChangedEmail({
      to: member.email,
      name: member.name,
      agencyName: member.agency.name,
      kind,
      when: `${formatAgencyDateTime(at, member.agency.timezone)} (${zoneName(member.agency.timezone)})`,
      forgotPasswordUrl: `${origin}/forgot-password`,
    }),
  );
}
