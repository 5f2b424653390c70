/**
 * Email over SMTP with nodemailer, only when the server is configured for it (GATHERING_SMTP_URL and
 * GATHERING_SMTP_FROM). SMTP has no idempotency key: a worker killed after the server accepted a
 * message and before the fire recorded it sends that message again on retry (at least once).
 *
 * The server's answer decides whether trying again can help: a 5xx reply (unknown recipient, message
 * refused, credentials refused) is permanent and becomes an AppError; a 4xx reply, a refused
 * connection or a timeout stays a plain error, which the caller retries with backoff.
 */
import nodemailer from "nodemailer";
import { AppError } from "../errors";

export interface MailMessage {
  to: readonly string[];
  subject: string;
  text: string;
  /** Sent as a header so a receiving system can drop a repeat. */
  idempotencyKey?: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<{ messageId: string }>;
  close(): void;
}

export interface SmtpConfig {
  /** smtp://user:password@host:587 or smtps://... */
  url: string;
  from: string;
}

export function createSmtpMailer(config: SmtpConfig): Mailer {
  const transport = nodemailer.createTransport(config.url);
  return {
    async send(message) {
      try {
        const info = await transport.sendMail({
          from: config.from,
          to: [...message.to],
          subject: message.subject,
          text: message.text,
          ...(message.idempotencyKey ? { headers: { "X-Gathering-Delivery": message.idempotencyKey } } : {}),
        });
        return { messageId: String(info.messageId) };
      } catch (error) {
        throw classifySmtpError(error);
      }
    },
    close() {
      transport.close();
    },
  };
}

/** nodemailer's failure with the server's reply: permanent (5xx) as an AppError, anything else unchanged. */
export function classifySmtpError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const { responseCode, response, code } = error as Error & { responseCode?: number; response?: string; code?: string };
  if (typeof responseCode !== "number" || responseCode < 500 || responseCode > 599) return error;
  // The server's own words (e.g. "550 5.1.1 <x@example.com>: Recipient address rejected") are safe to show.
  const reply = typeof response === "string" ? response.slice(0, 300) : String(responseCode);
  if (code === "EAUTH") {
    return new AppError("PRECONDITION_FAILED", `The mail server refused the credentials in GATHERING_SMTP_URL: ${reply}`, undefined, {
      cause: error,
    });
  }
  return new AppError("BAD_REQUEST", `The mail server refused the message: ${reply}`, { smtpCode: responseCode }, { cause: error });
}
