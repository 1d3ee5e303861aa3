import type { Step } from '../store/step';
import type { EmailTokenPurpose, EmailTokenRow } from './email-tokens';
import type { NewEmailTokenRow, OutboxRow, QueuedMailRow } from './fragments';

/**
 * The single statements the mailed-link rules (operations.ts, outbox.ts) are written over;
 * `engines/sqlite/mailed-links.ts` and `engines/postgres/mailed-links.ts` supply them. A step
 * runs one statement and takes the lock its engine needs; it decides nothing.
 */
export interface MailedLinkSteps {
  /**
   * The user's row, locked for the rest of the transaction: issues to one user queue here, so
   * the second supersedes the first's token (PostgreSQL: `FOR UPDATE`; SQLite: the IMMEDIATE
   * transaction holds the lock already).
   */
  lockUser(userId: string): Step<{ id: string } | undefined>;
  /** The same, found by (normalised) address. */
  lockUserByEmail(email: string): Step<{ id: string } | undefined>;
  /** Marks the user's unused, unsuperseded tokens of the purpose superseded. */
  supersedeUnused(userId: string, purpose: EmailTokenPurpose, now: number): Step<void>;
  insertToken(row: NewEmailTokenRow): Step<void>;
  queueMail(row: OutboxRow): Step<void>;
  /** The token with this hash, unlocked (a check that changes nothing). */
  tokenByHash(tokenHash: string): Step<EmailTokenRow | undefined>;
  /**
   * The token with this hash, locked until the transaction ends: a supersede of it waits for
   * this use to commit, and a use of it waits for a supersede (PostgreSQL: `FOR UPDATE`).
   */
  lockTokenByHash(tokenHash: string): Step<EmailTokenRow | undefined>;
  /** Marks the token used, only while it is unused and unsuperseded (compare-and-swap): how many rows changed. */
  markUsed(tokenId: string, now: number): Step<number>;
  /** Sets the user's `email_verified_at` to `now` unless it is set (kept at its first proof). */
  markEmailVerified(userId: string, now: number): Step<void>;

  /** One message due at `now`, if any: a read, which on SQLite takes no write lock. */
  firstDueMail(now: number): Step<{ id: string } | undefined>;
  /**
   * Claims up to `limit` due messages, oldest due first, until `leaseUntil` (their attempts count
   * up by one); rows another claim holds are skipped (PostgreSQL: `FOR UPDATE SKIP LOCKED`).
   */
  claimDueMail(now: number, leaseUntil: number, limit: number): Step<QueuedMailRow[]>;
  markMailSent(id: string, now: number): Step<void>;
  retryMailAt(id: string, at: number, error: string): Step<void>;
  markMailFailed(id: string, now: number, error: string): Step<void>;
}
