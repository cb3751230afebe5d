/**
 * The minors rules of the Portal Login window (agency settings: the age from which a minor may have
 * their own login, and the age of majority): no own login under the minimum age, and — while the
 * client is a minor — the minor's own login and every representative's never share an email.
 * Messages are what staff read next to the field.
 */
import { ageOn } from "./access";
import type { LoginAround } from "./queries";

/**
 * The mailbox an address reaches, for comparing: case and spaces ignored, a "+tag" dropped (most
 * providers deliver a+kid@x to a@x), and for Gmail the dots too (m.om@gmail.com is mom@gmail.com).
 * Errs towards "the same": a false match only asks staff for another address.
 */
export function mailboxKey(email: string): string {
  const e = email.trim().normalize("NFKC").toLowerCase();
  const at = e.lastIndexOf("@");
  if (at < 1) return e;
  let local = e.slice(0, at).split("+")[0]!;
  let domain = e.slice(at + 1);
  if (domain === "googlemail.com") domain = "gmail.com";
  if (domain === "gmail.com") local = local.replace(/\./g, "");
  return `${local}@${domain}`;
}

/** The message for an own login of a client under the minimum age; null when allowed. */
export function ownLoginTooYoung(client: { firstName: string; dateOfBirth: string }, today: string, minorOwnLoginAge: number): string | null {
  const age = ageOn(client.dateOfBirth, today);
  if (age >= minorOwnLoginAge) return null;
  return `${client.firstName} is ${age}: a client gets their own portal login from age ${minorOwnLoginAge} (agency setting). Check Representative to add a parent's or guardian's login instead.`;
}

/**
 * The message when the email of the login being saved is that of another login of this minor on
 * the other side (own vs representative); null when the client is of age or the email is free.
 */
export function sharedEmailProblem(input: {
  client: { firstName: string; dateOfBirth: string };
  today: string;
  ageOfMajority: number;
  email: string;
  representative: boolean;
  /** The login being edited (excluded); undefined when adding. */
  loginId?: number;
  around: LoginAround[];
}): string | null {
  if (ageOn(input.client.dateOfBirth, input.today) >= input.ageOfMajority) return null;
  const key = mailboxKey(input.email);
  const clash = input.around.find((l) => l.id !== input.loginId && l.representative !== input.representative && mailboxKey(l.email) === key);
  if (!clash) return null;
  return input.representative
    ? `This is the email of ${input.client.firstName}'s own login (${clash.username}). A representative of a minor needs a different email.`
    : `This is the email of a representative of ${input.client.firstName} (${clash.username}). A minor's own login needs an email of their own.`;
}
