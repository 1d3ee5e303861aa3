import nodemailer from 'nodemailer';
import type { MailMessage } from './message';

/** Where mail goes: an SMTP server, or the log in development. */
export interface MailTransport {
  /** Resolves once the server accepted the message; rejects if it did not. */
  send(message: MailMessage): Promise<void>;
  close(): void;
}

/** The default `MAIL_FROM`. */
export const DEFAULT_MAIL_FROM = 'Tessera <no-reply@localhost>';

/**
 * Sends over SMTP with nodemailer (`SMTP_URL`: `smtp://user:pass@host:587`, or `smtps://` for
 * TLS from the start). Connection and greeting are bounded, so a dead server fails an attempt in
 * seconds and the outbox retries it.
 *
 * @example
 * const transport = smtpTransport('smtp://mail.example.com:587', 'Tessera <no-reply@example.com>');
 */
export function smtpTransport(smtpUrl: string, from: string): MailTransport {
  const url = new URL(smtpUrl);
  const transporter = nodemailer.createTransport({
    host: url.hostname,
    port: url.port ? Number(url.port) : url.protocol === 'smtps:' ? 465 : 587,
    secure: url.protocol === 'smtps:',
    auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  return {
    async send(message) {
      await transporter.sendMail({ from, ...message });
    },
    close: () => transporter.close(),
  };
}

/** The slice of a logger the log transport writes to. */
export interface MailLog {
  info(details: object, message: string): void;
}

/**
 * Development without SMTP_URL: each message goes to the log at info level, link included, so
 * `npm start` works with nothing else installed. Never in production (the links are secrets).
 *
 * @example
 * const transport = logTransport(app.log, DEFAULT_MAIL_FROM);
 */
export function logTransport(log: MailLog, from: string): MailTransport {
  return {
    async send(message) {
      log.info(
        { event: 'mail_logged', from, to: message.to, subject: message.subject, text: message.text },
        `Mail to ${message.to} (no SMTP_URL set, so it is logged instead of sent): ${message.subject}`,
      );
    },
    close() {},
  };
}
