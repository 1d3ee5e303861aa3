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
  warn(details: object, message: string): void;
}

export interface LogTransportOptions {
  /**
   * Logging was chosen on purpose outside localhost (`MAIL_TRANSPORT=log`): whoever reads the log
   * can use the links in it, so it says so at warn level once now and with every message.
   */
  warn?: boolean;
}

/**
 * Development without SMTP_URL: each message goes to the log at info level, link included, so
 * `npm start` works with nothing else installed. Elsewhere only when asked for, with `warn`: the
 * links are secrets.
 *
 * @example
 * const transport = logTransport(app.log, DEFAULT_MAIL_FROM);
 */
export function logTransport(log: MailLog, from: string, options: LogTransportOptions = {}): MailTransport {
  if (options.warn) {
    log.warn(
      { event: 'mail_transport_log' },
      'MAIL_TRANSPORT=log: mail is written to the log instead of sent, reset and confirmation links included. ' +
        'Anyone who reads this log can take over accounts: set SMTP_URL in production.',
    );
  }
  return {
    async send(message) {
      const details = { event: 'mail_logged', from, to: message.to, subject: message.subject, text: message.text };
      if (options.warn) {
        log.warn(
          details,
          `Mail to ${message.to} written to the log instead of sent (MAIL_TRANSPORT=log); its link opens the account: ${message.subject}`,
        );
      } else {
        log.info(details, `Mail to ${message.to} (logged instead of sent, for development): ${message.subject}`);
      }
    },
    close() {},
  };
}
