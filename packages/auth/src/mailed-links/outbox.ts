import type { MailOutbox, QueuedMail } from '@tessera/mail';
import type { Engine } from '../store/engine';
import type { Step } from '../store/step';
import type { NewEmailTokenFor } from './email-tokens';
import { issueEmailTokenFor } from './operations';
import type { MailedLinkSteps } from './steps';

/**
 * Claims the messages due (see `MailOutbox.claimDueMail`, @tessera/mail). A read first: most
 * seconds nothing is due, and on SQLite a read takes no write lock.
 */
export function* claimDueMail(
  steps: MailedLinkSteps,
  now: number,
  leaseUntil: number,
  limit: number,
): Step<QueuedMail[]> {
  if (!(yield* steps.firstDueMail(now))) return [];
  const claimed = yield* steps.claimDueMail(now, leaseUntil, limit);
  // The statement counted this attempt; the sender is told the attempts before it.
  return claimed.map((mail) => ({ ...mail, attempts: mail.attempts - 1 }));
}

/**
 * The mail outbox on an engine, and the one request's work that runs beside it (the
 * password-reset link for an address: `BackgroundDb.issueEmailTokenFor`).
 *
 * @example
 * const background = { ...mailOutboxOperations(sqliteEngine(db, sqliteMailedLinkSteps(db))), ... };
 */
export function mailOutboxOperations(engine: Engine<MailedLinkSteps>): MailOutbox & {
  issueEmailTokenFor(token: NewEmailTokenFor, now: number): Promise<boolean>;
} {
  return {
    issueEmailTokenFor: (token, now) => engine.write((steps) => issueEmailTokenFor(steps, token, now)),
    claimDueMail: (now, leaseUntil, limit) => engine.read((steps) => claimDueMail(steps, now, leaseUntil, limit)),
    markMailSent: (id, now) => engine.read((steps) => steps.markMailSent(id, now)),
    retryMailAt: (id, at, error) => engine.read((steps) => steps.retryMailAt(id, at, error)),
    markMailFailed: (id, now, error) => engine.read((steps) => steps.markMailFailed(id, now, error)),
  };
}
