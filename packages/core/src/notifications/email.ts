/**
 * Email over SMTP with nodemailer, only when the server is configured for it (GATHERING_SMTP_URL and
 * GATHERING_SMTP_FROM). SMTP has no idempotency key: a worker killed after the server accepted a
 * message and before the fire recorded it sends that message again on retry (at least once).
 */
import nodemailer from "nodemailer";

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
      const info = await transport.sendMail({
        from: config.from,
        to: [...message.to],
        subject: message.subject,
        text: message.text,
        ...(message.idempotencyKey ? { headers: { "X-Gathering-Delivery": message.idempotencyKey } } : {}),
      });
      return { messageId: String(info.messageId) };
    },
    close() {
      transport.close();
    },
  };
}
