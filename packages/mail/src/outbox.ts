/** A message waiting in the outbox, still sealed: only the sender opens it, just before sending. */
export interface QueuedMail {
  id: string;
  recipient: string;
  sealedMessage: string;
  /** Epoch ms: when it was queued (retries stop 24 hours after this). */
  createdAt: number;
  /** Attempts before this one. */
  attempts: number;
}

/**
 * The outbox table, on whichever engine: claimed with a lease, so several senders (one per
 * server process or instance) never send one message twice at once, and a sender that dies
 * leaves its claims to be picked up when the lease runs out.
 */
export interface MailOutbox {
  /**
   * Up to `limit` messages due at `now` (unsent, not given up), each claimed until `leaseUntil`:
   * its next attempt moves there and its attempts count up by one.
   */
  claimDueMail(now: number, leaseUntil: number, limit: number): Promise<QueuedMail[]>;
  markMailSent(id: string, now: number): Promise<void>;
  /** Another attempt at `at`, after `error` (kept for the operator, without secrets). */
  retryMailAt(id: string, at: number, error: string): Promise<void>;
  /** Gives up on it (kept, marked failed, for the operator). */
  markMailFailed(id: string, now: number, error: string): Promise<void>;
}
