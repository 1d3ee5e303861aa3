import { setImmediate as nextTurn } from 'node:timers/promises';
import { emailTokens, mailOutbox, rateLimits, sessions, type TesseraDb, webauthnChallenges } from '@tessera/db';
import { inArray, lt, or } from 'drizzle-orm';

/** Ended sessions are kept this long (for the sessions page's history and for audits), then pruned. */
export const ENDED_SESSION_RETENTION_MS = 30 * 24 * 3600 * 1000;
/** Rows deleted per statement: small enough that a request waiting on the lock hardly notices. */
export const PRUNE_BATCH_SIZE = 200;

export interface PruneResult {
  sessions: number;
  rateLimits: number;
  /** Mailed tokens expired, and outbox rows sent or given up, longer than the retention ago. */
  mail: number;
  /** Passkey challenges handed out and never answered, once expired. */
  challenges: number;
}

/**
 * Deletes sessions revoked or expired more than `ENDED_SESSION_RETENTION_MS` ago (their refresh
 * tokens go with them, by cascade), throttle counters whose window has passed, and mailed tokens
 * and outbox rows done with for as long, and passkey challenges past their expiry. Works in small
 * batches and yields to the event loop between them, so requests interleave with a long prune.
 * The retention is far longer than any access token lives, so the revocation window's rows stay.
 *
 * @example
 * const pruned = await pruneExpired(db, Date.now()); // { sessions: 12, rateLimits: 40 }
 */
export async function pruneExpired(db: TesseraDb, now: number, batchSize = PRUNE_BATCH_SIZE): Promise<PruneResult> {
  const before = now - ENDED_SESSION_RETENTION_MS;
  const endedLongAgo = or(lt(sessions.revokedAt, before), lt(sessions.idleExpiresAt, before));
  const prunedSessions = await inBatches(batchSize, () =>
    db
      .delete(sessions)
      .where(inArray(sessions.id, db.select({ id: sessions.id }).from(sessions).where(endedLongAgo).limit(batchSize)))
      .run(),
  );
  const prunedRateLimits = await inBatches(batchSize, () =>
    db
      .delete(rateLimits)
      .where(
        inArray(
          rateLimits.key,
          db
            .select({ key: rateLimits.key })
            .from(rateLimits)
            .where(lt(rateLimits.expire, new Date(now)))
            .limit(batchSize),
        ),
      )
      .run(),
  );
  const prunedTokens = await inBatches(batchSize, () =>
    db
      .delete(emailTokens)
      .where(
        inArray(
          emailTokens.id,
          db.select({ id: emailTokens.id }).from(emailTokens).where(lt(emailTokens.expiresAt, before)).limit(batchSize),
        ),
      )
      .run(),
  );
  const doneLongAgo = or(lt(mailOutbox.sentAt, before), lt(mailOutbox.failedAt, before));
  const prunedMail = await inBatches(batchSize, () =>
    db
      .delete(mailOutbox)
      .where(
        inArray(mailOutbox.id, db.select({ id: mailOutbox.id }).from(mailOutbox).where(doneLongAgo).limit(batchSize)),
      )
      .run(),
  );
  const prunedChallenges = await inBatches(batchSize, () =>
    db
      .delete(webauthnChallenges)
      .where(
        inArray(
          webauthnChallenges.challengeHash,
          db
            .select({ hash: webauthnChallenges.challengeHash })
            .from(webauthnChallenges)
            .where(lt(webauthnChallenges.expiresAt, now))
            .limit(batchSize),
        ),
      )
      .run(),
  );
  return {
    sessions: prunedSessions,
    rateLimits: prunedRateLimits,
    mail: prunedTokens + prunedMail,
    challenges: prunedChallenges,
  };
}

/** Runs `deleteBatch` until a batch comes back short, yielding between batches. */
async function inBatches(batchSize: number, deleteBatch: () => { changes: number }): Promise<number> {
  let total = 0;
  for (;;) {
    const { changes } = deleteBatch();
    total += changes;
    if (changes < batchSize) return total;
    await nextTurn();
  }
}
