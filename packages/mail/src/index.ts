export type { MailMessage } from './message';
export type { MailOutbox, QueuedMail } from './outbox';
export {
  CLAIM_LEASE_MS,
  FIRST_RETRY_DELAY_MS,
  GIVE_UP_AFTER_MS,
  MAX_RETRY_DELAY_MS,
  type MailSender,
  type MailSenderLog,
  type MailSenderOptions,
  retryDelayMs,
  startMailSender,
} from './sender';
export {
  accountDeletedMail,
  emailChangedMail,
  emailChangeMail,
  type PasswordChange,
  passkeyAddedMail,
  passwordChangedMail,
  passwordResetMail,
  recoveryCodeUsedMail,
  twoFactorResetMail,
  verificationMail,
} from './templates';
export {
  DEFAULT_MAIL_FROM,
  type LogTransportOptions,
  logTransport,
  type MailLog,
  type MailTransport,
  smtpTransport,
} from './transport';
