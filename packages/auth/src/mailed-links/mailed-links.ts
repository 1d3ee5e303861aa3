import { randomUUID } from 'node:crypto';
import type { MailMessage, QueuedMail } from '@tessera/mail';
import { generateRefreshToken, hashRefreshToken } from '../tokens/refresh-token';
import type { SecretBox } from '../tokens/secret-box';
import type { EmailTokenPurpose, NewEmailToken } from './email-tokens';

/** Where each kind of link opens in the SPA; the token rides in the fragment. */
const LINK_PATHS: Record<EmailTokenPurpose, string> = {
  password_reset: '/reset-password',
  email_verification: '/verify-email',
  email_change: '/confirm-email-change',
  email_change_undo: '/undo-email-change',
};

/** Binds a sealed message to its outbox row. */
const messageContext = (mailId: string) => `mail_outbox.sealed_message:${mailId}`;

/**
 * A new mailed token and the outbox row that carries it: 256 random bits, only their SHA-256
 * hash stored, and the message sealed (its link opens an account). Whose it is comes with the
 * issue (`userId`, or the address's owner).
 *
 * @example
 * const record = mailedToken({ box, origin, purpose: 'password_reset', expiresAt, compose });
 * await store.issueEmailToken({ ...record, userId }, now);
 */
export function mailedToken(input: {
  box: SecretBox;
  /** PUBLIC_ORIGIN: the links open the SPA there. */
  origin: string;
  purpose: EmailTokenPurpose;
  expiresAt: number;
  compose(link: string): MailMessage;
}): Omit<NewEmailToken, 'userId'> {
  const token = generateRefreshToken();
  const link = `${input.origin}${LINK_PATHS[input.purpose]}#token=${token}`;
  return {
    purpose: input.purpose,
    tokenHash: hashEmailToken(token),
    expiresAt: input.expiresAt,
    mail: sealedMail(input.box, input.compose(link)),
  };
}

/** An outbox row for `message`, sealed like every queued message (bound to its row). */
export function sealedMail(box: SecretBox, message: MailMessage): NewEmailToken['mail'] {
  const id = randomUUID();
  return { id, recipient: message.to, sealedMessage: box.seal(JSON.stringify(message), messageContext(id)) };
}

/** How a presented token is looked up (the same hashing as refresh tokens: 256 bits need no stretching). */
export const hashEmailToken = hashRefreshToken;

/**
 * Opens a queued message for the sender.
 *
 * @example
 * startMailSender({ outbox: store, transport, open: (mail) => openQueuedMail(box, mail), log });
 */
export function openQueuedMail(box: SecretBox, mail: QueuedMail): MailMessage {
  return JSON.parse(box.open(mail.sealedMessage, messageContext(mail.id))) as MailMessage;
}
