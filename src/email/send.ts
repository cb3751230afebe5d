/**
 * Sending email through the Worker's send_email binding (object form). A failed send is an
 * answer, not an exception: callers record it and offer a retry, and may log the reason (addresses
 * taken out) — never the message, whose body can hold credentials.
 */

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** `messageId` is the binding's id for the message (locally, the name of the files it writes). */
export type SendOutcome = { sent: true; messageId?: string } | { sent: false; reason: string };

/**
 * Sends from the configured sender (`EMAIL_FROM`).
 *
 * @example
 *   const outcome = await sendEmail(env, { to, subject, text, html });
 *   if (!outcome.sent) markAsNotSent();
 */
export async function sendEmail(env: Env, message: OutgoingEmail): Promise<SendOutcome> {
  try {
    if (!env.EMAIL_FROM) throw new Error("EMAIL_FROM is not configured");
    const result = await env.EMAIL.send({ from: env.EMAIL_FROM, to: message.to, subject: message.subject, text: message.text, html: message.html });
    return result?.messageId ? { sent: true, messageId: result.messageId } : { sent: true };
  } catch (err) {
    // The binding's message can name the recipient: keep addresses out of what callers log.
    const reason = (err instanceof Error ? err.message : String(err)).replace(/[^\s<>"']+@[^\s<>"']+/g, "<address>");
    return { sent: false, reason };
  }
}
