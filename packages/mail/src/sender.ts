import type { MailMessage } from './message';
import type { MailOutbox, QueuedMail } from './outbox';
import type { MailTransport } from './transport';

/** The first retry waits this long; each next one twice as long, up to {@link MAX_RETRY_DELAY_MS}. */
export const FIRST_RETRY_DELAY_MS = 1_000;
export const MAX_RETRY_DELAY_MS = 5 * 60_000;
/** A message is retried for at least this long after it was queued, then given up. */
export const GIVE_UP_AFTER_MS = 24 * 3600_000;
/** How long a claim holds: longer than the SMTP transport's timeouts, so a live send is never doubled. */
export const CLAIM_LEASE_MS = 60_000;
/** Messages claimed per round. */
const BATCH = 10;

export interface MailSenderLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface MailSenderOptions {
  outbox: MailOutbox;
  transport: MailTransport;
  /** Opens a queued message (it is sealed at rest). */
  open(mail: QueuedMail): MailMessage;
  log: MailSenderLog;
  /** Milliseconds between looks at the outbox (besides `wake`). */
  pollMs?: number;
  now?: () => number;
}

export interface MailSender {
  /** Looks at the outbox now: call it after queueing, so mail leaves at once. */
  wake(): void;
  /** Stops looking and waits for the round in progress. */
  stop(): Promise<void>;
}

/** How long to wait after the `attempt`-th failed attempt (1-based): 1 s, 2 s, 4 s … 5 min. */
export function retryDelayMs(attempt: number): number {
  return Math.min(FIRST_RETRY_DELAY_MS * 2 ** Math.max(0, attempt - 1), MAX_RETRY_DELAY_MS);
}

/**
 * Sends what the outbox holds, in the background: a message is claimed, opened, sent, and
 * marked sent; a failure (the SMTP server down, refusing, timing out) is retried with
 * exponential backoff from 1 s to 5 min, for 24 hours, then given up with an error in the log.
 * Nothing is lost across restarts: the outbox is a table, and a dead sender's claims expire.
 *
 * @example
 * const sender = startMailSender({ outbox: store, transport, open: (mail) => openMessage(mail), log });
 * sender.wake();
 */
export function startMailSender(options: MailSenderOptions): MailSender {
  const now = options.now ?? Date.now;
  const { outbox, transport, log } = options;
  let round: Promise<void> | null = null;
  let again = false;
  let stopped = false;

  const deliver = async (mail: QueuedMail): Promise<void> => {
    const attempt = mail.attempts + 1;
    try {
      await transport.send(options.open(mail));
      await outbox.markMailSent(mail.id, now());
      log.info({ event: 'mail_sent', mailId: mail.id, attempt }, 'mail sent');
    } catch (failure) {
      const error = (failure instanceof Error ? failure.message : String(failure)).slice(0, 500);
      const at = now();
      if (at - mail.createdAt >= GIVE_UP_AFTER_MS) {
        await outbox.markMailFailed(mail.id, at, error);
        log.error({ event: 'mail_failed', mailId: mail.id, attempt, error }, 'mail given up after 24 hours of retries');
        return;
      }
      const delay = retryDelayMs(attempt);
      await outbox.retryMailAt(mail.id, at + delay, error);
      log.warn({ event: 'mail_retry', mailId: mail.id, attempt, retryInMs: delay, error }, 'mail not sent; retrying');
    }
  };

  const runRound = async (): Promise<void> => {
    for (;;) {
      const at = now();
      const claimed = await outbox.claimDueMail(at, at + CLAIM_LEASE_MS, BATCH);
      for (const mail of claimed) await deliver(mail);
      if (claimed.length < BATCH || stopped) return;
    }
  };

  const tick = () => {
    if (stopped) return;
    if (round) {
      again = true;
      return;
    }
    round = runRound()
      .catch((failure: unknown) => {
        // The database failed: the messages stay queued, and the next round tries again.
        log.warn({ event: 'mail_outbox_unavailable', err: failure }, 'could not read the mail outbox');
      })
      .finally(() => {
        round = null;
        if (again) {
          again = false;
          tick();
        }
      });
  };

  const timer = setInterval(tick, options.pollMs ?? 1_000);
  timer.unref();
  tick();
  return {
    wake: tick,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await round;
    },
  };
}
